"""A :class:`Query`: what a family asked for, read from a link (never raising: what
cannot be read becomes a :class:`~trialfinder.query.filters.QueryProblem`) and
printed back to one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from trialfinder import geo, localized
from trialfinder.ages import ChildAge
from trialfinder.i18n import _, ngettext
from trialfinder.query.filters import (
    CLAUSE,
    DEFAULT_WITHIN_KM,
    FILTERS,
    FILTERS_BY_KEY,
    KIND,
    MAX_VALUE_LENGTH,
    MAX_VALUES_PER_KEY,
    SENTENCE_ORDER,
    QueryProblem,
    _write_number,
)
from trialfinder.query.place import PLACE_FILTER
from trialfinder.words.read import read_condition
from trialfinder.words.synonyms import EMPTY as NO_SYNONYMS
from trialfinder.words.synonyms import Synonyms

#: A notice names this many ignored values, then counts the rest.
NOTICE_PROBLEMS = 10
#: Put by the dashboard in place of what a link held past the parameters Streamlit
#: reads (trialfinder/ui/linklimit.py): ``link_cut=<how many the link had>``.
LINK_CUT = "link_cut"
#: How many parameters of a link are read (Streamlit's own limit).
LINK_LIMIT = 1000


@dataclass(frozen=True)
class Query:
    """What a family asked for. Empty fields filter nothing."""

    cond: tuple[str, ...] = ()
    age: ChildAge | None = None
    status: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    near: str | None = None
    within: float | None = None
    phase: tuple[str, ...] = ()
    type: str | None = None
    intr: tuple[str, ...] = ()
    spons: tuple[str, ...] = ()

    @property
    def place(self) -> geo.Place | None:
        return geo.resolve_place(self.near) if self.near else None

    @property
    def radius_km(self) -> float:
        return self.within if self.within is not None else DEFAULT_WITHIN_KM

    @property
    def has_place(self) -> bool:
        return PLACE_FILTER.active(self)

    def params(self) -> list[tuple[str, str]]:
        """(key, value) pairs in the canonical order."""
        return [pair for f in FILTERS for pair in f.params(getattr(self, f.key))]

    def to_query_string(self) -> str:
        return urlencode(self.params())

    def __str__(self) -> str:
        return self.to_query_string()

    @property
    def child_hint(self) -> bool:
        """A condition typed with child words ("leukemia child") and no age given:
        the trials must accept a child (someone under 18)."""
        return self.age is None and any(read_condition(c).child_hint for c in self.cond)

    def describe(self, count: int | None = None, synonyms: Synonyms = NO_SYNONYMS) -> str:
        """The view in one sentence, in the interface's language.

        "Recruiting trials for cerebral palsy that accept a child of 4 years, within
        50 km of Hanoi"; with a count: "1 recruiting trial for ... that accepts ...".
        Each clause is one message of the catalog, so a language can order its words.
        What was read in other words says both: "trials for cerebral palsy (you
        typed: bại não)".
        """
        values = {
            f.key: tuple(f.reads(v, synonyms).said() for v in getattr(self, f.key))
            if f.reads
            else getattr(self, f.key)
            for f in FILTERS
        }
        n = 2 if count is None else count
        chosen = [FILTERS_BY_KEY[key] for key in SENTENCE_ORDER]
        set_ = [f for f in chosen if f.values(values[f.key])]
        kind = " ".join(f.words(values[f.key], n) for f in set_ if f.part == KIND)
        if count is None:
            head = _("{kind} trials").format(kind=kind) if kind else _("trials")
        elif kind:
            head = ngettext("{count} {kind} trial", "{count} {kind} trials", n)
            head = head.format(count=localized.count(count), kind=kind)
        else:
            head = ngettext("{count} trial", "{count} trials", n).format(
                count=localized.count(count)
            )
        words = [head] + [f.words(values[f.key], n) for f in set_ if f.part == CLAUSE]
        if self.child_hint:
            words.append(ngettext("that accepts children", "that accept children", n))
        place = PLACE_FILTER.words(self)
        if place:
            if self.age is not None or self.child_hint:
                # "a child of 4 years, within 50 km": the place is the trials', not the child's.
                words[-1] += ","
            words.append(place)
        sentence = " ".join(words)
        if count is not None:
            return sentence
        return sentence[0].upper() + sentence[1:]


if tuple(Query.__dataclass_fields__) != tuple(f.key for f in FILTERS):
    raise TypeError("Query's fields must be the filters' keys, in the same order")


@dataclass(frozen=True)
class ParsedQuery:
    query: Query
    problems: tuple[QueryProblem, ...] = ()
    #: Values of the extra keys the caller allowed (e.g. a page's ``id``).
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def notice(self) -> str | None:
        """One line that says what was ignored, or None (the first few, then a count)."""
        if not self.problems:
            return None
        shown = "; ".join(str(p) for p in self.problems[:NOTICE_PROBLEMS])
        more = len(self.problems) - NOTICE_PROBLEMS
        if more > 0:
            shown += "; " + ngettext("and {n} more value", "and {n} more values", more).format(
                n=f"{more:,}"
            )
        return _("Ignored {problems}.").format(problems=shown)


Source = str | Mapping[str, Iterable[str] | str] | Iterable[tuple[str, str]]


def _pairs(source: Source) -> list[tuple[str, str]]:
    if isinstance(source, str):
        return parse_qsl(source.lstrip("?"), keep_blank_values=True)
    if not isinstance(source, Mapping):
        return [(str(key), str(value)) for key, value in source]
    pairs: list[tuple[str, str]] = []
    for key, values in source.items():
        for value in [values] if isinstance(values, str) else values:
            pairs.append((key, value))
    return pairs


def parse_query(source: Source, extra_keys: Iterable[str] = ()) -> ParsedQuery:
    """Read a query string, a mapping of key -> values, or (key, value) pairs.

    Never raises: what cannot be read becomes a :class:`QueryProblem`.
    """
    allowed_extra = set(extra_keys)
    values: dict[str, list[Any]] = {}
    extra: dict[str, list[str]] = {}
    problems: list[QueryProblem] = []
    for key, raw in _pairs(source):
        if key == LINK_CUT and raw.isdigit() and raw.isascii():
            past = _("past its first {limit} parts (the link had {n}); not read").format(
                limit=f"{LINK_LIMIT:,}", n=f"{int(raw[:12]):,}"
            )
            problems.insert(0, QueryProblem(_("the rest of the link"), None, past))
            continue
        if key in allowed_extra:
            extra.setdefault(key, []).append(raw)
            continue
        spec = FILTERS_BY_KEY.get(key)
        if spec is None:
            problems.append(QueryProblem(key[:40], raw, _("unknown key")))
            continue
        if raw.strip() == "":
            continue
        if len(raw) > MAX_VALUE_LENGTH:
            too_long = _("longer than {n} characters").format(n=MAX_VALUE_LENGTH)
            problems.append(QueryProblem(key, raw, too_long))
            continue
        try:
            value = spec.read(raw)
        except ValueError as error:
            problems.append(QueryProblem(key, raw, str(error).removeprefix(f"age {raw!r} ")))
            continue
        bucket = values.setdefault(key, [])
        if not spec.repeatable and bucket:
            once = _("given more than once; the first was kept")
            problems.append(QueryProblem(key, raw, once))
            continue
        if value in bucket:
            continue
        if len(bucket) >= MAX_VALUES_PER_KEY:
            too_many = _("more than {n} values").format(n=MAX_VALUES_PER_KEY)
            problems.append(QueryProblem(key, raw, too_many))
            continue
        bucket.append(value)
    fields = {
        key: tuple(found) if FILTERS_BY_KEY[key].repeatable else found[0]
        for key, found in values.items()
    }
    query = Query(**fields)
    if query.within is not None and not query.near:
        problems.append(QueryProblem("within", _write_number(query.within), _("needs near")))
        query = replace(query, within=None)
    return ParsedQuery(query, tuple(problems), {k: tuple(v) for k, v in extra.items()})

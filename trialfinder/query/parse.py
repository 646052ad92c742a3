"""A :class:`Query`: what a family asked for, read from a link (never raising: what
cannot be read becomes a :class:`~trialfinder.query.filters.QueryProblem`) and
printed back to one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from trialfinder import geo
from trialfinder.ages import ChildAge
from trialfinder.i18n import _, ngettext
from trialfinder.query.filters import (
    DEFAULT_WITHIN_KM,
    FILTERS,
    FILTERS_BY_KEY,
    MAX_VALUE_LENGTH,
    MAX_VALUES_PER_KEY,
    QueryProblem,
    _age_words,
    _phases_words,
    _status_words,
    _type_words,
    _write_number,
)


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
        return bool(self.country or self.near)

    def params(self) -> list[tuple[str, str]]:
        """(key, value) pairs in the canonical order."""
        pairs: list[tuple[str, str]] = []
        for f in FILTERS:
            value = getattr(self, f.key)
            values = value if f.repeatable else (() if value is None else (value,))
            pairs.extend((f.key, f.write(v)) for v in values)
        return pairs

    def to_query_string(self) -> str:
        return urlencode(self.params())

    def __str__(self) -> str:
        return self.to_query_string()

    def describe(self, count: int | None = None) -> str:
        """The view in one sentence, in the interface's language.

        "Recruiting trials for cerebral palsy that accept a child of 4 years, within
        50 km of Hanoi"; with a count: "1 recruiting trial for ... that accepts ...".
        Each clause is one message of the catalog, so a language can order its words.
        """
        either = _(" or ")
        adjectives = []
        if self.status:
            adjectives.append(either.join(_status_words(s) for s in self.status))
        if self.type:
            adjectives.append(_type_words(self.type))
        kind = " ".join(adjectives)
        n = 2 if count is None else count
        if count is None:
            head = _("{kind} trials").format(kind=kind) if kind else _("trials")
        elif kind:
            head = ngettext("{count} {kind} trial", "{count} {kind} trials", n)
            head = head.format(count=count, kind=kind)
        else:
            head = ngettext("{count} trial", "{count} trials", n).format(count=count)
        words = [head]
        if self.phase:
            words.append(_phases_words(self.phase))
        if self.cond:
            words.append(_("for {conditions}").format(conditions=either.join(self.cond)))
        if self.intr:
            words.append(_("testing {treatments}").format(treatments=either.join(self.intr)))
        if self.spons:
            words.append(_("run by {sponsors}").format(sponsors=either.join(self.spons)))
        if self.age is not None:
            accepts = ngettext("that accepts a child of {age}", "that accept a child of {age}", n)
            words.append(accepts.format(age=_age_words(self.age)))
        place = []
        if self.country:
            place.append(
                _("with a site in {countries}").format(countries=either.join(self.country))
            )
        if self.near:
            place.append(
                _("within {km} km of {place}").format(km=f"{self.radius_km:g}", place=self.near)
            )
        if place:
            if self.age is not None:
                # "a child of 4 years, within 50 km": the place is the trials', not the child's.
                words[-1] += ","
            words.append(" ".join(place))
        sentence = " ".join(words)
        if count is not None:
            return sentence
        return sentence[0].upper() + sentence[1:]


@dataclass(frozen=True)
class ParsedQuery:
    query: Query
    problems: tuple[QueryProblem, ...] = ()
    #: Values of the extra keys the caller allowed (e.g. a page's ``id``).
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def notice(self) -> str | None:
        """One line that says what was ignored, or None."""
        if not self.problems:
            return None
        return _("Ignored {problems}.").format(problems="; ".join(str(p) for p in self.problems))


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

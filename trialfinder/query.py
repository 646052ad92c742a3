"""One filter language for links, the command line and the code.

A :class:`Query` parses from a URL query string, prints back to one, states
itself in words, and applies to a :class:`~trialfinder.catalog.Catalog`. Each
filter knows its URL key, how to read a value, how to print it and how it
reads in a sentence (the shape of Datasette's ``filters.py``).

Bad values never raise: :func:`parse_query` returns the query it could read
and one :class:`QueryProblem` for everything it ignored.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from trialfinder import geo
from trialfinder.ages import ChildAge
from trialfinder.catalog import SITE_RESULT_COLUMNS, Catalog, frame_columns
from trialfinder.i18n import N_, _, language, ngettext
from trialfinder.model import OVERALL_STATUSES, PHASES, STUDY_TYPES
from trialfinder.words.ages import read_child_age
from trialfinder.words.expand import expand
from trialfinder.words.learned import EMPTY as NO_LEARNED
from trialfinder.words.match import matching_terms
from trialfinder.words.read import Reading, read_condition, read_intervention
from trialfinder.words.synonyms import EMPTY as NO_SYNONYMS
from trialfinder.words.synonyms import Synonyms

DEFAULT_WITHIN_KM = 50.0
MAX_WITHIN_KM = 20_000.0  # half the Earth's circumference: anything more is everywhere
MAX_VALUE_LENGTH = 200
MAX_VALUES_PER_KEY = 20


@dataclass(frozen=True)
class QueryProblem:
    """A part of a link that was ignored, and why."""

    key: str
    value: str | None
    message: str

    def __str__(self) -> str:
        key = self.key if self.key.isprintable() else repr(self.key)  # one line, always
        if self.value is None:
            return f"{key}: {self.message}"
        shown = self.value if len(self.value) <= 40 else self.value[:37] + "..."
        return f"{key}={shown!r}: {self.message}"


@dataclass(frozen=True)
class Filter:
    """One URL key: how to read a value, print it back and say it in words."""

    key: str
    repeatable: bool
    read: Callable[[str], Any]
    write: Callable[[Any], str] = str
    help: str = ""


def _read_words(what: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        cleaned = re.sub(r"\s+", " ", text).strip()
        if not re.search(r"\w", cleaned):
            raise ValueError(_("is not {what}").format(what=_(what)))
        return cleaned

    return read


_read_cond = _read_words(N_("a condition or words"))


def _read_enum(allowed: tuple[str, ...], what: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        value = re.sub(r"[\s,\-]+", "_", text.strip().upper())
        value = re.sub(r"^(EARLY_)?PHASE_(\d)$", r"\1PHASE\2", value)
        if value not in allowed:
            names = ", ".join(a.lower() for a in allowed)
            raise ValueError(
                _("is not a {what} (one of {names})").format(what=_(what), names=names)
            )
        return value

    return read


def _read_country(text: str) -> str:
    name = geo.canonical_country(text)
    if not name or not re.search(r"\w", name):
        raise ValueError(_("is not a country"))
    return name


def _read_near(text: str) -> str:
    cleaned = re.sub(r"\s+", " ", text).strip()
    try:
        geo.resolve_place(cleaned)
    except geo.PlaceNotFound as error:
        raise ValueError(
            _("is not a place the offline gazetteer knows (try 'City, Country' or 'lat,lon')")
        ) from error
    return cleaned


def _read_within(text: str) -> float:
    try:
        value = float(text.strip().lower().removesuffix("km"))
    except ValueError as error:
        raise ValueError(_("is not a distance in km")) from error
    if not (0 < value <= MAX_WITHIN_KM) or value != value:
        raise ValueError(
            _("is not a distance between 0 and {km} km").format(km=f"{MAX_WITHIN_KM:,.0f}")
        )
    return value


def _write_number(value: float) -> str:
    # The shortest text that reads back as the same number ("50", "12.5", "1234.567").
    return repr(float(value)).removesuffix(".0")


FILTERS: tuple[Filter, ...] = (
    Filter("cond", True, _read_cond, help="a condition or words"),
    Filter(
        "age",
        False,
        read_child_age,
        str,
        "the child's age: 4, 4y, 4y3m, 18m, 4 years 3 months or 4 tuổi",
    ),
    Filter("status", True, _read_enum(OVERALL_STATUSES, N_("status")), str.lower, "overall status"),
    Filter("country", True, _read_country, help="a site's country"),
    Filter("near", False, _read_near, help="a city, 'City, Country' or 'lat,lon'"),
    Filter("within", False, _read_within, _write_number, "radius around near, in km"),
    Filter("phase", True, _read_enum(PHASES, N_("phase")), str.lower, "trial phase"),
    Filter("type", False, _read_enum(STUDY_TYPES, N_("study type")), str.lower, "study type"),
    Filter(
        "intr",
        True,
        _read_words(N_("a treatment or words")),
        help="a treatment or active substance",
    ),
    Filter("spons", True, _read_words(N_("a sponsor's name")), help="lead sponsor or collaborator"),
)
#: The word filters (each searches the catalog's word index of the same name;
#: conditions also the titles').
TERM_KINDS = ("cond", "intr", "spons")
#: A child is under 18: "child", "children", "trẻ em" typed with a condition ask
#: for trials that admit at least the oldest child, 17 years 11 months.
OLDEST_CHILD = ChildAge(18 * 12 - 1)
FILTERS_BY_KEY = {f.key: f for f in FILTERS}


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
            conditions = either.join(_understood(read_condition(c, synonyms)) for c in self.cond)
            words.append(_("for {conditions}").format(conditions=conditions))
        if self.intr:
            treatments = either.join(_understood(read_intervention(i, synonyms)) for i in self.intr)
            words.append(_("testing {treatments}").format(treatments=treatments))
        if self.spons:
            words.append(_("run by {sponsors}").format(sponsors=either.join(self.spons)))
        if self.age is not None:
            accepts = ngettext("that accepts a child of {age}", "that accept a child of {age}", n)
            words.append(accepts.format(age=_age_words(self.age)))
        elif self.child_hint:
            words.append(ngettext("that accepts children", "that accept children", n))
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


def _understood(reading: Reading) -> str:
    """ "cerebral palsy (you typed: bại não)", or what was typed when it reads as itself."""
    lang = language()
    if not reading.understood_otherwise(lang):
        return reading.typed
    return _("{name} (you typed: {typed})").format(name=reading.name_in(lang), typed=reading.typed)


_STATUS_ADJECTIVES = {
    "RECRUITING": N_("recruiting"),
    "NOT_YET_RECRUITING": N_("not yet recruiting"),
    "ENROLLING_BY_INVITATION": N_("enrolling by invitation"),
    "ACTIVE_NOT_RECRUITING": N_("active but not recruiting"),
    "SUSPENDED": N_("suspended"),
    "TERMINATED": N_("terminated"),
    "COMPLETED": N_("completed"),
    "WITHDRAWN": N_("withdrawn"),
    "AVAILABLE": N_("available"),
    "NO_LONGER_AVAILABLE": N_("no longer available"),
    "TEMPORARILY_NOT_AVAILABLE": N_("temporarily not available"),
    "APPROVED_FOR_MARKETING": N_("approved for marketing"),
    "WITHHELD": N_("withheld"),
    "UNKNOWN": N_("unknown-status"),
}
_TYPE_WORDS = {
    "INTERVENTIONAL": N_("interventional"),
    "OBSERVATIONAL": N_("observational"),
    "EXPANDED_ACCESS": N_("expanded access"),
}


def _status_words(status: str) -> str:
    words = _STATUS_ADJECTIVES.get(status)
    return _(words) if words else status.lower().replace("_", " ")


def _type_words(study_type: str) -> str:
    words = _TYPE_WORDS.get(study_type)
    return _(words) if words else study_type.lower().replace("_", " ")


def _age_words(age: ChildAge) -> str:
    """ "4 years", "4 years 3 months", "18 months", in the interface's language."""
    years, months = divmod(age.months, 12)
    parts = []
    if years:
        parts.append(ngettext("{n} year", "{n} years", years).format(n=years))
    if months or not years:
        parts.append(ngettext("{n} month", "{n} months", months).format(n=months))
    return " ".join(parts)


def _phases_words(phases: tuple[str, ...]) -> str:
    """ "in phase 2 or early phase 1", "without a phase", "in phase 3 or without a phase"."""
    either = _(" or ")
    named = [_phase_words(p) for p in phases if p != "NA"]
    parts = [_("in {phases}").format(phases=either.join(named))] if named else []
    if "NA" in phases:
        parts.append(_("without a phase"))
    return either.join(parts)


def _phase_words(phase: str) -> str:
    if phase == "NA":
        return _("no phase")
    if phase == "EARLY_PHASE1":
        return _("early phase 1")
    return _("phase {number}").format(number=phase.removeprefix("PHASE"))


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


# ---------------------------------------------------------------- applying
#
# Every filter is answered from the catalog's search index (plain arrays built
# once with the catalog, trialfinder.catalog.SearchIndex): words through an
# inverted index of the terms' words, few-valued columns through a lookup table
# by code, ages by two comparisons of numbers, places through a latitude band of
# the sites sorted by latitude before any distance is computed, and the order
# through a rank worked out once. Nothing is sorted by text at query time.

#: Where a results table keeps the trial rows it was taken from (see _Rows).
_ROWS = "trialfinder.rows"


class _Rows:
    """The rows of the trials table a results table was taken from, kept in its
    ``attrs`` so the sites of the results are found without looking ids up again.
    Never copied (pandas deep-copies ``attrs`` into every frame derived from it);
    checked against the ids before use, as a frame derived from the results may
    hold other rows."""

    __slots__ = ("catalog", "positions")

    def __init__(self, catalog: Catalog, positions: np.ndarray) -> None:
        # Weakly: a results table kept somewhere must not keep an old catalog alive.
        self.catalog = weakref.ref(catalog)
        self.positions = positions

    def __deepcopy__(self, memo: dict) -> _Rows:
        return self

    def __copy__(self) -> _Rows:
        return self


def _word_mask(catalog: Catalog, key: str, wanted: Iterable[str]) -> np.ndarray:
    """Trials any of ``wanted`` finds.

    Conditions and treatments are read in a family's words first
    (:mod:`trialfinder.words`): each text to search must stand in one term with
    its words in any order and any spelling, or, for conditions, in a title with
    its words in order. A sponsor stands in a sponsor's name as typed (whole
    words, accents and case folded).
    """
    index = catalog.search
    mask = np.zeros(len(catalog.trials), dtype=bool)
    if key not in index.learned:
        words = index.words[key]
        found = [words.matching_terms(geo.fold(text)) for text in wanted]
        if found:
            mask[words.trials_of(np.unique(np.concatenate(found)))] = True
        return mask
    expansion = expand(key, wanted, catalog.synonyms, index.learned.get(key, NO_LEARNED))
    searches = [(index.words[key], text, False) for text in expansion.any_order]
    if key == "cond":
        searches += [(index.words["title"], text, True) for text in expansion.in_order]
    for words, text, in_order in searches:
        terms = matching_terms(words, text, in_order=in_order)
        if len(terms):
            mask[words.trials_of(terms)] = True
    return mask


def _trial_mask(catalog: Catalog, query: Query) -> np.ndarray:
    index = catalog.search
    mask = np.ones(len(catalog.trials), dtype=bool)
    if query.status:
        mask &= index.status.where(set(query.status).__contains__)
    if query.type:
        mask &= index.study_type.where(query.type.__eq__)
    if query.phase:
        pattern = re.compile("|".join(rf"(?:^|\|){p}(?:$|\|)" for p in query.phase))
        mask &= index.phases.where(lambda phases: pattern.search(phases) is not None)
    if query.age is not None:
        days = query.age.days
        mask &= (index.min_age_days <= days) & (days < index.max_age_days)
    if query.child_hint:
        mask &= index.min_age_days <= OLDEST_CHILD.days
    for key in TERM_KINDS:
        wanted = getattr(query, key)
        if wanted and mask.any():
            mask &= _word_mask(catalog, key, wanted)
    return mask


def _place_sites(
    catalog: Catalog, query: Query, trials: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The sites of the ``trials`` (a mask) that are in the query's place: their rows,
    ascending, and their distances to ``near`` (NaN without one).

    The candidates come from the smallest of: the band of latitudes around
    ``near`` (sites sorted by latitude), the sites of the chosen countries, the
    sites of the chosen trials; every other condition is then checked on them.
    """
    index = catalog.search
    chosen = np.flatnonzero(trials)
    place = query.place
    sources: list[tuple[int, str]] = [(int(index.n_sites[chosen].sum()), "trials")]
    if place is not None:
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.lat, place.lon, query.radius_km)
        low = np.searchsorted(index.lat_sorted, min_lat, "left")
        high = np.searchsorted(index.lat_sorted, max_lat, "right")
        sources.append((int(high - low), "band"))
    in_countries = index.sites_in(query.country) if query.country else None
    if in_countries is not None:
        sources.append((len(in_countries), "countries"))
    _size, source = min(sources)
    if source == "band":
        sites = np.sort(index.by_lat[low:high])
    elif source == "countries":
        sites = in_countries
    elif len(chosen) * 4 > len(trials):
        sites = np.flatnonzero(trials[index.site_trial])
    else:
        sites = index.sites_of(chosen)
    if source != "trials" and len(chosen) < len(trials):
        sites = sites[trials[index.site_trial[sites]]]
    if place is not None:
        if source != "band":
            lats = index.lat[sites]
            sites = sites[(lats >= min_lat) & (lats <= max_lat)]
        lons = index.lon[sites]
        sites = sites[(lons >= min_lon) & (lons <= max_lon)]
    if query.country and source != "countries":
        wanted = index.site_country.lookup(set(query.country).__contains__)
        sites = sites[wanted[index.site_country.codes[sites]]]
    if query.status:
        # A site with no status of its own follows the trial's (already filtered).
        own = index.site_status.lookup(set(query.status).__contains__, missing=True)
        sites = sites[own[index.site_status.codes[sites]]]
    distances = np.full(len(sites), np.nan)
    if place is not None:
        distances = geo.distance_km(place.lat, place.lon, index.lat[sites], index.lon[sites])
        near = distances <= query.radius_km
        sites, distances = sites[near], distances[near]
    return sites, distances


def _trials_mask(catalog: Catalog, trial_ids: pd.Series) -> np.ndarray:
    """The trials (a mask of the trials table's rows) of ``trial_ids``: a column of a
    results table (its rows are known: checked, not looked up), or any ids."""
    mask = np.zeros(len(catalog.trials), dtype=bool)
    rows = trial_ids.attrs.get(_ROWS)
    if (
        isinstance(rows, _Rows)
        and rows.catalog() is catalog
        and len(rows.positions) == len(trial_ids)
        and isinstance(trial_ids.dtype, pd.StringDtype)
    ):
        # The ids those rows hold, read from the ranked table (in results order,
        # mostly front to back), must be the ids given, one for one.
        index = catalog.search
        ranked_ids = index.ranked.column("id").chunk(0)
        expected = ranked_ids.take(pa.array(index.rank[rows.positions], type=pa.int64()))
        given = pa.array(trial_ids.array)
        if len(given) == 0 or pc.all(pc.equal(given, expected)).as_py():
            mask[rows.positions] = True
            return mask
    known = catalog._memo.get("id_index")
    if known is None:
        known = catalog._memo["id_index"] = pd.Index(catalog.trials["id"])
    positions = known.get_indexer(trial_ids)
    mask[positions[positions >= 0]] = True
    return mask


def matching_sites(catalog: Catalog, query: Query, trial_ids: pd.Series) -> pd.DataFrame:
    """Sites of the candidate trials that are in the place, with their distance."""
    sites, distances = _place_sites(catalog, query, _trials_mask(catalog, trial_ids))
    matched = catalog.sites.take(sites)
    matched["distance_km"] = distances
    return matched


def _nearest_site(
    trial_of: np.ndarray, sites: np.ndarray, distances: np.ndarray, near: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of each trial's matching sites (``sites`` ascending, so grouped by trial and
    in their order), the nearest; of two as near, or without ``near``, the first
    listed. Returns the trials, their sites and the distances, by trial."""
    if not len(sites):
        return trial_of, sites, distances
    starts = np.flatnonzero(np.r_[True, trial_of[1:] != trial_of[:-1]])
    if not near:
        return trial_of[starts], sites[starts], distances[starts]
    nearest = np.minimum.reduceat(distances, starts)
    counts = np.diff(np.r_[starts, len(sites)])
    at_least = np.flatnonzero(distances == np.repeat(nearest, counts))
    first = at_least[np.r_[True, trial_of[at_least[1:]] != trial_of[at_least[:-1]]]]
    return trial_of[first], sites[first], distances[first]


_SITE_COLUMNS = SITE_RESULT_COLUMNS
_NAN_STRING = pd.StringDtype("pyarrow", na_value=np.nan)


def _nulls(n: int) -> pd.api.extensions.ExtensionArray:
    return pd.arrays.ArrowStringArray(pa.chunked_array([pa.nulls(n, pa.large_string())]))


def apply_query(catalog: Catalog, query: Query) -> pd.DataFrame:
    """Matching trials, open first, then nearest, then most recently updated.

    Beside the trial columns: ``distance_km`` and ``site_*`` columns naming the
    nearest matching site when a place is set.
    """
    index = catalog.search
    mask = _trial_mask(catalog, query)
    site_columns: dict[str, Any]
    if not query.has_place:
        # In the default order already: the matching rows of the ranked table, front to back.
        in_order = mask[index.by_rank]
        positions = index.by_rank[in_order]
        table = index.ranked_rows(None if in_order.all() else in_order)
        n = len(positions)
        distance = np.full(n, np.nan)
        site_columns = {f"site_{c}": _nulls(n) for c in _SITE_COLUMNS}
        site_columns["site_approximate"] = pd.arrays.BooleanArray(
            np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
        )
    else:
        sites, distances = _place_sites(catalog, query, mask)
        positions, best, distance = _nearest_site(
            index.site_trial[sites], sites, distances, bool(query.near)
        )
        ranks = index.rank[positions]
        if query.near:
            order = np.lexsort((ranks, distance, ~index.is_open[positions]))
        else:
            order = np.argsort(ranks, kind="stable")
        positions, best, distance, ranks = (
            positions[order],
            best[order],
            distance[order],
            ranks[order],
        )
        table = index.ranked_rows(ranks)
        site_columns = {
            f"site_{c}": pd.arrays.ArrowStringArray(
                pa.chunked_array([index.site_values(catalog.sites, c, best)]), dtype=_NAN_STRING
            )
            for c in _SITE_COLUMNS
        }
        site_columns["site_approximate"] = catalog.sites["approximate"].to_numpy()[best]
    result = pd.DataFrame(
        {**frame_columns(table, "trials"), "distance_km": distance, **site_columns},
        index=pd.RangeIndex(len(positions)),
        copy=False,
    )
    result.attrs[_ROWS] = _Rows(catalog, positions)
    return result


def search(catalog: Catalog, source: Source | Query) -> pd.DataFrame:
    """Convenience: parse (when needed) and apply."""
    query = source if isinstance(source, Query) else parse_query(source).query
    return apply_query(catalog, query)


def site_trials(catalog: Catalog, sites: pd.DataFrame) -> np.ndarray:
    """Each site's trial, as its row of the trials table. ``sites`` are rows of the
    catalog's sites table keeping their labels, as :func:`result_sites` and
    :func:`matching_sites` give them."""
    return catalog.search.site_trial[sites.index.to_numpy()]


def result_sites(catalog: Catalog, query: Query, results: pd.DataFrame) -> pd.DataFrame:
    """The sites a view shows for its results: with a place, the sites in it that
    matched; without one, every site of the matching trials."""
    if query.has_place:
        return matching_sites(catalog, query, results["id"])
    trials = _trials_mask(catalog, results["id"])
    if trials.all():
        return catalog.sites
    return catalog.sites.take(catalog.search.sites_of(np.flatnonzero(trials)))

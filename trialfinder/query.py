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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

import numpy as np
import pandas as pd

from trialfinder import geo
from trialfinder.ages import ChildAge, parse_child_age
from trialfinder.catalog import Catalog
from trialfinder.model import OVERALL_STATUSES, PHASES, STUDY_TYPES

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
            raise ValueError(f"is not {what}")
        return cleaned

    return read


_read_cond = _read_words("a condition or words")


def _read_enum(allowed: tuple[str, ...], what: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        value = re.sub(r"[\s,\-]+", "_", text.strip().upper())
        value = re.sub(r"^(EARLY_)?PHASE_(\d)$", r"\1PHASE\2", value)
        if value not in allowed:
            names = ", ".join(a.lower() for a in allowed)
            raise ValueError(f"is not a {what} (one of {names})")
        return value

    return read


def _read_country(text: str) -> str:
    name = geo.canonical_country(text)
    if not name or not re.search(r"\w", name):
        raise ValueError("is not a country")
    return name


def _read_near(text: str) -> str:
    cleaned = re.sub(r"\s+", " ", text).strip()
    try:
        geo.resolve_place(cleaned)
    except geo.PlaceNotFound as error:
        raise ValueError(
            "is not a place the offline gazetteer knows (try 'City, Country' or 'lat,lon')"
        ) from error
    return cleaned


def _read_within(text: str) -> float:
    try:
        value = float(text.strip().lower().removesuffix("km"))
    except ValueError as error:
        raise ValueError("is not a distance in km") from error
    if not (0 < value <= MAX_WITHIN_KM) or value != value:
        raise ValueError(f"is not a distance between 0 and {MAX_WITHIN_KM:,.0f} km")
    return value


def _write_number(value: float) -> str:
    # The shortest text that reads back as the same number ("50", "12.5", "1234.567").
    return repr(float(value)).removesuffix(".0")


FILTERS: tuple[Filter, ...] = (
    Filter("cond", True, _read_cond, help="a condition or words"),
    Filter("age", False, parse_child_age, str, "the child's age: 4, 4y, 4y3m or 18m"),
    Filter("status", True, _read_enum(OVERALL_STATUSES, "status"), str.lower, "overall status"),
    Filter("country", True, _read_country, help="a site's country"),
    Filter("near", False, _read_near, help="a city, 'City, Country' or 'lat,lon'"),
    Filter("within", False, _read_within, _write_number, "radius around near, in km"),
    Filter("phase", True, _read_enum(PHASES, "phase"), str.lower, "trial phase"),
    Filter("type", False, _read_enum(STUDY_TYPES, "study type"), str.lower, "study type"),
    Filter(
        "intr", True, _read_words("a treatment or words"), help="a treatment or active substance"
    ),
    Filter("spons", True, _read_words("a sponsor's name"), help="lead sponsor or collaborator"),
)
#: Which kinds of catalog term each word filter searches.
TERM_KINDS = {
    "cond": ("condition", "keyword", "mesh", "ancestor", "title"),
    "intr": ("intervention",),
    "spons": ("sponsor",),
}
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

    def describe(self, count: int | None = None) -> str:
        """The view in one sentence.

        "Recruiting trials for cerebral palsy that accept a child of 4 years, within
        50 km of Hanoi"; with a count: "1 recruiting trial for ... that accepts ...".
        """
        noun = "trial" if count == 1 else "trials"
        adjectives = []
        if self.status:
            adjectives.append(" or ".join(_status_words(s) for s in self.status))
        if self.type:
            adjectives.append(self.type.lower().replace("_", " "))
        words = [" ".join([*adjectives, noun])]
        if self.phase:
            words.append(_phases_words(self.phase))
        if self.cond:
            words.append("for " + " or ".join(self.cond))
        if self.intr:
            words.append("testing " + " or ".join(self.intr))
        if self.spons:
            words.append("run by " + " or ".join(self.spons))
        if self.age is not None:
            verb = "accepts" if count == 1 else "accept"
            words.append(f"that {verb} a child of {self.age.in_words()}")
        place = []
        if self.country:
            place.append("with a site in " + " or ".join(self.country))
        if self.near:
            place.append(f"within {self.radius_km:g} km of {self.near}")
        if place:
            if self.age is not None:
                # "a child of 4 years, within 50 km": the place is the trials', not the child's.
                words[-1] += ","
            words.append(" ".join(place))
        sentence = " ".join(words)
        if count is not None:
            return f"{count} {sentence}"
        return sentence[0].upper() + sentence[1:]


_STATUS_ADJECTIVES = {
    "ACTIVE_NOT_RECRUITING": "active but not recruiting",
    "UNKNOWN": "unknown-status",
}


def _status_words(status: str) -> str:
    return _STATUS_ADJECTIVES.get(status, status.lower().replace("_", " "))


def _phases_words(phases: tuple[str, ...]) -> str:
    """ "in phase 2 or early phase 1", "without a phase", "in phase 3 or without a phase"."""
    named = [_phase_words(p) for p in phases if p != "NA"]
    parts = ["in " + " or ".join(named)] if named else []
    if "NA" in phases:
        parts.append("without a phase")
    return " or ".join(parts)


def _phase_words(phase: str) -> str:
    return {"NA": "no phase", "EARLY_PHASE1": "early phase 1"}.get(
        phase, phase.lower().replace("phase", "phase ")
    )


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
        return "Ignored " + "; ".join(str(p) for p in self.problems) + "."


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
            problems.append(QueryProblem(key[:40], raw, "unknown key"))
            continue
        if raw.strip() == "":
            continue
        if len(raw) > MAX_VALUE_LENGTH:
            problems.append(QueryProblem(key, raw, f"longer than {MAX_VALUE_LENGTH} characters"))
            continue
        try:
            value = spec.read(raw)
        except ValueError as error:
            problems.append(QueryProblem(key, raw, str(error).removeprefix(f"age {raw!r} ")))
            continue
        bucket = values.setdefault(key, [])
        if not spec.repeatable and bucket:
            problems.append(QueryProblem(key, raw, "given more than once; the first was kept"))
            continue
        if value in bucket:
            continue
        if len(bucket) >= MAX_VALUES_PER_KEY:
            problems.append(QueryProblem(key, raw, f"more than {MAX_VALUES_PER_KEY} values"))
            continue
        bucket.append(value)
    fields = {
        key: tuple(found) if FILTERS_BY_KEY[key].repeatable else found[0]
        for key, found in values.items()
    }
    query = Query(**fields)
    if query.within is not None and not query.near:
        problems.append(QueryProblem("within", _write_number(query.within), "needs near"))
        query = replace(query, within=None)
    return ParsedQuery(query, tuple(problems), {k: tuple(v) for k, v in extra.items()})


# ---------------------------------------------------------------- applying


def _word_pattern(terms: Iterable[str]) -> str:
    return "|".join(rf"(?<!\w){re.escape(geo.fold(t))}(?!\w)" for t in terms)


def _trial_mask(catalog: Catalog, query: Query) -> np.ndarray:
    trials = catalog.trials
    mask = np.ones(len(trials), dtype=bool)
    for key, kinds in TERM_KINDS.items():
        wanted = getattr(query, key)
        if wanted:
            terms = catalog.terms.loc[catalog.terms["kind"].isin(kinds)]
            hit = (
                terms["folded"]
                .str.contains(_word_pattern(wanted), regex=True)
                .to_numpy(dtype=bool, na_value=False)
            )
            mask &= trials["id"].isin(terms.loc[hit, "trial_id"].unique()).to_numpy()
    if query.age is not None:
        days = query.age.days
        mask &= (trials["min_age_days"].to_numpy() <= days) & (
            days < trials["max_age_days"].to_numpy()
        )
    if query.status:
        mask &= trials["overall_status"].isin(query.status).to_numpy(dtype=bool, na_value=False)
    if query.phase:
        pattern = "|".join(rf"(?:^|\|){p}(?:$|\|)" for p in query.phase)
        mask &= (
            trials["phases"].str.contains(pattern, regex=True).to_numpy(dtype=bool, na_value=False)
        )
    if query.type:
        mask &= (trials["study_type"] == query.type).to_numpy(dtype=bool, na_value=False)
    return mask


def matching_sites(catalog: Catalog, query: Query, trial_ids: pd.Series) -> pd.DataFrame:
    """Sites of the candidate trials that are in the place, with their distance."""
    sites = catalog.sites
    mask = sites["trial_id"].isin(trial_ids).to_numpy(dtype=bool, copy=True)
    if query.country:
        mask &= sites["country_key"].isin(query.country).to_numpy(dtype=bool, na_value=False)
    if query.status:
        own = sites["status"]
        mask &= (own.isna() | own.isin(query.status)).to_numpy(dtype=bool, na_value=False)
    place = query.place
    distances = np.full(len(sites), np.nan)
    if place is not None:
        lats = sites["lat"].to_numpy(dtype=float, na_value=np.nan)
        lons = sites["lon"].to_numpy(dtype=float, na_value=np.nan)
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.lat, place.lon, query.radius_km)
        in_box = (lats >= min_lat) & (lats <= max_lat) & (lons >= min_lon) & (lons <= max_lon)
        candidates = np.flatnonzero(mask & in_box)
        distances[candidates] = geo.distance_km(
            place.lat, place.lon, lats[candidates], lons[candidates]
        )
        mask &= distances <= query.radius_km
    matched = sites.loc[mask].copy()
    matched["distance_km"] = distances[mask]
    return matched


def apply_query(catalog: Catalog, query: Query) -> pd.DataFrame:
    """Matching trials, open first, then nearest, then most recently updated.

    Beside the trial columns: ``distance_km`` and ``site_*`` columns naming the
    nearest matching site when a place is set.
    """
    trials = catalog.trials.loc[_trial_mask(catalog, query)]
    result = trials.assign(
        distance_km=np.nan,
        site_facility=pd.NA,
        site_city=pd.NA,
        site_country=pd.NA,
        site_status=pd.NA,
        site_approximate=pd.NA,
    ).astype(
        {
            "site_facility": "string",
            "site_city": "string",
            "site_country": "string",
            "site_status": "string",
            "site_approximate": "boolean",
        }
    )
    if query.has_place:
        sites = matching_sites(catalog, query, trials["id"])
        nearest = (
            sites.sort_values(["distance_km", "site_index"], na_position="last")
            .drop_duplicates("trial_id")
            .set_index("trial_id")
        )
        result = result.loc[result["id"].isin(nearest.index)].copy()
        picked = nearest.loc[result["id"]]
        result["distance_km"] = picked["distance_km"].to_numpy()
        for column in ("facility", "city", "country", "status", "approximate"):
            result[f"site_{column}"] = picked[column].to_numpy()
    result = result.assign(_update=result["last_update"].fillna(""))
    result = result.sort_values(
        ["is_open", "distance_km", "_update", "id"],
        ascending=[False, True, False, True],
        na_position="last",
        kind="stable",
    )
    return result.drop(columns="_update").reset_index(drop=True)


def search(catalog: Catalog, source: Source | Query) -> pd.DataFrame:
    """Convenience: parse (when needed) and apply."""
    query = source if isinstance(source, Query) else parse_query(source).query
    return apply_query(catalog, query)


def result_sites(catalog: Catalog, query: Query, results: pd.DataFrame) -> pd.DataFrame:
    """The sites a view shows for its results: with a place, the sites in it that
    matched; without one, every site of the matching trials."""
    if query.has_place:
        return matching_sites(catalog, query, results["id"])
    return catalog.sites.loc[catalog.sites["trial_id"].isin(results["id"])]

"""From trials to rows: each trial flattened into the tables' rows, in chunks."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa

from trialfinder import ages, geo
from trialfinder.catalog.schema import _CHILDREN, SCHEMAS, SPECS
from trialfinder.model import OPEN_STATUSES, Trial

#: Trials a chunk of the streaming build holds before it is turned into Arrow.
CHUNK_TRIALS = 20_000


def _intervention_terms(t: Trial) -> tuple[str, ...]:
    """Names, types and other names of the interventions, the arms' intervention
    entries ("Drug: Piracetam") and the curated active substance."""
    terms: list[str] = []
    for i in t.interventions:
        terms.append(i.name)
        terms.extend(i.other_names)
        if i.type:
            terms.append(i.type.lower().replace("_", " "))
    for arm in t.arms:
        terms.extend(arm.interventions)
    if t.active_substance:
        terms.append(t.active_substance)
    return tuple(dict.fromkeys(terms))


def _term_kinds(t: Trial) -> tuple[tuple[str, Iterable[str]], ...]:
    return (
        ("condition", t.conditions),
        ("keyword", t.keywords),
        ("mesh", t.mesh_terms),
        ("ancestor", t.mesh_ancestors),
        ("title", tuple(x for x in (t.brief_title, t.official_title, t.plain_title) if x)),
        ("intervention", _intervention_terms(t)),
        ("sponsor", tuple(x for x in (t.sponsor, *t.collaborators) if x)),
    )


class _Memo:
    """Answers that repeat across a registry (countries, cities, ages, folded
    names), worked out once per build."""

    LIMIT = 500_000

    def __init__(self) -> None:
        self.countries: dict[str | None, str | None] = {}
        self.places: dict[tuple[str | None, str | None], geo.Place | None] = {}
        self.min_days: dict[str | None, float] = {}
        self.max_days: dict[str | None, float] = {}
        self.folded: dict[str, str] = {}

    def country(self, name: str | None) -> str | None:
        try:
            return self.countries[name]
        except KeyError:
            found = self.countries[name] = geo.canonical_country(name)
            return found

    def place(self, city: str | None, country: str | None) -> geo.Place | None:
        key = (city, country)
        try:
            return self.places[key]
        except KeyError:
            found = self.places[key] = geo.find_city(city, country)
            return found

    def min_age(self, text: str | None) -> float:
        try:
            return self.min_days[text]
        except KeyError:
            found = self.min_days[text] = ages.min_age_days(text)
            return found

    def max_age(self, text: str | None) -> float:
        try:
            return self.max_days[text]
        except KeyError:
            found = self.max_days[text] = ages.max_age_days_exclusive(text)
            return found

    def fold(self, text: str, kind: str) -> str:
        if kind == "title":  # nearly every title is its own: not worth remembering
            return geo.fold(text)
        try:
            return self.folded[text]
        except KeyError:
            if len(self.folded) > self.LIMIT:
                self.folded.clear()
            found = self.folded[text] = geo.fold(text)
            return found


class _Chunk:
    """Rows of a few thousand trials, column by column, on their way to Arrow."""

    def __init__(self) -> None:
        self.columns = {name: {c: [] for c in spec} for name, spec in SPECS.items()}
        self.counts: dict[str, list[int]] = {name: [] for name in _CHILDREN}

    def __len__(self) -> int:
        return len(self.columns["trials"]["id"])

    def add(self, t: Trial, memo: _Memo) -> None:
        d, e, dates = t.design, t.eligibility, t.dates
        row = self.columns["trials"]
        values = (
            ("id", t.id),
            ("title", t.title),
            ("overall_status", t.overall_status),
            ("last_known_status", t.last_known_status),
            ("is_open", t.overall_status in OPEN_STATUSES),
            ("conditions", "; ".join(t.conditions)),
            ("study_type", d.study_type),
            ("phases", "|".join(d.phases)),
            ("allocation", d.allocation),
            ("intervention_model", d.intervention_model),
            ("masking", d.masking),
            ("primary_purpose", d.primary_purpose),
            ("enrollment", d.enrollment),
            ("enrollment_type", d.enrollment_type),
            ("min_age", e.min_age),
            ("max_age", e.max_age),
            ("min_age_days", memo.min_age(e.min_age)),
            ("max_age_days", memo.max_age(e.max_age)),
            ("sex", e.sex),
            ("healthy_volunteers", e.healthy_volunteers),
            ("sponsor", t.sponsor),
            ("start_date", dates.start),
            ("completion_date", dates.completion),
            ("first_posted", dates.first_posted),
            ("last_update", dates.last_update),
            ("has_results", t.has_results),
            ("active_substance", t.active_substance),
            ("n_sites", len(t.sites)),
            ("source", t.source),
            ("source_url", t.source_url),
        )
        for name, value in values:
            row[name].append(value)

        sites = self.columns["sites"]
        for i, s in enumerate(t.sites):
            lat, lon, approximate = s.lat, s.lon, False
            if lat is None or lon is None:
                place = memo.place(s.city, s.country)
                if place is not None:
                    lat, lon, approximate = place.lat, place.lon, True
                else:
                    lat = lon = None
            sites["trial_id"].append(t.id)
            sites["site_index"].append(i)
            sites["facility"].append(s.facility)
            sites["city"].append(s.city)
            sites["state"].append(s.state)
            sites["country"].append(s.country)
            sites["country_key"].append(memo.country(s.country))
            sites["status"].append(s.status)
            sites["lat"].append(np.nan if lat is None else lat)
            sites["lon"].append(np.nan if lon is None else lon)
            sites["approximate"].append(approximate)
            sites["note"].append(s.note)
        self.counts["sites"].append(len(t.sites))

        arms = self.columns["arms"]
        for i, a in enumerate(t.arms):
            arms["trial_id"].append(t.id)
            arms["arm_index"].append(i)
            arms["label"].append(a.label)
            arms["type"].append(a.type)
            arms["description"].append(a.description)
            arms["interventions"].append("; ".join(a.interventions))
        self.counts["arms"].append(len(t.arms))

        terms = self.columns["terms"]
        n = 0
        for kind, names in _term_kinds(t):
            for name in names:
                terms["trial_id"].append(t.id)
                terms["term"].append(name)
                terms["kind"].append(kind)
                terms["folded"].append(memo.fold(name, kind))
                n += 1
        self.counts["terms"].append(n)

    def batches(self) -> dict[str, pa.RecordBatch]:
        return {
            name: pa.record_batch(
                [
                    pa.array(columns[c], type=field.type)
                    for c, field in zip(columns, SCHEMAS[name], strict=True)
                ],
                schema=SCHEMAS[name],
            )
            for name, columns in self.columns.items()
        }

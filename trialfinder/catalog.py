"""The catalog: the data directory as a few pandas tables, kept as a snapshot.

Tables (one row a ...):
- ``trials``: trial, with the fields the finder filters, sorts and shows;
- ``sites``: site, keyed by ``trial_id``; sites the record gives no coordinates
  for are placed at their city from the offline gazetteer and marked
  ``approximate``;
- ``arms``: arm, keyed by ``trial_id``;
- ``terms``: searchable term (condition, keyword, MeSH term or ancestor, title);
- ``records``: the whole normalized trial as JSON, for the trial page.

The snapshot is Parquet under ``data/.snapshot/<fingerprint>/``, rebuilt when
the data files change. Once built, a catalog is read-only.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from trialfinder import ages, geo
from trialfinder.datadir import SNAPSHOT, fingerprint, load_trials
from trialfinder.errors import DataProblem
from trialfinder.model import OPEN_STATUSES, Trial

TABLES = ("trials", "sites", "arms", "terms", "records")
SNAPSHOT_VERSION = "2"


@dataclass(frozen=True)
class Catalog:
    trials: pd.DataFrame
    sites: pd.DataFrame
    arms: pd.DataFrame
    terms: pd.DataFrame
    records: pd.DataFrame
    problems: tuple[DataProblem, ...] = ()
    built_at: str = ""
    fingerprint: str = ""
    _record_index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.trials)

    def trial(self, trial_id: str) -> Trial | None:
        """The whole normalized trial, or None for an unknown id."""
        index = self._record_index or {tid: i for i, tid in enumerate(self.records["id"].tolist())}
        if not self._record_index:
            object.__setattr__(self, "_record_index", index)
        position = index.get(trial_id)
        if position is None:
            return None
        return Trial.from_dict(json.loads(self.records["json"].iat[position]))

    def condition_names(self) -> list[str]:
        """The conditions present in the data, for type-ahead."""
        return self.term_names("condition")

    def term_names(self, kind: str) -> list[str]:
        """The terms of one kind present in the data ("condition", "sponsor" ...)."""
        names = self.terms.loc[self.terms["kind"] == kind, "term"]
        # One spelling per condition ("Cerebral palsy" / "Cerebral Palsy"): the most used.
        counts = names.value_counts(sort=True)
        spelling: dict[str, str] = {}
        for name in counts.index:
            spelling.setdefault(name.casefold(), name)
        return sorted(spelling.values(), key=str.casefold)

    def countries(self) -> list[str]:
        return sorted(set(self.sites["country_key"].dropna().tolist()), key=str.casefold)


def _trial_row(t: Trial) -> dict:
    d, e, dates = t.design, t.eligibility, t.dates
    return {
        "id": t.id,
        "title": t.title,
        "brief_title": t.brief_title,
        "official_title": t.official_title,
        "plain_title": t.plain_title,
        "brief_summary": t.brief_summary,
        "plain_summary": t.plain_summary,
        "overall_status": t.overall_status,
        "last_known_status": t.last_known_status,
        "is_open": t.overall_status in OPEN_STATUSES,
        "conditions": "; ".join(t.conditions),
        "study_type": d.study_type,
        "phases": "|".join(d.phases),
        "allocation": d.allocation,
        "intervention_model": d.intervention_model,
        "masking": d.masking,
        "primary_purpose": d.primary_purpose,
        "enrollment": d.enrollment,
        "enrollment_type": d.enrollment_type,
        "min_age": e.min_age,
        "max_age": e.max_age,
        "min_age_days": ages.min_age_days(e.min_age),
        "max_age_days": ages.max_age_days_exclusive(e.max_age),
        "sex": e.sex,
        "healthy_volunteers": e.healthy_volunteers,
        "sponsor": t.sponsor,
        "start_date": dates.start,
        "completion_date": dates.completion,
        "first_posted": dates.first_posted,
        "last_update": dates.last_update,
        "has_results": t.has_results,
        "active_substance": t.active_substance,
        "n_sites": len(t.sites),
        "source": t.source,
        "source_url": t.source_url,
    }


def _site_rows(t: Trial) -> list[dict]:
    rows = []
    for i, s in enumerate(t.sites):
        lat, lon, approximate = s.lat, s.lon, False
        if lat is None or lon is None:
            place = geo.find_city(s.city, s.country)
            if place is not None:
                lat, lon, approximate = place.lat, place.lon, True
        rows.append(
            {
                "trial_id": t.id,
                "site_index": i,
                "facility": s.facility,
                "city": s.city,
                "state": s.state,
                "country": s.country,
                "country_key": geo.canonical_country(s.country),
                "status": s.status,
                "lat": lat,
                "lon": lon,
                "approximate": approximate,
                "note": s.note,
            }
        )
    return rows


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


def _term_rows(t: Trial) -> list[dict]:
    kinds = (
        ("condition", t.conditions),
        ("keyword", t.keywords),
        ("mesh", t.mesh_terms),
        ("ancestor", t.mesh_ancestors),
        ("title", tuple(x for x in (t.brief_title, t.official_title, t.plain_title) if x)),
        ("intervention", _intervention_terms(t)),
        ("sponsor", tuple(x for x in (t.sponsor, *t.collaborators) if x)),
    )
    return [
        {"trial_id": t.id, "term": term, "kind": kind, "folded": geo.fold(term)}
        for kind, terms in kinds
        for term in terms
    ]


_SCHEMAS: dict[str, dict[str, str]] = {
    "trials": {
        "enrollment": "Int64",
        "healthy_volunteers": "boolean",
        "has_results": "boolean",
        "is_open": "bool",
        "min_age_days": "float64",
        "max_age_days": "float64",
        "n_sites": "int64",
    },
    "sites": {"lat": "float64", "lon": "float64", "approximate": "bool", "site_index": "int64"},
    "arms": {"arm_index": "int64"},
    "terms": {},
    "records": {},
}
_COLUMNS = {
    "trials": list(_trial_row(Trial(id="")).keys()),
    "sites": [
        "trial_id",
        "site_index",
        "facility",
        "city",
        "state",
        "country",
        "country_key",
        "status",
        "lat",
        "lon",
        "approximate",
        "note",
    ],
    "arms": ["trial_id", "arm_index", "label", "type", "description", "interventions"],
    "terms": ["trial_id", "term", "kind", "folded"],
    "records": ["id", "json"],
}


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=_COLUMNS[name])
    text = [c for c in frame.columns if c not in _SCHEMAS[name]]
    frame[text] = frame[text].astype("string")
    return frame.astype(_SCHEMAS[name])


def build_catalog(
    trials: list[Trial], problems: list[DataProblem] | tuple = (), fingerprint_: str = ""
) -> Catalog:
    """Tables from normalized trials (one pass over the trials)."""
    trial_rows, site_rows, arm_rows, term_rows, record_rows = [], [], [], [], []
    for t in trials:
        trial_rows.append(_trial_row(t))
        site_rows.extend(_site_rows(t))
        arm_rows.extend(
            {
                "trial_id": t.id,
                "arm_index": i,
                "label": a.label,
                "type": a.type,
                "description": a.description,
                "interventions": "; ".join(a.interventions),
            }
            for i, a in enumerate(t.arms)
        )
        term_rows.extend(_term_rows(t))
        record_rows.append({"id": t.id, "json": json.dumps(t.to_dict(), ensure_ascii=False)})
    return Catalog(
        trials=_frame("trials", trial_rows),
        sites=_frame("sites", site_rows),
        arms=_frame("arms", arm_rows),
        terms=_frame("terms", term_rows),
        records=_frame("records", record_rows),
        problems=tuple(problems),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        fingerprint=fingerprint_,
    )


def _problem_dicts(problems: tuple[DataProblem, ...]) -> list[dict]:
    return [p.__dict__ for p in problems]


def write_snapshot(catalog: Catalog, directory: Path) -> Path:
    """Write the tables beside the snapshot folder, then rename it into place."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".build-"))
    try:
        for name in TABLES:
            getattr(catalog, name).to_parquet(staging / f"{name}.parquet", index=False)
        meta = {
            "version": SNAPSHOT_VERSION,
            "built_at": catalog.built_at,
            "fingerprint": catalog.fingerprint,
            "problems": _problem_dicts(catalog.problems),
        }
        (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        try:
            staging.rename(directory)
        except OSError:
            if not directory.exists():
                raise
            shutil.rmtree(staging)  # another process published the same snapshot first
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def read_snapshot(directory: Path) -> Catalog:
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    if meta.get("version") != SNAPSHOT_VERSION:
        raise ValueError("snapshot written by another version")
    tables = {
        name: pd.read_parquet(directory / f"{name}.parquet").astype(
            {c: "string" for c in _COLUMNS[name] if c not in _SCHEMAS[name]}
        )
        for name in TABLES
    }
    return Catalog(
        **tables,
        problems=tuple(DataProblem(**p) for p in meta.get("problems", [])),
        built_at=meta.get("built_at", ""),
        fingerprint=meta.get("fingerprint", ""),
    )


def load_catalog(data_dir: Path, use_snapshot: bool = True) -> Catalog:
    """The catalog of ``data_dir``: from its snapshot when current, else rebuilt."""
    current = fingerprint(data_dir)
    snapshot_dir = data_dir / SNAPSHOT / f"v{SNAPSHOT_VERSION}-{current}"
    if use_snapshot and (snapshot_dir / "meta.json").exists():
        try:
            return read_snapshot(snapshot_dir)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(snapshot_dir, ignore_errors=True)
    loaded = load_trials(data_dir)
    catalog = build_catalog(loaded.trials, loaded.problems, current)
    if use_snapshot:
        try:
            write_snapshot(catalog, snapshot_dir)
            _remove_old_snapshots(snapshot_dir)
        except OSError:
            pass  # a read-only data directory still serves, only slower to start
    return catalog


def _remove_old_snapshots(keep: Path) -> None:
    for other in keep.parent.iterdir():
        if other != keep and other.is_dir() and not other.name.startswith(".build-"):
            shutil.rmtree(other, ignore_errors=True)

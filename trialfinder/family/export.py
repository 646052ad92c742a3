"""Trials out: JSON Lines and CSV, the same for the CLI and the dashboard.

CSV cells that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

import pandas as pd

from trialfinder.model import Trial

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_record(trial: Trial) -> dict[str, Any]:
    """The normalized trial as ``trialfinder export`` writes it."""
    d, e = trial.design, trial.eligibility
    return {
        "id": trial.id,
        "title": trial.title,
        "brief_title": trial.brief_title,
        "official_title": trial.official_title,
        "status": trial.overall_status,
        "last_known_status": trial.last_known_status,
        "conditions": list(trial.conditions),
        "keywords": list(trial.keywords),
        "min_age": e.min_age,
        "max_age": e.max_age,
        "sex": e.sex,
        "healthy_volunteers": e.healthy_volunteers,
        "phases": list(d.phases),
        "study_type": d.study_type,
        "allocation": d.allocation,
        "intervention_model": d.intervention_model,
        "masking": d.masking,
        "who_masked": list(d.who_masked),
        "primary_purpose": d.primary_purpose,
        "enrollment": d.enrollment,
        "enrollment_type": d.enrollment_type,
        "sponsor": trial.sponsor,
        "arms": [
            {
                "label": a.label,
                "type": a.type,
                "description": a.description,
                "interventions": list(a.interventions),
            }
            for a in trial.arms
        ],
        "sites": [
            {
                "facility": s.facility,
                "city": s.city,
                "state": s.state,
                "country": s.country,
                "status": s.status,
                "lat": s.lat,
                "lon": s.lon,
            }
            for s in trial.sites
        ],
        "start_date": trial.dates.start,
        "completion_date": trial.dates.completion,
        "last_update": trial.dates.last_update,
        "source": trial.source,
        "source_url": trial.source_url,
    }


#: The export's keys, in order.
EXPORT_FIELDS: list[str] = list(export_record(Trial(id="")))


def to_jsonl(trials: Iterable[Trial]) -> Iterable[str]:
    for trial in trials:
        yield json.dumps(export_record(trial), ensure_ascii=False) + "\n"


def safe_cell(value: Any) -> Any:
    """Neutralize a text cell a spreadsheet would evaluate as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return json.dumps(value, ensure_ascii=False)
        return "; ".join(str(v) for v in value)
    return value


def records_to_csv(records: Iterable[dict[str, Any]], fieldnames: list[str] | None = None) -> str:
    """CSV text, one row a record; lists joined with "; ", formulas neutralized.

    Without records, the header alone when ``fieldnames`` are given, else "".
    """
    rows = list(records)
    if not rows and not fieldnames:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames or list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(_flat(v)) for k, v in row.items()})
    return buffer.getvalue()


def trials_to_csv(trials: Iterable[Trial]) -> str:
    """The export as CSV; with no trials, the header alone."""
    return records_to_csv((export_record(t) for t in trials), EXPORT_FIELDS)


RESULT_COLUMNS = {
    "id": "id",
    "title": "title",
    "overall_status": "status",
    "conditions": "conditions",
    "min_age": "min_age",
    "max_age": "max_age",
    "phases": "phases",
    "study_type": "study_type",
    "sponsor": "sponsor",
    "last_update": "last_update",
    "site_facility": "nearest_site",
    "site_city": "nearest_site_city",
    "site_country": "nearest_site_country",
    "distance_km": "distance_km",
    "source_url": "registry_url",
}


def results_to_csv(results: pd.DataFrame) -> str:
    """The finder's results table as CSV (what the page's download gives)."""
    table = results[list(RESULT_COLUMNS)].rename(columns=RESULT_COLUMNS)
    table = table.assign(distance_km=table["distance_km"].round(1))
    records = table.astype(object).where(table.notna(), None).to_dict("records")
    if not records:
        return ",".join(RESULT_COLUMNS.values()) + "\n"
    return records_to_csv(records)

"""Posted results through the catalog: the snapshot keeps them, a curated overlay leaves them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.support.results_data import (
    NO_RESULTS,
    PARTLY_STATED,
    WITH_RESULTS,
    build_results_data_dir,
)
from trialfinder.catalog import load_catalog
from trialfinder.family import results
from trialfinder.query import Query, apply_query

OVERLAY = f"""id: {WITH_RESULTS}
plain_title: A toxin injection to ease tight calf muscles
"""


def test_results_survive_the_snapshot_and_a_curated_overlay(tmp_path: Path) -> None:
    data = build_results_data_dir(tmp_path / "data", {f"{WITH_RESULTS}.yaml": OVERLAY})
    built = load_catalog(data)
    reread = load_catalog(data)  # from the snapshot on disk this time
    for catalog in (built, reread):
        trial = catalog.trial(WITH_RESULTS)
        assert trial.title == "A toxin injection to ease tight calf muscles"
        assert trial.source == "ctgov+curated"
        assert [g.serious_affected for g in trial.results.adverse_events.groups] == [3, 1]
        assert [r.pmid for r in trial.references][:2] == ["31234567", "11112222"]
        assert catalog.trial(NO_RESULTS).results is None


def test_across_a_treatment_reads_the_trials_with_results_first(tmp_path: Path) -> None:
    catalog = load_catalog(build_results_data_dir(tmp_path / "data"))
    found = apply_query(catalog, Query(intr=("Botulinum toxin type A",)))
    assert set(found["id"]) == {WITH_RESULTS, PARTLY_STATED, NO_RESULTS}
    view = results.across_view(catalog, found, dt.date(2026, 12, 6))
    assert [r.trial_id for r in view.rows][-1] == NO_RESULTS
    assert view.left_out == 0
    limited = results.across_view(catalog, found, dt.date(2026, 12, 6), limit=2)
    assert {r.trial_id for r in limited.rows} == {WITH_RESULTS, PARTLY_STATED}
    assert limited.left_out == 1

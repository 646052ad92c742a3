"""Counts behind the pictures, and the view's sentence in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from trialfinder.family import breakdown
from trialfinder.i18n import using
from trialfinder.query import parse_query

TRIALS = pd.DataFrame(
    {
        "id": ["A", "B", "C", "D"],
        "overall_status": ["RECRUITING", "COMPLETED", "RECRUITING", None],
        "phases": ["PHASE1|PHASE2", "PHASE2", "", None],
        "last_update": ["2026-01-05", "2026-01", "2025-12-30", None],
    }
)
SITES = pd.DataFrame(
    {
        "trial_id": ["A", "A", "B", "C", "C"],
        "country_key": ["Vietnam", "Vietnam", "Thailand", "Vietnam", None],
    }
)


def rows(counts: breakdown.Counts) -> list[tuple[str, int]]:
    return list(zip(counts.frame["label"], counts.frame["count"], strict=True))


def test_trials_by_status_in_registry_order_with_words():
    counts = breakdown.by_status(TRIALS)
    assert rows(counts) == [("Recruiting", 2), ("Completed", 1), ("Status not given", 1)]
    assert counts.text() == "Trials by status: Recruiting, 2; Completed, 1; Status not given, 1."


def test_the_registrys_unknown_status_is_not_a_status_not_given():
    trials = pd.DataFrame({"overall_status": ["UNKNOWN", None, "UNKNOWN"]})
    assert rows(breakdown.by_status(trials)) == [("Status unknown", 2), ("Status not given", 1)]


def test_trials_by_phase_count_each_phase_and_the_unstated():
    assert rows(breakdown.by_phase(TRIALS)) == [
        ("phase 1", 1),
        ("phase 2", 2),
        ("phase not given", 2),
    ]


def test_trials_by_country_count_trials_not_sites():
    assert rows(breakdown.by_country(SITES)) == [("Vietnam", 2), ("Thailand", 1)]
    assert rows(breakdown.by_country(SITES, top=1)) == [("Vietnam", 2), ("1 other country", 1)]


def test_records_updated_per_month():
    assert rows(breakdown.updated_per_month(TRIALS)) == [("2025-12", 1), ("2026-01", 2)]


def test_changes_leave_out_kinds_with_none():
    counts = breakdown.changes({"added": 3, "gone": 0, "status_changes": 1}, "cerebral-palsy")
    assert rows(counts) == [("trials added", 3), ("status changes", 1)]
    assert counts.title == "What the last refresh of cerebral-palsy changed"


def test_an_empty_chart_says_none():
    assert breakdown.by_status(TRIALS.iloc[0:0]).text() == "Trials by status: none."


def test_charts_speak_vietnamese():
    with using("vi"):
        counts = breakdown.by_status(TRIALS)
    assert counts.text().startswith("Thử nghiệm theo tình trạng: Đang tuyển, 2;")


@pytest.mark.parametrize(
    ("link", "count", "english", "vietnamese"),
    [
        (
            "cond=cerebral palsy&age=4y&status=recruiting&near=Hanoi",
            None,
            "Recruiting trials for cerebral palsy that accept a child of 4 years, "
            "within 50 km of Hanoi",
            "Các thử nghiệm đang tuyển về cerebral palsy nhận trẻ 4 tuổi, "
            "trong vòng 50 km quanh Hanoi",
        ),
        (
            "cond=cerebral palsy&age=10m",
            1,
            "1 trial for cerebral palsy that accepts a child of 10 months",
            "1 thử nghiệm về cerebral palsy nhận trẻ 10 tháng",
        ),
        (
            "phase=phase2&phase=na&country=Vietnam&spons=Vinmec",
            3,
            "3 trials in phase 2 or without a phase run by Vinmec with a site in Vietnam",
            "3 thử nghiệm ở giai đoạn 2 hoặc không chia giai đoạn do Vinmec thực hiện "
            "có cơ sở tại Việt Nam",
        ),
        ("", None, "Trials", "Các thử nghiệm"),
    ],
)
def test_the_view_in_one_sentence_in_both_languages(link, count, english, vietnamese):
    query = parse_query(link).query
    assert query.describe(count) == english
    with using("vi"):
        assert query.describe(count) == vietnamese


def test_the_sources_line_counts_each_source_in_words() -> None:
    trials = pd.DataFrame({"source": ["ctgov", "ctgov", "curated", None]})
    with using("en"):
        assert breakdown.sources_line(trials) == "ctgov: 2, curated: 1, not given: 1"

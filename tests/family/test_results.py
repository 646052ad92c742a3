"""What a family reads about earlier results: figures as stated, "of N" always, nothing invented."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from trialfinder.family import results
from trialfinder.i18n import using
from trialfinder.model import Reference, Trial
from trialfinder.sources.ctgov import parse_study

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
TODAY = dt.date(2026, 12, 6)


def trial(name: str) -> Trial:
    raw = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return parse_study(raw, f"{name}.json")


@pytest.fixture
def toxin() -> Trial:
    return trial("NCT09900101")


def test_posted_results_per_group_took_part_and_serious_side_effects(toxin: Trial) -> None:
    found = results.trial_results(toxin, TODAY)
    assert found.state == results.POSTED
    assert [(f.group, f.started, f.completed) for f in found.flow] == [
        ("<b>Toxin</b> *group*", 25, 22),
        ("Saline", 23, 21),
    ]
    assert [(f.group, f.affected, f.at_risk) for f in found.serious] == [
        ("<b>Toxin</b> *group*", 3, 25),
        ("Saline", 1, 23),
    ]
    lines = results.lines(found)
    assert "Saline: 1 of 23 had a serious side effect" in lines
    assert "Saline: 23 started, 21 completed" in lines
    assert "Saline: 0 of 23 died" in lines


def test_the_most_frequent_serious_events_come_first(toxin: Trial) -> None:
    found = results.trial_results(toxin, TODAY)
    assert [e.term for e in found.top_serious] == ["Swallowing difficulty", "Pneumonia"]
    assert results.event_line(found.top_serious[0]) == (
        "Swallowing difficulty (<b>Toxin</b> *group*: 2 of 25; Saline: 0 of 23)"
    )
    assert found.serious_listed == 2
    assert [e.term for e in results.trial_results(toxin, TODAY, top=1).top_serious] == [
        "Swallowing difficulty"
    ]


def test_primary_outcome_per_group_with_unit_time_frame_and_spread(toxin: Trial) -> None:
    (outcome,) = results.trial_results(toxin, TODAY).primary
    assert results.outcome_heading(outcome) == (
        "Change in Modified Ashworth Scale (calf) · unit: units on a scale · "
        "time frame: Baseline and week 12 · shown as: average (mean)"
    )
    assert [results.figure_line(outcome, f) for f in outcome.figures] == [
        "<b>Toxin</b> *group*: -1.3 units on a scale "
        "(spread 0.7 (Standard Deviation); 22 Participants analysed)",
        "Saline: -0.4 units on a scale (spread 0.6 (Standard Deviation); 21 Participants analysed)",
    ]


def test_a_range_and_a_missing_denominator_are_said_as_such() -> None:
    found = results.trial_results(trial("NCT09900102"), TODAY)
    (outcome,) = found.primary
    assert results.figure_line(outcome, outcome.figures[1]) == (
        "High dose: 158.5 degrees (from 141 to 170 (Full Range); 12 Participants analysed)"
    )
    # Two periods: started is the first period's, completed the last one's.
    assert [(f.started, f.completed) for f in found.flow] == [(15, 13), (15, 12)]
    # The record gives how many had a serious event but not of how many.
    assert results.serious_line(found.serious[1]) == (
        "High dose: 2 had a serious side effect; the record does not say of how many"
    )
    assert not found.serious[1].charted and found.serious[0].charted
    assert found.publications == ()


@pytest.mark.parametrize(
    ("affected", "at_risk", "english", "vietnamese"),
    [
        (3, 1054, "3 of 1,054", "3 trên 1.054"),
        (3, None, "3 (of a total not given)", "3 (không ghi tổng số)"),
        (None, 54, "not given (of 54)", "không ghi (trên tổng số 54)"),
        (None, None, "not given", "không ghi"),
    ],
)
def test_a_count_of_a_group_says_which_number_is_not_given(
    affected: int | None, at_risk: int | None, english: str, vietnamese: str
) -> None:
    assert results.of_text(affected, at_risk) == english
    with using("vi"):
        assert results.of_text(affected, at_risk) == vietnamese


@pytest.mark.parametrize(
    ("affected", "at_risk", "english", "vietnamese"),
    [
        (
            3,
            54,
            "Toxin: 3 of 54 had a serious side effect",
            "Toxin: 3 trên 54 người gặp tác dụng phụ nghiêm trọng",
        ),
        (
            3,
            None,
            "Toxin: 3 had a serious side effect; the record does not say of how many",
            "Toxin: 3 người gặp tác dụng phụ nghiêm trọng; "
            "hồ sơ không ghi trên tổng số bao nhiêu người",
        ),
        (
            None,
            54,
            "Toxin: the record does not say how many of 54 had a serious side effect",
            "Toxin: hồ sơ không ghi bao nhiêu người gặp tác dụng phụ nghiêm trọng "
            "(trên tổng số 54)",
        ),
        (
            None,
            None,
            "Toxin: the record does not say how many had a serious side effect",
            "Toxin: hồ sơ không ghi bao nhiêu người gặp tác dụng phụ nghiêm trọng",
        ),
    ],
)
def test_a_serious_side_effect_line_never_reads_as_none_when_the_record_is_silent(
    affected: int | None, at_risk: int | None, english: str, vietnamese: str
) -> None:
    figures = results.SeriousFigures("Toxin", affected, at_risk, None, None)
    assert results.serious_line(figures) == english
    with using("vi"):
        assert results.serious_line(figures) == vietnamese


def test_deaths_are_said_with_their_total_or_without_it() -> None:
    known = results.SeriousFigures("Toxin", 3, 54, 1, 54)
    silent = results.SeriousFigures("Toxin", 3, 54, 1, None)
    assert results.deaths_line(known) == "Toxin: 1 of 54 died"
    assert results.deaths_line(silent) == "Toxin: 1 died; the record does not say of how many"
    assert results.deaths_line(results.SeriousFigures("Toxin", 3, 54, None, None)) is None


def test_nothing_is_invented_no_percentages_no_p_values(toxin: Trial) -> None:
    text = "\n".join(results.lines(results.trial_results(toxin, TODAY)))
    assert "%" not in text
    assert "0.003" not in text  # the analysis's p-value is the record's, not a headline
    assert "12.0" not in text and "4.3" not in text  # 3 of 25, 1 of 23 as rates


def test_no_results_posted_with_the_overdue_flag() -> None:
    found = results.trial_results(trial("NCT09900103"), TODAY)
    assert found.state == results.NOT_POSTED
    assert found.overdue is not None and found.overdue.code == "results_overdue"
    lines = results.lines(found)
    assert lines[0] == "No results posted"
    assert lines[1].startswith("Results overdue: ")
    assert (found.flow, found.serious, found.primary) == ((), (), ())


def test_posted_on_the_registry_but_not_in_this_copy_and_not_stated() -> None:
    posted_elsewhere = Trial(id="NCT09900199", has_results=True)
    assert results.trial_results(posted_elsewhere, TODAY).state == results.POSTED_NOT_HERE
    silent = Trial(id="TF-1")
    found = results.trial_results(silent, TODAY)
    assert found.state == results.UNKNOWN
    assert found.overdue is None


def test_publications_link_to_pubmed_only_for_a_pubmed_id(toxin: Trial) -> None:
    papers = results.trial_results(toxin, TODAY).publications
    assert [(p.kind, p.url) for p in papers] == [
        ("RESULT", "https://pubmed.ncbi.nlm.nih.gov/31234567/"),
        ("BACKGROUND", "https://pubmed.ncbi.nlm.nih.gov/11112222/"),
        ("BACKGROUND", None),
    ]
    odd = results.publications([Reference(citation="x", pmid="javascript:alert(1)")])
    assert odd[0].url is None


def test_this_trials_own_papers_come_first() -> None:
    refs = (
        Reference(citation="b", pmid="2", type="BACKGROUND"),
        Reference(citation="d", pmid="3", type="DERIVED"),
        Reference(citation="r", pmid="1", type="RESULT"),
    )
    assert [p.pmid for p in results.publications(refs)] == ["1", "3", "2"]


def test_across_the_trials_of_one_treatment() -> None:
    trials = [trial("NCT09900103"), trial("NCT09900101"), trial("NCT09900102")]
    rows = results.across(trials, TODAY)
    assert [r.trial_id for r in rows] == ["NCT09900101", "NCT09900102", "NCT09900103"]
    first, second, third = rows
    assert first.participants == "<b>Toxin</b> *group*: 25 started; Saline: 23 started"
    assert first.serious == "<b>Toxin</b> *group*: 3 of 25; Saline: 1 of 23"
    assert second.serious == "Low dose: 0 of 15; High dose: 2 (of a total not given)"
    assert (third.results, third.participants, third.serious) == (
        "No results posted",
        "not given",
        "not given",
    )
    assert [p.pmid for p in first.publications] == ["31234567", "11112222", None]


def test_compare_rows_one_value_a_trial(toxin: Trial) -> None:
    rows = results.compare_rows([toxin, trial("NCT09900103")], TODAY)
    labels = [label for label, _values, _explain in rows]
    assert labels == ["Results", "Took part (started)", "Serious side effects", "Publications"]
    values = {label: vals for label, vals, _explain in rows}
    assert values["Results"] == ["Results posted", "No results posted"]
    assert values["Serious side effects"][0] == "<b>Toxin</b> *group*: 3 of 25; Saline: 1 of 23"
    assert values["Publications"] == [
        "3 publications: https://pubmed.ncbi.nlm.nih.gov/31234567/ "
        "https://pubmed.ncbi.nlm.nih.gov/11112222/",
        "none listed",
    ]


def test_vietnamese_words_keep_the_records_figures(toxin: Trial) -> None:
    with using("vi"):
        found = results.trial_results(toxin, TODAY)
        lines = results.lines(found)
        assert lines[0] != "Results posted"
        line = results.serious_line(found.serious[1])
    assert "Saline" in line and re.search(r"\b1\b.*\b23\b", line)
    assert "serious side effect" not in line


def test_the_comparison_gains_the_results_rows(toxin: Trial) -> None:
    from trialfinder.family.compare import compare

    table = compare([toxin, trial("NCT09900102"), trial("NCT09900103")], today=TODAY)
    found = [r for r in table.rows if r.group == "What it found"]
    assert [r.label for r in found] == [
        "Results",
        "Took part (started)",
        "Serious side effects",
        "Publications",
    ]
    assert found[0].values == ("Results posted", "Results posted", "No results posted")
    assert found[2].values[1] == "Low dose: 0 of 15; High dose: 2 (of a total not given)"
    assert found[2].explain and found[2].differs

"""Posted results and publications read from API v2 records (our own fixtures)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from trialfinder.catalog.records import read_blob, record_blob
from trialfinder.errors import DataError
from trialfinder.model import Trial
from trialfinder.sources.ctgov import parse_study

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"


def study(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))


def test_participant_flow_keeps_every_period_and_count() -> None:
    trial = parse_study(study("NCT09900102"), "x.json")
    flow = trial.results.flow
    assert [g.title for g in flow.groups] == ["Low dose", "High dose"]
    assert [(m.period, m.type, [c.count for c in m.counts]) for m in flow.milestones] == [
        ("Injection", "STARTED", [15, 15]),
        ("Injection", "COMPLETED", [15, 14]),
        ("Follow-up", "STARTED", [15, 14]),
        ("Follow-up", "COMPLETED", [13, 12]),
    ]


def test_outcomes_keep_values_as_written_with_units_time_frames_and_analyses() -> None:
    trial = parse_study(study("NCT09900101"), "x.json")
    primary, secondary = trial.results.outcomes
    assert (primary.type, primary.unit, primary.time_frame) == (
        "PRIMARY",
        "units on a scale",
        "Baseline and week 12",
    )
    assert [(m.group_id, m.value, m.spread) for m in primary.measurements] == [
        ("OG000", "-1.3", "0.7"),
        ("OG001", "-0.4", "0.6"),
    ]
    assert [(d.group_id, d.count) for d in primary.denoms] == [("OG000", 22), ("OG001", 21)]
    assert primary.denom_units == "Participants"
    (analysis,) = primary.analyses
    assert (analysis.method, analysis.p_value, analysis.ci_lower, analysis.ci_upper) == (
        "ANCOVA",
        "0.003",
        "-1.4",
        "-0.4",
    )
    assert [(m.category, m.value) for m in secondary.measurements] == [
        ("Better", "14"),
        ("Better", "7"),
        ("Same or worse", "8"),
        ("Same or worse", "14"),
    ]
    baseline = trial.results.baseline
    assert [c.count for c in baseline.counts] == [25, 23, 48]
    assert baseline.measures[0].measurements[2].value == "6.6"


def test_adverse_events_per_group_serious_and_other() -> None:
    events = parse_study(study("NCT09900101"), "x.json").results.adverse_events
    assert [(g.title, g.serious_affected, g.serious_at_risk) for g in events.groups] == [
        ("<b>Toxin</b> *group*", 3, 25),
        ("Saline", 1, 23),
    ]
    assert [e.term for e in events.serious] == ["Pneumonia", "Swallowing difficulty"]
    assert [(c.affected, c.at_risk, c.events) for c in events.serious[1].counts] == [
        (2, 25, 2),
        (0, 23, 0),
    ]
    assert [e.term for e in events.other] == ["Pain at injection site"]
    assert (events.time_frame, events.frequency_threshold) == ("12 weeks after the injection", "5")


def test_a_number_the_record_leaves_out_stays_not_stated() -> None:
    events = parse_study(study("NCT09900102"), "x.json").results.adverse_events
    high = events.groups[1]
    assert (high.serious_affected, high.serious_at_risk) == (2, None)
    assert high.deaths_affected is None


def test_references_with_pubmed_ids_and_types() -> None:
    trial = parse_study(study("NCT09900101"), "x.json")
    assert [(r.pmid, r.type) for r in trial.references] == [
        ("31234567", "RESULT"),
        ("11112222", "BACKGROUND"),
        (None, "BACKGROUND"),
    ]
    assert trial.references[2].citation == "Pham D. A book chapter without a PubMed id."


@pytest.mark.parametrize("name", ["NCT09900102", "NCT09900103"])
def test_a_record_without_references_lists_none(name: str) -> None:
    assert parse_study(study(name), "x.json").references is None


def test_no_results_section_is_not_posted_not_an_empty_result() -> None:
    trial = parse_study(study("NCT09900103"), "x.json")
    assert trial.results is None
    assert trial.has_results is False
    trimmed = study("NCT09900101")
    del trimmed["resultsSection"]
    assert parse_study(trimmed, "x.json").results is None
    empty = study("NCT09900101")
    empty["resultsSection"] = {"moreInfoModule": {}}
    assert parse_study(empty, "x.json").results is None


def test_results_and_references_survive_the_catalog_record_round_trip() -> None:
    for name in ("NCT09900101", "NCT09900102", "NCT09900103"):
        trial = parse_study(study(name), "x.json")
        back = Trial.from_dict(read_blob(record_blob(trial)))
        assert back == trial
        assert Trial.from_dict(trial.to_dict()) == trial


def test_a_count_written_as_text_that_is_no_number_is_not_stated() -> None:
    raw = study("NCT09900101")
    achievements = raw["resultsSection"]["participantFlowModule"]["periods"][0]["milestones"][0]
    achievements["achievements"][0]["numSubjects"] = "NA"
    flow = parse_study(raw, "x.json").results.flow
    assert [c.count for c in flow.milestones[0].counts] == [None, 23]


def test_a_reference_type_the_registry_does_not_use_names_file_record_and_field() -> None:
    raw = study("NCT09900101")
    raw["protocolSection"]["referencesModule"]["references"][0]["type"] = "RESULTS"
    with pytest.raises(DataError) as caught:
        parse_study(raw, "data/registry/x.json")
    problem = caught.value.problem
    assert (problem.file, problem.record) == ("data/registry/x.json", "NCT09900101")
    assert problem.field == "protocolSection.referencesModule.references[].type"
    assert "'RESULTS'" in problem.message and "RESULT" in problem.message


def test_a_results_section_of_the_wrong_shape_names_the_field() -> None:
    raw = study("NCT09900101")
    bad = copy.deepcopy(raw)
    bad["resultsSection"]["adverseEventsModule"]["eventGroups"] = "three groups"
    with pytest.raises(DataError) as caught:
        parse_study(bad, "x.json")
    assert caught.value.problem.field == "resultsSection"
    assert caught.value.problem.record == "NCT09900101"

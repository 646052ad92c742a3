"""Trust flags on fixture records: each flag on, each off, and none from a silent record."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from trialfinder.family.flags import CODES, fee_sentence, trust_flags
from trialfinder.i18n import using
from trialfinder.model import Arm, Dates, Design, Eligibility, Trial

TODAY = dt.date(2026, 11, 21)


def codes(trial: Trial, today: dt.date = TODAY) -> list[str]:
    return [f.code for f in trust_flags(trial, today)]


def test_a_silent_record_raises_no_flag():
    assert codes(Trial(id="X")) == []
    assert codes(Trial(id="X", overall_status="RECRUITING")) == []
    assert codes(Trial(id="X", overall_status="COMPLETED", dates=Dates(completion="2020-01"))) == []


# ------------------------------------------------------------ status may be out of date


@pytest.mark.parametrize(
    ("status", "verified", "updated", "raised"),
    [
        ("RECRUITING", "2026-10", None, False),  # verified a month ago
        ("RECRUITING", "2026-10", "2024-01-01", False),  # the latest of the two counts
        ("RECRUITING", "2025-10", "2025-11-30", False),
        ("RECRUITING", None, "2025-11-21", False),  # exactly a year
        ("RECRUITING", None, "2025-11-20", True),
        ("RECRUITING", "2024-03", None, True),
        ("NOT_YET_RECRUITING", "2023-01", "2023-02-01", True),
        ("COMPLETED", "2020-01", "2020-01-01", False),  # not open: no claim to check
        ("RECRUITING", None, None, False),  # silent
    ],
)
def test_status_may_be_out_of_date(status, verified, updated, raised):
    trial = Trial(
        id="X", overall_status=status, dates=Dates(status_verified=verified, last_update=updated)
    )
    assert ("status_stale" in codes(trial)) is raised


def test_status_flag_names_its_facts():
    trial = Trial(
        id="X",
        overall_status="RECRUITING",
        dates=Dates(status_verified="2024-03", last_update="2024-03-15"),
    )
    (flag,) = trust_flags(trial, TODAY)
    assert flag.title == "Status may be out of date"
    # The dates as the language writes them.
    assert "verified March 2024" in flag.fact and "updated March 15, 2024" in flag.fact
    assert "Recruiting" in flag.fact
    with using("vi"):
        (vi_flag,) = trust_flags(trial, TODAY)
    fact = vi_flag.fact
    assert "tháng 3 2024" in fact and "15 tháng 3, 2024" in fact
    assert flag.reason and "\n" not in flag.reason


# ------------------------------------------------------------ results overdue


@pytest.mark.parametrize(
    ("status", "completion", "has_results", "raised"),
    [
        ("COMPLETED", "2024-06", False, True),
        ("COMPLETED", "2024-06", True, False),
        ("COMPLETED", "2024-06", None, False),  # the record does not say
        ("COMPLETED", "2025-12", False, False),  # less than a year ago
        ("COMPLETED", "2025-11", False, False),  # month-only: counted as its last day
        ("COMPLETED", None, False, False),
        ("TERMINATED", "2020-01", False, False),
    ],
)
def test_results_overdue(status, completion, has_results, raised):
    trial = Trial(
        id="X", overall_status=status, has_results=has_results, dates=Dates(completion=completion)
    )
    assert ("results_overdue" in codes(trial)) is raised


# ------------------------------------------------------------ registered after it started


@pytest.mark.parametrize(
    ("start", "posted", "raised"),
    [
        ("2024-03", "2024-02-14", False),
        ("2024-03", "2024-03-20", False),  # same month: not certain
        ("2024-03", "2024-04-01", True),
        ("2024-03-01", "2024-03-02", True),
        ("2024-03-02", "2024-03-02", False),
        (None, "2024-03-02", False),
        ("2024-03-02", None, False),
    ],
)
def test_registered_after_it_started(start, posted, raised):
    trial = Trial(id="X", dates=Dates(start=start, first_posted=posted))
    assert ("registered_late" in codes(trial)) is raised


# ------------------------------------------------------------ a fee may be asked


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        (
            "Children get cells. Families will pay for the cell processing. Follow-up is free.",
            "Families will pay for the cell processing.",
        ),
        ("The treatment is self-paid.", "The treatment is self-paid."),
        ("Costs are borne by the patient.", "Costs are borne by the patient."),
        ("A fee of 2,000 USD applies", "A fee of 2,000 USD applies"),
        ("Treatment is free of charge for participants.", None),
        ("Participants will be paid 20 USD for each visit.", None),
        ("There is no fee.", None),
        ("Children get physiotherapy.", None),
    ],
)
def test_a_fee_may_be_asked(text, quoted):
    trial = Trial(id="X", brief_summary=text)
    assert fee_sentence(trial) == quoted
    assert ("fee" in codes(trial)) is (quoted is not None)


def test_fee_flag_quotes_the_sentence_and_says_ask_the_team():
    trial = Trial(id="X", eligibility=Eligibility(criteria="Parents must pay for travel."))
    (flag,) = trust_flags(trial, TODAY)
    assert flag.quote == "Parents must pay for travel."
    assert "ask the team" in flag.reason


# ------------------------------------------------------------ design flags


@pytest.mark.parametrize(
    ("design", "arms", "expected"),
    [
        (
            Design(study_type="INTERVENTIONAL", intervention_model="SINGLE_GROUP"),
            (),
            ["no_control"],
        ),
        (Design(study_type="INTERVENTIONAL"), (Arm("Cells"),), ["no_control"]),
        (Design(study_type="INTERVENTIONAL"), (Arm("A"), Arm("B")), []),
        (Design(intervention_model="PARALLEL"), (Arm("Cells"),), []),
        (Design(allocation="NON_RANDOMIZED"), (), ["not_randomized"]),
        (Design(allocation="RANDOMIZED"), (), []),
        (Design(allocation="NA"), (), []),
        (Design(masking="NONE"), (), ["not_masked"]),
        (Design(masking="DOUBLE"), (), []),
        (
            Design(study_type="OBSERVATIONAL", masking="NONE", intervention_model="SINGLE_GROUP"),
            (),
            [],
        ),
        (
            Design(intervention_model="SINGLE_GROUP", allocation="NON_RANDOMIZED", masking="NONE"),
            (),
            ["no_control", "not_randomized", "not_masked"],
        ),
    ],
)
def test_design_flags(design, arms, expected):
    assert codes(Trial(id="X", design=design, arms=arms)) == expected


def test_every_flag_at_once_in_order_and_each_explained():
    trial = Trial(
        id="X",
        overall_status="COMPLETED",
        has_results=False,
        brief_summary="Patients pay a fee.",
        design=Design(
            intervention_model="SINGLE_GROUP", allocation="NON_RANDOMIZED", masking="NONE"
        ),
        dates=Dates(start="2020-01", first_posted="2020-06-01", completion="2021-01"),
    )
    flags = trust_flags(trial, TODAY)
    assert [f.code for f in flags] == [c for c in CODES if c != "status_stale"]
    stale = replace(trial, overall_status="RECRUITING", dates=Dates(last_update="2021-01-01"))
    assert "status_stale" in codes(stale)
    for flag in flags:
        assert flag.title and flag.reason and flag.fact


def test_flags_speak_vietnamese():
    trial = Trial(id="X", design=Design(masking="NONE"))
    with using("vi"):
        (flag,) = trust_flags(trial, TODAY)
    assert flag.title != "Not masked"
    (english,) = trust_flags(trial, TODAY)
    assert english.title == "Not masked"

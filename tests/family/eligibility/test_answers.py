"""The family's answers: read from a link, printed back, kept out of stored searches."""

from __future__ import annotations

from trialfinder.ages import ChildAge
from trialfinder.family.eligibility.answers import (
    KEYS,
    Answers,
    answer_pairs,
    parse_answers,
    without_answers,
)


def test_round_trip() -> None:
    pairs = [
        ("sex", "female"),
        ("dx", "spastic-cp"),
        ("gmfcs", "III"),
        ("macs", "2"),
        ("seizures", "no"),
        ("botox", "3-6m"),
        ("surgery", "never"),
    ]
    answers, problems = parse_answers(pairs + [("cond", "cerebral palsy")], age=ChildAge(50))
    assert problems == ()
    assert answers == Answers(ChildAge(50), "FEMALE", "spastic-cp", 3, 2, False, "3-6m", "never")
    assert answer_pairs(answers) == [(k, "3" if k == "gmfcs" else v) for k, v in pairs]
    assert parse_answers(answer_pairs(answers), age=ChildAge(50))[0] == answers


def test_bad_values_are_ignored_with_a_plain_reason() -> None:
    answers, problems = parse_answers(
        [("gmfcs", "7"), ("sex", "x"), ("sex", "male"), ("botox", "<b>")]
    )
    assert answers == Answers(sex="MALE")
    assert [p.key for p in problems] == ["gmfcs", "sex", "botox"]
    assert "is not a GMFCS level" in str(problems[0])
    assert str(problems[2]).startswith("botox='<b>': is not a time")


def test_without_answers_keeps_the_search() -> None:
    pairs = [("cond", "cerebral palsy"), ("age", "4"), *[(k, "x") for k in KEYS]]
    assert without_answers(pairs) == [("cond", "cerebral palsy"), ("age", "4")]


def test_any() -> None:
    assert not Answers(age=ChildAge(3)).any()
    assert Answers(seizures=False).any()

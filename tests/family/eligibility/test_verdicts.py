"""Per-item verdicts: never a "does not meet" when the record offers a way round."""

from __future__ import annotations

from trialfinder.ages import ChildAge
from trialfinder.family.eligibility.answers import Answers
from trialfinder.family.eligibility.split import Block, split_criteria
from trialfinder.family.eligibility.verdicts import (
    ASK,
    DOES_NOT_MEET,
    MEETS,
    questions_to_bring,
    read_criteria,
    read_item,
)

CHILD = Answers(age=ChildAge(4 * 12), sex="MALE", dx="spastic-cp", gmfcs=3, seizures=False)


def _item(text: str, section: str = "inclusion") -> str:
    return read_item(Block("item", "*", text, section=section), CHILD).verdict


def test_requirements_and_bars() -> None:
    assert _item("GMFCS level I-II") == DOES_NOT_MEET
    assert _item("GMFCS level III-IV") == MEETS
    assert _item("GMFCS level III or IV", "exclusion") == DOES_NOT_MEET
    assert _item("GMFCS level V", "exclusion") == MEETS
    assert _item("Aged 18 years or older") == DOES_NOT_MEET
    assert _item("History of seizures", "exclusion") == MEETS


def test_no_answer_means_ask() -> None:
    assert _item("MACS level I-III") == ASK
    assert _item("Platelets \\< 100,000/mm3", "exclusion") == ASK
    assert _item("Able to walk 10 metres") == ASK


def test_an_alternative_keeps_the_door_open() -> None:
    assert _item("GMFCS level I-II or MACS level I-II") == ASK
    assert _item("Aged 18 years or older, or with parental consent") == ASK


def test_an_age_near_a_limit_is_asked() -> None:
    assert _item("Aged 5 to 12 years") == ASK  # 4 years: a year from the limit
    assert _item("Aged 6 to 12 years") == DOES_NOT_MEET


def test_a_bar_with_more_words_never_turns_away() -> None:
    child = Answers(botox="0-3m")
    block = Block("item", "*", "Botulinum toxin in the arms within 6 months", section="exclusion")
    assert read_item(block, child).verdict == ASK
    block = Block("item", "*", "Botulinum toxin within 6 months", section="exclusion")
    assert read_item(block, child).verdict == DOES_NOT_MEET


def test_one_of_the_following_and_a_lone_or() -> None:
    text = """Inclusion Criteria:

* At least one of the following:
  * GMFCS level I
  * Aged 10 to 12 years

Exclusion Criteria:

* GMFCS level I
"""
    readings = read_criteria(split_criteria(text), CHILD)
    by_text = {(r.block.section, r.block.text): r.verdict for r in readings}
    assert by_text[("inclusion", "GMFCS level I")] == ASK
    assert by_text[("inclusion", "Aged 10 to 12 years")] == ASK
    assert by_text[("exclusion", "GMFCS level I")] == MEETS
    with_or = "Inclusion Criteria:\n\n* GMFCS level I\n\nOR\n\n* GMFCS level II\n"
    assert {r.verdict for r in read_criteria(split_criteria(with_or), CHILD)} == {ASK}


def test_no_heading_no_verdict() -> None:
    readings = read_criteria(split_criteria("GMFCS level I-II\nAged 18 or older"), CHILD)
    assert [r.verdict for r in readings] == [ASK, ASK]


def test_questions_to_bring_are_the_not_met_then_the_recognised_asks() -> None:
    text = (
        "Inclusion Criteria:\n\n* MACS level I-II\n* Able to walk\n* GMFCS level III\n"
        "* Informed consent\n* GMFCS level I\n"
    )
    readings = read_criteria(split_criteria(text), CHILD)
    assert [b.text for b in questions_to_bring(readings)] == ["GMFCS level I", "MACS level I-II"]

"""The checklist the pages show: lists, explanations, verdicts, the handout's part."""

from __future__ import annotations

from trialfinder.ages import ChildAge
from trialfinder.family.eligibility.answers import Answers
from trialfinder.family.eligibility.checklist import (
    build_checklist,
    checklist_html,
    summary_words,
    verdict_words,
)
from trialfinder.family.eligibility.verdicts import ASK, DOES_NOT_MEET, MEETS
from trialfinder.i18n import using

CRITERIA = """Inclusion Criteria:

* Children aged 4 to 12 years with spastic cerebral palsy
* GMFCS level I-II
* Parent able to give informed consent

Exclusion Criteria:

* Botulinum toxin within 6 months
* <script>alert(1)</script> platelets \\< 100,000/mm3
"""
CHILD = Answers(age=ChildAge(6 * 12), dx="spastic-cp", gmfcs=3, botox="never")


def test_two_lists_with_verdicts_and_explanations() -> None:
    checklist = build_checklist(CRITERIA, CHILD)
    assert [line.verdict for line in checklist.inclusion] == [MEETS, DOES_NOT_MEET, ASK]
    assert [line.verdict for line in checklist.exclusion] == [MEETS, ASK]
    gmfcs = checklist.inclusion[1]
    assert [e.key for e in gmfcs.explained] == ["gmfcs", "gmfcs_1", "gmfcs_2"]
    assert checklist.exclusion[1].text.endswith("platelets < 100,000/mm3")
    assert checklist.to_ask == (
        "GMFCS level I-II",
        "<script>alert(1)</script> platelets < 100,000/mm3",
    )


def test_in_vietnamese() -> None:
    with using("vi"):
        checklist = build_checklist(CRITERIA, CHILD)
        assert checklist.inclusion[1].explained[0].term.startswith("GMFCS (Hệ thống")
        assert verdict_words(DOES_NOT_MEET) != "does not meet"
        assert verdict_words(ASK) != "ask the trial team"


CRITERIA_VI = """Tiêu chí tham gia:

* Trẻ từ 4 đến 12 tuổi bị bại não thể co cứng
* GMFCS mức I-II
* Cha mẹ có thể ký đồng ý tham gia

Tiêu chí loại trừ:

* Tiêm độc tố botulinum trong vòng 6 tháng
* Tiểu cầu \\< 100.000/mm3
"""


def test_a_curator_s_translation_is_shown_and_the_record_s_words_are_read() -> None:
    with using("vi"):
        checklist = build_checklist(CRITERIA, CHILD, CRITERIA_VI)
    # Read against the answers as the English record says (the same verdicts) ...
    assert [line.verdict for line in checklist.inclusion] == [MEETS, DOES_NOT_MEET, ASK]
    assert [line.verdict for line in checklist.exclusion] == [MEETS, ASK]
    # ... shown in the curator's words, item for item, questions too.
    assert [line.text for line in checklist.inclusion] == [
        "Trẻ từ 4 đến 12 tuổi bị bại não thể co cứng",
        "GMFCS mức I-II",
        "Cha mẹ có thể ký đồng ý tham gia",
    ]
    assert checklist.exclusion[1].text == "Tiểu cầu < 100.000/mm3"
    assert checklist.to_ask == ("GMFCS mức I-II", "Tiểu cầu < 100.000/mm3")


def test_a_translation_that_does_not_match_item_for_item_is_not_used() -> None:
    fewer = CRITERIA_VI.rsplit("\n* ", 1)[0]  # one exclusion item left out
    checklist = build_checklist(CRITERIA, CHILD, fewer)
    assert checklist.inclusion[1].text == "GMFCS level I-II"
    assert checklist.to_ask[1].startswith("<script>")


def test_handout_part_escapes_the_registry_words() -> None:
    html = checklist_html(build_checklist(CRITERIA, CHILD), CHILD)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert (
        "Your answers: Age: 6 years; Diagnosis: cerebral palsy, spastic; GMFCS level: III" in html
    )
    assert "Only the trial team can say" in html


def test_summary_line() -> None:
    assert summary_words(build_checklist(CRITERIA, CHILD)) == (
        "5 criteria · 2 met · 1 not met · 2 to ask the trial team"
    )
    assert "answer the questions" in summary_words(build_checklist(CRITERIA, Answers()))
    assert summary_words(build_checklist(None, CHILD)) == "The record states no criteria."


def test_the_record_s_own_age_limits_are_read_against_the_child_s_age() -> None:
    """A trial for ages 1 to 6 and a child of 8: "does not meet", first, and asked about,
    whatever the criteria text says (the seed trial's text names no age)."""
    text = "Inclusion Criteria:\n\n* Spastic cerebral palsy\n"
    older = build_checklist(text, Answers(age=ChildAge(8 * 12)), ages=("1 Year", "6 Years"))
    first = older.inclusion[0]
    assert first.text == "Age: 1 year to 6 years (the record's age limits)"
    assert first.verdict == DOES_NOT_MEET
    assert older.to_ask[0] == first.text
    assert "1 not met" in summary_words(older)
    fits = build_checklist(text, Answers(age=ChildAge(4 * 12)), ages=("1 Year", "6 Years"))
    assert fits.inclusion[0].verdict == MEETS and first.text not in fits.to_ask
    # Six years is the last birthday in "up to 6 years": 6y11m still fits, 7y does not.
    assert (
        build_checklist(text, Answers(age=ChildAge(83)), ages=(None, "6 Years"))
        .inclusion[0]
        .verdict
        == MEETS
    )
    # No age given, or no limit in the record: nothing is read.
    assert len(build_checklist(text, Answers(), ages=("1 Year", "6 Years")).inclusion) == 1
    assert len(build_checklist(text, Answers(age=ChildAge(48))).inclusion) == 1
    # A record with limits and no criteria text still reads its ages.
    only_ages = build_checklist(None, Answers(age=ChildAge(8 * 12)), ages=("1 Year", "6 Years"))
    assert only_ages.stated and only_ages.inclusion[0].verdict == DOES_NOT_MEET
    with using("vi"):
        vi = build_checklist(text, Answers(age=ChildAge(8 * 12)), ages=("1 Year", "6 Years"))
        assert vi.inclusion[0].text == "Tuổi: từ 1 tuổi đến 6 tuổi (giới hạn tuổi trong hồ sơ)"

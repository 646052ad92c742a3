"""The trial page's checklist, the handout's part and the comparison's line (AppTest).

The answers come from the link; the browser test (tests/e2e/test_eligibility_browser.py)
proves that a changed answer is written back to the link.
"""

from __future__ import annotations

from tests.ui.reading import assert_clean, notices, texts

TRIAL = "id=TF-CP-002"
ANSWERS = "age=6&dx=spastic-cp&gmfcs=2&botox=never&surgery=6-12m&seizures=no"


def _text(at) -> str:
    return "\n".join(texts(at))


def test_without_answers_every_item_is_asked_and_the_team_decides(open_app) -> None:
    at = open_app(TRIAL, page="pages/trial.py")
    assert_clean(at)
    text = _text(at)
    assert "Could my child join?" in text
    assert "Only the trial team can say whether your child can join." in text
    assert "ask the trial team] Gross Motor Function Classification System" in text
    assert "meets]" not in text and "does not meet]" not in text
    # Explained in place, and the registry's sentence as written.
    assert "GMFCS level II: Walks, but finds long distances" in text
    assert "Eligibility criteria, as the record states them" in [e.label for e in at.expander]
    assert not any("eligible" in t.lower() and "not" not in t.lower() for t in texts(at))


def test_answers_in_the_link_give_verdicts(open_app) -> None:
    at = open_app(f"{TRIAL}&{ANSWERS}", page="pages/trial.py")
    assert_clean(at)
    text = _text(at)
    assert "meets] Children aged 4 to 12 years with spastic cerebral palsy" in text
    assert "meets] Gross Motor Function Classification System (GMFCS) level I to III" in text
    assert "meets] Botulinum toxin injection within the last 6 months" in text
    assert "does not meet] Orthopaedic surgery within the previous 12 months" in text
    assert "meets] Uncontrolled seizures" in text
    assert "ask the trial team] Platelet count below 100,000/mm3" in text
    assert "About “Orthopaedic surgery within the previous 12 months”" in text
    assert at.selectbox(key="answer-gmfcs").value == "2"
    assert at.selectbox(key="answer-surgery").value == "6-12m"
    # Answers are page keys: the link is not rewritten and no notice is shown.
    assert not notices(at)


def test_bad_answers_are_ignored_with_a_plain_notice(open_app) -> None:
    at = open_app(f"{TRIAL}&gmfcs=7&botox=soon", page="pages/trial.py")
    assert_clean(at)
    said = " ".join(notices(at))
    assert "gmfcs='7': is not a GMFCS level" in said
    assert "botox='soon': is not a time" in said
    assert at.selectbox(key="answer-gmfcs").value is None


def test_in_vietnamese(open_app) -> None:
    at = open_app(f"{TRIAL}&{ANSWERS}&lang=vi", page="pages/trial.py")
    assert_clean(at)
    text = _text(at)
    assert "Could my child join?" not in text
    assert "GMFCS mức II" in text
    assert "Orthopaedic surgery within the previous 12 months" in text  # as written


def test_handout_and_comparison_carry_the_checklist(open_app) -> None:
    at = open_app(f"{TRIAL}&{ANSWERS}", page="pages/handout.py")
    assert_clean(at)
    html = "".join(str(h.proto.body) for h in at.get("html"))
    assert "GMFCS level: II" in html
    assert "Orthopaedic surgery within the previous 12 months" in html
    at = open_app(f"ids=TF-CP-002&ids=TF-CP-001&{ANSWERS}", page="pages/compare.py")
    assert_clean(at)
    text = _text(at)
    # the record's age limits (4 to 12 years) are the first item, and the child of 6 meets them
    assert "**TF-CP-002**: 8 criteria · 5 met · 1 not met · 2 to ask the trial team" in text
    # no criteria text, but its age limits (1 to 6 years) are read
    assert "**TF-CP-001**: 1 criterion · 1 met · 0 not met · 0 to ask the trial team" in text


def test_a_translation_of_the_criteria_comes_with_the_records_own_words(open_app) -> None:
    """Staff's Vietnamese can fall behind the record: the record's words stay beside it."""
    at = open_app("id=VINMEC-CP-BMMNC&lang=vi", page="pages/trial.py")
    assert_clean(at)
    text = _text(at)
    assert "Tài liệu nguồn chỉ ghi: bệnh nhân từ 1 đến 10 tuổi" in text
    assert "Nguyên văn trong hồ sơ" in text
    assert "The source only says" in text
    english = _text(open_app("id=VINMEC-CP-BMMNC", page="pages/trial.py"))
    assert "Tài liệu nguồn" not in english and "The source only says" in english

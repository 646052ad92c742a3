"""Trial facts in plain words for families."""

from __future__ import annotations

import pytest

from trialfinder import i18n
from trialfinder.family import plain
from trialfinder.model import (
    ALLOCATIONS,
    INTERVENTION_MODELS,
    MASKINGS,
    OPEN_STATUSES,
    OVERALL_STATUSES,
    PHASES,
    STUDY_TYPES,
)


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        ("1 Year", "6 Years", "1 year to 6 years"),
        ("18 Months", "5 Years", "18 months to 5 years"),
        ("18 Years", None, "18 years and older"),
        ("18 Years", "N/A", "18 years and older"),
        (None, "6 Years", "up to 6 years"),
        ("0 Years", "1 Year", "up to 1 year"),
        ("28 Days", "1 Month", "28 days to 1 month"),
        (None, None, "any age (no limit given)"),
        ("N/A", "0 Years", "any age (no limit given)"),
    ],
)
def test_ages_in_words(low: str | None, high: str | None, words: str) -> None:
    assert plain.ages_in_words(low, high) == words


def test_ages_in_words_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        plain.ages_in_words("soon", None)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("RECRUITING", "Recruiting"),
        ("NOT_YET_RECRUITING", "Not yet recruiting"),
        ("ACTIVE_NOT_RECRUITING", "Active, not recruiting"),
        ("ENROLLING_BY_INVITATION", "Enrolling by invitation"),
        ("COMPLETED", "Completed"),
        ("UNKNOWN", "Status unknown"),
        (None, "Status not given"),
        ("", "Status not given"),
        ("SOMETHING_NEW", "Something new"),
    ],
)
def test_status_words(status: str | None, words: str) -> None:
    assert plain.status_words(status) == words


def test_every_status_has_words() -> None:
    for status in OVERALL_STATUSES:
        words = plain.status_words(status)
        assert words[0].isupper() and "_" not in words
    assert len({plain.status_words(s) for s in OVERALL_STATUSES}) == len(OVERALL_STATUSES)


def test_is_open() -> None:
    assert {s for s in OVERALL_STATUSES if plain.is_open(s)} == OPEN_STATUSES
    assert plain.is_open("RECRUITING") and not plain.is_open("COMPLETED")
    assert not plain.is_open(None)


@pytest.mark.parametrize(
    ("count", "kind", "words"),
    [
        (60, "ESTIMATED", "60 participants (planned)"),
        (58, "ACTUAL", "58 participants (actual)"),
        (1, "ACTUAL", "1 participant (actual)"),
        (1, None, "1 participant"),
        (0, None, "0 participants"),
        (None, "ESTIMATED", "number of participants not given"),
        (None, None, "number of participants not given"),
    ],
)
def test_enrollment_words(count: int | None, kind: str | None, words: str) -> None:
    assert plain.enrollment_words(count, kind) == words


@pytest.mark.parametrize(
    ("phases", "words"),
    [
        (("PHASE2",), "phase 2"),
        (("PHASE1", "PHASE2"), "phase 1 / phase 2"),
        (["PHASE3"], "phase 3"),
        ("PHASE1|PHASE2", "phase 1 / phase 2"),  # as the catalog stores them
        (("EARLY_PHASE1",), "early phase 1"),
        (("NA",), "no phase"),
        ("NA", "no phase"),
        ((), "phase not given"),
        ("", "phase not given"),
        (None, "phase not given"),
    ],
)
def test_phase_words(phases, words: str) -> None:
    assert plain.phase_words(phases) == words


@pytest.mark.parametrize(
    ("codes", "words"),
    [
        (("RANDOMIZED", "PARALLEL", "NONE"), "randomized, parallel groups, open label"),
        (("NON_RANDOMIZED", None, "DOUBLE"), "not randomized, double blind"),
        (("SINGLE_GROUP",), "single group"),
        ((None, None), ""),
        (("SOME_NEW_CODE",), "some new code"),
    ],
)
def test_design_words(codes, words: str) -> None:
    assert plain.design_words(*codes) == words


def test_sex_yes_no_and_label() -> None:
    assert plain.sex_words("ALL") == "all sexes"
    assert plain.sex_words("FEMALE") == "girls and women only"
    assert plain.sex_words(None) == "sex not given"
    assert plain.yes_no(True) == "yes"
    assert plain.yes_no(False) == "no"
    assert plain.yes_no(None) == "not given"
    assert plain.label("HEALTH_SERVICES_RESEARCH") == "health services research"
    assert plain.label(None) == "not given"


def test_every_design_term_is_explained() -> None:
    fields = {
        "phase": PHASES,
        "intervention_model": INTERVENTION_MODELS,
        "masking": MASKINGS,
        "study_type": STUDY_TYPES,
        "allocation": ALLOCATIONS,
    }
    for field, codes in fields.items():
        for code in codes:
            explanation = plain.explain(field, code)
            assert explanation.endswith(".") and ": " in explanation


def test_na_is_explained_by_its_field() -> None:
    assert plain.explain("phase", "NA").startswith("No phase")
    assert plain.explain("allocation", "NA").startswith("Allocation does not apply")
    assert plain.explain("masking", None) is None


def test_every_age_unit_is_in_the_interfaces_language() -> None:
    """Each unit is a plural message of its own: weeks, days and hours were English."""
    with i18n.using("vi"):
        said = [plain.limit_words(t) for t in ("6 Weeks", "1 Week", "3 Days", "5 Hours")]
        said += [plain.limit_words("30 Minutes"), plain.ages_in_words("2 Years", "18 Months")]
    assert said == ["6 tuần", "1 tuần", "3 ngày", "5 giờ", "30 phút", "từ 2 tuổi đến 18 tháng"]
    assert plain.limit_words("1 Week") == "1 week" and plain.limit_words("2 Days") == "2 days"


def test_where_a_record_comes_from() -> None:
    assert [plain.source_words(s) for s in ("ctgov", "curated", None, "other")] == [
        "ctgov",
        "curated",
        "not given",
        "other",
    ]
    with i18n.using("vi"):
        assert plain.source_words("ctgov") == "ClinicalTrials.gov"
        assert plain.source_words(float("nan")) == "không ghi"


@pytest.mark.parametrize(
    ("lang", "listed", "shown"),
    [
        ("en", "Drug: Piracetam", "Drug: Piracetam"),
        ("vi", "Drug: Piracetam", "Thuốc: Piracetam"),
        ("vi", "Biological: Autologous cells", "Sinh học: Autologous cells"),
        ("vi", "Dietary Supplement: Vitamin D", "Thực phẩm bổ sung: Vitamin D"),
        ("vi", "Piracetam", "Piracetam"),  # no kind given: as listed
        ("vi", "Note: not a kind", "Note: not a kind"),  # not a registry kind: as listed
    ],
)
def test_an_intervention_s_kind_is_in_the_page_language_its_name_the_record_s(
    lang, listed, shown
) -> None:
    with i18n.using(lang):
        assert plain.intervention_words(listed) == shown

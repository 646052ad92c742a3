"""Criteria cut into items as the registry writes them; nothing lost."""

from __future__ import annotations

import pytest

from tests.family.eligibility.corpus import SHARED, figures, v2_texts, xml_texts
from trialfinder.family.eligibility.split import (
    EXCLUSION,
    INCLUSION,
    normalise,
    same_text,
    section_of,
    split_criteria,
)

V2_STYLE = """Inclusion Criteria:

* Open-label run-in phase (first four weeks):

  * Written informed consent
  * Aged 18 to 64 years
* Double-blind phase:

  * IIEF score \\<17

Exclusion Criteria:

1. Pregnant or breastfeeding
2. Platelets \\< 100,000/mm3
"""

XML_STYLE = """
        Inclusion Criteria:

          -  Children aged 4 to 12 years with spastic cerebral palsy, Gross Motor Function
             Classification System level I to III

          -  Written informed consent of a parent

        Exclusion Criteria:

        Hematopoietic:

          -  Platelet count less than 100,000/mm^3
"""


def test_v2_layout_gives_sections_depth_and_parents() -> None:
    criteria = split_criteria(V2_STYLE)
    inclusion = criteria.inclusion
    assert [b.text for b in inclusion] == [
        "Open-label run-in phase (first four weeks):",
        "Written informed consent",
        "Aged 18 to 64 years",
        "Double-blind phase:",
        "IIEF score \\<17",
    ]
    assert [b.depth for b in inclusion] == [0, 1, 1, 0, 1]
    parent = criteria.blocks[inclusion[1].parent]
    assert parent.text.startswith("Open-label")
    assert [b.marker for b in criteria.exclusion] == ["1.", "2."]
    assert criteria.exclusion[1].plain == "Platelets < 100,000/mm3"
    assert criteria.clean and same_text(criteria)


def test_legacy_wrapped_lines_join_and_sub_headings_are_kept() -> None:
    criteria = split_criteria(XML_STYLE)
    assert [b.text for b in criteria.inclusion] == [
        "Children aged 4 to 12 years with spastic cerebral palsy, Gross Motor Function "
        "Classification System level I to III",
        "Written informed consent of a parent",
    ]
    (platelets,) = criteria.exclusion
    assert platelets.heading == "Hematopoietic:"
    assert same_text(criteria)


def test_heading_with_words_on_the_same_line() -> None:
    criteria = split_criteria("Inclusion Criteria:• Age 20 to 45\nExclusion Criteria:1. Pregnant")
    assert [b.text for b in criteria.inclusion] == ["Age 20 to 45"]
    assert [(b.marker, b.text) for b in criteria.exclusion] == [("1.", "Pregnant")]
    assert same_text(criteria)


@pytest.mark.parametrize(
    ("line", "section"),
    [
        ("Inclusion Criteria:", INCLUSION),
        ("**Key Exclusion Criteria**", EXCLUSION),
        ("-  INCLUSION CRITERIA:", INCLUSION),
        ("Criteria for exclusion:", EXCLUSION),
        ("Donor Exclusion Criteria", EXCLUSION),
        ("Exclusion of patients with diabetes is planned", None),
        ("Meets the inclusion criteria of the main study", None),
        ("Age 18 to 65", None),
    ],
)
def test_section_headings(line: str, section: str | None) -> None:
    assert section_of(line.lstrip("- ")) == section


def test_doubts_are_named() -> None:
    assert split_criteria("Age 2 to 12\nMale").doubts == ("no inclusion or exclusion heading",)
    one_line = split_criteria("Inclusion Criteria: 1. Male 2. Aged 4 to 12")
    assert one_line.doubts == ("a list written on one line",)
    assert same_text(one_line)


def test_empty_text() -> None:
    assert split_criteria(None).blocks == ()
    assert split_criteria("  \n").items == ()


def test_normalise_is_whitespace_only() -> None:
    assert normalise(" a\t\n b\u00a0c ") == "a b c"
    assert normalise("a-b") != normalise("a - b")


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"the shared real records are not here ({SHARED})")
@pytest.mark.parametrize("source", [v2_texts, xml_texts], ids=["v2_json", "legacy_xml"])
def test_every_real_record_loses_nothing(source) -> None:
    texts = source()
    assert texts, "no criteria found in the shared records"
    records, lossless, clean, _doubts = figures(texts)
    assert lossless == records
    # The README's figures: most records split cleanly (see README "Could my child join?").
    assert clean / records >= 0.75

"""The recognisers and the verdicts, measured on the hand-labelled items.

Run with ``-s`` to see the table the README quotes. Real items are read from
../shared/ctgov at test time; without it only the written items are measured.
"""

from __future__ import annotations

import pytest

from tests.family.eligibility.labelled import load, recogniser_scores, verdict_scores
from trialfinder.family.eligibility.recognise import KINDS, recognise
from trialfinder.family.eligibility.verdicts import DOES_NOT_MEET, MEETS


@pytest.fixture(scope="module")
def labelled():
    items, skipped = load()
    return items, skipped


def test_the_set_is_big_enough_and_has_both_sections(labelled) -> None:
    items, skipped = labelled
    if skipped:
        pytest.skip(f"{skipped} real items not here (../shared/ctgov absent)")
    assert len(items) >= 150
    sections = {i.block.section for i in items}
    assert sections == {"inclusion", "exclusion"}
    assert all(any(kind in i.facts for i in items) for kind in KINDS)


def test_recognisers_precision_and_recall(labelled) -> None:
    items, skipped = labelled
    if skipped:
        pytest.skip(f"{skipped} real items not here (../shared/ctgov absent): the set is partial")
    scores = recogniser_scores(items)
    print("\n| fact | labelled | found | precision | recall |")
    for kind, s in scores.items():
        print(f"| {kind} | {s.labelled} | {s.found} | {s.precision:.2f} | {s.recall:.2f} |")
    for kind, s in scores.items():
        assert s.precision >= 0.85, (kind, s)
    # A missed fact reads "ask the trial team": recall may be lower, never nil.
    assert all(s.recall >= 0.4 for s in scores.values()), scores


def test_does_not_meet_is_right_95_percent_of_the_time(labelled) -> None:
    items, skipped = labelled
    scores, wrong = verdict_scores(items)
    for verdict, s in scores.items():
        print(
            f"\n{verdict}: said {s.found}, labelled {s.labelled}, right {s.right}, "
            f"precision {s.precision:.3f}, recall {s.recall:.3f}"
        )
    print("\n".join(wrong))
    # The written items alone (no ../shared/ctgov) still give a few dozen.
    assert scores[DOES_NOT_MEET].found >= (20 if skipped else 50)
    assert scores[DOES_NOT_MEET].precision >= 0.95
    assert scores[MEETS].precision >= 0.95


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        (
            "Children aged 4 to 12 years with spastic cerebral palsy, GMFCS level I to III",
            ["age", "diagnosis", "gmfcs"],
        ),
        ("No botulinum toxin in the last 6 months", ["botox"]),
        ("Platelets \\< 100,000/mm3", ["lab"]),
        ("Glycosylated hemoglobin > 9%", []),
        ("Postmenopausal for at least 12 months or more", []),
    ],
)
def test_kinds_found(text: str, kinds: list[str]) -> None:
    assert sorted(f.kind for f in recognise(text)) == sorted(kinds)


def test_facts_carry_their_values() -> None:
    (gmfcs,) = recognise("GMFCS levels II, III or IV")
    assert gmfcs.levels == {2, 3, 4}
    (age,) = recognise("Age ≥ 3 years")
    assert (age.min_age, age.max_age) == ("3 Years", None)
    (botox,) = recognise("At least 6 months since the last botulinum toxin injection")
    assert botox.negated and botox.months == 6
    (seizures,) = recognise("Uncontrolled epilepsy")
    assert seizures.detail == "qualified"

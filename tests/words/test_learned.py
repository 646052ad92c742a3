"""Synonyms learned from the records' own pairs of words and MeSH terms."""

from __future__ import annotations

from tests.factories import trial
from trialfinder.model import MeshMatch
from trialfinder.words.learned import Learned, build_learned, key_of, learned_pairs, usable


def test_vague_terms_short_forms_and_repeats_are_not_learned() -> None:
    assert usable(MeshMatch("impotence", "Erectile Dysfunction"))
    assert usable(MeshMatch("disc herniation", "Intervertebral Disc Displacement"))
    assert not usable(MeshMatch("acute", "Acute Disease"))
    assert not usable(MeshMatch("Down's syndrome features", "Syndrome"))
    assert not usable(MeshMatch("relapsed", "Recurrence"))
    assert not usable(MeshMatch("CP", "Cerebral Palsy"))
    assert not usable(MeshMatch("ALL", "Precursor Cell Lymphoblastic Leukemia-Lymphoma"))
    assert not usable(MeshMatch("IU/kg", "incobotulinumtoxinA"))
    assert not usable(MeshMatch("C.P.", "Cerebral Palsy"))
    assert not usable(MeshMatch("Asthma", "Asthma"))
    assert not usable(MeshMatch("asthmas", "ASTHMA"))


def test_the_pairs_of_a_trial_name_their_kind() -> None:
    t = trial(
        "NCT00000001",
        mesh_found=(
            MeshMatch("impotence", "Erectile Dysfunction"),
            MeshMatch("acute", "Acute Disease"),
        ),
        intervention_mesh_found=(MeshMatch("Botox", "Botulinum Toxins, Type A"),),
    )
    assert list(learned_pairs(t)) == [
        ("mesh_found", MeshMatch("impotence", "Erectile Dysfunction")),
        ("intervention_mesh_found", MeshMatch("Botox", "Botulinum Toxins, Type A")),
    ]


def test_any_spelling_of_a_learned_phrase_finds_its_terms() -> None:
    pairs = [
        ("impotence", "Erectile Dysfunction"),
        ("disc herniation", "Intervertebral Disc Displacement"),
        ("herniated disc", "Intervertebral Disc Displacement"),
        ("urinary incontinence", "Urinary Incontinence"),
        ("urinary incontinence", "Enuresis"),
    ]
    learned = Learned.from_arrays(
        build_learned([key_of(f) for f, _ in pairs], [t for _, t in pairs])
    )
    assert len(learned) == 4
    assert learned.terms_for("Impotence") == ("Erectile Dysfunction",)
    assert learned.terms_for("herniation of the disc") == ()
    assert learned.terms_for("Disc Herniations") == ("Intervertebral Disc Displacement",)
    assert learned.terms_for("incontinence, urinary") == ("Enuresis", "Urinary Incontinence")
    assert learned.terms_for("erectile") == ()

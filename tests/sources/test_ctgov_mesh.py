"""How the registry read a record's words as MeSH terms (its browse leaves) is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialfinder.errors import DataError
from trialfinder.model import MeshMatch, Trial
from trialfinder.sources.ctgov import parse_study

GOOD = Path(__file__).resolve().parents[1] / "fixtures" / "ctgov" / "good"


def study_with(derived: dict) -> dict:
    study = json.loads((GOOD / "study_full.json").read_text(encoding="utf-8"))
    study["derivedSection"] = derived
    return study


DERIVED = {
    "conditionBrowseModule": {
        "meshes": [{"id": "D002547", "term": "Cerebral Palsy"}],
        "ancestors": [{"id": "D001930", "term": "Brain Diseases"}],
        "browseLeaves": [
            {"id": "M5", "name": "Cerebral Palsy", "asFound": "Spastic CP", "relevance": "HIGH"},
            {"id": "M5", "name": "Cerebral Palsy", "asFound": "Spastic CP", "relevance": "HIGH"},
            {"id": "M6", "name": "Brain Diseases", "relevance": "LOW"},
            {"id": "T9", "name": "Spastic Diplegia", "asFound": "Spastic CP"},
        ],
    },
    "interventionBrowseModule": {
        "meshes": [{"id": "D019274", "term": "Botulinum Toxins, Type A"}],
        "ancestors": [{"id": "D000", "term": "Neurotoxins"}],
        "browseLeaves": [
            {"id": "M1", "name": "Botulinum Toxins, Type A", "asFound": "Botox"},
        ],
    },
}


def test_pairs_of_words_and_mesh_terms_are_kept() -> None:
    trial = parse_study(study_with(DERIVED), "made-up.json")
    assert trial.mesh_found == (MeshMatch("Spastic CP", "Cerebral Palsy"),)
    assert trial.intervention_mesh_terms == ("Botulinum Toxins, Type A",)
    assert trial.intervention_mesh_ancestors == ("Neurotoxins",)
    assert trial.intervention_mesh_found == (MeshMatch("Botox", "Botulinum Toxins, Type A"),)
    assert Trial.from_dict(trial.to_dict()) == trial


def test_a_record_without_browse_leaves_has_no_pairs() -> None:
    trial = parse_study(study_with({"conditionBrowseModule": {"meshes": []}}), "x.json")
    assert trial.mesh_found == () and trial.intervention_mesh_terms == ()


def test_browse_leaves_that_are_not_a_list_name_the_field() -> None:
    derived = {"conditionBrowseModule": {"meshes": [], "browseLeaves": "none"}}
    with pytest.raises(DataError) as raised:
        parse_study(study_with(derived), "x.json")
    assert raised.value.problem.field == "derivedSection"
    assert "browse leaves" in raised.value.problem.message

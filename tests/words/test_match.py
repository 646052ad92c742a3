"""Matching a typed text against a real catalog's word index."""

from __future__ import annotations

from tests.factories import catalog_of, trial
from trialfinder.words.match import matching_terms

CATALOG = catalog_of(
    trial(
        "NCT00000001",
        title="Stem Cells for Cerebral Palsy in Children",
        conditions=("Type 1 Diabetes Mellitus",),
    ),
    trial(
        "NCT00000002",
        title="Palsy of the cerebral nerves after surgery",
        conditions=("Brain Tumours", "Herniated Disk"),
        mesh_terms=("Brain Neoplasms", "Intervertebral Disc Displacement"),
    ),
    trial("NCT00000003", title="Leukaemia in children", conditions=("Leukemias",)),
)
CONDITIONS = CATALOG.search.words["about"]
TITLES = CATALOG.search.words["titles"]


def found(typed: str, in_order: bool = False, words=CONDITIONS) -> set[str]:
    terms = matching_terms(words, typed, in_order=in_order)
    return {words.vocab[int(i)].as_py() for i in terms}


def titles(typed: str, in_order: bool = True) -> set[str]:
    return found(typed, in_order, TITLES)


def test_words_in_any_order_inside_a_term() -> None:
    assert found("diabetes type 1") == {"type 1 diabetes mellitus"}
    assert found("mellitus diabetes 1 type") == {"type 1 diabetes mellitus"}


def test_titles_keep_the_order_typed() -> None:
    assert titles("cerebral palsy") == {"stem cells for cerebral palsy in children"}
    assert titles("palsy cerebral") == set()
    assert titles("palsy of the cerebral") == {"palsy of the cerebral nerves after surgery"}
    assert titles("cerebral palsy", in_order=False) == {
        "stem cells for cerebral palsy in children",
        "palsy of the cerebral nerves after surgery",
    }


def test_british_american_and_plurals_match_both_ways() -> None:
    assert found("brain tumor") == {"brain tumours"}
    assert found("herniated disc") == {"herniated disk"}
    assert found("leukemia") == {"leukemias"}
    assert titles("Leukaemias") == {"leukaemia in children"}


def test_every_word_typed_must_stand_as_a_whole_word() -> None:
    assert found("brain tumor surgery") == set()
    assert found("cerebra") == set()
    assert found("") == set()

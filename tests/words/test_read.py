"""What a family typed, read into what to search."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialfinder.words.read import read_condition, read_intervention
from trialfinder.words.synonyms import load_synonyms

SYNONYMS, _ = load_synonyms(Path(__file__).resolve().parents[2] / "data" / "synonyms.yaml")


@pytest.mark.parametrize(
    ("typed", "term", "core"),
    [
        ("bại não", "Cerebral Palsy", "bại não"),
        ("bai nao", "Cerebral Palsy", "bai nao"),
        ("trẻ bị bại não", "Cerebral Palsy", "bại não"),
        ("con tôi bị động kinh", "Epilepsy", "động kinh"),
        ("bệnh tự kỷ ở trẻ em", "Autism Spectrum Disorder", "tự kỷ"),
        ("children with autism", "Autism Spectrum Disorder", "autism"),
        ("leukaemia in children", "Leukemia", "leukaemia"),
        ("Brain Tumours", "Brain Neoplasms", "Brain Tumours"),
        ("diabetes type 1", "Diabetes Mellitus, Type 1", "diabetes type 1"),
        ("heart defect", "Heart Defects, Congenital", "heart defect"),
        ("tiểu đường", "Diabetes Mellitus", "tiểu đường"),
    ],
)
def test_conditions_are_read_into_registry_terms(typed: str, term: str, core: str) -> None:
    reading = read_condition(typed, SYNONYMS)
    assert term in reading.search
    assert reading.core == core
    assert reading.meanings == ()


@pytest.mark.parametrize(
    ("typed", "hint", "core"),
    [
        ("leukemia child", True, "leukemia"),
        ("pediatric asthma", True, "asthma"),
        ("trẻ em hen suyễn", True, "hen suyễn"),
        ("my son has cerebral palsy", True, "cerebral palsy"),
        ("tetralogy of fallot", False, "tetralogy of fallot"),
        ("children", False, "children"),
        ("hepatitis a", False, "hepatitis a"),
    ],
)
def test_child_words_are_an_age_hint_not_a_condition(typed: str, hint: bool, core: str) -> None:
    reading = read_condition(typed, SYNONYMS)
    assert reading.child_hint is hint
    assert reading.core == core


@pytest.mark.parametrize("typed", ["CP", "cp", "C.P.", "CP child"])
def test_an_abbreviation_with_several_meanings_is_never_expanded(typed: str) -> None:
    reading = read_condition(typed, SYNONYMS)
    assert "Cerebral Palsy" not in reading.search
    assert reading.concept is None
    assert reading.search == (reading.core,)
    assert {"cerebral palsy", "chest pain"} <= set(reading.meanings)


def test_the_name_understood_is_said_in_the_pages_language() -> None:
    reading = read_condition("bại não", SYNONYMS)
    assert reading.name_in("en") == "cerebral palsy"
    assert reading.name_in("vi") == "bại não"
    assert reading.understood_otherwise("en")
    assert not reading.understood_otherwise("vi")
    plain = read_condition("cerebral palsies", SYNONYMS)
    assert not plain.understood_otherwise("en")


def test_words_the_file_does_not_know_are_searched_as_typed() -> None:
    reading = read_condition("Rett syndrome", SYNONYMS)
    assert reading.search == ("Rett syndrome",)
    assert reading.name_in("vi") == "Rett syndrome"
    assert not reading.understood_otherwise("en")


@pytest.mark.parametrize(
    ("typed", "generic"),
    [("Keytruda", "pembrolizumab"), ("viagra", "sildenafil"), ("SPINRAZA", "nusinersen")],
)
def test_brand_names_are_read_as_generic_names(typed: str, generic: str) -> None:
    reading = read_intervention(typed, SYNONYMS)
    assert reading.generic == generic
    assert reading.search[:2] == (typed, generic)
    assert reading.name_in("en") == generic
    assert reading.understood_otherwise("en")


def test_a_generic_name_also_searches_its_brands() -> None:
    reading = read_intervention("pembrolizumab", SYNONYMS)
    assert "keytruda" in reading.search
    assert not reading.understood_otherwise("en")


def test_treatments_in_the_synonyms_file_come_before_the_drug_list() -> None:
    reading = read_intervention("tế bào gốc", SYNONYMS)
    assert reading.concept is not None and "Stem Cells" in reading.search
    botox = read_intervention("Botox", SYNONYMS)
    assert "Botulinum Toxins" in botox.search


def test_a_treatment_nobody_knows_is_searched_as_typed() -> None:
    reading = read_intervention("horse riding therapy", SYNONYMS)
    assert reading.search == ("horse riding therapy",)
    assert reading.generic is None

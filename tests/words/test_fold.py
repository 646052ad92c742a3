"""Words folded the way people type them: one key for every spelling of a word."""

from __future__ import annotations

import pytest

from trialfinder.words import fold


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        ("Bại Não", "bai nao"),
        ("BẠI NÃO", "bại não"),
        ("tumour", "tumor"),
        ("Tumours", "tumor"),
        ("leukaemia", "leukemia"),
        ("leukaemias", "Leukemia"),
        ("paediatric", "pediatric"),
        ("disc", "disk"),
        ("haemophilia", "hemophilia"),
        ("allergies", "allergy"),
        ("children", "child"),
        ("neoplasms", "Neoplasm"),
        ("palsies", "palsy"),
        ("viruses", "virus"),
        ("lymphomas", "lymphoma"),
        ("Parkinson's", "parkinson"),
    ],
)
def test_spellings_of_one_word_share_a_key(typed: str, same_as: str) -> None:
    assert fold.keys(typed) == fold.keys(same_as)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("AIDS", "aid"),  # not the plural of a hearing aid
        ("diabetes", "diabete"),
        ("pancreas", "pancrea"),
        ("measles", "measle"),
        ("tumor", "tumors of"),
        ("bại não", "bai"),
    ],
)
def test_different_words_keep_different_keys(one: str, other: str) -> None:
    assert fold.keys(one) != fold.keys(other)


def test_words_with_no_plural_are_their_own_key() -> None:
    for word in ("diabetes", "herpes", "pancreas", "arthritis", "sepsis", "asthma", "t1d"):
        assert fold.key(word) == word


@pytest.mark.parametrize("word", ["tumour", "leukaemia", "disc", "allergy", "child", "oedema"])
def test_surface_forms_fold_back_to_the_key(word: str) -> None:
    key = fold.key(word)
    forms = fold.surface_forms(key)
    assert fold.words(word)[0] in forms
    assert forms and all(fold.key(f) == key for f in forms)


def test_surface_forms_give_both_spellings_and_plurals() -> None:
    assert {"tumor", "tumors", "tumour", "tumours"} <= set(fold.surface_forms("tumor"))
    assert {"disc", "discs", "disk"} <= set(fold.surface_forms("disk"))
    assert "children" in fold.surface_forms("child")


def test_spellings_staff_add_are_used_and_can_be_replaced() -> None:
    try:
        fold.set_extra_spellings({"oedema": "edema"})
        assert fold.key("oedema") == fold.key("edema") == "edema"
        assert "oedema" in fold.surface_forms("edema")
        fold.set_extra_spellings({})
        assert fold.key("oedema") != "edema"
    finally:
        fold.set_extra_spellings({})

"""What a typed value is searched as: typed words, the synonyms file, learned terms."""

from __future__ import annotations

from pathlib import Path

from trialfinder.words.expand import expand
from trialfinder.words.learned import Learned, build_learned, key_of
from trialfinder.words.synonyms import load_synonyms

SYNONYMS, _ = load_synonyms(Path(__file__).resolve().parents[2] / "data" / "synonyms.yaml")
LEARNED = Learned.from_arrays(
    build_learned(
        [key_of("impotence"), key_of("cerebral palsy, spastic"), key_of("CPX")],
        ["Erectile Dysfunction", "Cerebral Palsy", "Cerebral Palsy"],
    )
)


def test_a_vietnamese_condition_searches_the_registry_term_and_its_name_in_titles() -> None:
    found = expand("cond", ["bại não"], SYNONYMS, LEARNED)
    assert found.any_order == ("bại não", "Cerebral Palsy")
    assert found.in_order == ("bại não", "cerebral palsy")
    assert not found.child_hint


def test_learned_terms_are_added_for_what_was_typed() -> None:
    found = expand("cond", ["Impotence"], SYNONYMS, LEARNED)
    assert found.any_order == ("Impotence", "Erectile Dysfunction")


def test_an_ambiguous_short_form_adds_nothing() -> None:
    found = expand("cond", ["CP"], SYNONYMS, LEARNED)
    assert found.any_order == ("CP",)
    assert found.readings[0].meanings


def test_several_values_and_a_child_hint() -> None:
    found = expand("cond", ["leukaemia in children", "asthma"], SYNONYMS, LEARNED)
    assert found.child_hint
    assert found.any_order == ("leukaemia", "asthma")  # "Leukemia" is the same words


def test_a_brand_name_searches_the_generic_name() -> None:
    found = expand("intr", ["Keytruda"], SYNONYMS, LEARNED)
    assert found.any_order[:2] == ("Keytruda", "pembrolizumab")
    assert "keytruda" not in found.any_order  # the same words as typed, once

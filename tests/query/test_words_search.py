"""Conditions and treatments searched in a family's words, through the query language."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import trial
from trialfinder.catalog import build_catalog, read_snapshot, write_snapshot
from trialfinder.catalog.core import with_synonyms
from trialfinder.i18n import using
from trialfinder.model import Intervention, MeshMatch
from trialfinder.query import apply_query, parse_query
from trialfinder.words.synonyms import load_synonyms

SYNONYMS, _ = load_synonyms(Path(__file__).resolve().parents[2] / "data" / "synonyms.yaml")

TRIALS = (
    trial(
        "CP-CODED",
        title="Stem cells for children",
        conditions=("Spastic Diplegia",),
        mesh_terms=("Cerebral Palsy",),
        min_age="2 Years",
        max_age="12 Years",
    ),
    trial("CP-TITLE", title="Cerebral Palsy: walking at home", conditions=("Walking",)),
    trial("CP-REVERSED", title="Palsy of the cerebral nerves", conditions=("Nerve injury",)),
    trial(
        "ED-SAID-IMPOTENCE",
        conditions=("Impotence",),
        mesh_terms=("Erectile Dysfunction",),
        mesh_found=(MeshMatch("Impotence", "Erectile Dysfunction"),),
        min_age="18 Years",
    ),
    trial("ED-CODED", conditions=("ED after surgery",), mesh_terms=("Erectile Dysfunction",)),
    trial(
        "VAGUE",
        conditions=("Sudden attacks",),
        mesh_terms=("Syndrome",),
        mesh_found=(MeshMatch("sudden attacks", "Syndrome"),),
    ),
    trial("OTHER-SYNDROME", conditions=("Rett Syndrome",), mesh_terms=("Syndrome",)),
    trial(
        "LEUK-CHILD",
        conditions=("Acute Lymphoblastic Leukaemia",),
        mesh_ancestors=("Leukemia",),
        min_age="1 Year",
        max_age="17 Years",
    ),
    trial("LEUK-ADULT", conditions=("Leukemia",), min_age="18 Years"),
    trial(
        "PEMBRO",
        conditions=("Melanoma",),
        interventions=(Intervention(name="Pembrolizumab"),),
    ),
    trial(
        "TOXIN",
        conditions=("Spasticity",),
        interventions=(Intervention(name="Injections into the calf"),),
        intervention_mesh_terms=("Botulinum Toxins, Type A",),
    ),
    trial("HEARING", conditions=("Hearing Aids",)),
)
CATALOG = build_catalog(TRIALS, synonyms=SYNONYMS)


def found(query: str, catalog=CATALOG) -> set[str]:
    parsed = parse_query(query)
    assert parsed.problems == (), parsed.notice()
    return set(apply_query(catalog, parsed.query)["id"])


def test_a_vietnamese_word_finds_the_registry_term_and_titles_in_order() -> None:
    assert found("cond=bại não") == {"CP-CODED", "CP-TITLE"}
    assert found("cond=bai nao") == {"CP-CODED", "CP-TITLE"}
    assert found("cond=cerebral palsy") == {"CP-CODED", "CP-TITLE"}


def test_one_spelling_a_record_used_finds_every_trial_coded_with_its_term() -> None:
    assert found("cond=impotence") == {"ED-SAID-IMPOTENCE", "ED-CODED"}
    assert found("cond=Impotences") == {"ED-SAID-IMPOTENCE", "ED-CODED"}


def test_vague_terms_are_not_learned() -> None:
    assert found("cond=sudden attacks") == {"VAGUE"}


def test_an_ambiguous_abbreviation_is_searched_as_typed_only() -> None:
    assert found("cond=CP") == set()


def test_child_words_ask_for_trials_that_accept_a_child() -> None:
    assert found("cond=leukaemia") == {"LEUK-CHILD", "LEUK-ADULT"}
    assert found("cond=leukemia child") == {"LEUK-CHILD"}
    assert found("cond=bạch cầu trẻ em") == {"LEUK-CHILD"}
    # an age given says more than the hint
    assert found("cond=leukemia child&age=18y") == {"LEUK-ADULT"}


def test_brand_names_and_intervention_mesh_terms() -> None:
    assert found("intr=Keytruda") == {"PEMBRO"}
    assert found("intr=pembrolizumab") == {"PEMBRO"}
    assert found("intr=Botox") == {"TOXIN"}


def test_ages_in_words_in_a_link() -> None:
    both = {"CP-CODED", "CP-TITLE"}
    assert found("cond=bại não&age=4 tuổi") == found("cond=bại não&age=4y") == both
    assert found("cond=bại não&age=13 năm") == {"CP-TITLE"}  # CP-CODED: up to 12 years
    parsed = parse_query("age=4 năm 3 tháng")
    assert parsed.query.to_query_string() == "age=4y3m"


def test_a_bad_age_is_one_plain_notice() -> None:
    parsed = parse_query("cond=bại não&age=4 3")
    assert len(parsed.problems) == 1
    assert parsed.notice() == (
        "Ignored age='4 3': is not an age like 4, 4 years 3 months, 18 months or 4 tuổi."
    )


@pytest.mark.parametrize(
    ("query", "english", "vietnamese"),
    [
        (
            "cond=bại não",
            "2 trials for cerebral palsy (you typed: bại não)",
            "2 thử nghiệm về bại não",
        ),
        (
            "cond=bai nao",
            "2 trials for cerebral palsy (you typed: bai nao)",
            "2 thử nghiệm về bại não",
        ),
        ("cond=cerebral palsy", "2 trials for cerebral palsy", "2 thử nghiệm về bại não (bạn"),
        ("cond=Rett syndrome", "2 trials for Rett syndrome", None),
        (
            "cond=leukemia child",
            "2 trials for leukemia (you typed: leukemia child) that accept children",
            None,
        ),
        ("intr=Keytruda", "2 trials testing pembrolizumab (you typed: Keytruda)", None),
    ],
)
def test_the_sentence_says_what_was_understood(
    query: str, english: str, vietnamese: str | None
) -> None:
    parsed = parse_query(query).query
    assert parsed.describe(2, SYNONYMS) == english
    if vietnamese:
        with using("vi"):
            assert parsed.describe(2, SYNONYMS).startswith(vietnamese)


def test_the_link_keeps_what_was_typed() -> None:
    assert parse_query("cond=bại não").query.to_query_string() == "cond=b%E1%BA%A1i+n%C3%A3o"


def test_the_words_survive_a_snapshot(tmp_path: Path) -> None:
    write_snapshot(CATALOG, tmp_path / "snap")
    again = with_synonyms(read_snapshot(tmp_path / "snap"), SYNONYMS)
    for query in ("cond=impotence", "cond=bại não", "intr=Botox", "cond=leukemia child"):
        assert found(query, again) == found(query)

"""The synonyms file staff edit: read, checked, every problem named by file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialfinder.words import fold
from trialfinder.words.synonyms import load_synonyms, read_synonyms

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "synonyms.yaml"


def read(text: str):
    return read_synonyms(text, "data/synonyms.yaml")


def test_the_shipped_file_is_valid_and_covers_the_first_users() -> None:
    synonyms, problems = load_synonyms(SHIPPED)
    assert problems == []
    expected = {
        "bại não": "Cerebral Palsy",
        "tự kỷ": "Autism Spectrum Disorder",
        "động kinh": "Epilepsy",
        "tiểu đường": "Diabetes Mellitus",
        "hen suyễn": "Asthma",
        "bạch cầu": "Leukemia",
        "ung thư máu": "Leukemia",
        "tim bẩm sinh": "Heart Defects, Congenital",
        "ung thư": "Neoplasms",
        "brain tumour": "Brain Neoplasms",
        "herniated disc": "Intervertebral Disc Displacement",
        "heart attack": "Myocardial Infarction",
        "high blood pressure": "Hypertension",
        "brain damage at birth": "Cerebral Palsy",
    }
    for typed, term in expected.items():
        concept = synonyms.concept("condition", typed)
        assert concept is not None, typed
        assert term in concept.registry, typed
    cp = synonyms.abbreviation("CP")
    assert cp is not None and "cerebral palsy" in cp.meanings and len(cp.meanings) > 1


def test_shipped_registry_terms_are_whole_terms_not_pieces_of_one() -> None:
    """A MeSH heading with a comma must be quoted in a YAML list; unquoted, it
    would split into pieces such as "Type 1" that are not terms at all."""
    synonyms, _ = load_synonyms(SHIPPED)
    for concept in (*synonyms.conditions, *synonyms.interventions):
        for term in concept.registry:
            assert len(fold.words(term)) > 1 or len(term) > 4, (concept.name, term)
            assert not term[0].isdigit(), (concept.name, term)


def test_lookups_fold_accents_case_order_and_plurals() -> None:
    synonyms, _ = read(
        "conditions:\n"
        "  - name: cerebral palsy\n"
        "    registry: [Cerebral Palsy]\n"
        "    words: [bại não]\n"
    )
    for typed in ("bại não", "BAI NAO", "bai  nao", "cerebral palsies", "Palsy, cerebral"):
        found = synonyms.concept("condition", typed)
        assert found is not None and found.name == "cerebral palsy", typed
    assert synonyms.concept("intervention", "bại não") is None
    assert synonyms.concept("condition", "bại") is None


def test_a_missing_file_is_no_synonyms_and_no_problem(tmp_path: Path) -> None:
    synonyms, problems = load_synonyms(tmp_path / "synonyms.yaml")
    assert problems == [] and synonyms.conditions == ()


@pytest.mark.parametrize(
    ("text", "record", "field", "says"),
    [
        ("conditions:\n  - name: x\n    words: [y]\n", "conditions 'x'", "registry", "registry"),
        ("conditions:\n  - registry: [X]\n", "conditions #1", "name", "name"),
        (
            "conditions:\n  - name: x\n    registry: [X]\n    word: [y]\n",
            "conditions 'x'",
            "word",
            "unknown key",
        ),
        (
            "conditions:\n  - name: x\n    registry: [X]\n    words: [1, y]\n",
            "conditions 'x'",
            "words",
            "text",
        ),
        (
            "conditions:\n  - name: x\n    registry: [X]\n    name_vi: [a]\n",
            "conditions 'x'",
            "name_vi",
            "Vietnamese",
        ),
        ("conditions: {name: x}\n", "conditions", None, "list"),
        (
            "abbreviations:\n  - abbreviation: CP\n    meanings: [cerebral palsy]\n",
            "abbreviations 'CP'",
            "meanings",
            "one meaning",
        ),
        ("abbreviations:\n  - meanings: [a, b]\n", "abbreviations #1", "abbreviation", "missing"),
        ("spellings:\n  oedema: [edema]\n", "spellings", "oedema", "American"),
        ("condition:\n  - name: x\n", "condition", None, "unknown section"),
    ],
)
def test_each_problem_names_the_entry_and_field(
    text: str, record: str, field: str | None, says: str
) -> None:
    _, problems = read(text)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.file == "data/synonyms.yaml"
    assert (problem.record, problem.field) == (record, field)
    assert says in problem.message
    assert str(problem).startswith("data/synonyms.yaml, record ")


def test_a_bad_entry_is_left_out_and_the_others_kept() -> None:
    synonyms, problems = read(
        "conditions:\n"
        "  - name: asthma\n    registry: [Asthma]\n    words: [hen suyễn]\n"
        "  - name: broken\n    words: [nothing]\n"
        "  - name: autism\n    registry: [Autistic Disorder]\n    words: [tự kỷ]\n"
    )
    assert [c.name for c in synonyms.conditions] == ["asthma", "autism"]
    assert [p.record for p in problems] == ["conditions 'broken'"]


def test_one_word_for_two_things_is_refused_and_names_both() -> None:
    synonyms, problems = read(
        "conditions:\n"
        "  - name: leukemia\n    registry: [Leukemia]\n    words: [ung thư máu]\n"
        "  - name: blood cancer\n    registry: [Hematologic Neoplasms]\n"
        "    words: [Ung Thu Mau]\n"
    )
    assert len(problems) == 1
    assert problems[0].record == "conditions 'blood cancer'"
    assert problems[0].field == "words"
    assert "conditions 'leukemia'" in problems[0].message
    assert synonyms.concept("condition", "ung thư máu").name == "leukemia"


def test_an_ambiguous_abbreviation_may_not_also_be_a_word_of_one_meaning() -> None:
    synonyms, problems = read(
        "conditions:\n"
        "  - name: cerebral palsy\n    registry: [Cerebral Palsy]\n    words: [CP]\n"
        "abbreviations:\n  - abbreviation: cp\n    meanings: [cerebral palsy, chest pain]\n"
    )
    assert [(p.record, p.field) for p in problems] == [("abbreviations 'cp'", "abbreviation")]
    assert synonyms.abbreviation("CP") is None


def test_yaml_that_does_not_parse_names_the_line() -> None:
    synonyms, problems = read("conditions:\n  - name: [x\n")
    assert len(problems) == 1 and "line" in problems[0].message
    assert synonyms.conditions == ()

"""The declared schema of curated records: a valid JSON Schema, the README's tables say the
same, and its findings reach staff in the project's words, never the library's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from trialfinder.errors import DataError
from trialfinder.sources.curated import YAML_KEYS, read_curated
from trialfinder.sources.curated_schema import PROPERTIES, SCHEMA

ROOT = Path(__file__).resolve().parents[2]
CURATED_README = (ROOT / "data" / "trials" / "README.md").read_text(encoding="utf-8")


def _readme_rows() -> dict[str, str]:
    """The key tables under "## Keys": key -> the rest of its row."""
    keys = CURATED_README[CURATED_README.index("## Keys") :]
    keys = keys[: keys.index("## Example")]
    rows = {}
    for line in keys.splitlines():
        match = re.match(r"^\| `(\w+)` \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_the_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def _described(properties: dict, prefix: str = "") -> dict[str, str]:
    """Every key, nested ones as ``sites.city``, with its description ("" when none)."""
    found = {}
    for key, spec in properties.items():
        found[prefix + key] = spec.get("description", "").strip()
        found.update(_described(spec.get("items", {}).get("properties", {}), f"{prefix}{key}."))
    return found


def test_every_key_is_documented_in_the_schema() -> None:
    described = _described(PROPERTIES)
    assert "sites.contacts.phone" in described
    assert [key for key, words in described.items() if not words] == []
    assert set(YAML_KEYS) == set(PROPERTIES)


def test_the_readme_key_tables_equal_the_schema() -> None:
    assert set(_readme_rows()) == set(PROPERTIES)


def test_the_readme_names_every_key_of_a_listed_mapping() -> None:
    rows = _readme_rows()
    missing = []
    for key, spec in PROPERTIES.items():
        item = spec.get("items", {})
        for inner, inner_spec in item.get("properties", {}).items():
            if f"`{inner}`" not in rows[key]:
                missing.append(f"{key}.{inner}")
            for deeper in inner_spec.get("items", {}).get("properties", {}):
                if f"`{deeper}`" not in rows[key]:
                    missing.append(f"{key}.{inner}.{deeper}")
    assert missing == []


def test_the_readme_points_to_the_schema() -> None:
    assert "trialfinder/sources/curated_schema.py" in CURATED_README
    assert (ROOT / "trialfinder" / "sources" / "curated_schema.py").is_file()


#: One bad value of every kind the schema checks, with where it is.
BAD = [
    ("title: [a, b]", "title"),
    ("acronym: 12.5", "acronym"),
    ("registry_ids: {a: b}", "registry_ids"),
    ("conditions: [a, [b]]", "conditions[1]"),
    ("conditions: [a, ~]", "conditions[1]"),
    ("status: open", "status"),
    ("phases: [PHASE1, {x: 1}]", "phases[1]"),
    ("start_date: [2026]", "start_date"),
    ("min_age: [1 Year]", "min_age"),
    ("max_age: soon", "max_age"),
    ("healthy_volunteers: [yes]", "healthy_volunteers"),
    ("enrollment: true", "enrollment"),
    ("source_url: 42", "source_url"),
    ("sites: [{lat: [1], lon: 2}]", "sites[0].lat"),
    ("sites: [{lat: 1, lon: -200}]", "sites[0].lon"),
    ("sites: [{lon: 2}]", "sites[0].lat"),
    ("sites: [{city: [Hanoi]}]", "sites[0].city"),
    ("sites: [{contacts: {nmae: Dr A}}]", "sites[0].contacts[0].nmae"),
    ("arms: [{type: other}]", "arms[0].label"),
    ("arms: 5", "arms[0]"),
    ("zzz: 1", "zzz"),
]

#: How jsonschema words its errors; staff never read these.
LIBRARY_WORDS = re.compile(
    r"is not of type|is not valid under|does not match|is not one of|Additional properties"
    r"|is a required property|is a dependency|is less than|is greater than|is not a '",
)


@pytest.mark.parametrize(("line", "field"), BAD)
def test_schema_findings_are_said_in_plain_words(tmp_path: Path, line: str, field: str) -> None:
    path = tmp_path / "T1.yaml"
    path.write_text(f"id: T1\n{line}\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_curated(path)
    problem = caught.value.problem
    assert (problem.file, problem.record, problem.field) == (str(path), "T1", field)
    assert not LIBRARY_WORDS.search(problem.message), problem.message
    assert "{" not in problem.message and "[" not in problem.message


def test_one_problem_a_key_in_the_files_order(tmp_path: Path) -> None:
    from trialfinder.sources.curated import validate_curated_dir

    (tmp_path / "T1.yaml").write_text(
        "id: T1\nsites: [{city: Hanoi, lat: 95, lon: 500}, {status: nope}]\n"
        "zzz: 1\nstatus: nope\nyyy: 2\n",
        encoding="utf-8",
    )
    problems = validate_curated_dir(tmp_path)
    assert [p.field for p in problems] == ["sites[0].lat", "zzz", "status", "yyy"]

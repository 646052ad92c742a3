"""The ``trialfinder`` command: import, validate, export, search, and where the data lives.

Every record here is made up in this file; coordinates are real places.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import trialfinder
from trialfinder.catalog import load_catalog
from trialfinder.cli import main
from trialfinder.query import apply_query, parse_query
from trialfinder.store import layout
from trialfinder.store.layout import ENV_DATA_DIR, registry_path
from trialfinder.store.publish import data_lock

ROOT = Path(__file__).resolve().parents[1]
HANOI = (21.0245, 105.8412)
HCMC = (10.8230, 106.6297)
SEOUL = (37.5660, 126.9784)
BUSAN = (35.1028, 129.0403)

EXPORT_KEYS = [
    "id",
    "title",
    "status",
    "conditions",
    "min_age",
    "max_age",
    "sex",
    "phases",
    "study_type",
    "allocation",
    "intervention_model",
    "masking",
    "primary_purpose",
    "enrollment",
    "arms",
    "sites",
    "last_update",
    "source",
]
ARM_KEYS = {"label", "type", "description", "interventions"}
SITE_KEYS = {"facility", "city", "state", "country", "status", "lat", "lon"}


def location(
    city: str, country: str, at: tuple[float, float] | None = None, **more: Any
) -> dict[str, Any]:
    loc: dict[str, Any] = {"facility": f"{city} Children's Hospital", "city": city}
    loc.update(more)
    loc["country"] = country
    if at is not None:
        loc["geoPoint"] = {"lat": at[0], "lon": at[1]}
    return loc


def study(
    nct: str,
    title: str,
    conditions: list[str],
    status: str = "RECRUITING",
    ages: tuple[str | None, str | None] = ("1 Year", "6 Years"),
    phases: list[str] | None = None,
    study_type: str = "INTERVENTIONAL",
    locations: list[dict] | None = None,
    updated: str = "2025-01-08",
    arms: list[dict] | None = None,
    design_info: dict | None = None,
    enrollment: int | None = None,
) -> dict:
    eligibility: dict[str, Any] = {"sex": "ALL"}
    if ages[0] is not None:
        eligibility["minimumAge"] = ages[0]
    if ages[1] is not None:
        eligibility["maximumAge"] = ages[1]
    design: dict[str, Any] = {"studyType": study_type}
    if phases is not None:
        design["phases"] = phases
    if design_info is not None:
        design["designInfo"] = design_info
    if enrollment is not None:
        design["enrollmentInfo"] = {"count": enrollment, "type": "ESTIMATED"}
    ps: dict[str, Any] = {
        "identificationModule": {"nctId": nct, "briefTitle": title},
        "statusModule": {
            "overallStatus": status,
            "lastUpdatePostDateStruct": {"date": updated, "type": "ACTUAL"},
        },
        "conditionsModule": {"conditions": conditions},
        "designModule": design,
        "eligibilityModule": eligibility,
        "contactsLocationsModule": {"locations": locations or []},
    }
    if arms is not None:
        ps["armsInterventionsModule"] = {"armGroups": arms}
    return {"protocolSection": ps, "hasResults": False}


SPLINTS = study(
    "NCT09930001",
    "Night Splints for Young Children With Cerebral Palsy",
    ["Cerebral Palsy", "Equinus Deformity"],
    phases=["PHASE2"],
    design_info={
        "allocation": "RANDOMIZED",
        "interventionModel": "PARALLEL",
        "primaryPurpose": "TREATMENT",
        "maskingInfo": {"masking": "SINGLE", "whoMasked": ["OUTCOMES_ASSESSOR"]},
    },
    enrollment=60,
    arms=[
        {
            "label": "Splints plus stretching",
            "type": "EXPERIMENTAL",
            "description": "Night-time ankle-foot orthoses and daily stretching.",
            "interventionNames": ["Device: Night splint", "Behavioral: Stretching"],
        },
        {"label": "Stretching alone", "type": "ACTIVE_COMPARATOR"},
    ],
    locations=[
        location(
            "Hanoi",
            "Vietnam",
            HANOI,
            facility="B\u1ec7nh vi\u1ec7n Nhi Trung \u01b0\u01a1ng",
            status="RECRUITING",
        ),
        location("Seoul", "Korea, Republic of", SEOUL, state="Seoul", status="NOT_YET_RECRUITING"),
    ],
)
STUDIES = [
    SPLINTS,
    study(
        "NCT09930002",
        "Botulinum Toxin for Spasticity",
        ["Cerebral Palsy", "Muscle Spasticity"],
        status="COMPLETED",
        ages=("18 Months", "12 Years"),
        phases=["PHASE3"],
        locations=[location("Busan", "South Korea", BUSAN, status="COMPLETED")],
        updated="2023-11-02",
    ),
    study(
        "NCT09930003",
        "Social Skills Groups for Autistic Children",
        ["Autism Spectrum Disorder"],
        status="NOT_YET_RECRUITING",
        ages=("3 Years", None),
        phases=["PHASE1", "PHASE2"],
        locations=[location("Ho Chi Minh City", "Vietnam", HCMC)],
        updated="2025-04-01",
    ),
    study(
        "NCT09930004",
        "Walking Outcomes in Cerebral Palsy: a Registry",
        ["Cerebral Palsy"],
        ages=("5 Years", "N/A"),
        phases=None,
        study_type="OBSERVATIONAL",
        # No geoPoint: placed at its city by the gazetteer, about 100 km from Hanoi.
        locations=[location("Haiphong", "Vietnam")],
        updated="2024-06-15",
    ),
    study(
        "NCT09930005",
        "Inhaled Steroid Timing in Adult Asthma",
        ["Asthma"],
        ages=("18 Years", None),
        phases=["PHASE4"],
        locations=[location("Busan", "South Korea", BUSAN, status="RECRUITING")],
    ),
    study(
        "NCT09930006",
        '=HYPERLINK("http://example.invalid","click")',
        ["+1 Dial", "Cerebral Palsy"],
        ages=("2 Years", "10 Years"),
        locations=[location("Hanoi", "Vietnam", HANOI, facility="@SUM(A1:A9)", state="-2+3")],
        arms=[{"label": "=1+1", "type": "OTHER"}],
        updated="2024-01-01",
    ),
]
LOCAL = """\
id: LOCAL-CP-1
title: Cell therapy for cerebral palsy, known from a hospital leaflet
status: recruiting
conditions: [cerebral palsy]
min_age: 1 Year
max_age: 8 Years
sites:
  - facility: Example Hospital
    city: Hanoi
    country: Vietnam
    lat: 21.03
    lon: 105.85
"""
OVERLAY = """\
id: NCT09930002
plain_title: Injections to loosen tight muscles
min_age: 2 Years
"""


def run(*args: str, **kwargs: Any) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    write_json(folder / "page.json", {"studies": STUDIES[:3], "nextPageToken": "abc"})
    write_json(folder / "export.json", STUDIES[3:])
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, inputs: Path) -> Path:
    """A data directory filled through the command, plus two curated files."""
    directory = tmp_path_factory.mktemp("data")
    result = run("import", str(inputs), "--data-dir", str(directory))
    assert result.exit_code == 0, result.output
    (directory / "trials").mkdir()
    (directory / "trials" / "LOCAL-CP-1.yaml").write_text(LOCAL, encoding="utf-8")
    (directory / "trials" / "NCT09930002.yaml").write_text(OVERLAY, encoding="utf-8")
    return directory


ALL_IDS = sorted([s["protocolSection"]["identificationModule"]["nctId"] for s in STUDIES])
ALL_IDS = sorted([*ALL_IDS, "LOCAL-CP-1"])


def exported(data_dir: Path, *extra: str) -> dict[str, dict]:
    result = run("export", "--data-dir", str(data_dir), *extra)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return {r["id"]: r for r in records}


# ------------------------------------------------------------------ import


def test_import_reports_counts_and_exits_0(tmp_path: Path, inputs: Path) -> None:
    result = run("import", str(inputs), "--data-dir", str(tmp_path / "new"))
    assert result.exit_code == 0
    assert result.stdout == "read 6, added 6, updated 0, skipped 0\n"
    assert result.stderr == ""
    assert registry_path(tmp_path / "new", "NCT09930004").is_file()

    again = run("import", str(inputs / "page.json"), "--data-dir", str(tmp_path / "new"))
    assert again.exit_code == 0  # skipping what is already stored is not an error
    assert again.stdout == "read 3, added 0, updated 0, skipped 3\n"
    assert again.stderr.splitlines() == [
        f"skipped {inputs / 'page.json'}[{i}]: record NCT0993000{i + 1}: already stored, unchanged"
        for i in range(3)
    ]


def test_import_of_one_bad_file_names_it_and_exits_1(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    run("import", str(write_json(tmp_path / "good.json", SPLINTS)), "--data-dir", str(data_dir))
    stored_before = registry_path(data_dir, "NCT09930001").read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(SPLINTS).replace('"1 Year"', '"six years"').replace("2025-01-08", "2026-01-01")
    )
    result = run("import", str(bad), "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert result.stdout == "read 1, added 0, updated 0, skipped 1 (1 with problems)\n"
    [line] = result.stderr.splitlines()
    assert line.startswith(
        f"skipped {bad}: record NCT09930001, field protocolSection.eligibilityModule.minimumAge: "
    )
    assert "six years" in line
    assert registry_path(data_dir, "NCT09930001").read_bytes() == stored_before


def test_import_skips_bad_files_imports_the_rest_and_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_json(folder / "a.json", STUDIES[1])
    (folder / "b.json").write_bytes(b"\xff\xfe not utf-8")
    (folder / "c.json").write_bytes(b"")
    write_json(folder / "d.json", {"studies": [{"protocolSection": {"statusModule": {}}}]})
    write_json(folder / "e.json", STUDIES[2])
    result = run("import", str(folder), "--data-dir", str(tmp_path / "data"))
    assert result.exit_code == 1
    assert result.stdout == "read 5, added 2, updated 0, skipped 3 (3 with problems)\n"
    lines = result.stderr.splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        f"skipped {folder / 'b.json'}",
        f"skipped {folder / 'c.json'}",
        f"skipped {folder / 'd.json'}[0]",
    ]
    assert "not UTF-8" in lines[0] and "empty" in lines[1] and "nctId" in lines[2]
    assert "no nctId" in lines[2]
    assert exported(tmp_path / "data").keys() == {"NCT09930002", "NCT09930003"}


def test_import_of_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.json"), "--data-dir", str(tmp_path / "d"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "d").exists()


def test_import_needs_a_path() -> None:
    assert run("import").exit_code == 2


def test_import_write_failure_is_reported_and_keeps_stored_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    run("import", str(write_json(tmp_path / "a.json", SPLINTS)), "--data-dir", str(data_dir))
    before = registry_path(data_dir, "NCT09930001").read_bytes()

    def full(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(layout.os, "replace", full)
    newer = json.loads(json.dumps(SPLINTS).replace("2025-01-08", "2026-01-01"))
    result = run("import", str(write_json(tmp_path / "b.json", newer)), "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert registry_path(data_dir, "NCT09930001").read_bytes() == before
    assert [p.name for p in registry_path(data_dir, "NCT09930001").parent.iterdir()] == [
        "NCT09930001.json"
    ]


def test_import_while_another_runs_exits_75_and_changes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    run("import", str(write_json(tmp_path / "a.json", SPLINTS)), "--data-dir", str(data_dir))
    before = registry_path(data_dir, "NCT09930001").read_bytes()
    newer = json.loads(json.dumps(SPLINTS).replace("2025-01-08", "2026-01-01"))
    path = write_json(tmp_path / "b.json", newer)
    with data_lock(data_dir, "trialfinder refresh"):
        result = run("import", str(path), "--data-dir", str(data_dir))
    assert result.exit_code == 75
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"Error: another refresh or import is running (pid {os.getpid()}, `trialfinder refresh`"
    )
    assert registry_path(data_dir, "NCT09930001").read_bytes() == before
    assert run("import", str(path), "--data-dir", str(data_dir)).exit_code == 0


def test_import_is_published_whole_and_reported(tmp_path: Path, inputs: Path) -> None:
    data_dir = tmp_path / "data"
    assert run("import", str(inputs), "--data-dir", str(data_dir)).exit_code == 0
    link = data_dir / "registry" / "imported"
    assert link.is_symlink() and not (data_dir / "registry" / "NCT099").exists()
    [report] = (data_dir / "reports").iterdir()
    assert json.loads(report.read_text())["counts"]["added"] == 6


def test_import_says_so_when_only_its_report_could_not_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("trialfinder.store.importer.save_report", full)
    data_dir = tmp_path / "data"
    result = run(
        "import", str(write_json(tmp_path / "a.json", SPLINTS)), "--data-dir", str(data_dir)
    )
    assert result.exit_code == 1
    assert "the import is published, but its change report could not be written" in result.stderr
    assert registry_path(data_dir, "NCT09930001").is_file()


def test_help_lists_refresh() -> None:
    result = run("--help")
    assert "refresh" in result.stdout and "import" in result.stdout


# --------------------------------------------------------- where the data is


def test_data_dir_from_option_env_or_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = write_json(tmp_path / "one.json", STUDIES[0])
    two = write_json(tmp_path / "two.json", STUDIES[1])
    three = write_json(tmp_path / "three.json", STUDIES[2])
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)

    monkeypatch.delenv(ENV_DATA_DIR, raising=False)
    assert run("import", str(one)).exit_code == 0  # ./data
    assert registry_path(work / "data", "NCT09930001").is_file()

    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "env"))
    assert run("import", str(two)).exit_code == 0
    assert registry_path(tmp_path / "env", "NCT09930002").is_file()
    assert run("import", str(three), "--data-dir", str(tmp_path / "opt")).exit_code == 0
    assert registry_path(tmp_path / "opt", "NCT09930003").is_file()

    # Every subcommand reads the same place the same way: --data-dir beats the
    # environment, which beats ./data.
    places = [
        ((), tmp_path / "env", "NCT09930002"),
        (("--data-dir", str(tmp_path / "opt")), tmp_path / "opt", "NCT09930003"),
    ]
    for args, place, expected in places:
        [line] = run("export", *args).stdout.splitlines()
        assert json.loads(line)["id"] == expected
        assert run("search", *args).stdout == f"{expected}\n"
        assert run("validate", *args).stdout == f"1 trials in {place}: all files are valid\n"
    monkeypatch.delenv(ENV_DATA_DIR)
    assert json.loads(run("export").stdout)["id"] == "NCT09930001"
    assert run("search").stdout == "NCT09930001\n"
    assert run("validate").stdout == "1 trials in data: all files are valid\n"


@pytest.mark.parametrize("command", [["export"], ["validate"], ["search", "cond=asthma"]])
def test_a_missing_data_dir_is_an_error_not_an_empty_answer(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "typo"
    result = run(*command, "--data-dir", str(missing))
    assert result.exit_code == 1
    assert f"no data directory at {missing}" in result.stderr
    assert result.stdout == ""
    assert not missing.exists()  # not created as a side effect


def test_data_dir_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    assert run("export", "--data-dir", str(tmp_path / "f")).exit_code == 2


# ---------------------------------------------------------------- validate


def test_validate_accepts_good_data(data: Path) -> None:
    result = run("validate", "--data-dir", str(data))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{len(ALL_IDS)} trials in {data}: all files are valid\n"


def copy_data(data: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data, target, ignore=shutil.ignore_patterns(".snapshot"))
    return target


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b'{"protocolSection": {"identificationModule": ', "not valid JSON"),
        (b"", "empty"),
        (b"\n", "empty"),
        ('{"protocolSection": {"x": "caf\u00e9"}}'.encode("latin-1"), "not UTF-8"),
        (json.dumps(STUDIES[2]).replace("NOT_YET_RECRUITING", "Open").encode(), "'Open'"),
        (json.dumps(STUDIES[2]).replace('"3 Years"', '"six years"').encode(), "six years"),
    ],
)
def test_validate_fails_on_a_bad_registry_file(
    data: Path, tmp_path: Path, content: bytes, phrase: str
) -> None:
    data_dir = copy_data(data, tmp_path)
    bad = registry_path(data_dir, "NCT09930003")
    bad.write_bytes(content)
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[1] == f"1 problem(s) in {data_dir}"
    assert lines[0].startswith(str(bad))
    assert phrase in lines[0]
    assert result.stdout == ""


def test_validate_names_file_record_and_field(data: Path, tmp_path: Path) -> None:
    data_dir = copy_data(data, tmp_path)
    bad = registry_path(data_dir, "NCT09930003")
    bad.write_text(json.dumps(STUDIES[2]).replace("NOT_YET_RECRUITING", "Open"))
    line = run("validate", "--data-dir", str(data_dir)).stderr.splitlines()[0]
    assert line.startswith(
        f"{bad}, record NCT09930003, field protocolSection.statusModule.overallStatus: "
    )


def test_validate_reports_both_files_of_a_duplicate_curated_id(data: Path, tmp_path: Path) -> None:
    data_dir = copy_data(data, tmp_path)
    twin = data_dir / "trials" / "local-cp-1.yaml"
    twin.write_text(LOCAL.replace("id: LOCAL-CP-1", "id: local-cp-1"), encoding="utf-8")
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert {line.split(",")[0] for line in lines[:2]} == {
        str(data_dir / "trials" / "LOCAL-CP-1.yaml"),
        str(twin),
    }
    assert all("field id: duplicate id" in line for line in lines[:2])


def test_validate_lists_every_problem_in_a_curated_file(data: Path, tmp_path: Path) -> None:
    data_dir = copy_data(data, tmp_path)
    path = data_dir / "trials" / "LOCAL-CP-1.yaml"
    path.write_text(
        LOCAL.replace("status: recruiting", "status: open").replace("8 Years", "eight"),
        encoding="utf-8",
    )
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    *problems, total = result.stderr.splitlines()
    assert total == f"2 problem(s) in {data_dir}"
    assert sorted(line.split(": ")[0] for line in problems) == [
        f"{path}, record LOCAL-CP-1, field max_age",
        f"{path}, record LOCAL-CP-1, field status",
    ]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("id: LOCAL-CP-1\ntitle: [unclosed\n", "not valid YAML"),
        ("", "empty"),
        ("title: no id here\n", "missing id"),
        (LOCAL.replace("recruiting", "recruting"), "did you mean RECRUITING"),
    ],
)
def test_validate_fails_on_a_bad_curated_file(
    data: Path, tmp_path: Path, text: str, phrase: str
) -> None:
    data_dir = copy_data(data, tmp_path)
    path = data_dir / "trials" / "LOCAL-CP-1.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert result.stderr.startswith(str(path))
    assert phrase in result.stderr


def test_validate_fails_on_a_curated_file_that_is_not_utf8(data: Path, tmp_path: Path) -> None:
    data_dir = copy_data(data, tmp_path)
    path = data_dir / "trials" / "LOCAL-CP-1.yaml"
    path.write_bytes(LOCAL.replace("Hanoi", "H\u00e0 N\u1ed9i").encode("utf-16"))
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}: not UTF-8")


# ------------------------------------------------------------------ export


def test_export_jsonl_carries_the_issue_keys(data: Path) -> None:
    records = exported(data)
    assert sorted(records) == ALL_IDS
    for record in records.values():
        assert set(EXPORT_KEYS) <= set(record)
        for arm in record["arms"]:
            assert set(arm) == ARM_KEYS
        for site in record["sites"]:
            assert set(site) == SITE_KEYS


def test_export_values_of_a_registry_trial(data: Path) -> None:
    record = exported(data)["NCT09930001"]
    assert {key: record[key] for key in EXPORT_KEYS} == {
        "id": "NCT09930001",
        "title": "Night Splints for Young Children With Cerebral Palsy",
        "status": "RECRUITING",
        "conditions": ["Cerebral Palsy", "Equinus Deformity"],
        "min_age": "1 Year",
        "max_age": "6 Years",
        "sex": "ALL",
        "phases": ["PHASE2"],
        "study_type": "INTERVENTIONAL",
        "allocation": "RANDOMIZED",
        "intervention_model": "PARALLEL",
        "masking": "SINGLE",
        "primary_purpose": "TREATMENT",
        "enrollment": 60,
        "arms": [
            {
                "label": "Splints plus stretching",
                "type": "EXPERIMENTAL",
                "description": "Night-time ankle-foot orthoses and daily stretching.",
                "interventions": ["Device: Night splint", "Behavioral: Stretching"],
            },
            {
                "label": "Stretching alone",
                "type": "ACTIVE_COMPARATOR",
                "description": None,
                "interventions": [],
            },
        ],
        "sites": [
            {
                "facility": "B\u1ec7nh vi\u1ec7n Nhi Trung \u01b0\u01a1ng",
                "city": "Hanoi",
                "state": None,
                "country": "Vietnam",
                "status": "RECRUITING",
                "lat": 21.0245,
                "lon": 105.8412,
            },
            {
                "facility": "Seoul Children's Hospital",
                "city": "Seoul",
                "state": "Seoul",
                "country": "Korea, Republic of",
                "status": "NOT_YET_RECRUITING",
                "lat": 37.566,
                "lon": 126.9784,
            },
        ],
        "last_update": "2025-01-08",
        "source": "ctgov",
    }


def test_export_ages_as_written_or_null(data: Path) -> None:
    records = exported(data)
    assert (records["NCT09930002"]["min_age"], records["NCT09930002"]["max_age"]) == (
        "2 Years",  # the curated overlay's
        "12 Years",
    )
    assert (records["NCT09930003"]["min_age"], records["NCT09930003"]["max_age"]) == (
        "3 Years",
        None,
    )
    assert (records["NCT09930004"]["min_age"], records["NCT09930004"]["max_age"]) == (
        "5 Years",
        None,  # "N/A" means no limit
    )
    assert records["NCT09930004"]["phases"] == [] and records["NCT09930004"]["allocation"] is None


def test_export_curated_records(data: Path) -> None:
    records = exported(data)
    overlay = records["NCT09930002"]
    assert (overlay["source"], overlay["title"], overlay["status"]) == (
        "ctgov+curated",
        "Injections to loosen tight muscles",
        "COMPLETED",
    )
    local = records["LOCAL-CP-1"]
    assert local["source"] == "curated"
    assert local["conditions"] == ["cerebral palsy"]
    assert local["sites"] == [
        {
            "facility": "Example Hospital",
            "city": "Hanoi",
            "state": None,
            "country": "Vietnam",
            "status": None,
            "lat": 21.03,
            "lon": 105.85,
        }
    ]


def test_export_is_utf8_json_lines_sorted_by_id(data: Path) -> None:
    result = run("export", "--data-dir", str(data), "--format", "jsonl")
    raw = result.stdout_bytes
    assert "B\u1ec7nh vi\u1ec7n".encode() in raw  # real UTF-8, not \\u escapes
    lines = raw.decode("utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ALL_IDS


def csv_rows(text: str) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}


def test_export_csv_parses_back(data: Path) -> None:
    result = run("export", "--data-dir", str(data), "--format", "csv")
    assert result.exit_code == 0
    rows = csv_rows(result.stdout)
    assert sorted(rows) == ALL_IDS
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert set(EXPORT_KEYS) <= set(header)
    row = rows["NCT09930001"]
    assert row["status"] == "RECRUITING"
    assert row["conditions"] == "Cerebral Palsy; Equinus Deformity"
    assert row["min_age"] == "1 Year" and row["max_age"] == "6 Years"
    assert row["enrollment"] == "60"
    assert json.loads(row["arms"])[0]["interventions"] == [
        "Device: Night splint",
        "Behavioral: Stretching",
    ]
    assert json.loads(row["sites"])[0]["facility"] == "B\u1ec7nh vi\u1ec7n Nhi Trung \u01b0\u01a1ng"
    assert rows["NCT09930003"]["max_age"] == ""  # null is an empty cell


def test_export_csv_cells_do_not_run_as_formulas(data: Path) -> None:
    rows = csv_rows(run("export", "--data-dir", str(data), "--format", "csv").stdout)
    row = rows["NCT09930006"]
    assert row["title"] == '\'=HYPERLINK("http://example.invalid","click")'
    assert row["conditions"] == "'+1 Dial; Cerebral Palsy"
    for every in rows.values():
        for value in every.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    # JSON Lines keeps the text as the registry wrote it.
    assert exported(data)["NCT09930006"]["title"].startswith("=HYPERLINK")
    assert exported(data)["NCT09930006"]["sites"][0]["facility"] == "@SUM(A1:A9)"


def test_export_of_an_empty_data_dir(tmp_path: Path) -> None:
    assert run("export", "--data-dir", str(tmp_path)).stdout == ""
    text = run("export", "--data-dir", str(tmp_path), "--format", "csv").stdout
    [header] = list(csv.reader(io.StringIO(text)))
    assert header[:2] == ["id", "title"] and set(EXPORT_KEYS) <= set(header)


def test_export_leaves_out_bad_files_and_says_so(data: Path, tmp_path: Path) -> None:
    data_dir = copy_data(data, tmp_path)
    registry_path(data_dir, "NCT09930003").write_bytes(b"")
    result = run("export", "--data-dir", str(data_dir))
    assert result.exit_code == 0
    assert sorted(json.loads(line)["id"] for line in result.stdout.splitlines()) == [
        i for i in ALL_IDS if i != "NCT09930003"
    ]
    assert "1 problem(s)" in result.stderr and "trialfinder validate" in result.stderr


# ------------------------------------------------------------------ search

QUERIES: list[tuple[str, list[str], set[str]]] = [
    (
        "cond=cerebral palsy",
        ["--cond", "cerebral palsy"],
        {"NCT09930001", "NCT09930002", "NCT09930004", "NCT09930006", "LOCAL-CP-1"},
    ),
    (
        "cond=cerebral palsy&age=4y",
        ["--cond", "cerebral palsy", "--age", "4y"],
        {"NCT09930001", "NCT09930002", "NCT09930006", "LOCAL-CP-1"},
    ),
    (
        "cond=autism&cond=asthma&status=recruiting&status=not_yet_recruiting",
        ["--cond", "autism", "--cond", "asthma", "--status", "recruiting"]
        + ["--status", "not_yet_recruiting"],
        {"NCT09930003", "NCT09930005"},
    ),
    ("age=18m", ["--age", "18m"], {"NCT09930001", "LOCAL-CP-1"}),
    (
        "country=South Korea",
        ["--country", "South Korea"],
        {"NCT09930001", "NCT09930002", "NCT09930005"},
    ),
    (
        "status=recruiting&country=Vietnam",
        ["--status", "recruiting", "--country", "Vietnam"],
        {"NCT09930001", "NCT09930004", "NCT09930006", "LOCAL-CP-1"},
    ),
    (
        "near=Hanoi&within=150",
        ["--near", "Hanoi", "--within", "150"],
        {"NCT09930001", "NCT09930004", "NCT09930006", "LOCAL-CP-1"},
    ),
    ("near=Hanoi", ["--near", "Hanoi"], {"NCT09930001", "NCT09930006", "LOCAL-CP-1"}),
    ("phase=phase2", ["--phase", "phase2"], {"NCT09930001", "NCT09930003"}),
    ("type=observational", ["--type", "observational"], {"NCT09930004"}),
    ("", [], set(ALL_IDS)),
]


def search_ids(data: Path, *args: str) -> list[str]:
    result = run("search", *args, "--data-dir", str(data))
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


@pytest.mark.parametrize(("query", "flags", "expected"), QUERIES, ids=[q[0] for q in QUERIES])
def test_search_flags_string_and_page_agree(
    data: Path, query: str, flags: list[str], expected: set[str]
) -> None:
    by_string = search_ids(data, query) if query else search_ids(data)
    by_flags = search_ids(data, *flags)
    page = apply_query(load_catalog(data), parse_query(query).query)["id"].tolist()
    assert by_string == by_flags == page
    assert set(by_string) == expected


def test_search_string_and_flags_combine(data: Path) -> None:
    combined = search_ids(data, "cond=cerebral palsy", "--age", "4y", "--type", "interventional")
    assert combined == search_ids(data, "cond=cerebral palsy&age=4y&type=interventional")
    assert set(search_ids(data, "cond=cerebral palsy", "--age", "4y")) == QUERIES[1][2]


def test_search_reads_plain_words_as_a_condition(data: Path) -> None:
    assert search_ids(data, "cerebral palsy") == search_ids(data, "cond=cerebral palsy")
    assert search_ids(data, "cerebral palsy") != search_ids(data)


def test_search_orders_open_trials_first_then_nearest(data: Path) -> None:
    ids = search_ids(data, "near=Hanoi&within=150")
    assert ids[-1] == "NCT09930004"  # about 100 km away, the rest in Hanoi itself


def test_search_reports_ignored_parts_on_stderr(data: Path) -> None:
    result = run(
        "search",
        "cond=cerebral palsy&colour=blue&age=six",
        "--within",
        "30",
        "--data-dir",
        str(data),
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines() == search_ids(data, "cond=cerebral palsy")
    err = result.stderr.splitlines()
    assert "ignored colour='blue': unknown key" in err
    assert any(line.startswith("ignored age='six'") for line in err)
    assert any(line.startswith("ignored within='30'") and "needs near" in line for line in err)
    assert err[-1] == "5 trials for cerebral palsy"


def test_search_with_nothing_ignored_only_describes_the_query(data: Path) -> None:
    result = run("search", "--cond", "asthma", "--data-dir", str(data))
    assert result.stdout == "NCT09930005\n"
    assert result.stderr == "1 trial for asthma\n"


def test_search_rejects_an_unknown_format(data: Path) -> None:
    assert run("search", "--format", "xml", "--data-dir", str(data)).exit_code == 2


@pytest.mark.parametrize("query", ["cond=cerebral palsy&age=4y", ""])
def test_search_jsonl_and_csv_hold_the_same_trials_as_export(data: Path, query: str) -> None:
    args = [query] if query else []
    ids = search_ids(data, *args)
    jsonl = run("search", *args, "--format", "jsonl", "--data-dir", str(data)).stdout
    records = [json.loads(line) for line in jsonl.splitlines()]
    assert [r["id"] for r in records] == ids
    everything = exported(data)
    assert all(r == everything[r["id"]] for r in records)
    text = run("search", *args, "--format", "csv", "--data-dir", str(data)).stdout
    assert [row["id"] for row in csv.DictReader(io.StringIO(text))] == ids


def test_search_many_results_read_in_bulk_agree(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_by_one = run("search", "--format", "jsonl", "--data-dir", str(data)).stdout
    monkeypatch.setattr("trialfinder.cli._BULK_RESULTS", 0)
    assert run("search", "--format", "jsonl", "--data-dir", str(data)).stdout == one_by_one


# ---------------------------------------------------------------- processes


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop(ENV_DATA_DIR, None)
    return env


def test_python_dash_m_trialfinder(data: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "trialfinder"]
    version = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, env=_env(), cwd=tmp_path
    )
    assert version.returncode == 0, version.stderr
    assert "trialfinder" in version.stdout
    assert trialfinder.__version__ in version.stdout

    searched = subprocess.run(
        [*command, "search", "cond=cerebral palsy&age=4y", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
    )
    assert searched.returncode == 0, searched.stderr
    assert searched.stdout.splitlines() == search_ids(data, "cond=cerebral palsy&age=4y")

    env = _env() | {ENV_DATA_DIR: str(data), "PYTHONIOENCODING": "ascii"}
    out = subprocess.run([*command, "export"], capture_output=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.decode("utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == ALL_IDS

    bad = write_json(tmp_path / "bad.json", {"protocolSection": {}})
    imported = subprocess.run(
        [*command, "import", str(bad), "--data-dir", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
    )
    assert imported.returncode == 1
    assert imported.stderr.startswith(f"skipped {bad}: field ")


def test_installed_console_script(data: Path, tmp_path: Path) -> None:
    # Beside this Python first (a venv run as .venv/bin/python -m pytest), then on PATH.
    script = shutil.which("trialfinder", path=str(Path(sys.executable).parent)) or shutil.which(
        "trialfinder"
    )
    if script is None:
        pytest.skip("the trialfinder console script is not installed (pip install -e .)")
    result = subprocess.run(
        [script, "validate", "--data-dir", str(data)], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{len(ALL_IDS)} trials in {data}: all files are valid\n"

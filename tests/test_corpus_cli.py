"""The issue's done-criterion, on ~1,100 real ClinicalTrials.gov records.

``trialfinder import ../shared/ctgov/v2_json`` followed by ``trialfinder export``
agrees with the source records field by field. The source is read here
independently (plain ``json`` and ``zipfile``, no trialfinder code), keeping
the most recently updated copy of each NCT id; of two copies updated the same
day, the first met in sorted file order, as the importer documents.

The records stay in ../shared/ctgov; nothing is copied into the project.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trialfinder.cli import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "ctgov"
V2_JSON = SHARED / "v2_json"

pytestmark = pytest.mark.skipif(
    not V2_JSON.is_dir(), reason=f"the shared real records are not here ({V2_JSON})"
)


# ------------------------------------------------- reading the source, independently


def _files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [
            Path(root, n)
            for n in names
            if not n.startswith(".") and n.lower().endswith((".json", ".zip"))
        ]
    return sorted(found)


def _documents(folder: Path) -> Iterator[Any]:
    for path in _files(folder):
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in sorted(archive.namelist()):
                    if name.endswith(".json") and not name.startswith(("__MACOSX", ".")):
                        yield json.loads(archive.read(name).decode("utf-8-sig"))
        else:
            yield json.loads(path.read_bytes().decode("utf-8-sig"))


def source_studies(folder: Path) -> Iterator[dict]:
    for document in _documents(folder):
        if isinstance(document, list):
            yield from document
        elif "protocolSection" in document:
            yield document
        else:
            yield from document["studies"]


def newest_by_id(folder: Path) -> tuple[int, dict[str, dict]]:
    count, newest = 0, {}
    for study in source_studies(folder):
        count += 1
        nct = study["protocolSection"]["identificationModule"]["nctId"]
        if nct not in newest or _updated(study) > _updated(newest[nct]):
            newest[nct] = study
    return count, newest


def _updated(study: dict) -> str:
    return _get(study, "statusModule", "lastUpdatePostDateStruct", "date") or ""


def _get(study: dict, *keys: str) -> Any:
    node: Any = study["protocolSection"]
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _text(value: Any) -> str | None:
    """Text as the export writes it: surrounding blanks trimmed, blank is null."""
    if value is None:
        return None
    return value.strip() or None


def _texts(values: Any) -> list[str]:
    return [t for t in (_text(v) for v in values or []) if t is not None]


def _age(value: Any) -> str | None:
    # The registry writes "N Unit"; a missing limit is a missing key.
    text = _text(value)
    return None if text in (None, "N/A") else text


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def expected_record(study: dict) -> dict[str, Any]:
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    design = _get(study, "designModule") or {}
    info = design.get("designInfo") or {}
    return {
        "id": nct,
        "title": _text(_get(study, "identificationModule", "briefTitle"))
        or _text(_get(study, "identificationModule", "officialTitle"))
        or nct,
        "status": _get(study, "statusModule", "overallStatus"),
        "conditions": _texts(_get(study, "conditionsModule", "conditions")),
        "min_age": _age(_get(study, "eligibilityModule", "minimumAge")),
        "max_age": _age(_get(study, "eligibilityModule", "maximumAge")),
        "sex": _get(study, "eligibilityModule", "sex"),
        "phases": list(design.get("phases") or []),
        "study_type": design.get("studyType"),
        "allocation": info.get("allocation"),
        "intervention_model": info.get("interventionModel"),
        "masking": (info.get("maskingInfo") or {}).get("masking"),
        "primary_purpose": info.get("primaryPurpose"),
        "enrollment": (design.get("enrollmentInfo") or {}).get("count"),
        "arms": [
            {
                "label": _text(arm.get("label")),
                "type": arm.get("type"),
                "description": _text(arm.get("description")),
                "interventions": _texts(arm.get("interventionNames")),
            }
            for arm in _get(study, "armsInterventionsModule", "armGroups") or []
            if _text(arm.get("label"))
        ],
        "sites": [
            {
                "facility": _text(loc.get("facility")),
                "city": _text(loc.get("city")),
                "state": _text(loc.get("state")),
                "country": _text(loc.get("country")),
                "status": loc.get("status"),
                "lat": _number((loc.get("geoPoint") or {}).get("lat")),
                "lon": _number((loc.get("geoPoint") or {}).get("lon")),
            }
            for loc in _get(study, "contactsLocationsModule", "locations") or []
        ],
        "last_update": _get(study, "statusModule", "lastUpdatePostDateStruct", "date"),
        "source": "ctgov",
    }


# ------------------------------------------------------------------ the test


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data_dir = tmp_path_factory.mktemp("corpus") / "data"
    runner = CliRunner()
    started = time.perf_counter()
    result = runner.invoke(
        main, ["import", str(V2_JSON), "--data-dir", str(data_dir)], catch_exceptions=False
    )
    exported = runner.invoke(
        main, ["export", "--format", "jsonl", "--data-dir", str(data_dir)], catch_exceptions=False
    )
    seconds = time.perf_counter() - started
    return {
        "data_dir": data_dir,
        "import": result,
        "export": exported,
        "seconds": seconds,
        "source": newest_by_id(V2_JSON),
    }


def test_import_reads_every_study(imported: dict[str, Any]) -> None:
    result = imported["import"]
    count, newest = imported["source"]
    assert result.exit_code == 0, result.stderr
    assert count > 1000
    duplicates = count - len(newest)
    assert result.stdout == (
        f"read {count}, added {len(newest)}, updated 0, skipped {duplicates}\n"
    )
    assert len(result.stderr.splitlines()) == duplicates
    assert all("duplicate" in line for line in result.stderr.splitlines())


def test_export_agrees_with_the_source_field_by_field(imported: dict[str, Any]) -> None:
    result = imported["export"]
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    records = [json.loads(line) for line in result.stdout.splitlines()]
    _, newest = imported["source"]
    assert [r["id"] for r in records] == sorted(newest)

    mismatches = []
    for record in records:
        expected = expected_record(newest[record["id"]])
        for key, value in expected.items():
            if record[key] != value:
                mismatches.append((record["id"], key, record[key], value))
    assert mismatches == [], mismatches[:5]


def test_the_comparison_covers_the_interesting_cases(imported: dict[str, Any]) -> None:
    """The corpus holds what a hand-made fixture would not; the test above saw it."""
    _, newest = imported["source"]
    expected = [expected_record(s) for s in newest.values()]
    assert any(r["max_age"] is None for r in expected)
    assert any(r["min_age"] and r["min_age"].endswith(("Month", "Months")) for r in expected)
    assert any(s["lat"] is None for r in expected for s in r["sites"])
    assert any(s["state"] is None for r in expected for s in r["sites"])
    assert any(len(r["phases"]) > 1 for r in expected)
    assert any(r["enrollment"] is None for r in expected)
    assert any(a["interventions"] for r in expected for a in r["arms"])
    assert len({r["status"] for r in expected}) >= 8


def test_validate_accepts_the_imported_data(imported: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["validate", "--data-dir", str(imported["data_dir"])])
    assert result.exit_code == 0, result.stderr
    _, newest = imported["source"]
    assert result.stdout == f"{len(newest)} trials in {imported['data_dir']}: all files are valid\n"


def test_reimport_changes_nothing(imported: dict[str, Any]) -> None:
    data_dir = imported["data_dir"]
    link = data_dir / "registry" / "imported"
    generation = os.readlink(link)
    files = sorted(data_dir.glob("registry/imported/*/*.json"))
    assert len(files) > 1000
    before = {p: p.stat().st_mtime_ns for p in files}
    result = CliRunner().invoke(main, ["import", str(V2_JSON), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.stderr
    count, _ = imported["source"]
    assert result.stdout == f"read {count}, added 0, updated 0, skipped {count}\n"
    assert {p: p.stat().st_mtime_ns for p in files} == before
    assert os.readlink(link) == generation  # nothing new was published


def test_csv_export_holds_the_same_trials(imported: dict[str, Any]) -> None:
    result = CliRunner().invoke(
        main, ["export", "--format", "csv", "--data-dir", str(imported["data_dir"])]
    )
    assert result.exit_code == 0
    # A trial with hundreds of sites makes a cell larger than csv's default limit.
    limit = csv.field_size_limit(2**31 - 1)
    try:
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
    finally:
        csv.field_size_limit(limit)
    _, newest = imported["source"]
    assert [row["id"] for row in rows] == sorted(newest)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_runtime_is_modest(imported: dict[str, Any]) -> None:
    assert imported["seconds"] < 60

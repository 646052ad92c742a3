"""``import_paths``: counts, reasons, deduplication, bad input, writes that cannot half-happen.

Every study here is made up in this file; none is copied from a real registry record.
"""

from __future__ import annotations

import copy
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.support.studies import data_state, leftovers
from trialfinder.store import importer, layout, publish
from trialfinder.store.changes import latest_reports
from trialfinder.store.importer import ImportReport, import_paths
from trialfinder.store.layout import encode_study, registry_path
from trialfinder.store.publish import Busy, data_lock
from trialfinder.store.reading import check_data_dir, load_trials

NCT_FIELD = "protocolSection.identificationModule.nctId"


def study(nct: str = "NCT09910001", updated: str | None = "2025-01-08", **status: Any) -> dict:
    """A small but complete API v2 study."""
    status_module: dict[str, Any] = {"overallStatus": status.pop("overall", "RECRUITING")}
    if updated is not None:
        status_module["lastUpdatePostDateStruct"] = {"date": updated, "type": "ACTUAL"}
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct, "briefTitle": f"Made-up trial {nct}"},
            "statusModule": status_module,
            "conditionsModule": {"conditions": ["Cerebral Palsy"]},
            "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"]},
            "eligibilityModule": {"sex": "ALL", "minimumAge": "2 Years", "maximumAge": "6 Years"},
            "contactsLocationsModule": {
                "locations": [
                    {
                        "facility": "Made-up Children's Hospital",
                        "city": "Hanoi",
                        "country": "Vietnam",
                        "geoPoint": {"lat": 21.0245, "lon": 105.8412},
                    }
                ]
            },
        },
        "hasResults": False,
    }


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def stored(data_dir: Path, nct: str) -> dict:
    return json.loads(registry_path(data_dir, nct).read_text(encoding="utf-8"))


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith((".tmp", ".partial"))]


def all_files(root: Path) -> list[str]:
    """Every file and symlink under ``root`` (symlinks not followed), relative."""
    found = []
    for folder, dirs, names in os.walk(root):
        for name in names + [d for d in dirs if Path(folder, d).is_symlink()]:
            found.append(str(Path(folder, name).relative_to(root)))
    return found


def reasons(report: ImportReport) -> dict[str, str]:
    return dict(report.skipped)


# ----------------------------------------------------------------- counts


def test_counts_add_then_unchanged_then_update(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = write_json(tmp_path / "in" / "a.json", study("NCT09910001"))
    write_json(tmp_path / "in" / "b.json", study("NCT09910002"))

    report = import_paths([tmp_path / "in"], data)
    assert (report.read, report.added, report.updated, report.skipped) == (2, 2, 0, [])
    assert report.summary() == "read 2, added 2, updated 0, skipped 0"
    assert stored(data, "NCT09910001") == study("NCT09910001")
    assert registry_path(data, "NCT09910001") == data / "registry/imported/NCT099/NCT09910001.json"
    assert (data / "registry" / "imported").is_symlink()

    before = registry_path(data, "NCT09910001").stat()
    again = import_paths([tmp_path / "in"], data)
    assert (again.read, again.added, again.updated) == (2, 0, 0)
    assert reasons(again) == {
        str(first): "record NCT09910001: already stored, unchanged",
        str(tmp_path / "in" / "b.json"): "record NCT09910002: already stored, unchanged",
    }
    assert again.problems == []
    after = registry_path(data, "NCT09910001").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

    newer = study("NCT09910001", updated="2025-03-01", overall="COMPLETED")
    write_json(first, newer)
    third = import_paths([tmp_path / "in"], data)
    assert (third.read, third.added, third.updated, len(third.skipped)) == (2, 0, 1, 1)
    assert stored(data, "NCT09910001") == newer


def test_summary_counts_problems(tmp_path: Path) -> None:
    write_json(tmp_path / "in" / "good.json", study("NCT09910001"))
    (tmp_path / "in" / "empty.json").write_bytes(b"")
    report = import_paths([tmp_path / "in"], tmp_path / "data")
    assert report.summary() == "read 2, added 1, updated 0, skipped 1 (1 with problems)"


def test_paths_are_read_in_the_order_given(tmp_path: Path) -> None:
    one = write_json(tmp_path / "one.json", study("NCT09910001"))
    two = write_json(tmp_path / "two.json", study("NCT09910002"))
    report = import_paths([two, one], tmp_path / "data")
    assert (report.read, report.added) == (2, 2)
    assert {t.id for t in load_trials(tmp_path / "data").trials} == {"NCT09910001", "NCT09910002"}


# ------------------------------------------------------------- deduplication


@pytest.mark.parametrize(
    "dates",
    [
        ("2024-01-01", "2025-06-30", "2023-05-05"),
        ("2025-06-30", "2024-01-01", "2023-05-05"),
        ("2023-05-05", "2024-01-01", "2025-06-30"),
    ],
)
def test_within_one_import_the_most_recently_updated_copy_is_kept(
    tmp_path: Path, dates: tuple[str, str, str]
) -> None:
    copies = [
        study("NCT09910001", updated=date, overall=status)
        for date, status in zip(dates, ("RECRUITING", "COMPLETED", "WITHDRAWN"), strict=True)
    ]
    page = write_json(tmp_path / "page.json", {"studies": copies, "nextPageToken": "x"})
    report = import_paths([page], tmp_path / "data")

    newest = copies[dates.index("2025-06-30")]
    assert stored(tmp_path / "data", "NCT09910001") == newest
    assert (report.read, report.added, report.updated, len(report.skipped)) == (3, 1, 0, 2)
    assert report.problems == []
    kept = f"{page}[{dates.index('2025-06-30')}]"
    skipped = {where for where, _ in report.skipped}
    assert skipped == {f"{page}[{i}]" for i in range(3)} - {kept}
    for _, why in report.skipped:
        assert why.startswith("record NCT09910001: duplicate;")


def test_a_tie_keeps_the_copy_read_first(tmp_path: Path) -> None:
    first = write_json(tmp_path / "in" / "a.json", study("NCT09910001", overall="RECRUITING"))
    second = write_json(tmp_path / "in" / "b.json", study("NCT09910001", overall="COMPLETED"))
    report = import_paths([tmp_path / "in"], tmp_path / "data")
    assert stored(tmp_path / "data", "NCT09910001") == study("NCT09910001")
    assert reasons(report) == {
        str(second): (
            f"record NCT09910001: duplicate; the copy from {first} (last update 2025-01-08) "
            "is as recent or more recent than this one (2025-01-08) and was kept"
        )
    }


def test_a_copy_without_an_update_date_loses_to_one_with_it(tmp_path: Path) -> None:
    undated = study("NCT09910001", updated=None, overall="WITHDRAWN")
    dated = study("NCT09910001", updated="2020-01-01")
    page = write_json(tmp_path / "page.json", [undated, dated])
    import_paths([page], tmp_path / "data")
    assert stored(tmp_path / "data", "NCT09910001") == dated


def test_an_older_copy_does_not_replace_the_stored_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    newer = study("NCT09910001", updated="2025-06-30", overall="COMPLETED")
    import_paths([write_json(tmp_path / "new.json", newer)], data)
    before = registry_path(data, "NCT09910001").read_bytes()

    older = write_json(tmp_path / "old.json", study("NCT09910001", updated="2024-01-01"))
    report = import_paths([older], data)
    assert (report.read, report.added, report.updated) == (1, 0, 0)
    assert reasons(report) == {
        str(older): "record NCT09910001: the stored copy (last update 2025-06-30) is as recent "
        "or more recent than this one (2024-01-01) and was kept"
    }
    assert report.problems == []
    assert registry_path(data, "NCT09910001").read_bytes() == before


def test_a_same_day_copy_that_differs_does_not_replace_the_stored_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_paths([write_json(tmp_path / "a.json", study("NCT09910001"))], data)
    report = import_paths(
        [write_json(tmp_path / "b.json", study("NCT09910001", overall="SUSPENDED"))], data
    )
    assert report.updated == 0
    assert stored(data, "NCT09910001") == study("NCT09910001")


def test_a_newer_copy_replaces_the_stored_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_paths([write_json(tmp_path / "a.json", study("NCT09910001"))], data)
    newer = study("NCT09910001", updated="2025-02-01", overall="ACTIVE_NOT_RECRUITING")
    report = import_paths([write_json(tmp_path / "b.json", newer)], data)
    assert (report.added, report.updated, report.skipped) == (0, 1, [])
    assert stored(data, "NCT09910001") == newer
    assert load_trials(data).trials[0].overall_status == "ACTIVE_NOT_RECRUITING"


def test_an_unreadable_stored_file_is_replaced_and_counted_as_updated(tmp_path: Path) -> None:
    data = tmp_path / "data"
    target = registry_path(data, "NCT09910001")
    target.parent.mkdir(parents=True)
    target.write_bytes(b'{"protocolSection": ')
    report = import_paths([write_json(tmp_path / "a.json", study("NCT09910001"))], data)
    assert (report.added, report.updated) == (0, 1)
    assert stored(data, "NCT09910001") == study("NCT09910001")


def test_duplicate_across_two_paths_in_one_run(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = write_json(tmp_path / "x" / "old.json", study("NCT09910001", updated="2024-01-01"))
    new = write_json(tmp_path / "y" / "new.json", study("NCT09910001", updated="2025-01-01"))
    report = import_paths([old, new], data)
    assert (report.read, report.added, report.updated) == (2, 1, 0)
    assert stored(data, "NCT09910001") == study("NCT09910001", updated="2025-01-01")
    assert reasons(report) == {
        str(old): f"record NCT09910001: duplicate; replaced by the more recently updated copy "
        f"from {new} (last update 2025-01-01, this one 2024-01-01)"
    }


def test_a_later_copy_is_weighed_against_the_copy_this_run_stored(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = write_json(tmp_path / "a.json", study("NCT09910001", updated="2025-01-01"))
    import_paths([first], data)
    newest = study("NCT09910001", updated=" 2025-03-01 ", overall="COMPLETED")
    between = study("NCT09910001", updated="2025-02-01", overall="WITHDRAWN")
    latest = study("NCT09910001", updated="2025-04-01", overall="ACTIVE_NOT_RECRUITING")
    page = write_json(tmp_path / "page.json", [newest, between, latest])
    report = import_paths([page], data)
    assert (report.read, report.added, report.updated) == (3, 0, 1)
    assert report.skipped == [
        (
            f"{page}[1]",
            f"record NCT09910001: duplicate; the copy from {page}[0] (last update 2025-03-01) "
            "is as recent or more recent than this one (2025-02-01) and was kept",
        ),
        (
            f"{page}[0]",
            "record NCT09910001: duplicate; replaced by the more recently updated copy from "
            f"{page}[2] (last update 2025-04-01, this one 2025-03-01)",
        ),
    ]
    assert stored(data, "NCT09910001") == latest
    assert report.changes.counts["status_changes"] == 1


# ------------------------------------------------------------------ bad input


def _bad(**changes: Any) -> dict:
    bad = study("NCT09919999")
    for path, value in changes.items():
        node = bad
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return bad


PS = "protocolSection"
BAD_INPUTS = {
    "malformed JSON": (
        b'{"protocolSection": {"identificationModule": {"nctId": "NCT0991',
        None,
        None,
    ),
    "empty file": (b"", None, None),
    "only whitespace": (b"  \n\n", None, None),
    "not UTF-8": (
        json.dumps(study("NCT09919999")).replace("Made-up", "Caf\u00e9").encode("latin-1"),
        None,
        None,
    ),
    "no id": (
        json.dumps(_bad(protocolSection__identificationModule__nctId=None)).encode(),
        None,
        NCT_FIELD,
    ),
    "blank id": (
        json.dumps(_bad(protocolSection__identificationModule__nctId="  ")).encode(),
        None,
        NCT_FIELD,
    ),
    "id that is not an NCT number": (
        json.dumps(_bad(protocolSection__identificationModule__nctId="NCT0/../../../x")).encode(),
        "NCT0/../../../x",
        NCT_FIELD,
    ),
    "unknown status": (
        json.dumps(_bad(protocolSection__statusModule__overallStatus="Open")).encode(),
        "NCT09919999",
        f"{PS}.statusModule.overallStatus",
    ),
    "unknown phase": (
        json.dumps(_bad(protocolSection__designModule__phases=["PHASE 2"])).encode(),
        "NCT09919999",
        f"{PS}.designModule.phases",
    ),
    "age in words": (
        json.dumps(_bad(protocolSection__eligibilityModule__minimumAge="six years")).encode(),
        "NCT09919999",
        f"{PS}.eligibilityModule.minimumAge",
    ),
    "not a study": (json.dumps({"FullStudiesResponse": {}}).encode(), None, None),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_a_bad_file_is_skipped_with_file_record_and_field_and_the_rest_import(
    tmp_path: Path, case: str
) -> None:
    payload, record, field = BAD_INPUTS[case]
    folder = tmp_path / "in"
    write_json(folder / "a_good.json", study("NCT09910001"))
    bad = folder / "b_bad.json"
    bad.write_bytes(payload)
    write_json(folder / "c_good.json", study("NCT09910002"))
    data = tmp_path / "data"

    report = import_paths([folder], data)

    assert (report.read, report.added, report.updated) == (3, 2, 0)
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.file == str(bad)
    assert problem.record == record
    assert problem.field == field
    assert problem.message
    assert report.skipped == [(str(bad), _expected_why(problem.record, field, problem.message))]
    assert {t.id for t in load_trials(data).trials} == {"NCT09910001", "NCT09910002"}
    # Nothing else was written anywhere (a path-like id must not escape registry/).
    generation = os.readlink(data / "registry" / "imported")
    assert sorted(all_files(tmp_path)) == sorted(
        [
            "data/.lock",
            f"data/registry/{generation}/.manifest.json",
            f"data/registry/{generation}/NCT099/NCT09910001.json",
            f"data/registry/{generation}/NCT099/NCT09910002.json",
            "data/registry/imported",
            f"data/reports/{report.changes.path.name}",
            "in/a_good.json",
            "in/b_bad.json",
            "in/c_good.json",
        ]
    )


def _expected_why(record: str | None, field: str | None, message: str) -> str:
    where = ([f"record {record}"] if record else []) + ([f"field {field}"] if field else [])
    return (", ".join(where) + ": " + message) if where else message


@pytest.mark.parametrize(
    ("case", "phrase"),
    [
        ("malformed JSON", "not valid JSON"),
        ("empty file", "empty"),
        ("not UTF-8", "not UTF-8"),
        ("no id", "no nctId"),
        ("id that is not an NCT number", "not an NCT number"),
        ("unknown status", "'Open' is not a registry value"),
        ("age in words", "six years"),
    ],
)
def test_the_reason_says_what_is_wrong(tmp_path: Path, case: str, phrase: str) -> None:
    (tmp_path / "bad.json").write_bytes(BAD_INPUTS[case][0])
    report = import_paths([tmp_path / "bad.json"], tmp_path / "data")
    assert report.read == 1 and report.added == 0
    assert phrase in report.skipped[0][1]


def test_a_bad_study_inside_a_page_is_named_by_its_position(tmp_path: Path) -> None:
    page = {
        "studies": [
            study("NCT09910001"),
            _bad(protocolSection__statusModule__overallStatus="Open"),
            study("NCT09910002"),
        ]
    }
    path = write_json(tmp_path / "page.json", page)
    report = import_paths([path], tmp_path / "data")
    assert (report.read, report.added) == (3, 2)
    assert report.problems[0].file == f"{path}[1]"
    assert report.problems[0].record == "NCT09919999"


def test_a_bad_member_of_a_zip_is_skipped_and_the_rest_import(tmp_path: Path) -> None:
    archive = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("NCT09910001.json", json.dumps(study("NCT09910001")))
        z.writestr("NCT09919999.json", "{ not json")
        z.writestr("NCT09910002.json", json.dumps(study("NCT09910002")))
    report = import_paths([archive], tmp_path / "data")
    assert (report.read, report.added) == (3, 2)
    assert report.skipped[0][0] == f"{archive}!NCT09919999.json"


def test_a_bad_copy_never_replaces_a_good_stored_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_paths([write_json(tmp_path / "good.json", study("NCT09910001"))], data)
    before = registry_path(data, "NCT09910001").read_bytes()
    bad = study("NCT09910001", updated="2030-01-01")
    bad[PS]["eligibilityModule"]["maximumAge"] = "six years"
    report = import_paths([write_json(tmp_path / "bad.json", bad)], data)
    assert report.problems and report.problems[0].record == "NCT09910001"
    assert registry_path(data, "NCT09910001").read_bytes() == before


# ------------------------------------------------------------- atomic writes


def test_a_failed_rename_keeps_the_old_file_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    import_paths([write_json(tmp_path / "a.json", study("NCT09910001"))], data)
    target = registry_path(data, "NCT09910001")
    before = target.read_bytes()

    def refuse(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(layout.os, "replace", refuse)
    newer = copy.deepcopy(study("NCT09910001", updated="2026-01-01", overall="COMPLETED"))
    with pytest.raises(OSError, match="No space left"):
        import_paths([write_json(tmp_path / "b.json", newer)], data)

    assert target.read_bytes() == before
    assert temp_files(data) == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["NCT09910001.json"]


def test_a_failure_while_writing_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    import_paths([write_json(tmp_path / "a.json", study("NCT09910001"))], data)
    target = registry_path(data, "NCT09910001")
    before = target.read_bytes()
    real_fsync = os.fsync
    calls: list[int] = []

    def fail_fsync(fd: int) -> None:
        calls.append(fd)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(layout.os, "fsync", fail_fsync)
    newer = study("NCT09910001", updated="2026-01-01", overall="COMPLETED")
    with pytest.raises(OSError):
        import_paths([write_json(tmp_path / "b.json", newer)], data)
    monkeypatch.setattr(layout.os, "fsync", real_fsync)

    assert calls, "the write went through fsync"
    assert target.read_bytes() == before
    assert temp_files(data) == []
    assert [t.overall_status for t in load_trials(data).trials] == ["RECRUITING"]


def test_a_failure_part_way_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = write_json(
        tmp_path / "page.json", [study("NCT09910001"), study("NCT09910002"), study("NCT09910003")]
    )
    real_create = publish.create_file
    done: list[str] = []

    def create_twice(path: str, payload: bytes, mode: int) -> bool:
        if len(done) == 2:
            raise OSError(28, "No space left on device")
        done.append(path)
        return real_create(path, payload, mode)

    monkeypatch.setattr(publish, "create_file", create_twice)
    with pytest.raises(OSError):
        import_paths([page], tmp_path / "data")
    monkeypatch.undo()

    loaded = load_trials(tmp_path / "data")
    assert loaded.trials == [] and loaded.problems == []
    assert temp_files(tmp_path / "data") == []
    assert list((tmp_path / "data" / "registry" / ".generations").iterdir()) == []


# ------------------------------------------------- generations and reports


def test_an_import_publishes_a_new_generation_and_reports_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = import_paths([write_json(tmp_path / "a.json", study("NCT09910001"))], data)
    link = data / "registry" / "imported"
    generation = os.readlink(link)
    assert first.published and first.changes.counts["added"] == 1
    old_inode = registry_path(data, "NCT09910001").stat().st_ino

    newer = study("NCT09910002", updated="2025-02-01")
    second = import_paths(
        [
            write_json(tmp_path / "b.json", newer),
            write_json(tmp_path / "c.json", study("NCT09910003")),
        ],
        data,
    )
    assert os.readlink(link) != generation
    assert registry_path(data, "NCT09910001").stat().st_ino == old_inode  # linked, not copied
    assert (data / "registry" / generation).is_dir()  # the previous generation is kept
    changes = second.changes
    assert changes.kind == "import" and changes.source == "imported" and changes.studies == 3
    assert [r["id"] for r in changes.added] == ["NCT09910002", "NCT09910003"]
    assert changes.counts["unchanged"] == 1
    assert changes.origin == {"paths": [str(tmp_path / "b.json"), str(tmp_path / "c.json")]}
    assert [r.source for r in latest_reports(data)] == ["imported"]
    assert latest_reports(data)[0].path == changes.path


def test_an_import_that_changes_nothing_publishes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    page = write_json(tmp_path / "a.json", study("NCT09910001"))
    import_paths([page], data)
    before = data_state(data)
    again = import_paths([page], data)
    assert not again.published and again.changes is None
    assert data_state(data) == before


def test_a_failed_swap_leaves_the_imported_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    import_paths([write_json(tmp_path / "a.json", study("NCT09910001"))], data)
    before = data_state(data)
    real_replace = os.replace

    def refuse_the_swap(src: Any, dst: Any) -> None:
        if Path(dst) == data / "registry" / "imported":
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(layout.os, "replace", refuse_the_swap)
    newer = study("NCT09910001", updated="2026-01-01", overall="COMPLETED")
    with pytest.raises(OSError, match="No space"):
        import_paths([write_json(tmp_path / "b.json", newer), tmp_path / "a.json"], data)
    monkeypatch.undo()
    assert data_state(data) == before and leftovers(data) == []
    assert [t.overall_status for t in load_trials(data).trials] == ["RECRUITING"]


def test_an_interrupted_import_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    import_paths([write_json(tmp_path / "a.json", study("NCT09910001"))], data)
    before = data_state(data)
    real = importer.ctgov.iter_studies

    def interrupted(path: Path):
        yield from real(path)
        raise KeyboardInterrupt

    monkeypatch.setattr(importer.ctgov, "iter_studies", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_paths([write_json(tmp_path / "b.json", study("NCT09910002"))], data)
    assert data_state(data) == before and leftovers(data) == []


def test_an_import_waits_for_nobody_unless_asked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with data_lock(data, "trialfinder refresh"), pytest.raises(Busy, match="pid"):
        import_paths([write_json(tmp_path / "a.json", study("NCT09910001"))], data)
    assert not (data / "registry").exists()


def test_the_layout_before_sources_moves_into_imported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    legacy = data / "registry" / "NCT099"
    legacy.mkdir(parents=True)
    (legacy / "NCT09910001.json").write_bytes(encode_study(study("NCT09910001")))
    (legacy / "NCT09910002.json").write_bytes(encode_study(study("NCT09910002")))
    before = {t.id: t for t in load_trials(data).trials}
    assert list(before) == ["NCT09910001", "NCT09910002"]

    # The stored copy in the old layout counts as stored.
    report = import_paths([write_json(tmp_path / "a.json", study("NCT09910001"))], data)
    assert (report.added, report.updated) == (0, 0) and report.published
    assert not legacy.exists()
    assert (data / "registry" / "imported").is_symlink()
    assert {t.id: t for t in load_trials(data).trials} == before
    assert report.changes.counts["unchanged"] == 2 and not report.changes.changed
    assert check_data_dir(data).problems == []

    # The next import clears what was moved away.
    import_paths([write_json(tmp_path / "b.json", study("NCT09910003"))], data)
    assert [
        p.name for p in (data / "registry" / ".generations").iterdir() if "_retired" in p.name
    ] == []
    assert [t.id for t in load_trials(data).trials] == [
        "NCT09910001",
        "NCT09910002",
        "NCT09910003",
    ]

"""The change report: comparing two generations, keeping reports, the data page's list.

Every record here is made up (tests/support/studies.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.studies import HANOI, HUE, SEOUL, made_up
from trialfinder import i18n
from trialfinder.store import changes
from trialfinder.store.changes import ChangeReport, compare, latest_reports, save_report
from trialfinder.store.layout import write_study


def folder(root: Path, *studies: dict) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for study in studies:
        write_study(root, study, durable=False)
    return root


def test_compare_sorts_every_change(tmp_path: Path) -> None:
    old = folder(
        tmp_path / "old",
        made_up("NCT09980001", "Status", status="RECRUITING"),
        made_up("NCT09980002", "Sites", sites=[HANOI, HANOI, SEOUL]),
        made_up("NCT09980003", "Gone"),
        made_up("NCT09980004", "Other", updated="2025-01-01"),
        made_up("NCT09980005", "Same"),
        made_up("NCT08880001", "Other shard, same"),
    )
    new = folder(
        tmp_path / "new",
        made_up("NCT09980001", "Status", status="TERMINATED"),
        made_up("NCT09980002", "Sites", sites=[HANOI, HUE, HUE]),  # one Hanoi and Seoul out
        made_up("NCT09980004", "Other, retitled", updated="2025-02-02"),
        made_up("NCT09980005", "Same"),
        made_up("NCT07770001", "New shard", status="NOT_YET_RECRUITING"),
        made_up("NCT08880001", "Other shard, same"),
    )
    report = compare([(old, None)], new, ChangeReport(source="cp"))
    assert report.studies == 6
    assert report.counts == {
        "added": 1,
        "gone": 1,
        "status_changes": 1,
        "sites_added": 2,
        "sites_removed": 2,
        "updated": 1,
        "unchanged": 2,
    }
    assert report.added == [
        {"id": "NCT07770001", "title": "New shard", "status": "NOT_YET_RECRUITING"}
    ]
    assert report.gone == [{"id": "NCT09980003", "title": "Gone", "status": "RECRUITING"}]
    assert report.status_changes == [
        {"id": "NCT09980001", "title": "Status", "old": "RECRUITING", "new": "TERMINATED"}
    ]
    assert report.sites_added == [{"id": "NCT09980002", "title": "Sites", "sites": [HUE, HUE]}]
    assert report.sites_removed == [
        {"id": "NCT09980002", "title": "Sites", "sites": sorted([HANOI, SEOUL], key=str)}
    ]
    assert report.updated == [
        {
            "id": "NCT09980004",
            "title": "Other, retitled",
            "old_last_update": "2025-01-01",
            "new_last_update": "2025-02-02",
        }
    ]
    assert report.change_text() == (
        "1 added, 1 gone, 1 status change, 2 sites added, 2 sites removed, 1 other update"
    )


def test_a_linked_file_is_unchanged_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = folder(tmp_path / "old", made_up("NCT09980001"))
    new = tmp_path / "new" / "NCT099"
    new.mkdir(parents=True)
    os.link(old / "NCT099" / "NCT09980001.json", new / "NCT09980001.json")

    def refuse(path: Path) -> None:
        raise AssertionError("a linked file was read")

    monkeypatch.setattr(changes, "_read", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    report = compare([(old, None)], tmp_path / "new", ChangeReport(source="cp"))
    assert report.counts["unchanged"] == 1 and not report.changed


def test_old_data_from_several_folders_and_only_some_shards(tmp_path: Path) -> None:
    legacy = folder(tmp_path / "registry", made_up("NCT09980001"), made_up("NCT08880001"))
    imported = folder(tmp_path / "imported", made_up("NCT09980002"))
    new = folder(
        tmp_path / "new", made_up("NCT09980001"), made_up("NCT09980002"), made_up("NCT08880001")
    )
    report = compare([(imported, None), (legacy, ["NCT099"])], new, ChangeReport(source="imported"))
    assert report.counts["unchanged"] == 2
    assert [r["id"] for r in report.added] == ["NCT08880001"]  # its shard was not old data


def test_details_are_capped_and_counts_are_whole(tmp_path: Path) -> None:
    new = folder(tmp_path / "new", *(made_up(f"NCT099800{i:02d}") for i in range(1, 8)))
    report = compare([], new, ChangeReport(source="cp"), limit=3)
    assert report.counts["added"] == 7 and len(report.added) == 3
    lines = report.lines(limit=2)
    assert lines[-1] == "  ... and 5 more added"
    assert report.summary().endswith(": 7 trials; 7 added")


def test_report_round_trip_and_wording(tmp_path: Path) -> None:
    report = ChangeReport(
        source="cp",
        when="2025-06-01T14:03:22Z",
        studies=1234,
        published=True,
        counts={"added": 0, "gone": 0, "status_changes": 0, "updated": 0, "unchanged": 1234},
        notes=["the API counted 1,240 studies; 1,234 arrived"],
    )
    assert report.summary() == "cp, refreshed 2025-06-01 14:03 UTC: 1,234 trials; no changes"
    with i18n.using("vi"):  # the data page: the count and the time as Vietnamese writes them
        assert report.summary() == (
            "cp, cập nhật lúc 1 tháng 6, 2025, 14:03 UTC: 1.234 thử nghiệm; không có thay đổi"
        )
    path = save_report(tmp_path, report, "20250601T140322000000Z")
    assert path == tmp_path / "reports" / "20250601T140322000000Z-cp.json"
    again = changes.read_report(path)
    assert again == report and again.path == path
    assert report.lines() == ["  note: the API counted 1,240 studies; 1,234 arrived"]
    imported = ChangeReport(source="imported", kind="import", when="2025-06-02T00:00:00Z")
    imported.studies, imported.counts = 1, {"added": 1}
    assert imported.summary() == "imported, imported 2025-06-02 00:00 UTC: 1 trial; 1 added"


def test_the_data_pages_lines_in_either_language() -> None:
    report = ChangeReport(
        source="cp",
        when="2025-06-01T14:03:22Z",
        studies=3,
        counts={"added": 2, "status_changes": 1, "sites_added": 1, "updated": 1},
        added=[{"id": "NCT09980001", "title": "New one", "status": "RECRUITING"}],
        status_changes=[{"id": "NCT09980002", "title": None, "old": "RECRUITING", "new": None}],
        sites_added=[{"id": "NCT09980003", "title": "S", "sites": [HUE]}],
        updated=[{"id": "NCT09980004", "title": "U", "old_last_update": None}],
        notes=["the API counted 4 studies; 3 arrived"],
    )
    assert report.page_lines(limit=1) == [
        "New: NCT09980001 New one (Recruiting)",
        "… and 1 more",
        "Status changed: NCT09980002: Recruiting → Status not given",
        "Sites added: NCT09980003: Hue Central Hospital, Hue, Vietnam",
        "Record updated: NCT09980004 U (last update not given → not given)",
        "Note from the refresh: the API counted 4 studies; 3 arrived",
    ]
    with i18n.using("vi"):
        lines = report.page_lines(limit=1)
        summary = report.summary()
    assert lines[:4] == [
        "Mới: NCT09980001 New one (Đang tuyển)",
        "… và 1 mục khác",
        "Tình trạng thay đổi: NCT09980002: Đang tuyển → Không ghi tình trạng",
        "Thêm địa điểm: NCT09980003: Hue Central Hospital, Huế, Việt Nam",
    ]
    assert summary == (
        "cp, cập nhật lúc 1 tháng 6, 2025, 14:03 UTC: 3 thử nghiệm; 2 thử nghiệm mới, "
        "1 thay đổi tình trạng, thêm 1 địa điểm, 1 cập nhật khác"
    )
    # The terminal's lines stay as the staff tools speak, whatever the language.
    with i18n.using("vi"):
        assert report.lines()[0].startswith("  added    NCT09980001 New one")


def test_latest_reports_gives_the_newest_of_each_source(tmp_path: Path) -> None:
    assert latest_reports(tmp_path) == []
    for stamp, source, added in [
        ("20250101T000000000000Z", "cp", 1),
        ("20250301T000000000000Z", "cp", 3),
        ("20250201T000000000000Z", "imported", 2),
        ("20250401T000000000000Z", "asthma", 4),
    ]:
        when = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T00:00:00Z"
        report = ChangeReport(source=source, when=when, counts={"added": added})
        save_report(tmp_path, report, stamp)
    (tmp_path / "reports" / "20250501T000000000000Z-cp.json").write_text("{ half")
    (tmp_path / "reports" / "notes.txt").write_text("not a report")
    latest = latest_reports(tmp_path)
    assert [(r.source, r.count("added")) for r in latest] == [
        ("asthma", 4),
        ("cp", 3),  # the newest one that can be read
        ("imported", 2),
    ]
    assert all(r.path is not None and r.summary() for r in latest)


def test_a_report_says_where_its_pull_came_from_in_the_page_language() -> None:
    pulled = ChangeReport(
        source="cp",
        origin={"api_url": "https://x.test/api/v2", "params": {"query.cond": "cerebral palsy"}},
        counts={"added": 0, "unchanged": 3},
    )
    assert pulled.origin_line() == (
        "Pulled from https://x.test/api/v2 with query.cond = cerebral palsy."
    )
    imported = ChangeReport(source="imported", kind="import", origin={"paths": ["/a", "/b"]})
    assert imported.origin_line() == "Imported from /a, /b."
    with i18n.using("vi"):
        assert imported.origin_line() != "Imported from /a, /b."
        assert "/a, /b" in imported.origin_line()
    assert ChangeReport(source="cp").origin_line() is None
    assert pulled.has_counts
    assert not ChangeReport(source="cp", counts={"added": 0}).has_counts

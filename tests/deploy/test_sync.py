"""One release built once, shipped to a machine, swapped in whole (deploy/sync.py)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from deploy.sync import CURRENT, RELEASES, SyncError, current_release, publish, sync
from tests.ui.trialdata import build_data_dir
from trialfinder.catalog import load_catalog

FILES = ("registry/a.json", "registry/b.json", "trials/c.yaml", ".snapshot/v1/trials.arrow")


def _release_folder(root: Path, version: int) -> Path:
    """A folder whose every file says which version it belongs to."""
    for relative in FILES:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"version {version}\n" * (200 * (1 + version % 3)), encoding="utf-8")
    return root


def _read_all(machine: Path) -> set[str]:
    """What a dashboard does: resolve ``current`` once, then read the files under it."""
    release = (machine / "current").resolve()
    return {(release / r).read_text(encoding="utf-8").split("\n", 1)[0] for r in FILES}


def test_a_reader_never_sees_two_releases_at_once(tmp_path: Path) -> None:
    shared, machine = tmp_path / "shared", tmp_path / "machine"
    publish(_release_folder(tmp_path / "build-0", 0), shared, name="r000")
    sync(shared, machine)
    seen: list[set[str]] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.append(_read_all(machine))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for version in range(1, 16):
            publish(
                _release_folder(tmp_path / f"build-{version}", version), shared, f"r{version:03}"
            )
            assert sync(shared, machine) == f"r{version:03}"
    finally:
        stop.set()
        thread.join()
    assert all(len(versions) == 1 for versions in seen), [v for v in seen if len(v) > 1][:3]
    assert len({next(iter(v)) for v in seen}) > 1  # the reader did see releases change
    assert _read_all(machine) == {"version 15"}
    # The current release and the one before are kept; older ones are gone.
    assert sorted(p.name for p in (machine / RELEASES).iterdir()) == ["r014", "r015"]


def test_a_damaged_copy_is_refused_and_the_machine_keeps_its_release(tmp_path: Path) -> None:
    shared, machine = tmp_path / "shared", tmp_path / "machine"
    publish(_release_folder(tmp_path / "one", 1), shared, name="r001")
    sync(shared, machine)
    publish(_release_folder(tmp_path / "two", 2), shared, name="r002")
    (shared / RELEASES / "r002" / "registry" / "b.json").write_text("cut sh", encoding="utf-8")
    with pytest.raises(SyncError, match=r"r002 arrived damaged.*registry/b\.json"):
        sync(shared, machine)
    assert current_release(machine) == "r001" and _read_all(machine) == {"version 1"}
    assert not (machine / RELEASES / "r002").exists()
    assert not (machine / RELEASES / "r002.partial").exists()


def test_a_release_never_changes_once_published(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    publish(_release_folder(tmp_path / "one", 1), shared, name="r001")
    with pytest.raises(SyncError, match="already published"):
        publish(_release_folder(tmp_path / "two", 2), shared, name="r001")
    assert (shared / CURRENT).read_text().strip() == "r001"


def test_nothing_published_yet_says_so(tmp_path: Path) -> None:
    with pytest.raises(SyncError, match="nothing published yet"):
        sync(tmp_path / "shared", tmp_path / "machine")


def test_the_machine_serves_the_shipped_snapshot_without_rebuilding(tmp_path: Path) -> None:
    data = build_data_dir(tmp_path / "data")
    built = load_catalog(data)  # the refresh job builds the snapshot once
    shared, machine = tmp_path / "shared", tmp_path / "machine"
    publish(data, shared, name="r001")
    sync(shared, machine)
    served = (machine / "current").resolve()
    snapshots = sorted(p.name for p in (served / ".snapshot").iterdir())
    stamps = {p: p.stat().st_mtime_ns for p in (served / ".snapshot").rglob("*")}
    loaded = load_catalog(served)
    assert len(loaded) == len(built) and loaded.fingerprint == built.fingerprint
    # The same snapshot folder, untouched: nothing was built on the machine.
    assert sorted(p.name for p in (served / ".snapshot").iterdir()) == snapshots
    assert {p: p.stat().st_mtime_ns for p in (served / ".snapshot").rglob("*")} == stamps
    assert os.readlink(machine / "current") == "releases/r001"

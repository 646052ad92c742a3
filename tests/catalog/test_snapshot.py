"""One process builds a snapshot; the others wait for it and read it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.ui.trialdata import REPO, build_data_dir
from trialfinder.catalog.schema import META_FILE, SNAPSHOT_VERSION
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
        subprocess.run(["rm", "-rf", str(old)], check=True)

    with one_builder(snapshots):  # this process is "the first builder"
        other = subprocess.Popen(
            [sys.executable, "-c", LOAD, str(data)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        time.sleep(1.5)
        assert other.poll() is None, "the second process did not wait for the first's build"
        assert not (expected / META_FILE).exists()
        first = _build_here(data)
        stamp = (expected / META_FILE).stat().st_mtime_ns
    out, _ = other.communicate(timeout=120)
    assert other.returncode == 0
    assert int(out.strip()) == first
    assert (expected / META_FILE).stat().st_mtime_ns == stamp, "the snapshot was built twice"


def _build_here(data: Path) -> int:
    """Build the snapshot as the first builder does, inside its lock."""
    from trialfinder.catalog import _build
    from trialfinder.catalog.snapshot import read_snapshot

    expected = data / SNAPSHOT / f"v{SNAPSHOT_VERSION}-{fingerprint(data)}"
    assert _build(data, expected, fingerprint(data)) is None
    return len(read_snapshot(expected).trials)

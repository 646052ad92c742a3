"""The publish benchmark runs: pages served while imports publish, each import's
new title reaching a trial page (timings not asserted: they depend on the machine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import publish
from benchmarks.generate import write_pages
from tests.ui.trialdata import REPO
from trialfinder.store.layout import registry_files


def _small_registry(folder: Path) -> Path:
    data = folder / "data"
    pages = write_pages(120, folder / "pages", seed=3, page_size=60)
    done = subprocess.run(
        [sys.executable, "-m", "trialfinder", "import", *map(str, pages), "--data-dir", str(data)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return data


def test_changed_studies_carry_the_marker_and_today_and_stay_studies(tmp_path: Path) -> None:
    data = _small_registry(tmp_path)
    files = registry_files(data)[:3]
    out = tmp_path / "changed"
    out.mkdir()
    first = publish._write_changed(files, out, "marker 1")
    written = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    assert len(written) == 3
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in written]
    assert first == ids[0]
    for study in written:
        assert study["protocolSection"]["identificationModule"]["briefTitle"].endswith("(marker 1)")


def test_a_short_run_serves_pages_during_publishes_and_the_new_data_arrives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _small_registry(tmp_path)
    results = tmp_path / "RESULTS.md"
    args = ["--data-dir", str(data), "--work-dir", str(tmp_path / "work"), "--sessions", "2"]
    args += ["--seconds", "8", "--publishes", "1", "--changed", "3", "--think", "0.2,0.5"]
    monkeypatch.setattr(publish, "RESULTS", results)
    assert publish.main(args) == 0
    text = results.read_text(encoding="utf-8")
    assert "| no publish |" in text and "| during publishes |" in text
    assert "p95 during publishes:" in text
    (row,) = [line for line in text.splitlines() if line.startswith("| 1 |")]
    assert "updated 3" in row and "not within" not in row
    assert not (tmp_path / "work" / f"publish-{data.name}").exists()  # the copy is removed

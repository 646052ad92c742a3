"""The benchmark's runner at its smallest size: it runs, its table has every figure
with numbers, and the finder returns what the naive loop returns. No timings are
asserted: they depend on the machine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks import run
from benchmarks.generate import studies

TRIALS = 2000
FIGURES = (
    "import from API v2 JSON",
    "snapshot build",
    "cold load of the catalog from the snapshot",
    "query latency over the mix of 20, p50 / p95",
    "find page run whole (AppTest), typical query",
    "map deck for the broadest query (",
    "map deck for the broadest query: bytes",
    "compare of four trials",
    "peak memory of the dashboard process",
)
NUMBER = re.compile(r"\d[\d,]*(\.\d+)?\s*(studies/s|ms|s|min|KB|MB|GB)\b")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path]:
    work = tmp_path_factory.mktemp("bench")
    results, details = work / "RESULTS.md", work / "details.json"
    args = ["--trials", str(TRIALS), "--work-dir", str(work), "--results", str(results)]
    args += ["--repeat", "1", "--rounds", "1", "--sample", str(TRIALS), "--json", str(details)]
    assert run.main(args) == 0
    return results.read_text(encoding="utf-8"), json.loads(details.read_text()), work


def rows(text: str) -> dict[str, list[str]]:
    found = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] not in ("figure", "---"):
            found[cells[0]] = cells[1:]
    return found


def test_the_table_has_every_figure_with_numbers(outcome) -> None:
    text, _details, _work = outcome
    assert text.startswith("# Registry-scale benchmark results")
    assert "Machine: " in text and "cores" in text
    table = rows(text)
    for figure in FIGURES:
        (name,) = [n for n in table if n.startswith(figure)]
        target, measured, naive, gain, verdict = table[name]
        assert NUMBER.search(target) or "MB" in target or "GB" in target, (name, target)
        assert NUMBER.search(measured), (name, measured)
        assert NUMBER.search(naive), (name, naive)
        assert re.fullmatch(r"[\d,.]+x|-", gain), (name, gain)
        assert verdict == "met" or verdict.startswith("**missed** by "), (name, verdict)


def test_the_finder_returns_what_the_naive_loop_returns(outcome) -> None:
    text, details, _work = outcome
    naive = details["naive"]
    assert naive["sample"] == TRIALS == details["trials"]  # all of them, nothing scaled
    assert naive["mismatches"] == [] and naive["matches"] == len(run.MIX) == 20
    assert "for 20/20 queries" in text
    serve = details["serve"]
    assert serve["counts"][run.MIX.index("")] == TRIALS  # no filter: every trial
    assert any(0 < c < TRIALS for c in serve["counts"])  # the filters filter
    assert serve["heading"].endswith(("trial matches", "trials match"))
    assert len(serve["compared"]) == 4


def test_the_generated_data_is_what_the_catalog_holds(outcome) -> None:
    _text, details, work = outcome
    generated = list(studies(TRIALS, seed=42))
    locations = sum(
        len(s["protocolSection"]["contactsLocationsModule"]["locations"]) for s in generated
    )
    ids = {s["protocolSection"]["identificationModule"]["nctId"] for s in generated}
    assert len(ids) == TRIALS
    assert details["trials"] == TRIALS and details["sites"] == locations
    # The data is reused by the next run of the same size and seed.
    assert list(work.glob("pages-*.done")) and list(work.glob("data-*.imported"))

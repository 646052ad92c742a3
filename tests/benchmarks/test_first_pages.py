"""First pages beside the numpy floor: the floor gives the finder's answers (no timings)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks import pages, run

TRIALS = 3000


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("bench-pages")
    generated = run.ensure_pages(work, TRIALS, seed=5)
    data, _seconds = run.ensure_imported(work, generated, TRIALS)
    return data


def test_the_floor_and_the_finder_give_the_same_first_page(data_dir: Path) -> None:
    figures = pages.query_figures(data_dir, rounds=1)
    rows = figures["queries"]
    assert [r["query"] for r in rows] == list(run.MIX)
    assert all(r["same"] for r in rows), [r["query"] for r in rows if not r["same"]]
    assert sum(r["count"] > 0 for r in rows) >= 15  # the mix finds something at this size
    assert all(r["first_page"] > 0 and r["floor"] > 0 and r["whole"] > 0 for r in rows)


def test_the_report_states_each_figure_beside_its_floor_and_target(data_dir: Path) -> None:
    figures = pages.query_figures(data_dir, rounds=1)
    load = pages.cold_load(data_dir)
    assert load["seconds"] > 0
    memory = [pages.smaps(os.getpid()), pages.smaps(os.getpid())]
    assert memory[0]["private"] > 0 and memory[0]["rss"] >= memory[0]["private"]
    text = pages.report("test data", figures, load, memory, (1.0, 2.0))
    assert text.count("\n| `") == len(run.MIX)
    assert "numpy floor" in text and "Load average (1 min) before / after: 1.0 / 2.0" in text
    assert "<= 500 MB private" in text and "< 0.5 s" in text


def test_the_spread_is_against_the_query_with_the_fewest_results_not_the_fastest() -> None:
    def row(query: str, count: int, ms: float) -> dict:
        seconds = ms / 1000
        return {
            "query": query,
            "count": count,
            "first_page": seconds,
            "floor": seconds,
            "whole": seconds,
            "same": True,
        }

    figures = {
        "queries": [row("", 600_000, 3.0), row("near=Hanoi", 28, 10.0), row("age=4y", 9, 20.0)],
        "trials": 600_000,
        "sites": 1,
    }
    memory = [{"private": 1, "shared": 1, "rss": 2, "anonymous": 1}] * 2
    text = pages.report("x", figures, {"seconds": 0.1, "imports": 0.1}, memory, (1.0, 1.0))
    # The narrowest is age=4y (9 results, 20 ms): every query is within 1x of it.
    assert "(`age=4y`, 9 results, 20.0 ms; worst 1.0x: met)" in text
    assert "| `(none: every trial)` | 600,000 | 3.0 ms | 3.0 ms | 1.00 | 0.1 |" in text

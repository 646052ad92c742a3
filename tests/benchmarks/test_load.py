"""The load test runs: real server, concurrent sessions, no errors (timings not asserted)."""

import argparse
import os
import random
import signal
import time
from pathlib import Path

import pytest

from benchmarks.load import (
    Session,
    Tally,
    _counts,
    _think,
    proxy_table,
    run,
    run_through_proxy,
    start_server,
    table,
)
from deploy.serve import free_port

DATA = Path(__file__).resolve().parents[2] / "data"


def test_a_short_load_run_finishes_pages_without_errors() -> None:
    port = free_port()
    server = start_server(DATA, port)
    try:
        base = f"http://127.0.0.1:{port}"
        first = Session(base, Tally(), random.Random(0))
        first._send("open a link", {"query_params": {"cond": ["cerebral palsy"]}})
        assert first.session_id and first.trial_ids  # the finder showed cards
        result = run(base, sessions=3, seconds=6, server_pid=server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert result["errors"] == []
    assert result["requests"] >= 6
    assert set(result["actions"]) >= {"open a link"}
    assert 0 < result["p50_s"] <= result["p95_s"]
    assert result["rss_end_mb"] and result["rss_end_mb"] > 50
    text = table(result, "the shipped data")
    assert "| errors | 0 | 0 |" in text and "change to finished page, p95" in text
    assert set(result["p95_by_action"]) == set(result["actions"])
    assert "p95 by action: " in text and "open a link " in text


def test_reading_time_is_two_bounds_in_seconds() -> None:
    assert _think("3,10") == (3.0, 10.0)
    assert _think("0,0") == (0.0, 0.0)
    for bad in ("3", "10,3", "-1,2", "a,b"):
        with pytest.raises(argparse.ArgumentTypeError):
            _think(bad)


def test_a_session_reads_between_its_bounds_and_never_past_the_end() -> None:
    session = Session("http://127.0.0.1:9", Tally(), random.Random(1), think=(0.05, 0.1))
    started = time.monotonic()
    session.read(until=started + 10)
    assert 0.05 <= time.monotonic() - started < 1
    started = time.monotonic()
    session.read(until=started)  # the run is over: no reading at all
    assert time.monotonic() - started < 0.05


def test_a_short_run_through_the_proxy_with_one_and_two_processes() -> None:
    results = run_through_proxy(DATA, [1, 2], sessions=4, seconds=6, think=(0.0, 0.0))
    assert [r["processes"] for r in results] == [1, 2]
    for result in results:
        assert result["errors"] == []  # an agent session reached another process: an error
        assert result["finished"] >= 4 and result["pages_per_s"] > 0
        assert result["rss_end_mb"] > 50 * result["processes"]
    text = proxy_table(results, "the shipped data")
    assert text.count("\n| 1 |") == 1 and text.count("\n| 2 |") == 1
    assert "p95 by action, 2 process(es): " in text


def test_process_counts_are_positive_numbers() -> None:
    assert _counts("1,2,4") == [1, 2, 4]
    for bad in ("", "0", "1,x", "-2"):
        with pytest.raises(argparse.ArgumentTypeError):
            _counts(bad)

"""The load test runs: real server, concurrent sessions, no errors (timings not asserted)."""

import os
import random
import signal
from pathlib import Path

from benchmarks.load import Session, Tally, _free_port, run, start_server, table

DATA = Path(__file__).resolve().parents[2] / "data"


def test_a_short_load_run_finishes_pages_without_errors() -> None:
    port = _free_port()
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

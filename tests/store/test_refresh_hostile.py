"""``trialfinder refresh`` against a hostile stand-in API (issue 23).

Each answer the attack run found breaking the refresh (endless paging, a body
sent a byte at a time, JSON nested 100,000 deep, a redirect to another host, a
Retry-After of eleven days, a page too large, text that cannot be stored) now
ends, in bounded time, in a clean refusal naming the page, or in a publish with
the text cleaned; the data is never left half-changed and no traceback is shown
(``catch_exceptions=False``: an exception would fail the test).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.support.fake_ctgov import FakeCtgov
from tests.support.studies import data_state, leftovers, made_up, made_up_many
from trialfinder.cli import main
from trialfinder.store.reading import load_trials

pytestmark = pytest.mark.usefixtures("no_internet")

SOURCES = """\
sources:
  - name: cp
    params:
      query.cond: cerebral palsy
"""
FAST = [
    "--page-size",
    "10",
    "--retries",
    "1",
    "--backoff",
    "0.01",
    "--interval",
    "0",
    "--timeout",
    "1",
    "--connect-timeout",
    "0.5",
]


def refresh(data: Path, server: FakeCtgov, *extra: str) -> Result:
    args = ["refresh", "--data-dir", str(data), "--api-url", server.url, *FAST, *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def error_line(result: Result) -> str:
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    return line


@pytest.fixture
def published(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    with FakeCtgov(made_up_many(25)) as first:
        result = refresh(data, first)
    assert result.exit_code == 0, result.output
    return data


def later() -> list[dict]:
    return [made_up(f"NCT0995{i:04d}", status="COMPLETED") for i in range(1, 31)]


def unchanged(data: Path, before: dict[str, str]) -> bool:
    return data_state(data) == before and leftovers(data) == []


def test_endless_paging_stops_at_the_page_cap(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(later()) as server:
        server.endless = True
        result = refresh(published, server, "--max-pages", "6")
    assert result.exit_code == 1
    assert server.pages_asked() == [1, 2, 3, 4, 5, 6]
    assert "page 7 of" in error_line(result) and "more than 6 pages" in error_line(result)
    assert unchanged(published, before)


def test_a_pull_stops_at_the_study_cap(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(later()) as server:
        result = refresh(published, server, "--max-studies", "15")
    assert result.exit_code == 1
    assert "page 2 of" in error_line(result) and "more than 15 studies" in error_line(result)
    assert unchanged(published, before)


def test_a_body_sent_a_byte_at_a_time_meets_the_page_deadline(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(later()) as server:
        server.drip_seconds = 0.05  # each byte well within the read timeout, the page never
        server.always(2, "drip")
        started = time.monotonic()
        result = refresh(published, server, "--retries", "0")
        took = time.monotonic() - started
    assert result.exit_code == 1
    assert took < 6, took
    assert "did not arrive whole within 1 s" in error_line(result)
    assert unchanged(published, before)


def test_headers_sent_a_byte_at_a_time_meet_the_page_deadline(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(later()) as server:
        server.drip_seconds = 0.05
        server.always(2, "drip-headers")
        started = time.monotonic()
        result = refresh(published, server, "--retries", "0")
        took = time.monotonic() - started
    assert result.exit_code == 1
    assert took < 6, took
    assert "did not arrive whole within 1 s" in error_line(result)
    assert unchanged(published, before)


def test_json_nested_100000_deep_is_a_bad_body_not_a_traceback(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(later()) as server:
        server.always(2, "deep")
        result = refresh(published, server)
    assert result.exit_code == 1
    assert "nested too deeply" in error_line(result)
    assert "Traceback" not in result.output
    assert unchanged(published, before)


def test_a_redirect_to_another_host_is_not_followed(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(later()) as server, FakeCtgov(made_up_many(30, start=500)) as elsewhere:
        server.redirect_to = elsewhere.url.removesuffix("/api/v2")
        server.always(1, "redirect-away")
        result = refresh(published, server)
    assert result.exit_code == 1
    assert elsewhere.requests == []
    error = error_line(result)
    assert "redirected to " + elsewhere.url.removesuffix("/api/v2") in error
    assert "only within " + server.url.removesuffix("/api/v2") in error
    assert unchanged(published, before)


def test_a_redirect_within_the_api_is_followed(published: Path) -> None:
    with FakeCtgov(later()) as server:
        server.fail(2, "redirect-home")
        result = refresh(published, server)
    assert result.exit_code == 0, result.output
    assert server.pages_asked() == [1, 2, 2, 3]
    assert {t.overall_status for t in load_trials(published).trials} == {"COMPLETED"}


def test_a_retry_after_beyond_the_cap_ends_the_pull_at_once(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(later()) as server:
        server.always(2, "retry-after-huge")
        started = time.monotonic()
        result = refresh(published, server, "--retries", "5")
        took = time.monotonic() - started
    assert result.exit_code == 1
    assert took < 5, took
    assert server.pages_asked() == [1, 2]
    error = error_line(result)
    assert "asks to wait 999,999 s" in error and "--max-retry-after" in error
    assert unchanged(published, before)


def test_a_retry_after_within_the_cap_is_waited(published: Path) -> None:
    with FakeCtgov(later()) as server:
        server.retry_after = "1"
        server.fail(2, "429")
        result = refresh(published, server, "--max-retry-after", "2")
    assert result.exit_code == 0, result.output
    first, second = [r.at for r in server.requests if r.page == 2]
    assert second - first >= 0.9


def test_a_page_over_the_size_limit_is_refused(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALFINDER_MAX_FILE_MB", "1")
    before = data_state(published)
    with FakeCtgov(later()) as server:
        server.huge_bytes = 2_000_000
        server.always(2, "huge")
        result = refresh(published, server)
    assert result.exit_code == 1
    assert server.pages_asked() == [1, 2]
    assert "larger than 1 MB" in error_line(result)
    assert unchanged(published, before)


def test_control_characters_and_a_lone_surrogate_are_cleaned_not_fatal(published: Path) -> None:
    studies = later()
    studies[3]["protocolSection"]["identificationModule"]["briefTitle"] = (
        "Walking\x00 trial \ud800for\x1b children"
    )
    studies[4]["protocolSection"]["identificationModule"]["briefTitle"] = "Cafe\u0301 study"
    with FakeCtgov(studies) as server:
        result = refresh(published, server)
    assert result.exit_code == 0, result.output
    trials = {t.id: t for t in load_trials(published).trials}
    assert len(trials) == 30  # the good records beside the bad one are all there
    assert trials["NCT09950004"].brief_title == "Walking trial for children"
    assert trials["NCT09950005"].brief_title == "Caf\u00e9 study"
    stored = next(published.glob("registry/cp/NCT099/NCT09950004.json")).read_text("utf-8")
    assert json.loads(stored)["protocolSection"]["identificationModule"]["briefTitle"] == (
        "Walking trial for children"
    )


@pytest.mark.parametrize(
    "nct", ["NCT\uff10\uff17\uff15\uff12\uff17\uff11\uff10\uff14", "NCT٠٧٥٢٧١٠٤"]
)
def test_an_nct_id_in_other_digits_is_refused(published: Path, nct: str) -> None:
    before = data_state(published)
    studies = later()
    studies[0]["protocolSection"]["identificationModule"]["nctId"] = nct
    with FakeCtgov(studies) as server:
        result = refresh(published, server)
    assert result.exit_code == 1
    assert "is not an NCT number" in error_line(result)
    assert unchanged(published, before)


def test_a_study_dated_9999_does_not_win_over_a_newer_real_copy(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    forged = made_up("NCT09950001", status="WITHDRAWN", updated="9999-12-31")
    real = made_up("NCT09950001", status="RECRUITING", updated="2025-06-01")
    with FakeCtgov([forged, *made_up_many(9, start=2), real]) as server:
        server.total_count = 10
        result = refresh(data, server)
    assert result.exit_code == 0, result.output
    [trial] = [t for t in load_trials(data).trials if t.id == "NCT09950001"]
    assert trial.overall_status == "RECRUITING"


KILL_AFTER_SWAP = """
import os, signal, sys
from trialfinder.store import refresh
from trialfinder.cli import main

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # right after the symlink swap

refresh.save_report = killed
main(sys.argv[1:])
"""


def test_a_kill_right_after_the_swap_still_leaves_the_change_report(published: Path) -> None:
    import os
    import subprocess
    import sys

    from trialfinder.store.changes import latest_reports, report_files

    with FakeCtgov(later()) as server:
        args = ["refresh", "--data-dir", str(published), "--api-url", server.url, *FAST]
        done = subprocess.run(
            [sys.executable, "-c", KILL_AFTER_SWAP, *args],
            capture_output=True,
            timeout=60,
            cwd=Path(__file__).resolve().parents[1],
        )
    assert done.returncode == -9
    # The new data is published ...
    assert {t.overall_status for t in load_trials(published).trials} == {"COMPLETED"}
    generation = os.path.basename(os.readlink(published / "registry" / "cp"))
    # ... and so is its change report, with it: readers (feeds, notify) see it now.
    [newest] = latest_reports(published)
    assert newest.generation == generation and newest.published
    assert newest.count("added") == 5
    assert not any(p.name.endswith(newest.path.name) for p in (published / "reports").iterdir())
    # The next run keeps it in reports/ for good.
    with FakeCtgov(later()) as server:
        result = refresh(published, server)
    assert result.exit_code == 0, result.output
    assert "kept the change report a killed run published with its data" in result.stderr
    names = [path.name for _stamp, _source, path in report_files(published)]
    assert newest.path.name.removeprefix(".report-") in names

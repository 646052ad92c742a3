"""``trialfinder refresh`` against a local stand-in for the ClinicalTrials.gov API.

The server (tests/support/fake_ctgov.py) runs on 127.0.0.1 and serves real API
v2 pages, from studies made up in tests/support/studies.py and from the real
records in ../shared/ctgov (read there, never copied). No test reaches the
internet. Every fault ends in success after a retry, or in a clean failure
with the data directory byte for byte as it was.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.support.fake_ctgov import FakeCtgov
from tests.support.studies import (
    HANOI,
    HUE,
    SEOUL,
    V2_JSON,
    data_state,
    leftovers,
    made_up,
    made_up_many,
    real_studies,
)
from trialfinder.catalog import load_catalog
from trialfinder.cli import main
from trialfinder.store import publish
from trialfinder.store import refresh as refreshing
from trialfinder.store.changes import latest_reports
from trialfinder.store.layout import ENV_DATA_DIR, fingerprint, registry_path
from trialfinder.store.reading import load_trials
from trialfinder.store.refresh import (
    DEFAULT_API_URL,
    Page,
    Progress,
    SourcesError,
    load_sources,
    parse_sources,
    retry_after_seconds,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCES = """\
sources:
  - name: cp
    description: Made-up pull for the tests
    params:
      query.cond: cerebral palsy OR perinatal asphyxia
      query.locn: Vietnam
      filter.overallStatus: [RECRUITING, not_yet_recruiting]
"""
#: Tiny timeouts and waits: the whole file runs in seconds.
FAST = [
    "--page-size",
    "10",
    "--retries",
    "2",
    "--backoff",
    "0.01",
    "--interval",
    "0",
    "--timeout",
    "0.5",
    "--connect-timeout",
    "0.5",
]


pytestmark = pytest.mark.usefixtures("no_internet")


def refresh(data: Path, server: FakeCtgov, *extra: str) -> Result:
    args = ["refresh", "--data-dir", str(data), "--api-url", server.url, *FAST, *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def statuses(data: Path) -> dict[str, str | None]:
    return {t.id: t.overall_status for t in load_trials(data).trials}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    return directory


@pytest.fixture
def server() -> Iterator[FakeCtgov]:
    with FakeCtgov(made_up_many(25)) as fake:
        yield fake


@pytest.fixture
def published(data: Path) -> Path:
    """A data directory whose source ``cp`` was refreshed once (25 trials, all recruiting)."""
    with FakeCtgov(made_up_many(25)) as first:
        result = refresh(data, first)
    assert result.exit_code == 0, result.output
    assert set(statuses(data).values()) == {"RECRUITING"}
    return data


def changed_studies() -> list[dict]:
    """What the registry says later: every trial completed, and five more."""
    return [made_up(f"NCT0995{i:04d}", status="COMPLETED") for i in range(1, 31)]


# ------------------------------------------------------------------ paging


def test_pages_repeat_the_same_parameters_with_each_token(data: Path, server: FakeCtgov) -> None:
    result = refresh(data, server)
    assert result.exit_code == 0, result.output

    first, *rest = server.requests
    assert [r.page for r in server.requests] == [1, 2, 3]
    expected = {
        "query.cond": "cerebral palsy OR perinatal asphyxia",
        "query.locn": "Vietnam",
        "filter.overallStatus": "RECRUITING,NOT_YET_RECRUITING",
        "format": "json",
        "pageSize": "10",
    }
    assert first.params == {**expected, "countTotal": "true"}
    for number, request in enumerate(rest, start=2):
        assert request.params == {**expected, "pageToken": FakeCtgov.token(number)}
    assert all(r.headers["User-Agent"].startswith("trialfinder/") for r in server.requests)

    assert len(statuses(data)) == 25
    link = data / "registry" / "cp"
    assert link.is_symlink() and registry_path(data, "NCT09950001", "cp").is_file()
    assert "cp: published 25 studies" in result.stdout
    assert leftovers(data) == []
    # Not on a terminal: one plain line a page on standard error.
    assert [line for line in result.stderr.splitlines() if line.startswith("cp: page")] == [
        "cp: page 1: 10 studies, 10 of 25 so far, 0:00:00 elapsed",
        "cp: page 2: 10 studies, 20 so far, 0:00:00 elapsed",
        "cp: page 3: 5 studies, 25 so far, 0:00:00 elapsed",
    ]


def test_the_page_size_goes_up_to_1000(data: Path, server: FakeCtgov) -> None:
    args = ["refresh", "--data-dir", str(data), "--api-url", server.url, "--interval", "0"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert [r.params["pageSize"] for r in server.requests] == ["1000"]
    too_big = CliRunner().invoke(main, [*args, "--page-size", "1001"])
    assert too_big.exit_code == 2


def test_an_empty_last_page_ends_the_pull(data: Path) -> None:
    with FakeCtgov(made_up_many(20), empty_last_page=True) as server:
        result = refresh(data, server)
    assert result.exit_code == 0, result.output
    assert server.pages_asked() == [1, 2, 3]
    assert len(statuses(data)) == 20


@pytest.mark.skipif(
    not V2_JSON.is_dir(), reason=f"the shared real records are not here ({V2_JSON})"
)
def test_real_records_page_through_and_publish(data: Path) -> None:
    studies = real_studies()
    assert len(studies) > 1000
    with FakeCtgov(studies) as server:
        result = refresh(data, server, "--page-size", "250", "--timeout", "10")
        assert result.exit_code == 0, result.output
        assert server.pages_asked() == list(range(1, len(studies) // 250 + 2))
        loaded = load_trials(data)
        assert loaded.problems == []
        assert len(loaded.trials) == len(studies)

        # The registry moves on: five records gone, one status changed.
        later = [dict(s) for s in studies[5:]]
        moved = json.loads(json.dumps(later[0]))
        old_status = moved["protocolSection"]["statusModule"]["overallStatus"]
        new_status = "WITHDRAWN" if old_status != "WITHDRAWN" else "COMPLETED"
        moved["protocolSection"]["statusModule"]["overallStatus"] = new_status
        later[0] = moved
        server.studies = later
        again = refresh(data, server, "--page-size", "250", "--timeout", "10")
    assert again.exit_code == 0, again.output
    [report] = latest_reports(data)
    assert report.counts["gone"] == 5 and report.counts["added"] == 0
    assert report.counts["status_changes"] == 1
    assert report.status_changes[0]["old"] == old_status
    assert report.counts["unchanged"] == len(later) - 1
    assert len(load_trials(data).trials) == len(later)


# ------------------------------------------------------------------ faults

RECOVERABLE = ["500", "503", "429", "429-date", "slow", "truncated", "invalid-json", "drop"]


@pytest.mark.parametrize("fault", RECOVERABLE)
def test_a_passing_fault_is_tried_again_and_the_refresh_succeeds(
    data: Path, server: FakeCtgov, fault: str
) -> None:
    server.fail(2, fault)
    result = refresh(data, server)
    assert result.exit_code == 0, result.output
    assert server.pages_asked() == [1, 2, 2, 3]
    [note] = [line for line in result.stderr.splitlines() if "trying again" in line]
    assert note.startswith("page 2: ") and "(try 2 of 3)" in note
    assert len(statuses(data)) == 25
    assert leftovers(data) == []
    if fault == "429":
        first, second = [r.at for r in server.requests if r.page == 2]
        assert second - first >= 0.9  # Retry-After: 1 was honoured
        assert "Retry-After: 1" in note


FAILURE_WORDS = {
    "500": "HTTP 500",
    "503": "HTTP 503",
    "429": "HTTP 429",
    "429-date": "HTTP 429",
    "slow": "timed out",
    "truncated": "cut short",
    "invalid-json": "not valid JSON",
    "drop": "connection error: RemoteDisconnected",
}


@pytest.mark.parametrize("fault", RECOVERABLE)
def test_a_fault_that_persists_fails_cleanly_and_leaves_the_data_as_it_was(
    published: Path, fault: str
) -> None:
    before = data_state(published)
    with FakeCtgov(changed_studies()) as server:
        server.retry_after = "0"
        server.always(2, fault)
        result = refresh(published, server)
    assert result.exit_code == 1
    assert server.pages_asked() == [1, 2, 2, 2]
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert f"page 2 of {server.url}/studies?" in error
    assert "pageToken=" in error and "gave up after 3 tries" in error
    assert FAILURE_WORDS[fault] in error
    assert error.endswith("The data of cp is unchanged.")
    assert data_state(published) == before
    assert leftovers(published) == []
    assert set(statuses(published).values()) == {"RECRUITING"}


def test_a_token_that_repeats_fails_cleanly(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(changed_studies()) as server:
        server.always(2, "repeat-token")
        result = refresh(published, server)
    assert result.exit_code == 1
    assert server.pages_asked() == [1, 2]
    assert "gave a nextPageToken it had given before" in result.stderr
    assert data_state(published) == before and leftovers(published) == []


def test_a_refused_request_is_not_tried_again(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(changed_studies()) as server:
        server.always(1, "bad-request")
        result = refresh(published, server)
    assert result.exit_code == 1
    assert server.pages_asked() == [1]
    assert "HTTP 400" in result.stderr and "Unknown parameter: query.cnd" in result.stderr
    assert data_state(published) == before


def test_nothing_listening_fails_cleanly(published: Path) -> None:
    before = data_state(published)
    server = FakeCtgov([])
    url = server.url
    server.close()  # the port is free again: nothing answers there
    args = ["refresh", "--data-dir", str(published), "--api-url", url, *FAST]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "page 1 of" in result.stderr and "gave up after 3 tries" in result.stderr
    assert data_state(published) == before


def test_a_pull_shorter_than_the_api_count_is_refused(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(changed_studies()) as server:
        server.total_count = 40
        result = refresh(published, server)
    assert result.exit_code == 1
    assert "counted 40 studies but only 30 arrived" in result.stderr
    assert data_state(published) == before


def test_a_study_that_fails_the_checks_stops_the_publish(published: Path) -> None:
    before = data_state(published)
    studies = changed_studies()
    studies[12]["protocolSection"]["statusModule"]["overallStatus"] = "Open"
    with FakeCtgov(studies) as server:
        refused = refresh(published, server)
        assert refused.exit_code == 1
        assert "1 studies do not pass the checks (at most 0 may" in refused.stderr
        assert "NCT09950013" in refused.stderr and "'Open'" in refused.stderr
        assert data_state(published) == before

        allowed = refresh(published, server, "--max-invalid", "1")
    assert allowed.exit_code == 0, allowed.output
    assert "1 studies do not pass the checks" in allowed.stdout
    loaded = load_trials(published)
    assert len(loaded.trials) == 29
    assert [p.record for p in loaded.problems] == ["NCT09950013"]


def test_a_page_holding_something_not_a_study_is_refused(published: Path) -> None:
    before = data_state(published)
    studies: list[Any] = changed_studies()
    studies[3] = {"protocolSection": {"identificationModule": {"nctId": "NCT0/../../etc"}}}
    with FakeCtgov(studies) as server:
        result = refresh(published, server)
    assert result.exit_code == 1
    assert "cp page 1, study 4: nctId 'NCT0/../../etc' is not an NCT number" in result.stderr
    assert data_state(published) == before


# ---------------------------------------------------- interrupted, killed, full


def test_ctrl_c_leaves_the_data_and_no_staging(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = data_state(published)
    real_put = publish.Staging.put
    calls: list[str] = []

    def interrupted(self, trial_id: str, payload: bytes) -> bool:
        calls.append(trial_id)
        if len(calls) == 15:
            raise KeyboardInterrupt
        return real_put(self, trial_id, payload)

    monkeypatch.setattr(publish.Staging, "put", interrupted)
    with FakeCtgov(changed_studies()) as server:
        result = refresh(published, server)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "the data is as it was" in result.stderr
    assert data_state(published) == before and leftovers(published) == []


def test_a_full_disk_while_writing_leaves_the_data(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = data_state(published)
    real_write = publish.atomic_write_bytes
    writes: list[Path] = []

    def full(path: Path, payload: bytes, durable: bool = True) -> None:
        writes.append(path)
        if len(writes) > 3:
            raise OSError(28, "No space left on device")
        real_write(path, payload, durable=durable)

    monkeypatch.setattr(publish, "atomic_write_bytes", full)
    with FakeCtgov(changed_studies()) as server:
        result = refresh(published, server)
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "nothing was published" in result.stderr
    assert data_state(published) == before and leftovers(published) == []


@pytest.mark.parametrize("step", ["sync", "symlink", "replace"])
def test_a_failure_at_the_swap_leaves_the_data(
    published: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    before = data_state(published)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    if step == "sync":
        monkeypatch.setattr(publish, "sync_to_disk", fail)
    else:
        monkeypatch.setattr(publish.os, step, fail)
    with FakeCtgov(changed_studies()) as server:
        result = refresh(published, server)
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    monkeypatch.undo()
    assert data_state(published) == before and leftovers(published) == []
    assert set(statuses(published).values()) == {"RECRUITING"}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop(ENV_DATA_DIR, None)
    return env


def _start(data: Path, server: FakeCtgov) -> subprocess.Popen:
    args = [*FAST[:-4], "--timeout", "60", "--connect-timeout", "5"]
    return subprocess.Popen(
        [sys.executable, "-m", "trialfinder", "refresh", "--data-dir", str(data)]
        + ["--api-url", server.url, *args],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_refresh_leaves_the_data_and_the_next_one_cleans_up(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(changed_studies()) as server:
        server.always(3, "stall")
        process = _start(published, server)
        try:
            assert server.seen(3).wait(30), "the refresh reached page 3"
            # Pages 1 and 2 are on disk, beside the data; the data is as it was.
            assert [p for p in leftovers(published) if p.endswith(".partial")]
            # A second refresh meanwhile is refused, naming the first.
            second = refresh(published, server)
            assert second.exit_code == 75
            assert f"another refresh or import is running (pid {process.pid}" in second.stderr
            process.kill()
            process.wait(10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        assert process.returncode == -signal.SIGKILL
    after = data_state(published)
    assert {k: v for k, v in after.items() if ".partial" not in k} == before
    assert set(statuses(published).values()) == {"RECRUITING"}

    with FakeCtgov(changed_studies()) as server:
        again = refresh(published, server)
    assert again.exit_code == 0, again.output
    assert "removed what earlier runs left behind" in again.stderr
    assert leftovers(published) == []
    assert statuses(published) == {f"NCT0995{i:04d}": "COMPLETED" for i in range(1, 31)}


def test_a_stopped_refresh_cleans_up_after_itself(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(changed_studies()) as server:
        server.always(2, "stall")
        process = _start(published, server)
        try:
            assert server.seen(2).wait(30)
            time.sleep(0.2)
            process.send_signal(signal.SIGTERM)
            _out, err = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert data_state(published) == before and leftovers(published) == []


# --------------------------------------------------------------- the lock


def test_a_refresh_is_refused_while_another_runs(published: Path, server: FakeCtgov) -> None:
    before = data_state(published)
    with publish.data_lock(published, "trialfinder import"):
        result = refresh(published, server)
    assert result.exit_code == 75
    assert f"another refresh or import is running (pid {os.getpid()}" in result.stderr
    assert "`trialfinder import`" in result.stderr and "--wait" in result.stderr
    assert server.requests == []
    assert data_state(published) == before


def test_with_wait_a_refresh_waits_its_turn(data: Path, server: FakeCtgov) -> None:
    held = threading.Event()

    def hold() -> None:
        with publish.data_lock(data, "trialfinder import"):
            held.set()
            time.sleep(0.4)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    started = time.monotonic()
    result = refresh(data, server, "--wait")
    holder.join()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 0.3
    assert "waiting for the refresh or import running" in result.stderr


# -------------------------------------------------------- what changed


def test_the_change_report(published: Path) -> None:
    first = [
        made_up("NCT09960001", "Splints at night", sites=[HANOI]),
        made_up("NCT09960002", "Stretching at home", sites=[HANOI]),
        made_up("NCT09960003", "Robot-assisted walking", sites=[HANOI, SEOUL]),
        made_up("NCT09960004", "Hippotherapy", sites=[HUE]),
        made_up("NCT09960006", "Cooling after birth asphyxia", updated="2025-01-08"),
        made_up("NCT09960007", "Unchanged trial"),
    ]
    later = [
        made_up("NCT09960001", "Splints at night", status="ACTIVE_NOT_RECRUITING"),
        made_up("NCT09960002", "Stretching at home", sites=[HANOI, HUE]),
        made_up("NCT09960003", "Robot-assisted walking", sites=[SEOUL]),
        made_up("NCT09960005", "Music therapy", status="NOT_YET_RECRUITING"),
        made_up("NCT09960006", "Cooling after perinatal asphyxia", updated="2025-02-03"),
        made_up("NCT09960007", "Unchanged trial"),
    ]
    with FakeCtgov(first) as server:
        assert refresh(published, server).exit_code == 0
        server.studies = later
        result = refresh(published, server)
    assert result.exit_code == 0, result.output
    [report] = latest_reports(published)
    assert report.published and report.kind == "refresh" and report.studies == 6
    assert report.counts == {
        "added": 1,
        "gone": 1,
        "status_changes": 1,
        "sites_added": 1,
        "sites_removed": 1,
        "updated": 1,
        "unchanged": 1,
    }
    assert report.added == [
        {"id": "NCT09960005", "title": "Music therapy", "status": "NOT_YET_RECRUITING"}
    ]
    assert report.gone == [{"id": "NCT09960004", "title": "Hippotherapy", "status": "RECRUITING"}]
    assert report.status_changes == [
        {
            "id": "NCT09960001",
            "title": "Splints at night",
            "old": "RECRUITING",
            "new": "ACTIVE_NOT_RECRUITING",
        }
    ]
    assert report.sites_added == [
        {"id": "NCT09960002", "title": "Stretching at home", "sites": [HUE]}
    ]
    assert report.sites_removed == [
        {"id": "NCT09960003", "title": "Robot-assisted walking", "sites": [HANOI]}
    ]
    assert report.updated == [
        {
            "id": "NCT09960006",
            "title": "Cooling after perinatal asphyxia",
            "old_last_update": "2025-01-08",
            "new_last_update": "2025-02-03",
        }
    ]
    assert report.origin == {
        "api_url": server.url,
        "params": {
            "query.cond": "cerebral palsy OR perinatal asphyxia",
            "query.locn": "Vietnam",
            "filter.overallStatus": "RECRUITING,NOT_YET_RECRUITING",
        },
    }
    summary = report.summary()
    assert summary.startswith("cp, refreshed ") and summary.endswith(
        ": 6 trials; 1 added, 1 gone, 1 status change, 1 site added, 1 site removed, 1 other update"
    )
    # Printed, and kept under data/reports/.
    lines = result.stdout.splitlines()
    assert lines[:2] == ["cp: published 6 studies", summary]
    assert "  status   NCT09960001 Splints at night: RECRUITING -> ACTIVE_NOT_RECRUITING" in lines
    assert (
        "  sites +  NCT09960002: Hue Central Hospital, Hue, Vietnam" in lines
        and "  sites -  NCT09960003: Hanoi Children's Hospital, Hanoi, Vietnam" in lines
    )
    assert lines[-1] == f"report: {report.path}"
    assert report.path.parent == published / "reports"
    kept = json.loads(report.path.read_text(encoding="utf-8"))
    assert kept["counts"] == report.counts and kept["source"] == "cp"


def test_an_unchanged_pull_publishes_nothing_but_is_reported(published: Path) -> None:
    link = published / "registry" / "cp"
    target, print_before = os.readlink(link), fingerprint(published)
    with FakeCtgov(made_up_many(25)) as server:
        result = refresh(published, server)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("cp: no changes; the data stays as it was\n")
    assert os.readlink(link) == target and fingerprint(published) == print_before
    reports = sorted((published / "reports").iterdir())
    assert len(reports) == 2
    [latest] = latest_reports(published)
    assert latest.path == reports[-1] and not latest.published and not latest.changed
    assert latest.summary().endswith(": 25 trials; no changes")


def test_a_dry_run_publishes_nothing(published: Path) -> None:
    before = data_state(published)
    with FakeCtgov(changed_studies()) as server:
        result = refresh(published, server, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "cp: dry run; nothing was published"
    assert lines[1].endswith(": 30 trials; 5 added, 25 status changes (dry run: nothing published)")
    assert "  added    NCT09950026 Made-up movement therapy trial NCT09950026 (COMPLETED)" in lines
    assert not any(line.startswith("report:") for line in lines)
    assert data_state(published) == before and leftovers(published) == []


def test_a_running_reader_sees_old_then_new(published: Path) -> None:
    before = load_catalog(published)
    assert set(before.trials["overall_status"]) == {"RECRUITING"}
    print_before = fingerprint(published)
    with FakeCtgov(changed_studies()) as server:
        assert refresh(published, server).exit_code == 0
    assert fingerprint(published) != print_before
    after = load_catalog(published)
    assert after.fingerprint == fingerprint(published) != before.fingerprint
    assert set(after.trials["overall_status"]) == {"COMPLETED"} and len(after) == 30
    assert set(before.trials["overall_status"]) == {"RECRUITING"}  # the old one is whole


def test_the_previous_generation_is_kept_and_older_ones_go(published: Path) -> None:
    generations = published / "registry" / ".generations"
    [first] = list(generations.iterdir())
    with FakeCtgov(changed_studies()) as server:
        assert refresh(published, server).exit_code == 0
        assert sorted(generations.iterdir()) == sorted(
            [first, (published / "registry" / "cp").resolve()]
        )
        server.studies = made_up_many(3)
        assert refresh(published, server).exit_code == 0
    assert first not in list(generations.iterdir())
    assert len(list(generations.iterdir())) == 2


def test_studies_unchanged_since_the_last_pull_are_linked_not_copied(published: Path) -> None:
    old = registry_path(published, "NCT09950001", "cp").resolve().stat()
    studies = made_up_many(25)
    studies[1] = made_up("NCT09950002", status="SUSPENDED")
    with FakeCtgov(studies) as server:
        assert refresh(published, server).exit_code == 0
    new = registry_path(published, "NCT09950001", "cp").resolve()
    assert new.stat().st_ino == old.st_ino  # one file on disk for both generations
    assert registry_path(published, "NCT09950002", "cp").resolve().stat().st_nlink == 1


def test_a_study_sent_twice_is_kept_once_the_newest(data: Path) -> None:
    studies = made_up_many(12)
    studies.append(made_up("NCT09950003", status="COMPLETED", updated="2025-05-05"))
    with FakeCtgov(studies) as server:
        server.total_count = 12
        result = refresh(data, server)
    assert result.exit_code == 0, result.output
    assert statuses(data)["NCT09950003"] == "COMPLETED"
    assert "1 studies came twice" in result.stdout


# ----------------------------------------------------------- sources.yaml


def test_the_shipped_sources_file() -> None:
    [source] = load_sources(ROOT / "data" / "sources.yaml")
    assert source.name == "cerebral-palsy"
    cond = source.params["query.cond"]
    for words in ("cerebral palsy", "perinatal asphyxia", "hypoxic ischemic encephalopathy"):
        assert words in cond
    assert " OR " in cond
    # Every status, worldwide: no status filter, no place.
    assert set(source.params) == {"query.cond"}


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("sources: []\n", "no sources listed"),
        ("- name: x\n", "expected `sources:`"),
        ("sources:\n  - name: Cerebral Palsy\n    params: {}\n", "field name: 'Cerebral Palsy'"),
        ("sources:\n  - name: imported\n    params: {}\n", "`trialfinder import`"),
        ("sources:\n  - name: cp\n", "source 'cp', field params: missing"),
        (
            "sources:\n  - name: cp\n    params: {query.cnd: palsy}\n",
            "source 'cp', field params.query.cnd: not a /studies parameter",
        ),
        (
            "sources:\n  - name: cp\n    params: {pageSize: 5}\n",
            "field params.pageSize: set by the refresh",
        ),
        (
            "sources:\n  - name: cp\n    params: {filter.overallStatus: [OPEN]}\n",
            "OPEN is not a registry status",
        ),
        (
            "sources:\n  - name: cp\n    params: {filter.geo: Hanoi}\n",
            "write distance(latitude,longitude,distance)",
        ),
        (
            "sources:\n  - name: cp\n    params: {filter.ids: [NCT1, X9]}\n",
            "X9 is not an NCT number",
        ),
        (
            "sources:\n  - name: cp\n    params: {}\n  - name: cp\n    params: {}\n",
            "two sources are named 'cp'",
        ),
        ("sources:\n  - name: cp\n    parms: {}\n", "field parms: unknown key"),
        ("sources: [\n", "not YAML"),
    ],
)
def test_a_bad_sources_file_is_named_with_source_and_field(
    tmp_path: Path, text: str, phrase: str
) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and phrase in message
    result = CliRunner().invoke(main, ["refresh", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert phrase in result.stderr


def test_sources_file_values() -> None:
    [source] = parse_sources(
        {
            "sources": [
                {
                    "name": "all-open-near-hanoi",
                    "params": {
                        "filter.overallStatus": "recruiting",
                        "filter.geo": "distance(21.0245,105.8412,50km)",
                        "filter.ids": ["NCT07527104", "nct01"],
                    },
                }
            ]
        },
        "x.yaml",
    )
    assert source.params == {
        "filter.overallStatus": "RECRUITING",
        "filter.geo": "distance(21.0245,105.8412,50km)",
        "filter.ids": "NCT07527104,nct01",
    }
    [everything] = parse_sources({"sources": [{"name": "all", "params": {}}]}, "x.yaml")
    assert everything.params == {}


def test_a_missing_sources_file_and_an_unknown_source(data: Path, tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["refresh", "--data-dir", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "no sources file here" in missing.stderr
    unknown = CliRunner().invoke(main, ["refresh", "--data-dir", str(data), "--source", "asthma"])
    assert unknown.exit_code == 2 and "no source named 'asthma'" in unknown.stderr


def test_only_the_sources_asked_for_are_pulled(data: Path, server: FakeCtgov) -> None:
    (data / "sources.yaml").write_text(
        SOURCES + "  - name: other\n    params: {query.cond: asthma}\n", encoding="utf-8"
    )
    result = refresh(data, server, "--source", "cp")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (data / "registry").iterdir()) == [".generations", "cp"]


def test_a_source_on_disk_but_not_in_the_file_is_named(published: Path, server: FakeCtgov) -> None:
    (published / "sources.yaml").write_text(SOURCES.replace("name: cp", "name: cp2"), "utf-8")
    result = refresh(published, server)
    assert result.exit_code == 0, result.output
    assert f"note: {published / 'registry' / 'cp'} is not in the sources file" in result.stderr


def test_the_public_api_is_never_reached_from_the_tests(data: Path) -> None:
    result = CliRunner().invoke(main, ["refresh", "--data-dir", str(data), "--retries", "0"])
    assert result.exit_code == 1
    assert f"page 1 of {DEFAULT_API_URL}/studies?" in result.stderr
    assert "the tests never reach clinicaltrials.gov" in result.stderr


def test_a_bad_api_url_is_a_usage_error(data: Path) -> None:
    result = CliRunner().invoke(main, ["refresh", "--data-dir", str(data), "--api-url", "ftp://x"])
    assert result.exit_code == 2 and "--api-url" in result.stderr
    assert DEFAULT_API_URL == "https://clinicaltrials.gov/api/v2"


# ------------------------------------------------------------- small parts


def test_retry_after_in_seconds_or_as_a_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Sun, 01 Jun 2025 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Sun, 01 Jun 2025 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_progress_on_a_terminal_is_one_updating_line() -> None:
    out = StringIO()
    progress = Progress(out, tty=True)
    progress.page("cp", Page(1, [{}] * 10, 25, "t"), 10, 1.5)
    progress.page("cp", Page(2, [{}] * 10, None, "t"), 20, 61)
    progress.note("page 3: HTTP 503; trying again in 1.0 s (try 2 of 7)")
    progress.finish()
    assert out.getvalue() == (
        "\r\x1b[Kcp: page 1, 10 of 25 studies, 0:00:01 elapsed"
        "\r\x1b[Kcp: page 2, 20 studies, 0:01:01 elapsed\n"
        "page 3: HTTP 503; trying again in 1.0 s (try 2 of 7)\n"
    )


def test_a_report_that_cannot_be_written_after_the_publish_says_so(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(refreshing, "save_report", full)
    with FakeCtgov(changed_studies()) as server:
        result = refresh(published, server)
    assert result.exit_code == 1
    assert "the new data is published, but its change report could not be written" in (
        result.stderr
    )
    assert result.stderr.rstrip().endswith("The data of cp is published.")
    assert set(statuses(published).values()) == {"COMPLETED"}

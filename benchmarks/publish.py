"""Pages served while new data is published: do they stay within 2x their normal p95?

    python -m benchmarks.publish --data-dir /tmp/tf-bench/data-100000-from600k \
        --sessions 20 --seconds 90 --publishes 3

Works on a copy of ``--data-dir`` made of hard links (publishing never writes
a stored file in place, so the source stays as it was). Starts one dashboard
process on the copy and drives ``--sessions`` visitors through Streamlit's
agent API as :mod:`benchmarks.load` does: first for ``--seconds`` with nothing
else happening (the normal p95), then while ``trialfinder import`` publishes
``--publishes`` batches of changed studies, as a refresh would, one every
``--seconds / (--publishes + 1)``, until the last batch shows on a trial page.
Each batch changes the title of ``--changed`` stored studies and dates them
today; the import runs under ``nice``, as the README's cron line runs a
refresh. After each publish a watcher opens one changed trial's page until it
shows the new title: the time new data takes to reach families.

Prints the figures beside the load average and appends them to
``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.load import (
    RESULTS,
    Session,
    Tally,
    _think,
    describe_machine,
    run,
    start_server,
)
from deploy.serve import ServeError, free_port, interact
from trialfinder.store.layout import registry_files

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 2.0
#: As the README's cron line runs a refresh: after the pages of families.
STAFF_NICENESS = 10


@dataclass
class Publish:
    """One batch published, and when families could see it."""

    marker: str
    trial_id: str
    seconds: float = 0.0
    summary: str = ""
    seen_after_s: float | None = None


@dataclass
class Publisher:
    data_dir: Path
    batches: int
    changed: int
    interval_s: float
    base: str
    done: list[Publish] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def run(self, finished: threading.Event) -> None:
        try:
            self._publish_all()
        finally:
            finished.set()

    def _publish_all(self) -> None:
        files = registry_files(self.data_dir)
        rng = random.Random(11)
        for number in range(1, self.batches + 1):
            time.sleep(self.interval_s)
            marker = f"benchmark update {number} {rng.randrange(10**6)}"
            with tempfile.TemporaryDirectory(prefix="tf-publish-") as folder:
                trial_id = _write_changed(rng.sample(files, self.changed), Path(folder), marker)
                started = time.perf_counter()
                done = subprocess.run(
                    ["nice", "-n", str(STAFF_NICENESS), sys.executable, "-m", "trialfinder",
                     "import", folder, "--data-dir", str(self.data_dir)],
                    cwd=ROOT, capture_output=True, text=True, check=False,
                )  # fmt: skip
            publish = Publish(marker, trial_id, time.perf_counter() - started, done.stdout.strip())
            if done.returncode != 0:
                self.failures.append(f"import {number}: {done.stderr.strip()[-500:]}")
            self.done.append(publish)
            publish.seen_after_s = _seen(self.base, publish, publish.seconds)


def _write_changed(paths: list[Path], folder: Path, marker: str) -> str:
    """The studies at ``paths``, retitled with ``marker`` and updated today."""
    today = dt.date.today().isoformat()
    first = ""
    for number, path in enumerate(paths):
        study = json.loads(path.read_text(encoding="utf-8"))
        protocol = study["protocolSection"]
        identification = protocol["identificationModule"]
        identification["briefTitle"] = f"{identification.get('briefTitle', '')} ({marker})"
        protocol["statusModule"]["lastUpdatePostDateStruct"] = {"date": today}
        first = first or identification["nctId"]
        (folder / f"study-{number}.json").write_text(json.dumps(study), encoding="utf-8")
    return first


def _seen(base: str, publish: Publish, already_s: float, timeout_s: float = 600) -> float | None:
    """Seconds from the import's start until the trial page shows the new title.

    One session, asked again every second (new sessions each time would be
    refused by the agent API's own limits)."""
    started = time.monotonic()
    session: dict[str, str] = {}
    while time.monotonic() - started < timeout_s:
        try:
            answer = interact(
                base, {**session, "page": "trial", "query_params": {"id": [publish.trial_id]}}
            )
        except (ServeError, OSError):
            answer = {}
        if answer.get("session_id"):
            session = {"session_id": answer["session_id"]}
        if publish.marker in json.dumps(answer, ensure_ascii=False):
            return already_s + time.monotonic() - started
        time.sleep(1.0)
    return None


def _copy(source: Path, work_dir: Path) -> Path:
    target = work_dir / f"publish-{source.name}"
    shutil.rmtree(target, ignore_errors=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-al", str(source), str(target)], check=True)
    return target


def _prepare(data_dir: Path) -> float:
    """Build the copy's snapshot first, as the server would on its first page."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "trialfinder", "search", "cond=asthma", "--data-dir", str(data_dir)],
        cwd=ROOT, capture_output=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def measure(args: argparse.Namespace) -> dict:
    data_dir = _copy(args.data_dir.resolve(), args.work_dir)
    prepare_s = _prepare(data_dir)
    port = free_port()
    server = start_server(data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        Session(base, Tally(), random.Random(0)).step()
        quiet = run(base, args.sessions, args.seconds, server.pid, think=args.think)
        publisher = Publisher(
            data_dir, args.publishes, args.changed, args.seconds / (args.publishes + 1), base
        )
        # Families keep coming until the last publish has reached them.
        finished = threading.Event()
        thread = threading.Thread(target=publisher.run, args=(finished,), daemon=True)
        thread.start()
        busy = run(
            base, args.sessions, args.seconds, server.pid, think=args.think, seed=8, until=finished
        )
        thread.join(timeout=60)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    return {"prepare_s": prepare_s, "quiet": quiet, "busy": busy, "publisher": publisher}


def table(result: dict, label: str) -> str:
    quiet, busy, publisher = result["quiet"], result["busy"], result["publisher"]
    ratio = busy["p95_s"] / quiet["p95_s"] if quiet["p95_s"] else float("nan")
    verdict = "met" if ratio <= TARGET_RATIO and not busy["errors"] else "**missed**"
    lines = [
        f"### Pages during publishes: {label}",
        "",
        f"{quiet['sessions']} sessions through the agent API for {quiet['seconds']:.0f} s without "
        f"publishes, then {busy['seconds']:.0f} s while {len(publisher.done)} imports of "
        f"{publisher.changed} changed studies each were published, until the last was seen on "
        f"a trial page (snapshot built first in "
        f"{result['prepare_s']:.0f} s); reading time "
        f"{quiet['think'][0]:g}-{quiet['think'][1]:g} s.",
        "",
        "| run | pages finished | p50 | p95 | errors | load average before / after |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in (("no publish", quiet), ("during publishes", busy)):
        lines.append(
            f"| {name} | {r['finished']:,} | {r['p50_s'] * 1000:,.0f} ms "
            f"| {r['p95_s'] * 1000:,.0f} ms | {len(r['errors'])} "
            f"| {r['load_before']:.1f} / {r['load_after']:.1f} |"
        )
    lines += [
        "",
        f"p95 during publishes: {ratio:.2f}x the p95 without (target <= {TARGET_RATIO:g}x): "
        f"{verdict}.",
        "",
        "| publish | import (publish included) | new title on the trial page after | import said |",
        "| --- | --- | --- | --- |",
    ]
    for number, p in enumerate(publisher.done, 1):
        seen = f"{p.seen_after_s:.1f} s" if p.seen_after_s is not None else "not within 10 min"
        lines.append(f"| {number} | {p.seconds:.1f} s | {seen} | {p.summary} |")
    lines += [f"- {failure}" for failure in publisher.failures]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/tf-bench"))
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--think", type=_think, default=(1.0, 3.0))
    parser.add_argument("--publishes", type=int, default=3)
    parser.add_argument("--changed", type=int, default=50, help="studies changed a publish")
    parser.add_argument("--label", default="")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args)
    text = table(result, args.label or str(args.data_dir))
    print(text)
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(f"\n{text}\n\n{describe_machine()}\n")
    failed = result["busy"]["errors"] or result["quiet"]["errors"] or result["publisher"].failures
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

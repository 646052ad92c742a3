"""Load test: many concurrent sessions against one dashboard server.

Each session opens a finder link, then for the test's duration changes filters,
opens trial pages and the map, as a family would: between two actions it reads
the page for a while (``--think``, seconds drawn uniformly between two bounds,
as Locust's ``between(a, b)``; ``--think 0,0`` sends the next request as soon
as a page is finished, which measures the server's saturation, not families).
Sessions are driven through
Streamlit's agent API (``--server.enableAgentApi=true``): every request runs the
real app script in a real server session and answers when the page is finished,
so its latency is the time from a change to a finished page. Only 127.0.0.1 is
ever contacted.

    python -m benchmarks.load --data-dir /tmp/tf-bench/data --sessions 30 --seconds 120 \
        --think 3,10

prints the figures and appends them, with the machine and date, to
``benchmarks/RESULTS.md``.

    python -m benchmarks.load --data-dir /tmp/tf-bench/data --proxy 1,2,4 --sessions 30 \
        --seconds 60 --think 0,0

runs the same sessions through nginx as ``deploy/serve.py`` starts it, once with
each number of dashboard processes, each session keeping its route cookie as a
browser does, and reports pages a second and p95 for each beside the load average.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.run import machine
from deploy.serve import free_port

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("RESULTS.md")

FINDER_LINKS = [
    {"cond": ["cerebral palsy"]},
    {"cond": ["asthma"], "age": ["8y"]},
    {"status": ["recruiting"], "country": ["Vietnam"]},
    {"cond": ["breast cancer"], "near": ["Boston"]},
    {"cond": ["epilepsy"], "age": ["4y"], "status": ["recruiting", "not_yet_recruiting"]},
    {"near": ["Hanoi"], "within": ["300"]},
]
AGES = ["1y", "2y", "4y", "4y3m", "6y", "10y", "18m", "30y"]
CONDITIONS = [
    ["cerebral palsy"],
    ["asthma"],
    ["stroke"],
    ["leukemia"],
    ["autism spectrum disorder"],
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=dict)
    #: Each action's latencies: which pages make the slow tail.
    by_action: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, action: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.actions[action] = self.actions.get(action, 0) + 1
            if error:
                self.errors.append(f"{action}: {error}")
            else:
                self.latencies.append(seconds)
                self.by_action.setdefault(action, []).append(seconds)


def p95(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")


def tail_words(result: dict) -> str:
    """Each action's p95, slowest first: "open the map 4,100 ms (120 pages); ..."."""
    return "; ".join(
        f"{action} {seconds * 1000:,.0f} ms ({result['actions'].get(action, 0)} pages)"
        for action, seconds in sorted(result["p95_by_action"].items(), key=lambda kv: -kv[1])
    )


def describe_machine() -> str:
    """The machine (as the benchmark runner names it) and the date, for the results file."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"Machine: {machine()}; measured {when}."


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "TRIALFINDER_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.enableAgentApi",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("the dashboard did not start within 120 s")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found]


#: Seconds a family reads a page before the next action (uniform between the two).
THINK_SECONDS = (3.0, 10.0)


class Session:
    """One visitor, over the agent API."""

    def __init__(
        self,
        base: str,
        tally: Tally,
        rng: random.Random,
        think: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        self.base, self.tally, self.rng, self.think = base, tally, rng, think
        self.session_id: str | None = None
        self.trial_ids: list[str] = []
        # Cookies kept as a browser keeps them: behind the proxy, its route cookie.
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def _send(self, action: str, body: dict) -> dict | None:
        if self.session_id:
            body = {"session_id": self.session_id, **body}
        request = urllib.request.Request(
            f"{self.base}/_stcore/agent/interact",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        started = time.perf_counter()
        error = None
        answer = None
        try:
            with self.opener.open(request, timeout=60) as response:
                answer = json.loads(response.read())
            while answer.get("status") not in ("ready", "error"):  # 202: still running
                request = urllib.request.Request(
                    f"{self.base}/_stcore/agent/interact",
                    data=json.dumps({"session_id": answer["session_id"]}).encode(),
                    headers={"Content-Type": "application/json"},
                )
                with self.opener.open(request, timeout=60) as response:
                    answer = json.loads(response.read())
            if answer.get("status") == "error":
                error = "the page raised an exception"
        except (urllib.error.URLError, OSError, ValueError) as failure:
            error = f"{type(failure).__name__}: {failure}"
        self.tally.record(action, time.perf_counter() - started, error)
        if answer:
            self.session_id = answer.get("session_id", self.session_id)
            self.trial_ids = _trial_ids(answer) or self.trial_ids
        return answer

    def read(self, until: float) -> None:
        """Read the page a while (never past ``until``)."""
        pause = self.rng.uniform(*self.think)
        time.sleep(max(0.0, min(pause, until - time.monotonic())))

    def step(self) -> None:
        roll = self.rng.random()
        if self.session_id is None:
            self._send("open a link", {"query_params": self.rng.choice(FINDER_LINKS)})
        elif roll < 0.45:
            change = (
                {"age": self.rng.choice(AGES)}
                if self.rng.random() < 0.5
                else {"cond": self.rng.choice(CONDITIONS)}
            )
            self._send("change a filter", {"widget_state": change})
        elif roll < 0.75 and self.trial_ids:
            trial_id = self.rng.choice(self.trial_ids)
            self._send("open a trial", {"page": "trial", "query_params": {"id": [trial_id]}})
            self._send(
                "back to the finder", {"page": "", "query_params": self.rng.choice(FINDER_LINKS)}
            )
        else:
            self._send("open the map", {"page": "map"})
            self._send("back to the finder", {"page": ""})


def _trial_ids(snapshot: dict) -> list[str]:
    """Trial ids named in the finder's card keys ("card-NCT...")."""
    found: list[str] = []

    def walk(node: dict) -> None:
        key = node.get("key")
        if isinstance(key, str) and key.startswith("card-"):
            found.append(key.removeprefix("card-"))
        for child in node.get("children", []) or []:
            walk(child)

    walk(snapshot.get("tree") or {})
    return found


def run(
    base: str,
    sessions: int,
    seconds: float,
    server_pid: int | list[int] | None,
    seed: int = 7,
    think: tuple[float, float] = (0.0, 0.0),
    until: threading.Event | None = None,
) -> dict:
    """Drive ``sessions`` visitors for ``seconds`` (given ``until``, for at least
    ``seconds`` and then until it is set); memory is summed over the server pids."""
    pids = [server_pid] if isinstance(server_pid, int) else list(server_pid or [])
    load_before = os.getloadavg()[0]
    tally = Tally()
    started = time.monotonic()
    stop = started + seconds
    warm_rss: list[float] = []

    def visitor(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        session = Session(base, tally, rng, think)
        # Visitors arrive over the first reading time, not all in the same instant.
        time.sleep(rng.uniform(0.0, think[1]))
        while time.monotonic() < stop or (until is not None and not until.is_set()):
            session.step()
            session.read(stop if until is None or until.is_set() else time.monotonic() + 60)

    workers = [threading.Thread(target=visitor, args=(i,), daemon=True) for i in range(sessions)]
    for worker in workers:
        worker.start()
    if pids:
        time.sleep(min(30.0, seconds / 4))
        warm_rss.append(sum(rss_mb(pid) for pid in pids))
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    end_rss = sum(rss_mb(pid) for pid in pids) if pids else None
    latencies = sorted(tally.latencies)
    growth = (end_rss / warm_rss[0] - 1) * 100 if warm_rss and end_rss else None
    return {
        "sessions": sessions,
        "seconds": elapsed if until is not None else seconds,
        "think": think,
        "requests": len(latencies) + len(tally.errors),
        "errors": tally.errors,
        "actions": tally.actions,
        "p95_by_action": {action: p95(times) for action, times in tally.by_action.items()},
        "p50_s": statistics.median(latencies) if latencies else float("nan"),
        "p95_s": p95(latencies),
        "rss_warm_mb": warm_rss[0] if warm_rss else None,
        "rss_end_mb": end_rss,
        "rss_growth_pct": growth,
        "finished": len(latencies),
        "pages_per_s": len(latencies) / (elapsed if until is not None else seconds),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def _think_words(think: tuple[float, float]) -> str:
    low, high = think
    if high <= 0:
        return "none (saturation)"
    return f"{low:g}-{high:g} s" if high > low else f"{low:g} s"


def _think(text: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("give two numbers of seconds, e.g. 3,10") from None
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError("the bounds must be 0 <= low <= high")
    return low, high


def table(result: dict, label: str) -> str:
    growth = result["rss_growth_pct"]
    rows = [
        ("concurrent sessions", str(result["sessions"]), ">= 30"),
        ("duration", f"{result['seconds']:.0f} s", "2 min"),
        ("reading time between actions", _think_words(result["think"]), ""),
        ("requests (pages finished)", f"{result['requests']:,}", ""),
        ("errors", str(len(result["errors"])), "0"),
        ("change to finished page, p50", f"{result['p50_s'] * 1000:,.0f} ms", ""),
        ("change to finished page, p95", f"{result['p95_s'] * 1000:,.0f} ms", "<= 2 s"),
        (
            "server memory after warm-up -> end",
            f"{result['rss_warm_mb']:,.0f} MB -> {result['rss_end_mb']:,.0f} MB"
            if result["rss_warm_mb"]
            else "n/a",
            "",
        ),
        (
            "memory growth after warm-up",
            f"{growth:+.1f}%" if growth is not None else "n/a",
            "< 10%",
        ),
    ]
    lines = [
        f"### Load test: {label}",
        "",
        "| figure | measured | target |",
        "| --- | --- | --- |",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
        f"p95 by action: {tail_words(result)}.",
    ]
    return "\n".join(lines)


def run_through_proxy(
    data_dir: Path,
    process_counts: list[int],
    sessions: int,
    seconds: float,
    think: tuple[float, float],
) -> list[dict]:
    """The same sessions through nginx in front of 1, 2, ... N warm processes."""
    import tempfile

    from deploy.serve import Stack

    results = []
    for count in process_counts:
        public = free_port()
        with tempfile.TemporaryDirectory(prefix="tf-load-proxy-") as run_dir:
            stack = Stack(
                data_dir=data_dir.resolve(),
                processes=count,
                run_dir=Path(run_dir),
                public_port=public,
                internal_port=free_port({public}),
                say=lambda line: print(line, file=sys.stderr, flush=True),
            )
            with stack:
                pids = [backend.process.pid for backend in stack.backends]
                # The internal listener: the same routing, with the agent API let through.
                result = run(stack.internal_url, sessions, seconds, pids, think=think)
        result["processes"] = count
        results.append(result)
        print(
            f"{count} process(es): {result['pages_per_s']:.1f} pages/s, "
            f"p95 {result['p95_s'] * 1000:,.0f} ms, {len(result['errors'])} errors",
            file=sys.stderr,
            flush=True,
        )
    return results


def proxy_table(results: list[dict], label: str) -> str:
    first = results[0]
    lines = [
        f"### Load test through nginx: {label}",
        "",
        f"{first['sessions']} sessions for {first['seconds']:.0f} s with each number of "
        f"processes; reading time {_think_words(first['think'])}; sessions keep their route "
        "cookie; the processes warmed before the proxy sent them anything.",
        "",
        "| processes | pages finished | pages/s | p50 | p95 | errors | memory of the processes "
        "(RSS, sum) | load average before / after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        memory = f"{r['rss_end_mb']:,.0f} MB" if r["rss_end_mb"] else "n/a"
        lines.append(
            f"| {r['processes']} | {r['finished']:,} "
            f"| {r['pages_per_s']:.1f} | {r['p50_s'] * 1000:,.0f} ms | {r['p95_s'] * 1000:,.0f} ms "
            f"| {len(r['errors'])} | {memory} | {r['load_before']:.1f} / {r['load_after']:.1f} |"
        )
    lines.append("")
    lines += [f"p95 by action, {r['processes']} process(es): {tail_words(r)}." for r in results]
    return "\n".join(lines)


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("give numbers of processes, e.g. 1,2,4") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("each number of processes must be at least 1")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument(
        "--think",
        type=_think,
        default=THINK_SECONDS,
        help="seconds a session reads a page between actions, low,high (default 3,10)",
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--label", default="", help="what the data is, e.g. '600,000 trials'")
    parser.add_argument(
        "--proxy",
        type=_counts,
        help="run through nginx with each of these numbers of processes, e.g. 1,2,4",
    )
    args = parser.parse_args(argv)
    if args.proxy:
        results = run_through_proxy(
            args.data_dir, args.proxy, args.sessions, args.seconds, args.think
        )
        text = proxy_table(results, args.label or str(args.data_dir))
        print(text)
        if not args.no_record:
            with RESULTS.open("a", encoding="utf-8") as out:
                out.write(f"\n{text}\n\n{describe_machine()}\n")
        return 0 if not any(r["errors"] for r in results) else 1
    port = free_port()
    server = start_server(args.data_dir, port)
    try:
        base = f"http://127.0.0.1:{port}"
        Session(base, Tally(), random.Random(0)).step()  # first load of the catalog
        result = run(base, args.sessions, args.seconds, server.pid, think=args.think)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    text = table(result, args.label or str(args.data_dir))
    print(text)
    for error in result["errors"][:20]:
        print("error:", error, file=sys.stderr)
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(f"\n{text}\n\n{describe_machine()}\n")
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

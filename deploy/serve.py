"""Start N dashboard processes and nginx in front of them, on one machine, as any user.

    python -m deploy.serve --data-dir /srv/trialfinder/data --processes 2 --port 8080

Everything nginx writes (its pid, logs, temp files and the three files
``deploy/nginx.conf`` includes) goes into a run folder (``--run-dir``, else a new
temporary one), so no root and no system nginx configuration is needed.

A process joins the proxy only when it is warm: its catalog is loaded, and the
find page and the map of the default view have run once in it (through the
process's own port, with Streamlit's agent API, which the proxy's public side
refuses). Until then the proxy does not know it exists, so no family waits for a
cold start. The launcher keeps watching: a process that exits is taken out of
the proxy, started again, warmed, and put back.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NGINX_CONF = Path(__file__).with_name("nginx.conf")
NGINX = Path("/usr/sbin/nginx")
START_TIMEOUT_S = 120.0
WARM_TIMEOUT_S = 300.0
#: The environment of a dashboard process (what is set already wins). glibc's
#: malloc raises its mmap threshold after each large free, and memory freed below
#: it stays with the process: a warm dashboard kept about 150 MB of arrays its
#: first pages had freed (benchmarks/RESULTS.md). A fixed 4 MiB threshold hands
#: every large array back to the system when freed; small ones are reused as before.
DASHBOARD_ENV = {"MALLOC_MMAP_THRESHOLD_": str(4 * 1024 * 1024)}
#: The place the warm-up's link is near (any city the gazetteer knows).
WARM_PLACE = "Hanoi"
#: The caches a warm process has filled (names as Streamlit's metrics give them).
WARM_CACHES = (
    "trialfinder.ui.data._keeper",
    "trialfinder.ui.sitemap._shared_map",
    "trialfinder.ui.sitemap._shared_picture",
)


class ServeError(RuntimeError):
    """Something the launcher could not do, in words for whoever runs it."""


def free_port(taken: Iterable[int] = ()) -> int:
    """A port nothing listens on now, and none of ``taken`` (ports chosen for
    listeners that have not started yet: the system may offer one again)."""
    avoid = set(taken)
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in avoid:
            return port


@dataclass
class Backend:
    """One dashboard process on its own port."""

    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        stop_group(self.process)


def stop_group(process: subprocess.Popen) -> None:
    """Stop a process and everything it started (its own process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


def dashboard_command(port: int, *extra: str) -> list[str]:
    """``streamlit run dashboard.py`` on 127.0.0.1:port, headless, with no file watcher
    and no usage statistics: how the proxy, the browser tests and the benchmarks start it."""
    return [
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
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        *extra,
    ]


def start_backend(data_dir: Path, port: int, log_dir: Path) -> Backend:
    """``streamlit run dashboard.py`` on 127.0.0.1:port, its output in the run folder."""
    log_path = log_dir / f"dashboard-{port}.log"
    env = {
        **DASHBOARD_ENV,
        **os.environ,
        "TRIALFINDER_DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
    }
    command = dashboard_command(port, "--server.enableAgentApi", "true")
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Backend(port, process, log_path)


def _get(url: str, timeout: float = 5.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8", errors="replace")


def wait_healthy(backend: Backend, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not backend.alive():
            raise ServeError(
                f"the dashboard on port {backend.port} exited at start; see {backend.log_path}"
            )
        try:
            if _get(f"{backend.url}/_stcore/health", timeout=2).strip() == "ok":
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ServeError(f"the dashboard on port {backend.port} did not answer within {timeout:.0f} s")


def interact(base: str, body: dict, timeout: float = WARM_TIMEOUT_S) -> dict:
    """One agent API call, waited for until the page is finished."""
    deadline = time.monotonic() + timeout
    while True:
        request = urllib.request.Request(
            f"{base}/_stcore/agent/interact",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:  # 202 is a success; others are not
            raise ServeError(f"{base} refused a warm-up page: HTTP {error.code}") from None
        if answer.get("status") in ("ready", "error") or time.monotonic() > deadline:
            return answer
        body = {"session_id": answer["session_id"]}  # still running: wait for it


def filled_caches(base: str) -> set[str]:
    """Which of the warm-up caches Streamlit's metrics say hold something."""
    filled = set()
    for line in _get(f"{base}/_stcore/metrics").splitlines():
        if line.startswith("cache_memory_bytes{") and 'cache_type="st_cache_resource"' in line:
            for name in WARM_CACHES:
                if f'cache="{name}"' in line and float(line.rsplit(" ", 1)[1]) > 0:
                    filled.add(name)
    return filled


def warm(backend: Backend) -> None:
    """Run the find page and the map once in this process, then check its caches."""
    wait_healthy(backend)
    first = interact(backend.url, {})
    if first.get("status") != "ready":
        raise ServeError(f"the find page failed while warming port {backend.port}")
    session = {"session_id": first["session_id"]}
    if interact(backend.url, {**session, "page": "map"}).get("status") != "ready":
        raise ServeError(f"the map failed while warming port {backend.port}")
    # A place in the link reads the gazetteer's index of city names (2-3 s to build):
    # built here, not by the first families to come with a place in their link.
    near = {**session, "page": "", "query_params": {"near": [WARM_PLACE]}}
    if interact(backend.url, near).get("status") != "ready":
        raise ServeError(f"the find page near a place failed while warming port {backend.port}")
    missing = set(WARM_CACHES) - filled_caches(backend.url)
    if missing:
        raise ServeError(
            f"port {backend.port} is not warm after its first pages: empty {sorted(missing)}"
        )


def _title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "shutting down"  # gone


@dataclass
class Proxy:
    """nginx from ``deploy/nginx.conf``, run from a folder of its own."""

    run_dir: Path
    public_port: int
    internal_port: int
    nginx: Path = NGINX
    started: bool = False

    @property
    def conf_dir(self) -> Path:
        return self.run_dir / "conf"

    def prepare(self) -> None:
        for folder in ("conf", "logs", "tmp"):
            (self.run_dir / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NGINX_CONF, self.conf_dir / "nginx.conf")
        (self.conf_dir / "public.listen.conf").write_text(
            f"listen 127.0.0.1:{self.public_port};\n", encoding="utf-8"
        )
        (self.conf_dir / "internal.listen.conf").write_text(
            f"listen 127.0.0.1:{self.internal_port};\n", encoding="utf-8"
        )

    def _nginx(self, *extra: str) -> None:
        command = [
            str(self.nginx),
            "-p",
            f"{self.run_dir}/",
            "-c",
            str(self.conf_dir / "nginx.conf"),
            "-e",
            str(self.run_dir / "logs" / "error.log"),
            *extra,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ServeError(f"nginx {' '.join(extra) or 'start'} failed: {done.stderr.strip()}")

    def route_to(self, ports: list[int]) -> None:
        """Send families to exactly these processes (written, checked, then loaded)."""
        if not ports:
            raise ServeError("no warm dashboard process to send families to")
        lines = "".join(f"server 127.0.0.1:{port};\n" for port in sorted(ports))
        target = self.conf_dir / "backends.conf"
        staged = target.with_suffix(".conf.new")
        staged.write_text(lines, encoding="utf-8")
        staged.replace(target)
        self._nginx("-t", "-q")
        if self.started:
            before = self._workers()
            self._nginx("-s", "reload")
            self._wait_reloaded(before)
        else:
            self._nginx()
            self.started = True

    def _master(self) -> int:
        return int((self.run_dir / "logs" / "nginx.pid").read_text().strip())

    def _workers(self) -> set[int]:
        master = self._master()
        try:
            found = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            return set()
        return {int(pid) for pid in found}

    def _wait_reloaded(self, before: set[int], timeout: float = 10.0) -> None:
        """Return once new workers serve and the old ones take no new connection.

        ``nginx -s reload`` only sends a signal; an old worker may still take a
        request for the old set of processes just after it. Old workers keep their
        open WebSockets until those close, with the title "shutting down".
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = self._workers()
            old_busy = [pid for pid in now & before if "shutting down" not in _title(pid)]
            if now - before and not old_busy:
                return
            time.sleep(0.05)
        raise ServeError(f"nginx did not take up its new configuration within {timeout:.0f} s")

    def routed_ports(self) -> list[int]:
        path = self.conf_dir / "backends.conf"
        if not path.exists():
            return []
        return [
            int(line.split(":")[1].rstrip(";"))
            for line in path.read_text().split()
            if line.startswith("127.0.0.1:")
        ]

    def stop(self) -> None:
        if self.started:
            self._nginx("-s", "quit")
            pid_file = self.run_dir / "logs" / "nginx.pid"
            deadline = time.monotonic() + 10
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.started = False


@dataclass
class Stack:
    """The proxy and its dashboard processes."""

    data_dir: Path
    processes: int
    run_dir: Path
    public_port: int
    internal_port: int
    backends: list[Backend] = field(default_factory=list)
    pending: list[Backend] = field(default_factory=list)
    proxy: Proxy | None = None
    say: Callable[[str], None] = print

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    @property
    def internal_url(self) -> str:
        return f"http://127.0.0.1:{self.internal_port}"

    def _ports(self) -> set[int]:
        """The ports this stack listens on, or will."""
        backends = [*self.backends, *self.pending]
        return {self.public_port, self.internal_port, *(b.port for b in backends)}

    def start(self) -> None:
        self.proxy = Proxy(self.run_dir, self.public_port, self.internal_port)
        self.proxy.prepare()
        # Start them all at once (most of a start is loading Python), then warm one
        # at a time: on a small machine, warm-ups side by side only slow each other.
        self.pending = []
        for _ in range(self.processes):
            port = free_port(self._ports())
            self.pending.append(start_backend(self.data_dir, port, self.run_dir / "logs"))
        while self.pending:
            self._join(self.pending[0])

    def _join(self, backend: Backend) -> None:
        """Warm a started process, then (and only then) route families to it."""
        started = time.monotonic()
        warm(backend)
        self.pending.remove(backend)
        self.backends.append(backend)
        self.proxy.route_to([b.port for b in self.backends if b.alive()])
        self.say(
            f"port {backend.port} warm in {time.monotonic() - started:.1f} s; "
            f"families now go to {len(self.proxy.routed_ports())} process(es)"
        )

    def replace_dead(self) -> None:
        """Take exited processes out of the proxy, start new ones, warm them, add them."""
        dead = [b for b in self.backends if not b.alive()]
        if not dead:
            return
        self.backends = [b for b in self.backends if b.alive()]
        if self.backends:
            self.proxy.route_to([b.port for b in self.backends])
        for gone in dead:
            self.say(f"port {gone.port} exited (code {gone.process.returncode}); starting another")
            fresh = start_backend(self.data_dir, free_port(self._ports()), self.run_dir / "logs")
            self.pending.append(fresh)
            self._join(fresh)

    def stop(self) -> None:
        if self.proxy:
            self.proxy.stop()
        for backend in [*self.backends, *self.pending]:
            backend.stop()

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="where families connect")
    parser.add_argument("--internal-port", type=int, default=8081, help="staff and load tests")
    parser.add_argument("--run-dir", type=Path, help="nginx's folder (default: a new temp one)")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if not args.data_dir.is_dir():
        parser.error(f"the data folder {args.data_dir} does not exist")
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="trialfinder-serve-"))
    stack = Stack(
        args.data_dir.resolve(), args.processes, run_dir.resolve(), args.port, args.internal_port
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with stack:
            print(f"serving on {stack.public_url} (run folder {run_dir}); Ctrl-C stops", flush=True)
            while True:
                time.sleep(2)
                stack.replace_dead()
    except ServeError as error:
        print(f"trialfinder serve: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

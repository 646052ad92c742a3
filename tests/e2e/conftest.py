"""Browser tests: one real ``streamlit run dashboard.py`` for the session, driven by Chromium.

The shape follows Streamlit's own ``e2e_playwright``: start the server, poll
``/_stcore/health``, and before every assertion wait until the app is connected
and its script is not running (``tests/e2e/helpers.py``).

Every test's browser context refuses, and records, any request that would leave
127.0.0.1; a test fails if there was one, or if the server logged a traceback
while it ran.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from deploy.serve import dashboard_command, free_port, stop_group
from tests.ui.trialdata import REPO, build_data_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT_S = 60
HEALTH_POLL_S = 0.2
#: Playwright's timeout for each wait and action, in ms.
TIMEOUT_MS = 20_000
# Assertions wait as long as actions: a loaded 2-core CI machine reruns a page in more
# than Playwright's default 5 s.
expect.set_options(timeout=TIMEOUT_MS)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Server:
    """A running dashboard: its base URL and its console log."""

    def __init__(self, url: str, log_path: Path) -> None:
        self.url = url
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


def _launch(data_dir: Path, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # No file watcher: other people edit the tree while the suite runs.
    command = dashboard_command(port)
    env = {**os.environ, "TRIALFINDER_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def running_server(data_dir: Path, log_path: Path) -> Iterator[Server]:
    """``streamlit run dashboard.py`` on a free local port, stopped on exit."""
    tries = 3  # the free port may be taken before streamlit binds it
    for _ in range(tries):
        process, url = _launch(data_dir, log_path)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while not _healthy(url):
                if process.poll() is not None:
                    break
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"streamlit not healthy after {SERVER_START_TIMEOUT_S}s:\n"
                        + log_path.read_text(errors="replace")
                    )
                time.sleep(HEALTH_POLL_S)
            else:
                yield Server(url, log_path)
                return
        finally:
            stop_group(process)
    pytest.fail(
        f"streamlit exited at start ({tries} tries):\n" + log_path.read_text(errors="replace")
    )


@pytest.fixture(scope="session")
def e2e_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_data_dir(tmp_path_factory.mktemp("e2e") / "data")


@pytest.fixture(scope="session")
def server(e2e_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The one server the session shares."""
    log_path = tmp_path_factory.mktemp("e2e-server") / "streamlit.log"
    with running_server(e2e_data_dir, log_path) as running:
        yield running


@pytest.fixture
def fresh_server(e2e_data_dir: Path, tmp_path: Path) -> Iterator[Server]:
    """A server no browser has opened yet (for what only a first visit shows)."""
    with running_server(e2e_data_dir, tmp_path / "streamlit.log") as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. "
            "Install it with `apt-get install -y chromium` (never `playwright install`)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Outside:
    """Every request a browser context tried to send beyond this machine (refused),
    and every dialog (alert, confirm, prompt) a page tried to open (dismissed)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []

    def watch_dialogs(self, page) -> None:
        def dismiss(dialog) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", dismiss)

    def guard(self, context) -> None:
        def route(route) -> None:
            url = route.request.url
            parts = urlsplit(url)
            local = parts.hostname in LOCAL_HOSTS
            if parts.scheme in ("http", "https", "ws", "wss") and not local:
                self.requests.append(url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", route)


@pytest.fixture
def outside() -> Outside:
    return Outside()


@pytest.fixture
def new_page(browser, outside: Outside, server: Server) -> Iterator[Callable[[], object]]:
    """Pages in fresh browser contexts: like a fresh browser, no cookies, no session."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        outside.guard(context)
        contexts.append(context)
        opened = context.new_page()
        outside.watch_dialogs(opened)
        return opened

    log_before = len(server.log())
    yield open_page
    for context in contexts:
        context.close()
    new_log = server.log()[log_before:]
    assert "Traceback" not in new_log, f"the server logged a traceback:\n{new_log}"
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"
    assert not outside.dialogs, f"a page opened a dialog: {outside.dialogs}"


@pytest.fixture
def page(new_page):
    return new_page()


#: A phone's screen, as the issues test it (CSS pixels).
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, outside: Outside, server: Server) -> Iterator[object]:
    """A page in a fresh phone-sized, touch browser context, checked like ``new_page``."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    outside.guard(context)
    log_before = len(server.log())
    opened = context.new_page()
    outside.watch_dialogs(opened)
    yield opened
    context.close()
    new_log = server.log()[log_before:]
    assert "Traceback" not in new_log, f"the server logged a traceback:\n{new_log}"
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"
    assert not outside.dialogs, f"a page opened a dialog: {outside.dialogs}"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a test keeps its screenshots to look at: $TRIALFINDER_SHOTS, else its tmp_path."""
    folder = Path(os.environ.get("TRIALFINDER_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder

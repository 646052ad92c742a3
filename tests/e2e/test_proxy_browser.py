"""The dashboard in Chromium through nginx, as ``deploy/serve.py`` runs it for families."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from deploy.serve import Stack
from tests.e2e.conftest import TIMEOUT_MS, Outside
from tests.e2e.helpers import (
    CARDS,
    EXCEPTION,
    MAP_PICTURE,
    interactive_map,
    open_view,
    settle,
)
from tests.support.proxy import routes, running_stack

pytestmark = pytest.mark.e2e

#: Every Content Security Policy violation the page reports, kept on the window.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""
PAGES = (
    "/?cond=cerebral+palsy",
    "/map?cond=cerebral+palsy",
    "/data",
    "/compare?ids=NCT07527104&ids=VINMEC-CP-BMMNC",
    "/trial?id=NCT07527104",
    "/handout?id=NCT07527104",
)


@pytest.fixture(scope="module")
def stack(e2e_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(e2e_data_dir, tmp_path_factory.mktemp("proxy-run"), processes=2) as running:
        yield running


@pytest.fixture
def proxied_page(browser, stack: Stack) -> Iterator[object]:
    outside = Outside()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    outside.guard(context)
    context.add_init_script(RECORD_VIOLATIONS)
    opened = context.new_page()
    outside.watch_dialogs(opened)
    logs_before = {b.port: len(b.log_path.read_text()) for b in stack.backends}
    yield opened
    context.close()
    for backend in stack.backends:
        new_log = backend.log_path.read_text()[logs_before[backend.port] :]
        assert "Traceback" not in new_log, new_log
    assert not outside.requests and not outside.dialogs


def test_the_find_page_works_through_the_proxy(proxied_page, stack: Stack) -> None:
    page = proxied_page
    sockets, responses = [], {}
    page.on("websocket", lambda socket: sockets.append(socket))
    page.on("response", lambda response: responses.setdefault(response.url, response))
    open_view(page, stack.public_url, "/?cond=cerebral+palsy")
    expect(page.locator(CARDS).first).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)

    # The WebSocket went through nginx and stays open (the app says CONNECTED).
    streams = [s for s in sockets if s.url.endswith("/_stcore/stream")]
    assert streams and streams[0].url.startswith(stack.public_url.replace("http", "ws"))
    assert not streams[0].is_closed()

    document = responses[f"{stack.public_url}/?cond=cerebral+palsy"].all_headers()
    assert document["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in document["content-security-policy"]
    assert "tf_route=" in document.get("set-cookie", "")

    shell = responses[f"{stack.public_url}/?cond=cerebral+palsy"].text()
    main_js = re.search(r'<script type="module" crossorigin src="\./([^"]+)"', shell).group(1)
    assert responses[f"{stack.public_url}/{main_js}"].all_headers()["content-encoding"] == "gzip"
    scripts = [r for url, r in responses.items() if url.endswith(".js")]
    big = [r for r in scripts if int(r.all_headers().get("content-length", 2048)) > 1024]
    assert big and all(r.all_headers().get("content-encoding") == "gzip" for r in big)

    # Every request of this visitor went to one process.
    served = routes(stack.run_dir / "logs" / "access.log")
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "tf_route")
    assert len(served[cookie]) == 1


def test_no_page_breaks_the_content_security_policy(proxied_page, stack: Stack) -> None:
    page = proxied_page
    for path in PAGES:
        open_view(page, stack.public_url, path)
        expect(page.locator(EXCEPTION)).to_have_count(0)
        if path == "/data":  # the charts drew (Vega, under the policy)
            expect(
                page.locator(
                    "[class*='st-key-chart-data-status'] svg, "
                    "[class*='st-key-chart-data-status'] canvas"
                ).first
            ).to_be_visible()
        if path.startswith("/map"):
            # the picture's outlines came through the proxy (static files, same origin)
            expect(page.locator(MAP_PICTURE)).to_be_visible()
            page.wait_for_function(
                "() => performance.getEntriesByType('resource').some(e =>"
                " e.name.includes('/app/static/maps/land-') && e.responseStatus === 200)"
            )
            interactive_map(page)  # deck.gl: WebGL and workers, under the policy
            expect(page.locator("#deckgl-overlay, canvas").first).to_be_attached()
        page.wait_for_timeout(500)  # late scripts and workers report too
        assert page.evaluate("window.__violations") == [], path


class _Framing(http.server.BaseHTTPRequestHandler):
    """Another site (another origin) that puts the dashboard in a frame."""

    target = ""

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        body = f'<iframe id="tf" src="{self.target}" width="800" height="600"></iframe>'
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


def test_another_site_cannot_frame_the_dashboard(proxied_page, stack: Stack) -> None:
    handler = type("Handler", (_Framing,), {"target": stack.public_url + "/follow"})
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        page = proxied_page
        page.goto(f"http://127.0.0.1:{site.server_address[1]}/")
        # The main page's load event waits for its frame's document, whatever it is.
        page.wait_for_load_state("load")
        (child,) = [frame for frame in page.frames if frame != page.main_frame]
        # Chromium shows its own error page in the frame instead of the dashboard.
        assert child.url.startswith("chrome-error://"), child.url
        assert child.child_frames == [] and child.locator("[data-testid=stApp]").count() == 0
        # The same page opened on its own works.
        open_view(page, stack.public_url, "/follow")
        settle(page)
    finally:
        site.shutdown()


def test_a_link_of_1500_conditions_opens_with_its_first_filters_and_a_notice(
    proxied_page, stack: Stack
) -> None:
    page = proxied_page
    junk = "&".join(f"cond=zz{i}" for i in range(1499))
    open_view(page, stack.public_url, f"/?cond=cerebral+palsy&{junk}&age=4")
    expect(page.locator(EXCEPTION)).to_have_count(0)
    notice = page.locator("[class*='st-key-link-notice']")
    expect(notice).to_contain_text("past its first 1,000 parts")
    # The link's first filters hold: cerebral palsy trials, not every trial.
    expect(page.locator(CARDS).first).to_be_visible()
    assert "NCT07527104" in " ".join(page.locator(CARDS).all_inner_texts())

"""The deployment the README describes, run for real: nginx in front of dashboard processes."""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.cookiejar
import http.server
import json
import os
import re
import signal
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.serve import NGINX_CONF, Proxy, Stack, free_port
from tests.support.proxy import get, routes, running_stack
from tests.ui.trialdata import REPO, build_data_dir
from trialfinder.i18n import LANGUAGES
from trialfinder.ui.page import lang_script

README = REPO / "README.md"
WARM_CACHES = ("trialfinder.ui.data._keeper", "trialfinder.ui.sitemap._shared_map")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_data_dir(tmp_path_factory.mktemp("deploy") / "data")


@pytest.fixture(scope="module")
def stack(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(data_dir, tmp_path_factory.mktemp("run"), processes=2) as running:
        yield running


def _filled(port: int) -> set[str]:
    _, _, body = get(f"http://127.0.0.1:{port}/_stcore/metrics")
    filled = set()
    for name in WARM_CACHES:
        pattern = rf'^cache_memory_bytes\{{[^}}]*cache="{re.escape(name)}"[^}}]*\}} ([0-9.e+]+)$'
        found = re.search(pattern, body.decode(), re.MULTILINE)
        if found and float(found.group(1)) > 0:
            filled.add(name)
    return filled


def _readme_nginx_block() -> str:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 1, "the README shows exactly one nginx configuration"
    return blocks[0]


def test_the_readme_shows_the_config_nginx_runs(stack: Stack) -> None:
    shipped = NGINX_CONF.read_text(encoding="utf-8")
    assert _readme_nginx_block() == shipped
    assert (stack.run_dir / "conf" / "nginx.conf").read_text(encoding="utf-8") == shipped


def test_every_process_is_warm_before_the_proxy_sends_it_families(stack: Stack) -> None:
    routed = stack.proxy.routed_ports()
    assert sorted(routed) == sorted(b.port for b in stack.backends) and len(routed) == 2
    for port in routed:
        assert _filled(port) == set(WARM_CACHES), f"port {port} joined the proxy cold"
    # Warm-ups went to each process's own port: the proxy itself had served nothing.
    assert routes(stack.run_dir / "logs" / "access.log") == {}


def test_the_public_side_hides_metrics_and_the_agent_api(stack: Stack) -> None:
    for path in ("/_stcore/metrics", "/%5Fstcore/metrics", "/_stcore//metrics"):
        status, _, _ = get(stack.public_url + path)
        assert status == 404, path
    request = urllib.request.Request(
        stack.public_url + "/_stcore/agent/interact",
        data=b"{}",
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 404
    status, _, body = get(stack.internal_url + "/_stcore/metrics")
    assert status == 200 and b"active_sessions" in body


def test_every_page_carries_frame_protection_and_a_content_policy(stack: Stack) -> None:
    for path in ("/", "/map?cond=cerebral+palsy", "/trial?id=NCT07527104"):
        status, headers, _ = get(stack.public_url + path)
        assert status == 200
        assert headers["x-frame-options"] == "DENY"
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
        assert headers["x-content-type-options"] == "nosniff"


def test_javascript_is_sent_compressed_and_arrives_whole(stack: Stack) -> None:
    _, _, page = get(stack.public_url + "/")
    main_js = re.search(rb'src="\./(static/js/index\.[^"]+\.js)"', page).group(1).decode()
    status, headers, body = get(f"{stack.public_url}/{main_js}", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    _, _, plain = get(f"{stack.backends[0].url}/{main_js}")
    assert gzip.decompress(body) == plain and len(body) < len(plain) / 2
    _, headers, _ = get(f"{stack.public_url}/{main_js}")  # a client that cannot unzip
    assert "content-encoding" not in headers


def _interact(opener: urllib.request.OpenerDirector, base: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{base}/_stcore/agent/interact",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with opener.open(request, timeout=120) as response:
        return json.loads(response.read())


def test_each_visitor_stays_on_one_process_and_visitors_spread(stack: Stack) -> None:
    log = stack.run_dir / "logs" / "access.log"
    before = set(routes(log))
    for visitor in range(12):
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        first = _interact(opener, stack.internal_url, {"query_params": {"age": ["4y"]}})
        assert first["status"] == "ready", visitor
        # A session exists in one process only: a later call elsewhere would fail.
        for change in ({"page": "map"}, {"page": "", "query_params": {"age": ["6y"]}}):
            answer = _interact(
                opener, stack.internal_url, {"session_id": first["session_id"], **change}
            )
            assert answer["status"] == "ready" and answer["session_id"] == first["session_id"]
    # A first call has no cookie: its route is its own request id, which the proxy
    # then sets as the cookie, so one visitor is one route in the log.
    interactions = routes(log, "/_stcore/agent/interact")
    served = {route: ups for route, ups in interactions.items() if route not in before}
    assert len(served) == 12
    assert all(len(ups) == 1 for ups in served.values()), served
    assert len(set().union(*served.values())) == 2, "every visitor went to the same process"


def test_a_process_that_exits_is_replaced_by_a_warm_one(data_dir: Path, tmp_path: Path) -> None:
    with running_stack(data_dir, tmp_path / "run", processes=1) as stack:
        (old,) = stack.backends
        os.killpg(old.process.pid, signal.SIGKILL)
        old.process.wait(timeout=10)
        stack.replace_dead()
        (new,) = stack.backends
        assert new.port != old.port and stack.proxy.routed_ports() == [new.port]
        assert _filled(new.port) == set(WARM_CACHES)
        status, _, _ = get(stack.public_url + "/_stcore/health")
        assert status == 200


def test_a_link_of_1500_conditions_reaches_the_dashboard(stack: Stack) -> None:
    link = "/?" + "&".join(f"cond=palsy+{i}" for i in range(1500)) + "&age=4"
    assert len(link) > 16_000  # past nginx's default line of 8 KB
    status, _, body = get(stack.public_url + link)
    assert status == 200 and b"<noscript>" in body  # the dashboard's own page


def test_a_link_too_long_for_the_proxy_says_so_in_plain_words(stack: Stack) -> None:
    status, headers, body = get(stack.public_url + "/?" + "cond=x&" * 20_000)
    assert status == 414
    assert headers["content-type"].startswith("text/plain")
    said = body.decode("utf-8")
    assert "This link is too long to open" in said
    assert "Đường dẫn này quá dài" in said
    assert "nginx" not in said


class _Echo(http.server.BaseHTTPRequestHandler):
    """A stand-in dashboard that keeps the headers the proxy sent it."""

    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        _Echo.seen.append({k.lower(): v for k, v in self.headers.items()})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_dashboard_hears_the_address_the_proxy_saw_not_one_sent(tmp_path: Path) -> None:
    """The follow limits count a client by X-Real-IP (ui/follow.py): a visitor who
    sends their own must not choose whom they count as."""
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    public = free_port()
    proxy = Proxy(run_dir=tmp_path / "run", public_port=public, internal_port=free_port({public}))
    proxy.prepare()
    try:
        proxy.route_to([backend.server_address[1]])
        forged = {"X-Real-IP": "203.0.113.9", "X-Forwarded-For": "203.0.113.9"}
        status, _, _ = get(f"http://127.0.0.1:{proxy.public_port}/", forged)
        assert status == 200
    finally:
        proxy.stop()
        backend.shutdown()
    heard = _Echo.seen[-1]
    assert heard["x-real-ip"] == "127.0.0.1"
    assert heard["x-forwarded-for"].split(",")[-1].strip() == "127.0.0.1"


def test_the_policy_allows_the_script_that_names_each_pages_language() -> None:
    """Every language's ``<html lang>`` line (and only inline scripts known by hash) may
    run: a language added without its hash would leave screen readers reading it as
    English on the public site."""
    policy = re.search(r'Content-Security-Policy "([^"]+)"', NGINX_CONF.read_text()).group(1)
    allowed = set(re.findall(r"'sha256-([^']+)'", policy))
    for lang in LANGUAGES:
        digest = hashlib.sha256(lang_script(lang).encode("utf-8")).digest()
        assert base64.b64encode(digest).decode() in allowed, lang
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_a_backend_never_gets_a_port_chosen_for_the_proxy(monkeypatch) -> None:
    """The system may offer a port again until something listens on it: nginx
    binds its ports after the backends start, so theirs must differ."""
    from deploy import serve

    offered = iter([5001, 5002, 5003])

    class Socket:
        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            return None

        def bind(self, address) -> None:
            self.port = next(offered)

        def getsockname(self):
            return ("127.0.0.1", self.port)

    monkeypatch.setattr(serve.socket, "socket", Socket)
    assert serve.free_port({5001, 5002}) == 5003

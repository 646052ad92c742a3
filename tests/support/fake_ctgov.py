"""A local stand-in for ClinicalTrials.gov's API v2 ``/studies``, with faults on demand.

It serves real pages (``{"studies": [...], "nextPageToken": ..., "totalCount": ...}``)
from a list of studies on 127.0.0.1, on a free port, in a thread. It records every
request and answers 400 when a later page's parameters differ from the first
page's (as the real API requires them to be the same, but for pageToken,
pageSize and countTotal).

Faults are queued per page: ``server.fail(2, "500", "drop")`` makes the first
request for page 2 answer 500 and the second drop the connection; the third is
served. ``server.always(3, "stall")`` applies to every request for page 3.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FAULTS = (
    "500",  # Internal Server Error
    "503",  # Service Unavailable with Retry-After: 0
    "429",  # Too Many Requests with Retry-After (seconds: server.retry_after)
    "429-date",  # Too Many Requests with Retry-After as an HTTP date, one second ahead
    "slow",  # answers only after server.slow_seconds (past the client's timeout)
    "truncated",  # Content-Length says more than is sent; the connection then closes
    "invalid-json",  # 200 with a body that is not JSON
    "drop",  # the connection closes with no answer at all
    "repeat-token",  # a page whose nextPageToken is the token it was asked with
    "stall",  # no answer until the server is closed (for a process to be killed)
    "bad-request",  # 400, as the API answers a query it cannot read
    # hostile answers (issue 23)
    "drip",  # 200 whose body comes one byte every server.drip_seconds
    "drip-headers",  # headers that come one byte every server.drip_seconds, never ending
    "deep",  # 200 whose body is "[" x 100,000
    "redirect-away",  # 301 to the same path on server.redirect_to (another origin)
    "redirect-home",  # 302 to the same URL on this server
    "retry-after-huge",  # 429 with Retry-After: 999999
    "huge",  # 200 whose body is server.huge_bytes of JSON whitespace and more
)
_SAME_EXCEPT = {"pageToken", "pageSize", "countTotal"}


@dataclass
class Seen:
    """One request as the server saw it."""

    page: int
    params: dict[str, str]
    at: float
    headers: dict[str, str] = field(default_factory=dict)


class FakeCtgov:
    def __init__(self, studies: list[dict], *, empty_last_page: bool = False) -> None:
        self.studies = list(studies)
        self.empty_last_page = empty_last_page
        #: totalCount to claim, when not len(studies).
        self.total_count: int | None = None
        self.retry_after = "1"
        self.slow_seconds = 1.0
        self.drip_seconds = 0.5
        #: Where "redirect-away" sends the client (another origin).
        self.redirect_to = "http://127.0.0.2:9"
        self.huge_bytes = 3_000_000
        #: Every page has a new nextPageToken, and no totalCount is given: paging never ends.
        self.endless = False
        self.requests: list[Seen] = []
        self._queued: dict[int, list[str]] = {}
        self._always: dict[int, str] = {}
        self._first: dict[str, str] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._page_seen: dict[int, threading.Event] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- control

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/v2"

    def start(self) -> FakeCtgov:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeCtgov:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fail(self, page: int, *faults: str) -> None:
        for fault in faults:
            assert fault in FAULTS, fault
        self._queued.setdefault(page, []).extend(faults)

    def always(self, page: int, fault: str) -> None:
        assert fault in FAULTS, fault
        self._always[page] = fault

    def clear_faults(self) -> None:
        self._queued.clear()
        self._always.clear()

    def seen(self, page: int) -> threading.Event:
        """Set once a request for ``page`` arrived."""
        with self._lock:
            return self._page_seen.setdefault(page, threading.Event())

    def pages_asked(self) -> list[int]:
        return [r.page for r in self.requests]

    # -- paging

    @staticmethod
    def token(page: int) -> str:
        return f"tok-{page:04d}-{page * 7919 % 10007:05d}"

    def _page(self, params: dict[str, str]) -> int:
        token = params.get("pageToken")
        if token is None:
            return 1
        return int(token.split("-")[1])

    def _body(self, page: int, size: int, params: dict[str, str]) -> dict:
        chunk = self.studies[(page - 1) * size : page * size]
        pages = max(1, -(-len(self.studies) // size))
        body: dict = {"studies": chunk}
        if page < pages or (self.empty_last_page and page == pages) or self.endless:
            body["nextPageToken"] = self.token(page + 1)
        if params.get("countTotal") == "true" and not self.endless:
            body["totalCount"] = (
                self.total_count if self.total_count is not None else len(self.studies)
            )
        return body

    # -- the handler

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # quiet
                pass

            def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != "/api/v2/studies":
                    self._send(404, b"not found")
                    return
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                page = fake._page(params)
                with fake._lock:
                    fake.requests.append(
                        Seen(page, params, time.monotonic(), dict(self.headers.items()))
                    )
                    fixed = {k: v for k, v in params.items() if k not in _SAME_EXCEPT}
                    if fake._first is None:
                        fake._first = fixed
                    differs = fixed != fake._first
                    queue = fake._queued.get(page) or []
                    fault = queue.pop(0) if queue else fake._always.get(page)
                    event = fake._page_seen.setdefault(page, threading.Event())
                event.set()
                if differs:
                    self._send(400, b"parameters differ from the first page's")
                    return
                size = min(int(params.get("pageSize") or 10), 1000)
                body = fake._body(page, size, params)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer(fault, page, params, body)

            def _answer(self, fault: str | None, page: int, params: dict, body: dict) -> None:
                payload = json.dumps(body).encode("utf-8")
                if fault == "500":
                    self._send(500, b"Internal Server Error")
                elif fault == "503":
                    self._send(503, b"Service Unavailable", {"Retry-After": "0"})
                elif fault == "429":
                    self._send(429, b"Too Many Requests", {"Retry-After": fake.retry_after})
                elif fault == "429-date":
                    when = formatdate(time.time() + 1, usegmt=True)
                    self._send(429, b"Too Many Requests", {"Retry-After": when})
                elif fault == "bad-request":
                    self._send(400, b"Unknown parameter: query.cnd")
                elif fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                elif fault == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                elif fault == "invalid-json":
                    self._send(200, payload[: len(payload) // 2] + b"<html>")
                elif fault == "repeat-token":
                    body["nextPageToken"] = params.get("pageToken") or fake.token(page + 1)
                    self._send(200, json.dumps(body).encode("utf-8"))
                elif fault == "slow":
                    fake._stop.wait(fake.slow_seconds)
                    self._send(200, payload)
                elif fault == "drip":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    for byte in payload:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        if fake._stop.wait(fake.drip_seconds):
                            break
                    self.close_connection = True
                elif fault == "drip-headers":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    while not fake._stop.wait(fake.drip_seconds):
                        self.wfile.write(b"X")
                        self.wfile.flush()
                    self.close_connection = True
                elif fault == "deep":
                    self._send(200, b"[" * 100_000)
                elif fault == "redirect-away":
                    self._send(301, b"", {"Location": fake.redirect_to + self.path})
                elif fault == "redirect-home":
                    self._send(302, b"", {"Location": self.path})
                elif fault == "retry-after-huge":
                    self._send(429, b"Too Many Requests", {"Retry-After": "999999"})
                elif fault == "huge":
                    self._send(200, payload[:-1] + b" " * fake.huge_bytes + b"}")
                elif fault == "stall":
                    fake._stop.wait(120)
                    self.close_connection = True
                else:
                    self._send(200, payload)

        return Handler

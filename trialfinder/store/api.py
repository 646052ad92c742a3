"""The ClinicalTrials.gov API v2 ``/studies`` pages, fetched within bounds.

A page is tried again (tenacity) on what may pass: connection errors, timeouts,
HTTP 429 and 5xx, a body cut short or not JSON, with exponential backoff and
jitter, or the wait ``Retry-After`` (seconds or an HTTP date) asks for when it
asks for no more than ``max_retry_after``; a longer one ends the pull at once.
Each try has a whole-page deadline (a body sent a byte at a time cannot hold it
up), the body a size cap, and JSON nested too deeply is a bad body, not a
crash; redirects are followed only within the API's own origin; a pull stops
past ``max_pages`` pages or ``max_studies`` studies. After the last try the
refresh fails, naming the URL, the page and the error.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests
import requests.adapters
import tenacity
import urllib3
import urllib3.connection

from trialfinder import __version__
from trialfinder.sources import ctgov
from trialfinder.sources.files import Limits, megabytes
from trialfinder.sources.text import TooDeep, clean_text

DEFAULT_API_URL = "https://clinicaltrials.gov/api/v2"
USER_AGENT = f"trialfinder/{__version__} (clinical trial finder; refresh) python-requests"


@dataclass
class Settings:
    """How the refresh talks to the API. The defaults suit the public API."""

    api_url: str = DEFAULT_API_URL
    page_size: int = 1000
    connect_timeout: float = 10.0
    #: Seconds for a whole page to arrive (however slowly its bytes come).
    read_timeout: float = 120.0
    #: Tries after the first one, per page.
    retries: int = 6
    #: The first wait before a try again, doubled each time (with jitter) ...
    backoff: float = 2.0
    #: ... up to this.
    max_backoff: float = 120.0
    #: A Retry-After asking for longer than this ends the pull (try later).
    max_retry_after: float = 120.0
    #: At least this many seconds from one request to the next.
    interval: float = 0.3
    #: Studies that fail parse_study the pull may hold and still be published.
    max_invalid: int = 0
    #: A pull stops past this many pages ...
    max_pages: int = 2_000
    #: ... or this many studies (the whole registry is about 600,000).
    max_studies: int = 2_000_000
    #: One page's body is refused past this many bytes.
    max_page_bytes: int = field(default_factory=lambda: Limits.from_env().file_bytes)
    #: One study, as stored, is refused past this many bytes.
    max_record_bytes: int = field(default_factory=lambda: Limits.from_env().record_bytes)
    #: Redirects followed for one request (within the API's own origin only).
    max_redirects: int = 5
    user_agent: str = USER_AGENT

    def check(self) -> None:
        parts = urlsplit(self.api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"--api-url {self.api_url!r}: expected http(s)://host/path, like {DEFAULT_API_URL}"
            )


class RefreshError(Exception):
    """The refresh of a source failed; the message says why.

    The source's data is unchanged, unless ``published`` (the new data is in
    place but its change report could not be written).
    """

    def __init__(self, message: str, published: bool = False) -> None:
        super().__init__(message)
        self.published = published


@dataclass
class Page:
    number: int
    studies: list
    #: The API's count of all studies (first page only).
    total: int | None
    token: str | None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds to wait: a number of seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _describe(error: Exception) -> str:
    """What went wrong, in one short line (requests' own messages repeat the URL)."""
    if isinstance(error, requests.Timeout):
        return f"timed out ({error.__class__.__name__})"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return f"the body was cut short ({_innermost(error)})"
    if isinstance(error, requests.ConnectionError):
        return f"connection error: {_innermost(error)}"
    return f"{error.__class__.__name__}: {_innermost(error)}"


def _innermost(error: BaseException) -> str:
    """The reason inside requests' and urllib3's wrappers."""
    inner: object = error
    for _ in range(4):
        args = getattr(inner, "args", ())
        reason = getattr(inner, "reason", None)
        if isinstance(reason, BaseException):
            inner = reason
        elif args and isinstance(args[-1], BaseException):
            inner = args[-1]
        else:
            break
    if isinstance(inner, BaseException):
        return f"{inner.__class__.__name__}: {inner}" if str(inner) else inner.__class__.__name__
    return str(inner)


class _Passing(Exception):
    """A try that failed in a way that may pass: tried again (tenacity), up to the last try."""

    def __init__(self, what: str, wait: float | None = None) -> None:
        super().__init__(what)
        self.what = what
        #: What the API's Retry-After asked for, when it did.
        self.wait = wait


def _same_origin(a: str, b: str) -> bool:
    one, two = urlsplit(a), urlsplit(b)
    return (one.scheme, one.hostname, one.port) == (two.scheme, two.hostname, two.port)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _Watch:
    """The socket of the request under way, for a timer to cut at the page's deadline."""

    def __init__(self) -> None:
        self.sock: socket.socket | None = None
        self.fired = False
        self.lock = threading.Lock()

    def seen(self, sock: socket.socket | None) -> None:
        with self.lock:
            self.sock = sock
            if self.fired:
                self._shut()

    def cut(self) -> None:
        with self.lock:
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)


#: The watch of the request this thread is making (set by Client._try).
_CURRENT = threading.local()


class _Watched:
    """A connection that shows its socket to the request's watch once the request is sent."""

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        watch = getattr(_CURRENT, "watch", None)
        if watch is not None:
            watch.seen(getattr(self, "sock", None))
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter, its connections watched (see :class:`_Watch`)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class Client:
    """Pages of ``/studies``, each fetched with retries (tenacity), within bounds.

    A page is tried up to 1 + ``retries`` times on what may pass (connection
    errors, timeouts, HTTP 429 and 5xx, a body cut short or not JSON), with
    exponential backoff and jitter, or the wait the API's Retry-After asks for
    when it asks for no more than ``max_retry_after``; a longer one ends the
    pull at once. Each try has a whole-page deadline (``read_timeout``: a body
    sent a byte at a time cannot hold it up longer) and a size cap; redirects
    are followed only within the API's own origin; a pull stops at
    ``max_pages`` pages or ``max_studies`` studies.
    """

    def __init__(
        self,
        settings: Settings,
        session: requests.Session | None = None,
        note: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _WatchedAdapter())
        self.session.headers["User-Agent"] = settings.user_agent
        self.session.headers["Accept"] = "application/json"
        self.note = note or (lambda text: None)
        self.sleep = sleep
        self.clock = clock
        self._last_request: float | None = None
        self.url = settings.api_url.rstrip("/") + "/studies"
        self.requests = 0

    def pages(self, params: dict[str, str]) -> Iterator[Page]:
        """Every page for ``params``, until one has no nextPageToken."""
        s = self.settings
        token: str | None = None
        seen: set[str] = set()
        number = 0
        studies = 0
        total: int | None = None
        while True:
            number += 1
            query: dict[str, str] = dict(params)
            query["format"] = "json"
            query["pageSize"] = str(s.page_size)
            if token is None:
                query["countTotal"] = "true"
            else:
                query["pageToken"] = token
            if number > s.max_pages:
                raise RefreshError(
                    f"{self._where(query, number)}: more than {s.max_pages:,} pages; the pull is "
                    "stopped (raise --max-pages if the source is really this large)"
                )
            data = self.get(query, number)
            if number == 1 and isinstance(data.get("totalCount"), int):
                total = data["totalCount"]
            studies += len(data["studies"])
            if studies > s.max_studies:
                raise RefreshError(
                    f"{self._where(query, number)}: more than {s.max_studies:,} studies; the "
                    "pull is stopped (raise --max-studies if the source is really this large)"
                )
            token = data.get("nextPageToken") or None
            yield Page(number, data["studies"], total if number == 1 else None, token)
            if token is None:
                return
            if token in seen:
                raise RefreshError(
                    f"{self._where(query, number)}: the API gave a nextPageToken it had "
                    f"given before ({token[:40]!r}); paging would never end"
                )
            seen.add(token)
            if total is not None and number > 2 * (total // s.page_size + 1) + 10:
                raise RefreshError(
                    f"{self._where(query, number)}: {number} pages for {total:,} studies; "
                    "the paging does not end"
                )

    def _where(self, query: dict[str, str], number: int) -> str:
        return f"page {number} of {self.url}?{urlencode(query)}"

    def _pace(self) -> None:
        if self._last_request is not None:
            wait = self._last_request + self.settings.interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_request = self.clock()

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """Before the next try: the Retry-After asked for, else backoff with jitter."""
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, _Passing) and error.wait is not None:
            return error.wait
        s = self.settings
        attempt = state.attempt_number
        return min(s.max_backoff, s.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)

    def get(self, query: dict[str, str], number: int) -> dict:
        """One page as JSON, tried up to 1 + retries times; RefreshError after the last."""
        tries = self.settings.retries + 1

        def before_sleep(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome is not None else None
            wait = state.upcoming_sleep
            self.note(
                f"page {number}: {getattr(error, 'what', error)}; trying again in {wait:.1f} s "
                f"(try {state.attempt_number + 1} of {tries})"
            )

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(tries),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Passing),
            before_sleep=before_sleep,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            return retrying(self._try, query, number)
        except _Passing as last:
            raise RefreshError(
                f"{self._where(query, number)}: gave up after {tries} "
                f"{'try' if tries == 1 else 'tries'}; the last error: {last.what}"
            ) from None

    def _try(self, query: dict[str, str], number: int) -> dict:
        """One try: the page, or _Passing (try again), or RefreshError (do not).

        A timer cuts the connection at the page's deadline, whatever it is waiting
        for (headers or body sent a byte at a time: a socket's own timeout is per read).
        """
        s = self.settings
        self._pace()
        watch = _Watch()
        timer = threading.Timer(s.read_timeout, watch.cut)
        timer.daemon = True
        _CURRENT.watch = watch
        timer.start()
        try:
            return self._hops(query, number, self.clock() + s.read_timeout)
        except _Passing:
            if watch.fired:
                raise _Passing(
                    f"timed out: the page did not arrive whole within {s.read_timeout:g} s"
                ) from None
            raise
        finally:
            timer.cancel()
            _CURRENT.watch = None

    def _hops(self, query: dict[str, str], number: int, deadline: float) -> dict:
        """The request, and its redirects within the API's origin."""
        s = self.settings
        url, params = self.url, dict(query)
        for _hop in range(s.max_redirects + 1):
            self.requests += 1
            try:
                response = self.session.get(
                    url,
                    params=params,
                    timeout=(s.connect_timeout, s.read_timeout),
                    stream=True,
                    allow_redirects=False,
                )
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as error:
                raise _Passing(_describe(error)) from None
            except requests.RequestException as error:
                raise RefreshError(f"{self._where(query, number)}: {_describe(error)}") from None
            with response:
                if response.is_redirect:
                    target = urljoin(response.url, response.headers.get("Location", ""))
                    if not _same_origin(target, self.url):
                        raise RefreshError(
                            f"{self._where(query, number)}: the API redirected to "
                            f"{_origin(target)}, another site; a refresh follows redirects "
                            f"only within {_origin(self.url)} (check --api-url)"
                        )
                    url, params = target, None
                    continue
                return self._answer(response, query, number, deadline)
        raise RefreshError(
            f"{self._where(query, number)}: more than {s.max_redirects} redirects; not followed"
        )

    def _answer(
        self, response: requests.Response, query: dict[str, str], number: int, deadline: float
    ) -> dict:
        s = self.settings
        status = response.status_code
        if status == 200:
            body = self._body(response, deadline, query, number)
            data, problem = _page_json(body)
            if data is None:
                raise _Passing(problem)
            return data
        if status == 429 or status >= 500:
            what = f"HTTP {status} {response.reason or ''}".rstrip()
            header = response.headers.get("Retry-After")
            wait = retry_after_seconds(header)
            if wait is not None:
                what += f" (Retry-After: {header[:40]})"
                if wait > s.max_retry_after:
                    raise RefreshError(
                        f"{self._where(query, number)}: {what}: the API asks to wait "
                        f"{wait:,.0f} s, more than the {s.max_retry_after:,.0f} s a refresh "
                        "waits (--max-retry-after); try again later"
                    )
            raise _Passing(what, wait)
        text = self._body(response, deadline, query, number, limit=4096, strict=False)
        shown = clean_text(text.decode("utf-8", "replace")).strip().replace("\n", " ")[:300]
        raise RefreshError(
            f"{self._where(query, number)}: HTTP {status} {response.reason or ''}: "
            f"{shown or 'no message'} (not tried again: the request itself is "
            "refused; check the source's params)"
        )

    def _body(
        self,
        response: requests.Response,
        deadline: float,
        query: dict[str, str],
        number: int,
        limit: int | None = None,
        strict: bool = True,
    ) -> bytes:
        """The body, read as it comes, within the page's deadline and size cap."""
        cap = self.settings.max_page_bytes if limit is None else limit
        chunks: list[bytes] = []
        got = 0
        try:
            while True:
                if self.clock() > deadline:
                    raise _Passing(
                        f"timed out: the page did not arrive whole within "
                        f"{self.settings.read_timeout:g} s ({got:,} bytes arrived)"
                    )
                chunk = response.raw.read1(1 << 16, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
                if got > cap:
                    if not strict:
                        break
                    raise RefreshError(
                        f"{self._where(query, number)}: the page is larger than "
                        f"{megabytes(cap)}; not read (raise $TRIALFINDER_MAX_FILE_MB if "
                        "pages this large are real)"
                    )
        except (urllib3.exceptions.HTTPError, OSError) as error:
            if isinstance(error, urllib3.exceptions.ReadTimeoutError | TimeoutError):
                raise _Passing(f"timed out ({error.__class__.__name__})") from None
            raise _Passing(f"the body was cut short ({_innermost(error)})") from None
        return b"".join(chunks)


def _page_json(body: bytes) -> tuple[dict | None, str]:
    """(the page, "") or (None, what is wrong with it)."""
    try:
        data = ctgov.parse_json_text(body.decode("utf-8"))
    except ValueError as error:
        return None, f"the body is not valid JSON ({error}; {len(body):,} bytes arrived)"
    except (RecursionError, TooDeep):
        return None, f"the body is not usable JSON: nested too deeply ({len(body):,} bytes)"
    if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
        return None, 'the body is JSON but not a page of studies (no "studies" list)'
    token = data.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        return None, "the page's nextPageToken is not text"
    return data, ""

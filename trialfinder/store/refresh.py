"""``trialfinder refresh``: pull the sources named in ``sources.yaml`` from the
ClinicalTrials.gov API v2 and publish each one whole, or not at all.

The pull pages through ``/studies`` (``pageSize`` up to 1,000, the same
parameters on every page plus the previous page's ``nextPageToken``) until a
page has no token. Each page is written to disk as it arrives (a pull may be
the whole registry: no more than one page is ever held in memory) into a new
generation beside the current data (:mod:`trialfinder.store.publish`); every study is
checked with :func:`~trialfinder.sources.ctgov.parse_study` on the way. Only
when every page arrived and checked out is the generation swapped in.

Requests are paced (``interval`` between two) and retried with exponential
backoff and jitter on connection errors, timeouts, HTTP 429 and 5xx, and a body
cut short or not JSON; ``Retry-After`` (seconds or an HTTP date) is honoured.
After the last try the refresh fails, naming the URL, the page and the error.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode, urlsplit

import requests
import yaml

from trialfinder import __version__
from trialfinder.errors import DataError, DataProblem
from trialfinder.sources import ctgov
from trialfinder.store.changes import ChangeReport, compare, now_utc, save_report
from trialfinder.store.layout import IMPORTED, NCT_ID, SOURCE_NAME, encode_study
from trialfinder.store.publish import Staging, utc_stamp

DEFAULT_API_URL = "https://clinicaltrials.gov/api/v2"
SOURCES_FILE = "sources.yaml"
USER_AGENT = f"trialfinder/{__version__} (clinical trial finder; refresh) python-requests"
#: The pull may come out this much short of the API's own count (records the
#: registry changes while a long pull runs) before it is refused as incomplete.
COUNT_ALLOWANCE = 0.01

# --------------------------------------------------------------------- sources

#: /studies parameters a source may set (API v2, OpenAPI 2.0.5), and which are lists.
QUERY_PARAMS = (
    "query.cond",
    "query.term",
    "query.locn",
    "query.titles",
    "query.intr",
    "query.outc",
    "query.spons",
    "query.lead",
    "query.id",
    "query.patient",
)
LIST_PARAMS = (
    "filter.overallStatus",
    "filter.ids",
    "filter.synonyms",
    "postFilter.overallStatus",
    "postFilter.ids",
    "postFilter.synonyms",
    "sort",
)
TEXT_PARAMS = (
    *QUERY_PARAMS,
    "filter.geo",
    "filter.advanced",
    "postFilter.geo",
    "postFilter.advanced",
    "aggFilters",
    "geoDecay",
)
#: Set by the refresh itself: a source may not.
RESERVED_PARAMS = {
    "format": "the refresh asks for JSON",
    "markupFormat": "the refresh keeps the API's default (markdown)",
    "fields": "the refresh stores whole records; the catalog needs every module",
    "pageSize": "give --page-size instead",
    "pageToken": "the refresh pages by itself",
    "countTotal": "the refresh asks for the count on the first page",
}
STATUSES = (
    "ACTIVE_NOT_RECRUITING",
    "COMPLETED",
    "ENROLLING_BY_INVITATION",
    "NOT_YET_RECRUITING",
    "RECRUITING",
    "SUSPENDED",
    "TERMINATED",
    "WITHDRAWN",
    "AVAILABLE",
    "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING",
    "WITHHELD",
    "UNKNOWN",
)
_IDS = r"^[Nn][Cc][Tt]0*[1-9]\d{0,7}$"
_GEO = r"^distance\(-?\d+(\.\d+)?,-?\d+(\.\d+)?,\d+(\.\d+)?(km|mi)?\)$"


class SourcesError(ValueError):
    """sources.yaml cannot be used; the message names the file, source and field."""


@dataclass(frozen=True)
class Source:
    """One pull: a name (it names registry/<name>) and the /studies parameters."""

    name: str
    params: dict[str, str]
    description: str | None = None


def _param_value(where: str, key: str, value: Any) -> str:
    if key in LIST_PARAMS:
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(i, str) and i.strip() for i in items):
            raise SourcesError(f"{where}: give text, or a list of text")
        items = [i.strip() for i in items]
        if key.endswith("overallStatus"):
            items = [i.upper() for i in items]
            bad = [i for i in items if i not in STATUSES]
            if bad:
                raise SourcesError(
                    f"{where}: {', '.join(bad)} is not a registry status; "
                    f"the statuses are {', '.join(STATUSES)} (leave it out for every status)"
                )
        if key.endswith(".ids"):
            bad = [i for i in items if not re.match(_IDS, i)]
            if bad:
                raise SourcesError(f"{where}: {', '.join(bad)} is not an NCT number")
        return ",".join(items)
    if not isinstance(value, str) or not value.strip():
        raise SourcesError(f"{where}: give the value as text")
    if key.endswith(".geo") and not re.match(_GEO, value.strip()):
        raise SourcesError(
            f"{where}: write distance(latitude,longitude,distance), "
            "e.g. distance(21.0245,105.8412,50km)"
        )
    return value.strip()


def parse_sources(data: Any, path: Path | str) -> list[Source]:
    """The sources in a parsed sources.yaml; SourcesError naming file, source and field."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise SourcesError(f"{path}: expected `sources:` with a list of sources under it")
    unknown = sorted(set(data) - {"sources"})
    if unknown:
        raise SourcesError(f"{path}: unknown key {unknown[0]!r}; only `sources:` is read")
    sources: list[Source] = []
    for number, entry in enumerate(data["sources"], start=1):
        where = f"{path}, source {number}"
        if not isinstance(entry, dict):
            raise SourcesError(f"{where}: expected name and params")
        name = entry.get("name")
        if isinstance(name, str):
            where = f"{path}, source {name!r}"
        if not isinstance(name, str) or not SOURCE_NAME.fullmatch(name):
            raise SourcesError(
                f"{where}, field name: {name!r} is not a usable name; lower-case letters, "
                "digits and dashes (it names the folder data/registry/<name>)"
            )
        if name == IMPORTED:
            raise SourcesError(
                f"{where}, field name: {IMPORTED!r} is where `trialfinder import` keeps its "
                "studies; choose another name"
            )
        if any(s.name == name for s in sources):
            raise SourcesError(f"{where}, field name: two sources are named {name!r}")
        extra = sorted(set(entry) - {"name", "params", "description"})
        if extra:
            raise SourcesError(
                f"{where}, field {extra[0]}: unknown key; a source has name, params and description"
            )
        description = entry.get("description")
        if description is not None and not isinstance(description, str):
            raise SourcesError(f"{where}, field description: give text")
        if "params" not in entry:
            raise SourcesError(
                f"{where}, field params: missing; give the /studies parameters "
                "(`params: {{}}` pulls the whole registry)"
            )
        params = entry["params"] if entry["params"] is not None else {}
        if not isinstance(params, dict):
            raise SourcesError(f"{where}, field params: expected parameter: value lines")
        checked: dict[str, str] = {}
        for key, value in params.items():
            field_where = f"{where}, field params.{key}"
            if key in RESERVED_PARAMS:
                raise SourcesError(f"{field_where}: set by the refresh; {RESERVED_PARAMS[key]}")
            if key not in TEXT_PARAMS and key not in LIST_PARAMS:
                raise SourcesError(
                    f"{field_where}: not a /studies parameter (a misspelt one would pull "
                    f"far more than meant); the parameters are "
                    f"{', '.join((*TEXT_PARAMS, *LIST_PARAMS))}"
                )
            checked[key] = _param_value(field_where, key, value)
        sources.append(Source(name, checked, description))
    if not sources:
        raise SourcesError(f"{path}: no sources listed")
    return sources


def load_sources(path: Path) -> list[Source]:
    """Read sources.yaml; SourcesError with the file, the source and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{path}: no sources file here; give --sources FILE") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SourcesError(f"{path}: cannot be read ({error})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SourcesError(f"{path}: not YAML: {error}") from None
    return parse_sources(data, path)


# ------------------------------------------------------------------------ HTTP


@dataclass
class Settings:
    """How the refresh talks to the API. The defaults suit the public API."""

    api_url: str = DEFAULT_API_URL
    page_size: int = 1000
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    #: Tries after the first one, per page.
    retries: int = 6
    #: The first wait before a try again, doubled each time (with jitter) ...
    backoff: float = 2.0
    #: ... up to this.
    max_backoff: float = 120.0
    #: A Retry-After longer than this is cut to it.
    max_retry_after: float = 600.0
    #: At least this many seconds from one request to the next.
    interval: float = 0.3
    #: Studies that fail parse_study the pull may hold and still be published.
    max_invalid: int = 0
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


class Progress:
    """Pages, studies and time: one updating line on a terminal, else a line per page."""

    def __init__(self, stream: TextIO | None = None, tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self._open = False

    def _emit(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K" + text)
            self._open = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def page(self, source: str, page: Page, studies: int, elapsed: float) -> None:
        total = f" of {page.total:,}" if page.total is not None else ""
        if self.tty:
            self._emit(
                f"{source}: page {page.number:,}, {studies:,}{total} studies, "
                f"{_clock(elapsed)} elapsed"
            )
        else:
            self._emit(
                f"{source}: page {page.number:,}: {len(page.studies):,} studies, "
                f"{studies:,}{total} so far, {_clock(elapsed)} elapsed"
            )

    def note(self, text: str) -> None:
        self.finish()
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


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


class Client:
    """Pages of ``/studies``, each fetched with retries."""

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
        token: str | None = None
        seen: set[str] = set()
        number = 0
        total: int | None = None
        while True:
            number += 1
            query: dict[str, str] = dict(params)
            query["format"] = "json"
            query["pageSize"] = str(self.settings.page_size)
            if token is None:
                query["countTotal"] = "true"
            else:
                query["pageToken"] = token
            data = self.get(query, number)
            if number == 1 and isinstance(data.get("totalCount"), int):
                total = data["totalCount"]
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
            if total is not None and number > 2 * (total // self.settings.page_size + 1) + 10:
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

    def _backoff(self, attempt: int) -> float:
        s = self.settings
        return min(s.max_backoff, s.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)

    def get(self, query: dict[str, str], number: int) -> dict:
        """One page as JSON, tried up to 1 + retries times; RefreshError after the last."""
        s = self.settings
        tries = s.retries + 1
        last = "no answer"
        for attempt in range(1, tries + 1):
            self._pace()
            wait: float | None = None
            self.requests += 1
            try:
                response = self.session.get(
                    self.url, params=query, timeout=(s.connect_timeout, s.read_timeout)
                )
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as error:
                last = _describe(error)
            except requests.RequestException as error:
                raise RefreshError(f"{self._where(query, number)}: {_describe(error)}") from None
            else:
                status = response.status_code
                if status == 200:
                    data, last = _page_json(response.content)
                    if data is not None:
                        return data
                elif status == 429 or status >= 500:
                    last = f"HTTP {status} {response.reason or ''}".rstrip()
                    wait = retry_after_seconds(response.headers.get("Retry-After"))
                    if wait is not None:
                        wait = min(wait, s.max_retry_after)
                        last += f" (Retry-After: {response.headers['Retry-After']})"
                else:
                    text = response.text.strip().replace("\n", " ")[:300]
                    raise RefreshError(
                        f"{self._where(query, number)}: HTTP {status} {response.reason or ''}: "
                        f"{text or 'no message'} (not tried again: the request itself is "
                        "refused; check the source's params)"
                    )
            if attempt == tries:
                break
            if wait is None:
                wait = self._backoff(attempt)
            self.note(
                f"page {number}: {last}; trying again in {wait:.1f} s "
                f"(try {attempt + 1} of {tries})"
            )
            self.sleep(wait)
        raise RefreshError(
            f"{self._where(query, number)}: gave up after {tries} "
            f"{'try' if tries == 1 else 'tries'}; the last error: {last}"
        )


def _page_json(body: bytes) -> tuple[dict | None, str]:
    """(the page, "") or (None, what is wrong with it)."""
    try:
        data = json.loads(body)
    except ValueError as error:
        return None, f"the body is not valid JSON ({error}; {len(body):,} bytes arrived)"
    if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
        return None, 'the body is JSON but not a page of studies (no "studies" list)'
    token = data.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        return None, "the page's nextPageToken is not text"
    return data, ""


# --------------------------------------------------------------------- refresh


@dataclass
class RefreshResult:
    source: Source
    report: ChangeReport
    #: Was a new generation swapped in?
    published: bool
    report_path: Path | None = None
    invalid: list[DataProblem] = field(default_factory=list)


def refresh_source(
    data_dir: Path,
    source: Source,
    settings: Settings,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    client: Client | None = None,
) -> RefreshResult:
    """Pull one source and publish it whole; RefreshError (data unchanged) otherwise.

    The caller holds :func:`trialfinder.store.publish.data_lock`. A pull identical to
    the current data publishes nothing (the catalog need not be rebuilt) but is
    still reported. A dry run pulls, checks and compares, then removes what it
    wrote.
    """
    progress = progress or Progress()
    client = client or Client(settings, note=progress.note)
    started = time.monotonic()
    when = now_utc()
    stamp = utc_stamp()
    invalid: list[DataProblem] = []
    duplicates = 0
    unique = 0
    total: int | None = None
    try:
        with Staging(data_dir, source.name) as stage:
            for page in client.pages(source.params):
                if page.total is not None:
                    total = page.total
                for index, study in enumerate(page.studies):
                    origin = f"{source.name} page {page.number}, study {index + 1}"
                    trial_id = ctgov.study_id(study) if isinstance(study, dict) else None
                    if not isinstance(study, dict) or not isinstance(
                        study.get("protocolSection"), dict
                    ):
                        raise RefreshError(f"{origin}: not a study (no protocolSection)")
                    if trial_id is None or not NCT_ID.fullmatch(trial_id):
                        raise RefreshError(f"{origin}: nctId {trial_id!r} is not an NCT number")
                    try:
                        ctgov.parse_study(study, origin=origin)
                    except DataError as error:
                        invalid.append(error.problem)
                        if len(invalid) > settings.max_invalid:
                            _check_pull(source, settings, invalid, unique, None)
                    staged = stage.path(trial_id)
                    if staged.exists():
                        duplicates += 1
                        kept = json.loads(staged.read_bytes())
                        newer = (ctgov.study_last_update(study) or "") > (
                            ctgov.study_last_update(kept) or ""
                        )
                        if not newer:
                            continue
                    else:
                        unique += 1
                    stage.put(trial_id, encode_study(study))
                progress.page(source.name, page, unique, time.monotonic() - started)
            progress.finish()
            _check_pull(source, settings, invalid, unique, total)
            report = ChangeReport(
                source=source.name,
                kind="refresh",
                when=when,
                dry_run=dry_run,
                origin={"api_url": settings.api_url, "params": dict(source.params)},
            )
            old = [(stage.current, None)] if stage.current is not None else []
            compare(old, stage.root, report)
            if report.studies != unique:
                raise RefreshError(
                    f"{source.name}: {unique:,} studies arrived but {report.studies:,} "
                    "were written; the pull is not published"
                )
            if duplicates:
                report.notes.append(
                    f"{duplicates:,} studies came twice (the registry changed during the "
                    "pull); the most recently updated copy was kept"
                )
            if total is not None and total != unique:
                report.notes.append(f"the API counted {total:,} studies; {unique:,} arrived")
            if invalid:
                report.notes.append(
                    f"{len(invalid)} studies do not pass the checks and are left out of the "
                    "catalog (see `trialfinder validate`)"
                )
            if dry_run:
                return RefreshResult(source, report, False, invalid=invalid)
            if not report.changed and stage.current_generation is not None:
                report.generation = stage.current_generation
                path = save_report(data_dir, report, stamp)
                return RefreshResult(source, report, False, path, invalid)
            stage.write_manifest(
                {"source": source.name, "kind": "refresh", "when": when, **report.origin}
            )
            stage.publish()
            report.published = True
            report.generation = stage.name
    except OSError as error:
        raise RefreshError(
            f"{source.name}: cannot write to {data_dir}: {error}; nothing was published"
        ) from error
    finally:
        progress.finish()
    try:
        path = save_report(data_dir, report, stamp)
    except OSError as error:
        raise RefreshError(
            f"{source.name}: the new data is published, but its change report could not "
            f"be written to {data_dir}: {error}",
            published=True,
        ) from error
    return RefreshResult(source, report, True, path, invalid)


def _check_pull(
    source: Source,
    settings: Settings,
    invalid: list[DataProblem],
    unique: int,
    total: int | None,
) -> None:
    if len(invalid) > settings.max_invalid:
        shown = "; ".join(str(p) for p in invalid[:5])
        more = f" (and {len(invalid) - 5} more)" if len(invalid) > 5 else ""
        raise RefreshError(
            f"{source.name}: {len(invalid)} studies do not pass the checks (at most "
            f"{settings.max_invalid} may; see --max-invalid): {shown}{more}"
        )
    if total is not None and unique < total * (1 - COUNT_ALLOWANCE):
        raise RefreshError(
            f"{source.name}: the API counted {total:,} studies but only {unique:,} arrived; "
            "the pull is incomplete and is not published"
        )

"""``trialfinder refresh``: pull the sources named in ``sources.yaml`` from the
ClinicalTrials.gov API v2 and publish each one whole, or not at all.

The pull pages through ``/studies`` (``pageSize`` up to 1,000, the same
parameters on every page plus the previous page's ``nextPageToken``) until a
page has no token. Each page is written to disk as it arrives (a pull may be
the whole registry: no more than one page is ever held in memory) into a new
generation beside the current data (:mod:`trialfinder.store.publish`); every study is
checked with :func:`~trialfinder.sources.ctgov.parse_study` on the way. Only
when every page arrived and checked out is the generation swapped in.

The pages come from :mod:`trialfinder.store.api` (tries, deadlines, caps and
redirects are its business), and so is the refresh's failure,
:class:`~trialfinder.store.api.RefreshError`.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from trialfinder.errors import DataError, DataProblem
from trialfinder.sources import ctgov
from trialfinder.sources.files import too_big
from trialfinder.sources.text import clean_text
from trialfinder.store.api import Client, Page, RefreshError, Settings
from trialfinder.store.changes import ChangeReport, compare, now_utc, save_report, stage_report
from trialfinder.store.layout import IMPORTED, NCT_ID, SOURCE_NAME, encode_study
from trialfinder.store.publish import Staging, utc_stamp

SOURCES_FILE = "sources.yaml"
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
_IDS = r"^[Nn][Cc][Tt]0*[1-9][0-9]{0,7}$"
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
        if description is not None:
            description = clean_text(description)
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


# ------------------------------------------------------------------------ progress


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
                    encoded = encode_study(study)
                    if len(encoded) > settings.max_record_bytes:
                        invalid.append(
                            DataProblem(
                                file=origin,
                                record=trial_id,
                                message=too_big(
                                    "the study",
                                    len(encoded),
                                    settings.max_record_bytes,
                                    "$TRIALFINDER_MAX_RECORD_MB",
                                ),
                            )
                        )
                        _check_pull(source, settings, invalid, unique, None)
                        continue
                    staged = stage.path(trial_id)
                    if staged.exists():
                        duplicates += 1
                        kept = json.loads(staged.read_bytes())
                        newer = ctgov.newer(
                            ctgov.study_last_update(study), ctgov.study_last_update(kept)
                        )
                        if not newer:
                            continue
                    else:
                        unique += 1
                    stage.put(trial_id, encoded)
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
            report.published = True
            report.generation = stage.name
            stage_report(stage.root, report, stamp)
            try:
                stage.publish()
            except BaseException:
                report.published = False
                raise
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

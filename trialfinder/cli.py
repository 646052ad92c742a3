"""The ``trialfinder`` command: import, refresh, validate, export, search."""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlencode

import click

from trialfinder import __version__
from trialfinder.catalog import Catalog, load_catalog
from trialfinder.family import export as exporting
from trialfinder.follow import digest, mail
from trialfinder.follow import feeds as feeding
from trialfinder.model import Trial
from trialfinder.query import FILTERS, find, parse_query
from trialfinder.sources.files import (
    DEFAULT_FILE_MB,
    DEFAULT_RECORD_MB,
    ENV_MAX_FILE_MB,
    ENV_MAX_RECORD_MB,
    MB,
    Limits,
)
from trialfinder.store import api
from trialfinder.store import refresh as refreshing
from trialfinder.store.changes import keep_staged_reports
from trialfinder.store.importer import ReportNotWritten, import_paths
from trialfinder.store.layout import IMPORTED, default_data_dir, registry_pulls
from trialfinder.store.publish import Busy, clean_leftovers, data_lock
from trialfinder.store.reading import check_data_dir, load_trials
from trialfinder.words.read import read_condition

#: Above this many results, search reads the trials from the data files in one
#: pass instead of one by one from the catalog (faster for long lists).
_BULK_RESULTS = 200

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data directory (default: $TRIALFINDER_DATA_DIR, else ./data).",
)


def _data_dir(value: Path | None, must_exist: bool = True) -> Path:
    directory = value if value is not None else default_data_dir()
    if must_exist and not directory.is_dir():
        raise click.ClickException(
            f"no data directory at {directory}; give --data-dir or set $TRIALFINDER_DATA_DIR"
        )
    return directory


@click.group()
@click.version_option(__version__, prog_name="trialfinder")
def main() -> None:
    """Find clinical trials by condition, a child's age, status and place."""


EXIT_BUSY = 75  # EX_TEMPFAIL: try again later
EXIT_INTERRUPTED = 130


@contextlib.contextmanager
def _stopped_as_interrupt():
    """SIGTERM (a service stop, `kill`) ends the run like Ctrl-C: what it wrote is removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _busy(error: Exception) -> NoReturn:
    click.echo(f"Error: {error}", err=True)
    raise SystemExit(EXIT_BUSY)


def _interrupted(what: str) -> NoReturn:
    click.echo(f"interrupted: {what}; the data is as it was", err=True)
    raise SystemExit(EXIT_INTERRUPTED)


def _say(text: str) -> None:
    click.echo(text, err=True)


feeds_dir_option = click.option(
    "--feeds-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the Atom feeds are written (default: $TRIALFINDER_FEEDS_DIR; for the "
    "project's own data/, its static/feeds/, which the dashboard serves; else "
    "<data dir>/feeds/).",
)

wait_option = click.option(
    "--wait",
    is_flag=True,
    help="When another refresh or import is running, wait for it to finish "
    "instead of refusing at once.",
)


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@data_dir_option
@wait_option
@click.option(
    "--max-file-mb",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help=f"Largest input file or zip member read, in MB (default {DEFAULT_FILE_MB}, "
    f"or ${ENV_MAX_FILE_MB}).",
)
@click.option(
    "--max-record-mb",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help=f"Largest single study stored, in MB (default {DEFAULT_RECORD_MB}, "
    f"or ${ENV_MAX_RECORD_MB}).",
)
def import_command(
    paths: tuple[Path, ...],
    data_dir: Path | None,
    wait: bool,
    max_file_mb: float | None,
    max_record_mb: float | None,
) -> None:
    """Import ClinicalTrials.gov API v2 JSON files, zips or folders.

    Each study is stored under the data directory's registry/imported/; of two
    copies of one trial the more recently updated is kept. A bad file or
    record is skipped, with the file, record, field and reason on standard
    error, and the rest are imported. The counts go to standard output.

    Nothing changes until every input was read: the new data is then swapped
    in whole, and what changed is kept in reports/. A failure or an interrupt
    leaves the data as it was. Studies in the older layout (registry/NCT075/)
    move into registry/imported/ on the first import.

    Exit status: 0 when every study was read (copies not needed, such as an
    unchanged or older one, are skipped without error); 1 when any file or
    record was bad and skipped, the rest still imported, or when the data
    directory cannot be written (nothing is changed then); 2 for a path that
    does not exist; 75 when another refresh or import is running (see --wait);
    130 when interrupted.
    """
    directory = _data_dir(data_dir, must_exist=False)
    limits = Limits.from_env()
    if max_file_mb is not None:
        limits = dataclasses.replace(limits, file_bytes=int(max_file_mb * MB))
    if max_record_mb is not None:
        limits = dataclasses.replace(limits, record_bytes=int(max_record_mb * MB))
    try:
        with _stopped_as_interrupt():
            report = import_paths(paths, directory, wait=wait, waiting=_say, limits=limits)
    except Busy as error:
        _busy(error)
    except KeyboardInterrupt:
        _interrupted("nothing was imported")
    except ReportNotWritten as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(
            f"cannot write to {directory}: {error}; nothing was imported, the data is as it was"
        ) from error
    for where, why in report.skipped:
        click.echo(f"skipped {where}: {why}", err=True)
    click.echo(report.summary())
    if report.problems:
        raise SystemExit(1)


@main.command("refresh")
@click.option(
    "--source",
    "names",
    multiple=True,
    metavar="NAME",
    help="Pull only this source (repeatable). Default: every source in the sources file.",
)
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The sources file (default: sources.yaml in the data directory).",
)
@click.option(
    "--api-url",
    default=api.DEFAULT_API_URL,
    show_default=True,
    help="ClinicalTrials.gov API v2 base URL.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Pull, check and show what would change; publish nothing, keep nothing.",
)
@wait_option
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    default=1000,
    show_default=True,
    help="Studies asked for per page.",
)
@click.option(
    "--timeout",
    "read_timeout",
    type=click.FloatRange(0, min_open=True),
    default=120.0,
    show_default=True,
    help="Seconds for a whole page to arrive (however slowly it comes) before trying again.",
)
@click.option(
    "--connect-timeout",
    type=click.FloatRange(0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds to wait for a connection.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 100),
    default=6,
    show_default=True,
    help="Tries after the first, per page, on errors that may pass.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(0),
    default=2.0,
    show_default=True,
    help="Seconds before the first try again; doubled each time (with jitter), at most 120.",
)
@click.option(
    "--interval",
    type=click.FloatRange(0),
    default=0.3,
    show_default=True,
    help="At least this many seconds from one request to the next.",
)
@click.option(
    "--max-invalid",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Studies failing the checks a pull may hold and still be published.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(1),
    default=2_000,
    show_default=True,
    help="A pull stops (nothing published) past this many pages.",
)
@click.option(
    "--max-studies",
    type=click.IntRange(1),
    default=2_000_000,
    show_default=True,
    help="A pull stops (nothing published) past this many studies.",
)
@click.option(
    "--max-retry-after",
    type=click.FloatRange(0),
    default=120.0,
    show_default=True,
    help="The longest Retry-After the refresh waits; a longer one ends the pull at once.",
)
@feeds_dir_option
@data_dir_option
def refresh_command(
    names: tuple[str, ...],
    sources_file: Path | None,
    api_url: str,
    dry_run: bool,
    wait: bool,
    page_size: int,
    read_timeout: float,
    connect_timeout: float,
    retries: int,
    backoff: float,
    interval: float,
    max_invalid: int,
    max_pages: int,
    max_studies: int,
    max_retry_after: float,
    feeds_dir: Path | None,
    data_dir: Path | None,
) -> None:
    """Pull the sources in sources.yaml from ClinicalTrials.gov and publish them.

    Each source is paged through the API v2 /studies endpoint, written beside
    the current data, checked, and swapped in whole only when every page
    arrived: a failed, interrupted or killed refresh leaves the data exactly as
    it was and says why. A running dashboard shows the new data on its next
    run. What changed (trials added and gone, status changes, sites added and
    removed, other updates) is printed and kept in reports/.

    Exit status: 0 when every source was refreshed (or, with --dry-run,
    pulled); 1 when any source failed (each other source is published on its
    own); 2 for a usage error or a bad sources file; 75 when another refresh or
    import is running (see --wait); 130 when interrupted.
    """
    directory = _data_dir(data_dir, must_exist=False)
    settings = api.Settings(
        api_url=api_url,
        page_size=page_size,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries=retries,
        backoff=backoff,
        interval=interval,
        max_invalid=max_invalid,
        max_pages=max_pages,
        max_studies=max_studies,
        max_retry_after=max_retry_after,
    )
    try:
        settings.check()
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    path = sources_file or directory / refreshing.SOURCES_FILE
    try:
        sources = refreshing.load_sources(path)
    except refreshing.SourcesError as error:
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(2) from None
    known = [s.name for s in sources]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.UsageError(
            f"no source named {unknown[0]!r} in {path}; the sources are {', '.join(known)}"
        )
    chosen = [s for s in sources if not names or s.name in names]
    failed: list[str] = []
    try:
        with (
            _stopped_as_interrupt(),
            data_lock(directory, "trialfinder refresh", wait=wait, waiting=_say),
        ):
            removed = clean_leftovers(directory)
            for kept in keep_staged_reports(directory):
                _say(f"kept the change report a killed run published with its data: {kept}")
            if removed:
                _say(f"removed what earlier runs left behind: {', '.join(removed)}")
            if not names:
                _note_unlisted(directory, known)
            for source in chosen:
                progress = refreshing.Progress(sys.stderr)
                try:
                    result = refreshing.refresh_source(
                        directory, source, settings, dry_run=dry_run, progress=progress
                    )
                except api.RefreshError as error:
                    state = "is published" if error.published else "is unchanged"
                    click.echo(f"Error: {error}. The data of {source.name} {state}.", err=True)
                    failed.append(source.name)
                    continue
                _show_refresh(result)
    except Busy as error:
        _busy(error)
    except KeyboardInterrupt:
        _interrupted("nothing more was published")
    except OSError as error:  # the lock itself: a data directory that cannot be written
        raise click.ClickException(
            f"cannot write to {directory}: {error}; nothing was published"
        ) from error
    if not dry_run and len(failed) < len(chosen):
        _after_refresh(directory, feeds_dir)
    if failed:
        raise SystemExit(1)


def _after_refresh(directory: Path, feeds_dir: Path | None) -> None:
    """Feeds, then followers' messages; their trouble never fails the refresh."""
    try:
        written = feeding.write_feeds(directory, feeds_dir)
    except Exception as error:  # the data is published whatever happens here
        _say(f"warning: the feeds could not be written: {error}")
    else:
        _say(f"feeds: {len(written)} written to {written[0].path.parent}")
    try:
        result = digest.run(directory, mail.SmtpSettings.from_env())
    except mail.NotConfigured as error:
        _say(f"warning: followers are not told yet: {error}")
        return
    except Exception as error:  # as above: told next run
        _say(f"warning: followers are not told yet: {type(error).__name__}: {error}")
        return
    for problem in result.problems:
        _say(f"warning: {problem}")
    if result.sent or result.failed:
        _say(result.summary())


def _note_unlisted(directory: Path, known: list[str]) -> None:
    for source in registry_pulls(directory):
        if source.name and source.name != IMPORTED and source.name not in known:
            _say(
                f"note: {source.link} is not in the sources file; it is still shown "
                "(delete that symlink to drop it)"
            )


def _show_refresh(result) -> None:
    report = result.report
    name = result.source.name
    if report.dry_run:
        click.echo(f"{name}: dry run; nothing was published")
    elif result.published:
        click.echo(f"{name}: published {report.studies:,} studies")
    else:
        click.echo(f"{name}: no changes; the data stays as it was")
    click.echo(report.summary())
    for line in report.lines():
        click.echo(line)
    if result.report_path is not None:
        click.echo(f"report: {result.report_path}")


@main.command("notify")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the messages instead of sending them; change nothing.",
)
@click.option("--smtp-host", default=None, help="SMTP server (default: $TRIALFINDER_SMTP_HOST).")
@click.option(
    "--smtp-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="SMTP port (default: $TRIALFINDER_SMTP_PORT, else 25, 587 or 465 by --smtp-tls).",
)
@click.option(
    "--smtp-user",
    default=None,
    help="SMTP login (default: $TRIALFINDER_SMTP_USER; "
    "the password only from $TRIALFINDER_SMTP_PASSWORD).",
)
@click.option(
    "--smtp-tls",
    type=click.Choice(mail.TLS_MODES),
    default=None,
    help="none, starttls or ssl (default: $TRIALFINDER_SMTP_TLS, else starttls).",
)
@click.option(
    "--sender", default=None, help="The From address (default: $TRIALFINDER_SMTP_SENDER)."
)
@click.option(
    "--public-url",
    default=None,
    help="Where the links in messages and feeds point (default: $TRIALFINDER_PUBLIC_URL, "
    f"else {digest.DEFAULT_PUBLIC_URL}).",
)
@feeds_dir_option
@data_dir_option
def notify_command(
    dry_run: bool,
    smtp_host: str | None,
    smtp_port: int | None,
    smtp_user: str | None,
    smtp_tls: str | None,
    sender: str | None,
    public_url: str | None,
    feeds_dir: Path | None,
    data_dir: Path | None,
) -> None:
    """Write the Atom feeds and tell each follower what changed since their last message.

    Each confirmed follow gets at most one message per run, listing the change
    reports since its last one: for a trial, status changes, sites added or
    removed and record updates; for a search, the new trials that match it.
    The follows of one address come in one message. Nothing new, no message.
    A follow's news count as told only once the SMTP server accepted the
    message: a failed send is tried again on the next run, and nothing is sent
    twice. A refresh does all this by itself when it is done.

    Exit status: 0 every message due was sent (with --dry-run: printed, and
    nothing sent, stored or written); 1 a message was not accepted (tried
    again next run), or messages are due and no SMTP server is set; 2 a usage
    error.
    """
    directory = _data_dir(data_dir)
    try:
        settings = mail.SmtpSettings.from_env(
            host=smtp_host, port=smtp_port, user=smtp_user, tls=smtp_tls, sender=sender
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if not dry_run:
        try:
            written = feeding.write_feeds(directory, feeds_dir, public_url)
        except OSError as error:
            click.echo(f"warning: the feeds could not be written: {error}", err=True)
        else:
            _say(f"feeds: {len(written)} written to {written[0].path.parent}")
    try:
        result = digest.run(directory, settings, base=public_url, dry_run=dry_run, show=click.echo)
    except mail.NotConfigured as error:
        click.echo(f"Error: {error}; nothing was sent", err=True)
        raise SystemExit(1) from None
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    if dry_run:
        _say(f"dry run: {result.sent} message(s) printed; nothing was sent or stored")
    else:
        _say(result.summary())
    if result.failed:
        raise SystemExit(1)


@main.command()
@data_dir_option
def validate(data_dir: Path | None) -> None:
    """Check every data file; exit 1 when any has a problem.

    Lists every problem: the file, the record and the field, and what is wrong.
    """
    directory = _data_dir(data_dir)
    checked = check_data_dir(directory)
    for problem in checked.problems:
        click.echo(str(problem), err=True)
    if checked.problems:
        click.echo(f"{len(checked.problems)} problem(s) in {directory}", err=True)
        raise SystemExit(1)
    click.echo(f"{len(checked.trials)} trials in {directory}: all files are valid")


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@data_dir_option
def export_command(fmt: str, data_dir: Path | None) -> None:
    """Every trial, normalized, to standard output (UTF-8).

    Files with problems are left out and counted on standard error; run
    `trialfinder validate` to see them.
    """
    loaded = load_trials(_data_dir(data_dir))
    _warn_problems(len(loaded.problems))
    _write(loaded.trials, fmt)


def _warn_problems(count: int) -> None:
    if count:
        click.echo(
            f"warning: {count} problem(s) in the data files; "
            "the trials concerned are left out (see `trialfinder validate`)",
            err=True,
        )


def _write(trials: Iterable[Trial], fmt: str) -> None:
    out = sys.stdout.buffer
    if fmt == "jsonl":
        for line in exporting.to_jsonl(trials):
            out.write(line.encode("utf-8"))
    else:
        out.write(exporting.trials_to_csv(trials).encode("utf-8"))
    out.flush()


def _filter_options(command):
    for spec in reversed(FILTERS):
        command = click.option(
            f"--{spec.key}", multiple=spec.repeatable, default=None, help=spec.meaning
        )(command)
    return command


def _result_trials(catalog: Catalog, directory: Path, ids: list[str]) -> list[Trial]:
    if len(ids) <= _BULK_RESULTS:
        found = (catalog.trial(trial_id) for trial_id in ids)
        return [t for t in found if t is not None]
    by_id = {t.id: t for t in load_trials(directory).trials}
    return [by_id[trial_id] for trial_id in ids if trial_id in by_id]


@main.command()
@click.argument("query_string", required=False, default="")
@_filter_options
@click.option("--format", "fmt", type=click.Choice(["ids", "jsonl", "csv"]), default="ids")
@data_dir_option
def search(query_string: str, fmt: str, data_dir: Path | None, **flags) -> None:
    """Trials matching a query, given as flags or as one query string
    ('cond=cerebral palsy&age=4y'), in the same language as the dashboard's links.

    Plain words with no ``key=`` are read as a condition
    (``trialfinder search 'cerebral palsy'``). Parts of the query that cannot
    be read are named on standard error and ignored, as the dashboard does; the
    query as understood follows them.
    """
    if query_string and "=" not in query_string:
        query_string = urlencode({"cond": query_string})
    pairs: dict[str, list[str]] = {}
    parsed_string = parse_query(query_string) if query_string else None
    for key, value in parsed_string.query.params() if parsed_string else []:
        pairs.setdefault(key, []).append(value)
    for key, value in flags.items():
        if value:
            pairs.setdefault(key, []).extend(value if isinstance(value, tuple) else [value])
    parsed = parse_query(pairs)
    problems = (parsed_string.problems if parsed_string else ()) + parsed.problems
    for problem in problems:
        click.echo(f"ignored {problem}", err=True)
    directory = _data_dir(data_dir)
    catalog = load_catalog(directory)
    _warn_problems(len(catalog.problems))
    results = find(catalog, parsed.query)
    click.echo(parsed.query.describe(len(results), catalog.synonyms), err=True)
    for typed in parsed.query.cond:
        meanings = read_condition(typed, catalog.synonyms).meanings
        if meanings:
            click.echo(
                f"{typed!r} can mean several things; search one of them: "
                + ", ".join(f"'cond={m}'" for m in meanings),
                err=True,
            )
    ids = results["id"].tolist()
    if fmt == "ids":
        for trial_id in ids:
            click.echo(trial_id)
    else:
        _write(_result_trials(catalog, directory, ids), fmt)

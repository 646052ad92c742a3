"""The ``trialfinder`` command: import, validate, export, search."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlencode

import click

from trialfinder import __version__
from trialfinder import export as exporting
from trialfinder.catalog import Catalog, load_catalog
from trialfinder.datadir import check_data_dir, default_data_dir, load_trials
from trialfinder.importer import import_paths
from trialfinder.model import Trial
from trialfinder.query import FILTERS, apply_query, parse_query

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


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@data_dir_option
def import_command(paths: tuple[Path, ...], data_dir: Path | None) -> None:
    """Import ClinicalTrials.gov API v2 JSON files, zips or folders.

    Each study is stored under the data directory's registry/ folder; of two
    copies of one trial the more recently updated is kept. A bad file or
    record is skipped, with the file, record, field and reason on standard
    error, and the rest are imported. The counts go to standard output.

    Exit status: 0 when every study was read (copies not needed, such as an
    unchanged or older one, are skipped without error); 1 when any file or
    record was bad and skipped, the rest still imported, or when the data
    directory cannot be written (files already written stay whole); 2 for a
    path that does not exist.
    """
    directory = _data_dir(data_dir, must_exist=False)
    try:
        report = import_paths(paths, directory)
    except OSError as error:
        raise click.ClickException(
            f"cannot write to {directory}: {error}; files written before this are complete"
        ) from error
    for where, why in report.skipped:
        click.echo(f"skipped {where}: {why}", err=True)
    click.echo(report.summary())
    if report.problems:
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
    out = click.get_binary_stream("stdout")
    if fmt == "jsonl":
        for line in exporting.to_jsonl(trials):
            out.write(line.encode("utf-8"))
    else:
        out.write(exporting.trials_to_csv(trials).encode("utf-8"))
    out.flush()


def _filter_options(command):
    for spec in reversed(FILTERS):
        command = click.option(
            f"--{spec.key}", multiple=spec.repeatable, default=None, help=spec.help
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
    results = apply_query(catalog, parsed.query)
    click.echo(parsed.query.describe(len(results)), err=True)
    ids = results["id"].tolist()
    if fmt == "ids":
        for trial_id in ids:
            click.echo(trial_id)
    else:
        _write(_result_trials(catalog, directory, ids), fmt)

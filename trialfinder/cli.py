"""The ``trialfinder`` command: import, validate, export, search."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trialfinder import export as exporting
from trialfinder.catalog import load_catalog
from trialfinder.datadir import default_data_dir, load_trials
from trialfinder.importer import import_paths
from trialfinder.query import FILTERS, apply_query, parse_query

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data directory (default: $TRIALFINDER_DATA_DIR, else ./data).",
)


def _data_dir(value: Path | None) -> Path:
    return value if value is not None else default_data_dir()


@click.group()
@click.version_option(package_name="trialfinder")
def main() -> None:
    """Find clinical trials by condition, a child's age, status and place."""


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@data_dir_option
def import_command(paths: tuple[Path, ...], data_dir: Path | None) -> None:
    """Import ClinicalTrials.gov API v2 JSON files, zips or folders."""
    report = import_paths(paths, _data_dir(data_dir))
    for where, why in report.skipped:
        click.echo(f"skipped {where}: {why}", err=True)
    click.echo(report.summary())


@main.command()
@data_dir_option
def validate(data_dir: Path | None) -> None:
    """Check every data file; exit non-zero when any has a problem."""
    directory = _data_dir(data_dir)
    loaded = load_trials(directory)
    for problem in loaded.problems:
        click.echo(str(problem), err=True)
    if loaded.problems:
        click.echo(f"{len(loaded.problems)} problem(s) in {directory}", err=True)
        sys.exit(1)
    click.echo(f"{len(loaded.trials)} trials in {directory}: all files are valid")


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@data_dir_option
def export_command(fmt: str, data_dir: Path | None) -> None:
    """Every trial, normalized, to standard output."""
    catalog = load_catalog(_data_dir(data_dir))
    trials = (catalog.trial(tid) for tid in catalog.trials["id"].tolist())
    _write(trials, fmt)


def _write(trials, fmt: str) -> None:
    if fmt == "jsonl":
        for line in exporting.to_jsonl(trials):
            sys.stdout.write(line)
    else:
        sys.stdout.write(exporting.trials_to_csv(trials))


def _filter_options(command):
    for spec in reversed(FILTERS):
        command = click.option(
            f"--{spec.key}", multiple=spec.repeatable, default=None, help=spec.help
        )(command)
    return command


@main.command()
@click.argument("query_string", required=False, default="")
@_filter_options
@click.option("--format", "fmt", type=click.Choice(["ids", "jsonl", "csv"]), default="ids")
@data_dir_option
def search(query_string: str, fmt: str, data_dir: Path | None, **flags) -> None:
    """Trials matching a query, given as flags or as one query string
    ('cond=cerebral palsy&age=4y'), in the same language as the dashboard's links."""
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
    catalog = load_catalog(_data_dir(data_dir))
    results = apply_query(catalog, parsed.query)
    click.echo(parsed.query.describe(len(results)), err=True)
    if fmt == "ids":
        for trial_id in results["id"].tolist():
            click.echo(trial_id)
    else:
        _write((catalog.trial(tid) for tid in results["id"].tolist()), fmt)

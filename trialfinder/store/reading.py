"""The reading rules: how the data directory's files become trials and problems.

A registry study is read from its source's resolved generation; a study stored
by two sources, or in two files of one source, is read once (the first, in name
order) and the others reported; a curated record with a registry trial's id is an
overlay whose fields win. Every problem is said once, naming the file.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trialfinder.errors import DataError, DataProblem
from trialfinder.model import Trial
from trialfinder.sources import ctgov, curated
from trialfinder.sources.files import Limits
from trialfinder.store.layout import (
    _NCT_FIELD,
    _STRAY,
    CURATED,
    REGISTRY,
    PullFolder,
    _is_dir,
    curated_files,
    registry_pulls,
    shard_path,
)
from trialfinder.words.synonyms import FILE_NAME as SYNONYMS_FILE
from trialfinder.words.synonyms import load_synonyms


@dataclass
class LoadedTrials:
    """Every trial the data directory holds, and every problem met reading it."""

    trials: list[Trial] = field(default_factory=list)
    problems: list[DataProblem] = field(default_factory=list)


def _shown(problem: DataProblem, path: Path, source: PullFolder) -> DataProblem:
    """The problem, its file named through the source's link."""
    text = str(path)
    if source.generation is None or not problem.file.startswith(text):
        return problem
    return dataclasses.replace(problem, file=source.display(text) + problem.file[len(text) :])


def reading_order(source: PullFolder) -> list[Path]:
    """A source's study files in the order they are read: those in their own folder
    first (so the copy an import updates is the one kept), each run by path."""
    return sorted(source.files(), key=lambda p: (p.parent.name != p.stem[:6], p))


def _stored_limits() -> Limits:
    """A stored file holds one study: no larger than the record limit."""
    limits = Limits.from_env()
    return dataclasses.replace(limits, file_bytes=limits.record_bytes)


def iter_file_trials(source: PullFolder, path: Path) -> Iterator[Trial | DataProblem]:
    """The trial one study file of a source holds, or a problem: the file cannot be
    read, the record cannot be used, or it is not the trial the file is named after."""
    shown = source.display(path)
    for item in ctgov.iter_studies(path, _stored_limits()):
        if item.problem is not None or item.study is None:
            problem = item.problem or DataProblem(file=str(path), message="unreadable")
            yield _shown(problem, path, source)
            continue
        try:
            trial = ctgov.parse_study(item.study, origin=shown)
        except DataError as error:
            yield error.problem
            continue
        if trial.id != path.stem:
            yield DataProblem(
                file=shown,
                record=trial.id,
                field=_NCT_FIELD,
                message=f"the file name says {path.stem} but the record is {trial.id}",
            )
            continue
        yield trial


def duplicate_problem(shown: str, trial_id: str, first: str) -> DataProblem:
    """The second copy of a trial in one source (``first`` holds the one read)."""
    return DataProblem(
        file=shown,
        record=trial_id,
        field=_NCT_FIELD,
        message=f"duplicate id: {first} holds the same trial; this copy is not read",
    )


def wrong_folder_problem(source: PullFolder, path: Path, trial_id: str) -> DataProblem | None:
    """A trial stored outside its folder (``<first 6 characters>/``): read all the same."""
    if path.parent.name == trial_id[:6]:
        return None
    expected = shard_path(source.link, trial_id)
    return DataProblem(
        file=source.display(path),
        record=trial_id,
        field=_NCT_FIELD,
        message=f"stored in the wrong folder; it belongs at {expected}, "
        "where an import would look for it",
    )


def iter_source_trials(source: PullFolder) -> Iterator[Trial | DataProblem]:
    """Every trial of one source, and a problem for every file or record not usable.

    A trial stored outside its folder (``<first 6 characters>/``) is reported
    and still read; a second record with an id already read is reported and
    left out (files in their own folder are read first, so the copy an import
    updates is the one kept).
    """
    seen: dict[str, str] = {}
    for path in reading_order(source):
        for item in iter_file_trials(source, path):
            if isinstance(item, DataProblem):
                yield item
                continue
            if item.id in seen:
                yield duplicate_problem(source.display(path), item.id, seen[item.id])
                continue
            seen[item.id] = source.display(path)
            misplaced = wrong_folder_problem(source, path, item.id)
            if misplaced is not None:
                yield misplaced
            yield item


def _apply_curated(data_dir: Path, by_id: dict[str, Trial], problems: list[DataProblem]) -> None:
    """Overlay curated records on ``by_id`` (or add them); a bad file is left out."""
    seen: dict[str, Path] = {}
    for path in curated_files(data_dir):
        try:
            record = curated.read_curated(path)
        except DataError as error:
            problems.append(error.problem)
            continue
        key = record.id.casefold()
        if key in seen:
            problems.append(
                DataProblem(
                    file=str(path),
                    record=record.id,
                    field="id",
                    message=f"duplicate id: {seen[key]} has the same id",
                )
            )
            continue
        seen[key] = path
        base = by_id.get(record.id)
        by_id[record.id] = curated.overlay(base, record) if base else curated.to_trial(record)


def load_trials(data_dir: Path) -> LoadedTrials:
    """Registry trials with curated overlays applied, plus curated-only trials, in id
    order, and every problem: :func:`iter_trials` (the one place the reading rules
    live) collected."""
    for _attempt, stream in reads(data_dir):
        loaded = LoadedTrials()
        try:
            for item in stream:
                if isinstance(item, DataProblem):
                    loaded.problems.append(item)
                else:
                    loaded.trials.append(item)
        except SourcesChanged:
            continue
        loaded.trials.sort(key=lambda t: t.id)
        return loaded
    raise AssertionError("unreachable: the last read is final")


def reads(data_dir: Path) -> Iterator[tuple[int, Iterator[Trial | DataProblem]]]:
    """The data directory read again, up to three times, while a folder being read
    is removed meanwhile (a publish during one long read): each attempt's number and
    its :func:`iter_trials` stream; the third is final (read as it is). A caller
    moves on to the next attempt when a stream raises :class:`SourcesChanged`."""
    for attempt in range(3):
        yield attempt, iter_trials(data_dir, final=attempt == 2)


class SourcesChanged(RuntimeError):
    """A folder :func:`iter_trials` read from was removed meanwhile: read again."""


def _curated_ids(data_dir: Path) -> set[str]:
    """The ids the curated records name (those that cannot be read name none)."""
    ids: set[str] = set()
    for path in curated_files(data_dir):
        try:
            ids.add(curated.read_curated(path).id)
        except DataError:
            continue
    return ids


def _ids_in_several_sources(sources: list[PullFolder]) -> set[str]:
    """Ids stored by more than one source (from file names: a study's file is its id)."""
    seen: set[str] = set()
    several: set[str] = set()
    for source in sources:
        stems = {path.stem for path in source.files()}
        several |= stems & seen
        seen |= stems
    return several


def iter_trials(data_dir: Path, *, final: bool = False) -> Iterator[Trial | DataProblem]:
    """What :func:`load_trials` returns, streamed: each trial once, and every problem.

    The same trials and the same problems in the same order as :func:`load_trials`,
    but the trials are not in id order, and only a few are held in memory: those
    two sources both store (the more recently updated is yielded once both were
    read) and those a curated record overlays (yielded at the end, overlaid).
    The whole registry streams through in flat memory.

    Should a folder read be removed meanwhile (a second publish during one long
    read), :class:`SourcesChanged` is raised after the registry was read, unless
    ``final``: the caller reads again (:func:`load_trials` tries three times).
    """
    sources = registry_pulls(data_dir)
    held_back = held_ids(data_dir, sources)
    held: dict[str, Trial] = {}
    for source in sources:
        for item in iter_source_trials(source):
            if isinstance(item, DataProblem) or item.id not in held_back:
                yield item
            else:
                hold(held, item)
    if not final and not all(source.still_there() for source in sources):
        raise SourcesChanged("a registry folder was removed while it was read")
    yield from finish_held(data_dir, held)


def held_ids(data_dir: Path, sources: list[PullFolder]) -> set[str]:
    """The ids :func:`iter_trials` holds back until every source was read: those a
    curated record overlays and those more than one source stores."""
    return _curated_ids(data_dir) | _ids_in_several_sources(sources)


def hold(held: dict[str, Trial], trial: Trial) -> None:
    """Keep ``trial`` unless a copy as recently updated is held already."""
    kept = held.get(trial.id)
    if kept is None or ctgov.newer(trial.dates.last_update, kept.dates.last_update):
        held[trial.id] = trial


def finish_held(data_dir: Path, held: dict[str, Trial]) -> Iterator[Trial | DataProblem]:
    """Once every source was read: the curated problems, then the held trials with
    the curated records laid over them, and the curated-only trials."""
    problems: list[DataProblem] = []
    _apply_curated(data_dir, held, problems)
    yield from problems
    yield from held.values()


def _stray_registry_files(data_dir: Path) -> list[DataProblem]:
    """JSON files under ``registry/`` that the reader passes over, and broken symlinks."""
    root = data_dir / REGISTRY
    if not root.is_dir():
        return []
    problems: list[DataProblem] = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink() and not _is_dir(entry):
            problems.append(
                DataProblem(
                    file=entry.path,
                    message=f"not read: the symlink points to {os.readlink(entry.path)}, "
                    "which is missing; refresh or import this source again",
                )
            )
        elif entry.is_file() and entry.name.endswith(".json"):
            problems.append(DataProblem(file=entry.path, message=_STRAY))
    for source in registry_pulls(data_dir):
        read = set(source.files())
        tops = source.shard_folders() if source.name == "" else [source.root]
        for top in tops:
            for folder, dirs, names in os.walk(top):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    path = Path(folder, name)
                    if name.endswith(".json") and not name.startswith(".") and path not in read:
                        problems.append(DataProblem(file=source.display(path), message=_STRAY))
    return problems


def check_data_dir(data_dir: Path) -> LoadedTrials:
    """What ``trialfinder validate`` reports: the trials, and every problem in every file.

    Beyond :func:`load_trials`, which stops at a curated file's first problem
    and blames only the second of two files with one id, this lists every
    problem of each curated file, both files of a duplicate id, ``.yml`` files,
    JSON files under ``registry/`` that are never read, a source whose
    symlink points nowhere, and every problem of the synonyms file.
    """
    loaded = load_trials(data_dir)
    curated_root = data_dir / CURATED
    in_curated = str(curated_root) + os.sep
    # validate_curated_dir reports the curated files' problems, and more.
    loaded.problems = [p for p in loaded.problems if not p.file.startswith(in_curated)]
    loaded.problems.extend(_stray_registry_files(data_dir))
    if curated_root.is_dir():
        loaded.problems.extend(curated.validate_curated_dir(curated_root))
    loaded.problems.extend(load_synonyms(data_dir / SYNONYMS_FILE)[1])
    return loaded

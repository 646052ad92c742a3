"""Building a whole registry's snapshot in a process of its own, which reads the
data files with worker processes (one a core), each into a part of its own.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from trialfinder.catalog.build import _Builder, _Part
from trialfinder.catalog.schema import META_FILE, RECORDS_FILE, TABLES, _read_ipc
from trialfinder.catalog.snapshot import _PHASE, _finish_snapshot, _phase, _staging
from trialfinder.errors import DataProblem
from trialfinder.model import Trial
from trialfinder.store.layout import PullFolder, registry_pulls
from trialfinder.store.reading import (
    SourcesChanged,
    duplicate_problem,
    finish_held,
    held_ids,
    hold,
    iter_file_trials,
    reading_order,
    wrong_folder_problem,
)

_log = logging.getLogger("trialfinder")

#: From this many registry files on, a snapshot is built by worker processes
#: (one a core), each reading a run of files into its own part.
PARALLEL_FILES = 20_000
#: How much less CPU a build process asks for than the dashboard serving pages.
BUILD_NICENESS = 10
#: Files a worker reads into one part.
PART_FILES = 25_000


def _workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 8))


def _read_part(job: tuple[PullFolder, list[Path], frozenset[str], Path]) -> dict[str, Any]:
    """In a worker: one run of a source's files into a part of its own.

    What it cannot decide alone comes back as events, in reading order: every
    problem, and the trials held back (overlaid by a curated record, stored by
    another source too, or in two files of this source).
    """
    source, files, held, folder = job
    folder.mkdir(parents=True, exist_ok=True)
    builder = _Builder(spill=folder)
    events: list[tuple] = []
    for path in files:
        for item in iter_file_trials(source, path):
            if isinstance(item, DataProblem):
                events.append(("problem", item))
            elif item.id in held:
                events.append(("held", item, path))
            else:
                misplaced = wrong_folder_problem(source, path, item.id)
                if misplaced is not None:
                    events.append(("problem", misplaced))
                builder.add(item)
    return {"folder": folder, "events": events, **builder.close()}


class WorkerFailed(RuntimeError):
    """A worker process of a parallel build did not finish its part."""


#: The folder that holds the ``trialfinder`` package (for the workers' import path).
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def _run_workers(jobs: list[tuple], workers: int, staging: Path) -> list[dict[str, Any]]:
    """Each job read by one of ``workers`` child processes (the k-th takes every
    k-th job); the results in job order.

    Plain child processes (``python -c``), not :mod:`multiprocessing`: a worker
    must not import the caller's main module (a script, a server) again.
    """
    env = _child_env()
    children = []
    try:
        for k in range(min(workers, len(jobs))):
            plan = staging / f".worker-{k}.pickle"
            with open(plan, "wb") as out:
                pickle.dump(jobs[k::workers], out)
            log = open(staging / f".worker-{k}.log", "wb")  # noqa: SIM115 (closed below)
            command = [sys.executable, "-c", _WORKER, str(plan)]
            children.append((subprocess.Popen(command, env=env, stdout=log, stderr=log), log))
        for child, log in children:
            child.wait()
            log.close()
    finally:
        for child, log in children:
            if child.poll() is None:
                child.kill()
                child.wait()
            log.close()
    failed = [k for k, (child, _log) in enumerate(children) if child.returncode != 0]
    if failed:
        tail = (staging / f".worker-{failed[0]}.log").read_text(errors="replace")[-2000:]
        raise WorkerFailed(f"worker {failed[0]} of the build failed:\n{tail}")
    results = []
    for job in jobs:
        with open(job[3] / "result.pickle", "rb") as done:
            results.append(pickle.load(done))
    for k in range(len(children)):
        (staging / f".worker-{k}.pickle").unlink(missing_ok=True)
        (staging / f".worker-{k}.log").unlink(missing_ok=True)
    return results


_WORKER = "from trialfinder.catalog.workers import _worker_main; _worker_main()"


def _child_env() -> dict[str, str]:
    """The environment of a child process: this one's, with this package importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    return env


def _worker_main() -> None:
    """A worker process: read its jobs (a pickle the parent wrote) one after the other."""
    with open(sys.argv[1], "rb") as plan:
        jobs = pickle.load(plan)
    for job in jobs:
        result = _read_part(job)
        with open(job[3] / "result.pickle", "wb") as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)


def _parallel_parts(
    data_dir: Path, staging: Path, final: bool, workers: int, part_files: int
) -> tuple[list[_Part], list[DataProblem]]:
    """What :func:`~trialfinder.store.reading.iter_trials` yields, read by worker
    processes into parts of ``part_files`` files: the same trials, and the same
    problems in the same order."""
    sources = registry_pulls(data_dir)
    held_back = held_ids(data_dir, sources)
    jobs, owners = [], []
    for source in sources:
        files = reading_order(source)
        stems: dict[str, int] = {}
        for path in files:
            stems[path.stem] = stems.get(path.stem, 0) + 1
        held = frozenset(held_back | {stem for stem, n in stems.items() if n > 1})
        for start in range(0, len(files), part_files):
            folder = staging / f".part-{len(jobs):05d}"
            jobs.append((source, files[start : start + part_files], held, folder))
            owners.append(source)
    results = _run_workers(jobs, workers, staging)
    problems: list[DataProblem] = []
    held_trials: dict[str, Trial] = {}
    (staging / ".part-rest").mkdir()
    rest = _Builder(spill=staging / ".part-rest")
    seen: dict[str, str] = {}
    previous = None
    for source, result in zip(owners, results, strict=True):
        if source is not previous:
            seen, previous = {}, source
        for event in result["events"]:
            if event[0] == "problem":
                problems.append(event[1])
                continue
            _kind, trial, path = event
            shown = source.display(path)
            if trial.id in seen:
                problems.append(duplicate_problem(shown, trial.id, seen[trial.id]))
                continue
            seen[trial.id] = shown
            misplaced = wrong_folder_problem(source, path, trial.id)
            if misplaced is not None:
                problems.append(misplaced)
            if trial.id in held_back:
                hold(held_trials, trial)
            else:
                rest.add(trial)
    if not final and not all(source.still_there() for source in sources):
        raise SourcesChanged("a registry folder was removed while it was read")
    for item in finish_held(data_dir, held_trials):
        if isinstance(item, DataProblem):
            problems.append(item)
        else:
            rest.add(item)
    parts = []
    for result in results:
        folder = result["folder"]
        tables = {name: _read_ipc(folder / f".spill-{name}.arrow", mapped=True) for name in TABLES}
        parts.append(
            _Part(
                tables,
                result["counts"],
                result["offsets"],
                result["lengths"],
                folder / RECORDS_FILE,
                spill=folder,
            )
        )
    parts.append(rest.part())
    return parts, problems


def registry_files(data_dir: Path) -> int:
    return sum(len(source.files()) for source in registry_pulls(data_dir))


def build_elsewhere(data_dir: Path, directory: Path, fingerprint_: str, final: bool) -> None:
    """Build a large data directory's snapshot in a process of its own (which reads
    with a worker process a core): the caller, a dashboard serving the catalog it
    has, never holds a build's memory beside it."""
    command = [sys.executable, "-c", _BUILDER, str(data_dir), str(directory), fingerprint_]
    command += [str(int(final)), str(_workers()), str(PART_FILES)]
    done = subprocess.run(command, env=_child_env(), capture_output=True)
    if done.returncode == _SOURCES_CHANGED:
        raise SourcesChanged("a registry folder was removed while it was read")
    if done.returncode != 0 or not (directory / META_FILE).exists():
        tail = done.stderr.decode(errors="replace")[-2000:]
        raise WorkerFailed(f"the build process failed ({done.returncode}):\n{tail}")
    for line in done.stderr.decode(errors="replace").splitlines():
        if line.startswith(_PHASE):
            _log.info(line.removeprefix(_PHASE))


_BUILDER = "from trialfinder.catalog.workers import _builder_main; _builder_main()"
_SOURCES_CHANGED = 3


def _builder_main() -> None:
    """A build process: ``data_dir directory fingerprint final workers part_files``."""
    data_dir, directory, fingerprint_, final, workers, part_files = sys.argv[1:7]
    # Building is background work: the processes serving families come first
    # (the read workers started below inherit this).
    os.nice(BUILD_NICENESS)
    try:
        _build_snapshot_parallel(
            Path(data_dir),
            Path(directory),
            fingerprint_,
            final == "1",
            int(workers),
            int(part_files),
        )
    except SourcesChanged:
        raise SystemExit(_SOURCES_CHANGED) from None


def _build_snapshot_parallel(
    data_dir: Path, directory: Path, fingerprint_: str, final: bool, workers: int, part_files: int
) -> Path:
    """:func:`build_snapshot` of the data directory, read by ``workers`` processes."""
    staging = _staging(directory)
    try:
        start = time.perf_counter()
        parts, problems = _parallel_parts(data_dir, staging, final, workers, part_files)
        _phase(f"read the data files with {workers} workers", start)
        _finish_snapshot(staging, directory, parts, problems, fingerprint_, timed=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory

"""The data directory: where records live on disk, and how they are written.

```
data/
  trials/<id>.yaml              curated records, written by hand
  registry/NCT075/NCT07527104.json   registry studies as the API gave them, one a file
  .snapshot/                    the catalog's Parquet snapshot (not in git)
```

Every write goes beside its target and is renamed into place, so a reader sees
the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trialfinder.errors import DataError, DataProblem
from trialfinder.model import Trial
from trialfinder.sources import ctgov, curated

ENV_DATA_DIR = "TRIALFINDER_DATA_DIR"
REGISTRY = "registry"
CURATED = "trials"
SNAPSHOT = ".snapshot"
#: A ClinicalTrials.gov id, the only kind stored under ``registry/``.
NCT_ID = re.compile(r"NCT\d{8}")
_NCT_FIELD = "protocolSection.identificationModule.nctId"


def default_data_dir() -> Path:
    """``$TRIALFINDER_DATA_DIR``, else ``./data``."""
    return Path(os.environ.get(ENV_DATA_DIR) or "data")


def registry_path(data_dir: Path, trial_id: str) -> Path:
    """Where a registry study is stored: sharded so no folder grows huge."""
    return data_dir / REGISTRY / trial_id[:6] / f"{trial_id}.json"


def _new_file_mode(path: Path) -> int:
    """The mode the file would get from a plain open(): kept if it exists, else umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write beside ``path`` and rename over it: all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _new_file_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)  # mkstemp makes it owner-only
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_study(data_dir: Path, study: dict) -> Path:
    """Store one registry study (as the API gave it) under ``registry/``."""
    trial_id = ctgov.study_id(study)
    if not trial_id:
        raise ValueError("study has no nctId")
    if not NCT_ID.fullmatch(trial_id):
        # The id becomes a path: "NCT0/../../x" must never leave registry/.
        raise ValueError(f"nctId {trial_id!r} is not NCT followed by 8 digits")
    path = registry_path(data_dir, trial_id)
    atomic_write_bytes(path, json.dumps(study, ensure_ascii=False, indent=1).encode("utf-8"))
    return path


def registry_files(data_dir: Path) -> list[Path]:
    """``registry/*/*.json``, hidden folders and files (".cache", "._x.json") passed over."""
    root = data_dir / REGISTRY
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.glob("*/*.json")
        if not path.name.startswith(".") and not path.parent.name.startswith(".")
    )


def curated_files(data_dir: Path) -> list[Path]:
    root = data_dir / CURATED
    return sorted(root.glob("*.yaml")) if root.is_dir() else []


def data_files(data_dir: Path) -> list[Path]:
    """Every file whose content makes up the catalog."""
    return registry_files(data_dir) + curated_files(data_dir)


def fingerprint(data_dir: Path) -> str:
    """Changes whenever a data file is added, removed or rewritten."""
    digest = hashlib.sha256()
    for path in data_files(data_dir):
        stat = path.stat()
        digest.update(
            f"{path.relative_to(data_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
        )
    return digest.hexdigest()[:16]


@dataclass
class LoadedTrials:
    """Every trial the data directory holds, and every problem met reading it."""

    trials: list[Trial] = field(default_factory=list)
    problems: list[DataProblem] = field(default_factory=list)


def iter_registry_trials(data_dir: Path) -> Iterator[Trial | DataProblem]:
    """Every registry trial, and a problem for every file or record not usable.

    A trial stored outside its folder (``registry/<first 6 characters>/``) is
    reported and still read; a second record with an id already read is
    reported and left out (files in their own folder are read first, so the
    copy an import updates is the one kept).
    """
    seen: dict[str, Path] = {}
    files = sorted(registry_files(data_dir), key=lambda p: (p.parent.name != p.stem[:6], p))
    for path in files:
        for item in ctgov.iter_studies(path):
            if item.problem is not None or item.study is None:
                yield item.problem or DataProblem(file=str(path), message="unreadable")
                continue
            try:
                trial = ctgov.parse_study(item.study, origin=str(path))
            except DataError as error:
                yield error.problem
                continue
            if trial.id != path.stem:
                yield DataProblem(
                    file=str(path),
                    record=trial.id,
                    field=_NCT_FIELD,
                    message=f"the file name says {path.stem} but the record is {trial.id}",
                )
                continue
            if trial.id in seen:
                yield DataProblem(
                    file=str(path),
                    record=trial.id,
                    field=_NCT_FIELD,
                    message=f"duplicate id: {seen[trial.id]} holds the same trial; "
                    "this copy is not read",
                )
                continue
            seen[trial.id] = path
            expected = registry_path(data_dir, trial.id)
            if path.parent != expected.parent:
                yield DataProblem(
                    file=str(path),
                    record=trial.id,
                    field=_NCT_FIELD,
                    message=f"stored in the wrong folder; it belongs at {expected}, "
                    "where an import would look for it",
                )
            yield trial


def _registry_trials(data_dir: Path, problems: list[DataProblem]) -> dict[str, Trial]:
    by_id: dict[str, Trial] = {}
    for item in iter_registry_trials(data_dir):
        if isinstance(item, DataProblem):
            problems.append(item)
        else:
            by_id[item.id] = item
    return by_id


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
    """Registry trials with curated overlays applied, plus curated-only trials."""
    loaded = LoadedTrials()
    by_id = _registry_trials(data_dir, loaded.problems)
    _apply_curated(data_dir, by_id, loaded.problems)
    loaded.trials = sorted(by_id.values(), key=lambda t: t.id)
    return loaded


def _stray_registry_files(data_dir: Path) -> list[DataProblem]:
    """JSON files under ``registry/`` that the reader passes over."""
    root = data_dir / REGISTRY
    if not root.is_dir():
        return []
    read = set(registry_files(data_dir))
    return [
        DataProblem(
            file=str(path),
            message="not read: registry files live one folder down, "
            "registry/<first 6 characters of the id>/<id>.json",
        )
        for path in sorted(root.rglob("*.json"))
        if path not in read
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]


def check_data_dir(data_dir: Path) -> LoadedTrials:
    """What ``trialfinder validate`` reports: the trials, and every problem in every file.

    Beyond :func:`load_trials`, which stops at a curated file's first problem
    and blames only the second of two files with one id, this lists every
    problem of each curated file, both files of a duplicate id, ``.yml`` files
    and JSON files under ``registry/`` that are never read.
    """
    loaded = LoadedTrials()
    by_id = _registry_trials(data_dir, loaded.problems)
    loaded.problems.extend(_stray_registry_files(data_dir))
    _apply_curated(data_dir, by_id, [])  # validate_curated_dir reports these, and more
    curated_root = data_dir / CURATED
    if curated_root.is_dir():
        loaded.problems.extend(curated.validate_curated_dir(curated_root))
    loaded.trials = sorted(by_id.values(), key=lambda t: t.id)
    return loaded

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


def default_data_dir() -> Path:
    """``$TRIALFINDER_DATA_DIR``, else ``./data``."""
    return Path(os.environ.get(ENV_DATA_DIR) or "data")


def registry_path(data_dir: Path, trial_id: str) -> Path:
    """Where a registry study is stored: sharded so no folder grows huge."""
    return data_dir / REGISTRY / trial_id[:6] / f"{trial_id}.json"


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write beside ``path`` and rename over it: all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
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
    path = registry_path(data_dir, trial_id)
    atomic_write_bytes(path, json.dumps(study, ensure_ascii=False, indent=1).encode("utf-8"))
    return path


def registry_files(data_dir: Path) -> list[Path]:
    root = data_dir / REGISTRY
    return sorted(root.glob("*/*.json")) if root.is_dir() else []


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
    for path in registry_files(data_dir):
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
                    field="protocolSection.identificationModule.nctId",
                    message=f"the file name says {path.stem} but the record is {trial.id}",
                )
                continue
            yield trial


def load_trials(data_dir: Path) -> LoadedTrials:
    """Registry trials with curated overlays applied, plus curated-only trials."""
    loaded = LoadedTrials()
    by_id: dict[str, Trial] = {}
    for item in iter_registry_trials(data_dir):
        if isinstance(item, DataProblem):
            loaded.problems.append(item)
        else:
            by_id[item.id] = item
    seen: dict[str, Path] = {}
    for path in curated_files(data_dir):
        try:
            record = curated.read_curated(path)
        except DataError as error:
            loaded.problems.append(error.problem)
            continue
        key = record.id.casefold()
        if key in seen:
            loaded.problems.append(
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
    loaded.trials = sorted(by_id.values(), key=lambda t: t.id)
    return loaded

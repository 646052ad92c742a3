"""The snapshot on disk: written beside its folder and renamed into place, read back
without parsing; a large build runs in a process of its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from trialfinder.catalog.build import _assemble, _Builder, _Built, _catalog, _now, _ordered, _Part
from trialfinder.catalog.core import Catalog
from trialfinder.catalog.index import Codes, _read_index, _write_index
from trialfinder.catalog.records import Records
from trialfinder.catalog.schema import (
    _EAGER,
    INDEX_FILE,
    META_FILE,
    RECORDS_FILE,
    SNAPSHOT_VERSION,
    TABLES,
    _i32,
    _numpy,
    _open_ipc,
    _read_ipc,
    _to_table,
)
from trialfinder.errors import DataProblem
from trialfinder.model import Trial

#: Held by the process building a snapshot, in the data directory's snapshot folder.
BUILD_LOCK = ".build.lock"


def _problem_dicts(problems: tuple[DataProblem, ...]) -> list[dict]:
    return [p.__dict__ for p in problems]


def _meta(built_at: str, fingerprint_: str, problems: Iterable[DataProblem]) -> str:
    meta = {
        "version": SNAPSHOT_VERSION,
        "built_at": built_at,
        "fingerprint": fingerprint_,
        "problems": _problem_dicts(tuple(problems)),
    }
    return json.dumps(meta, ensure_ascii=False)


def _publish(staging: Path, directory: Path) -> None:
    try:
        staging.rename(directory)
    except OSError:
        if not directory.exists():
            raise
        shutil.rmtree(staging)  # another process published the same snapshot first


def _staging(directory: Path) -> Path:
    directory.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=directory.parent, prefix=".build-"))


def write_snapshot(catalog: Catalog, directory: Path) -> Path:
    """Write the catalog beside the snapshot folder, then rename it into place."""
    staging = _staging(directory)
    try:
        for name in TABLES:
            table = _to_table(getattr(catalog, name), name)
            _ordered(table, None, staging / f"{name}.arrow", name)
        _write_index(staging / INDEX_FILE, _index_of(catalog))
        with open(staging / RECORDS_FILE, "wb") as out:
            for piece in catalog.records.payload():
                out.write(piece)
        (staging / META_FILE).write_text(
            _meta(catalog.built_at, catalog.fingerprint, catalog.problems), encoding="utf-8"
        )
        _publish(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def _index_of(catalog: Catalog) -> dict[str, pa.Array]:
    s = catalog.search
    index: dict[str, pa.Array] = {
        "by_rank": _i32(s.by_rank),
        "by_id": _i32(s.by_id),
        "by_lat": _i32(s.by_lat),
        "by_country": _i32(s.by_country),
        "records.offsets": pa.array(catalog.records.offsets),
        "records.lengths": pa.array(catalog.records.lengths),
    }
    for key in ("status", "study_type", "phases", "site_country", "site_status"):
        codes: Codes = getattr(s, key)
        index[f"{key}.codes"] = _i32(codes.codes)
        index[f"{key}.values"] = pa.array(list(codes.values), type=pa.large_string())
    for group, words in s.words.items():
        index[f"{group}.vocab"] = words.vocab
        index[f"{group}.vocab_offsets"] = pa.array(words.vocab_offsets)
        index[f"{group}.postings"] = pa.array(words.postings)
        index[f"{group}.words"] = words.words
        index[f"{group}.word_offsets"] = pa.array(words.word_offsets)
        index[f"{group}.word_vocab"] = pa.array(words.word_vocab)
    for kind, names in s.names.items():
        index[f"names.{kind}"] = pa.array(list(names), type=pa.large_string())
    for group, pairs in s.learned.items():
        index[f"learned.{group}.keys"] = pairs.keys
        index[f"learned.{group}.offsets"] = pa.array(pairs.offsets, type=pa.int64())
        index[f"learned.{group}.terms"] = pairs.terms
    for name, (codes, distinct) in s.site_codes.items():
        index[f"sites.{name}.codes"] = pa.array(codes, type=pa.int32())
        index[f"sites.{name}.values"] = distinct
    return index


def build_snapshot(
    trials: Iterable[Trial | DataProblem], directory: Path, fingerprint_: str = ""
) -> Path:
    """Stream trials (and problems) into a snapshot folder: chunks of rows spill to
    disk as they fill, so memory stays flat whatever the number of trials."""
    staging = _staging(directory)
    try:
        builder = _Builder(spill=staging)
        problems: list[DataProblem] = []
        for item in trials:
            if isinstance(item, DataProblem):
                problems.append(item)
            else:
                builder.add(item)
        _finish_snapshot(staging, directory, [builder.part()], problems, fingerprint_)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


#: Lines a build process writes on its standard error to say how long each part took.
_PHASE = "build phase: "


def _phase(what: str, since: float) -> float:
    """Say on standard error how long a phase of a build took; the time now."""
    now = time.perf_counter()
    print(f"{_PHASE}{what} in {now - since:.1f} s", file=sys.stderr, flush=True)
    return now


def _finish_snapshot(
    staging: Path,
    directory: Path,
    parts: list[_Part],
    problems: list[DataProblem],
    fingerprint_: str,
    timed: bool = False,
) -> None:
    start = time.perf_counter()
    built, _records = _assemble(parts, sort_by_id=True, out=staging)
    if timed:
        _phase("ordered the tables and built the index", start)
    index = dict(built.index)
    index["records.offsets"] = pa.array(built.rec_offsets)
    index["records.lengths"] = pa.array(built.rec_lengths)
    _write_index(staging / INDEX_FILE, index)
    del built, index, parts
    (staging / META_FILE).write_text(_meta(_now(), fingerprint_, problems), encoding="utf-8")
    _publish(staging, directory)


def read_snapshot(directory: Path) -> Catalog:
    meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    if meta.get("version") != SNAPSHOT_VERSION:
        raise ValueError("snapshot written by another version")
    index = _read_index(directory / INDEX_FILE)
    # Memory-mapped: every process serving this snapshot shares its pages.
    tables: dict[str, Any] = {
        name: _read_ipc(directory / f"{name}.arrow", mapped=True)
        if name in _EAGER
        else _open_ipc(name, directory)
        for name in TABLES
    }
    built = _Built(
        tables, index, _numpy(index["records.offsets"]), _numpy(index["records.lengths"])
    )
    records = Records(directory / RECORDS_FILE, built.rec_offsets, built.rec_lengths)
    catalog = _catalog(
        built,
        records,
        (DataProblem(**p) for p in meta.get("problems", [])),
        meta.get("built_at", ""),
        meta.get("fingerprint", ""),
    )
    pa.default_memory_pool().release_unused()  # what the conversions needed for a moment
    return catalog


@contextlib.contextmanager
def one_builder(snapshots: Path) -> Iterator[None]:
    """Only one process builds a data directory's snapshot at a time; the others
    wait, then read what it built. (After a publish, every dashboard process
    behind the proxy started the same build at once, on the same cores.)"""
    try:
        snapshots.mkdir(parents=True, exist_ok=True)
        handle = open(snapshots / BUILD_LOCK, "ab")  # noqa: SIM115 (closed below)
    except OSError:  # a read-only data directory: its catalog is built in memory
        yield
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # released when the file closes
        yield


def _remove_old_snapshots(keep: Path) -> None:
    for other in keep.parent.iterdir():
        if other != keep and other.is_dir() and not other.name.startswith(".build-"):
            shutil.rmtree(other, ignore_errors=True)

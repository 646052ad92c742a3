"""Building a catalog: trials streamed into chunks of rows, the chunks joined into the
tables, the records and the search index (see :mod:`trialfinder.catalog` for what each
holds). The build never holds the trials themselves, so a whole registry fits; the
worker processes that read a registry in parallel are in :mod:`.workers`.
"""

from __future__ import annotations

import shutil
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from trialfinder import stamps
from trialfinder.catalog.core import Catalog, _LazyTable, with_synonyms
from trialfinder.catalog.index import (
    SITE_RESULT_COLUMNS,
    _ranges,
    _search_index,
    _text_codes,
    build_index,
)
from trialfinder.catalog.records import Records, record_blob
from trialfinder.catalog.rows import CHUNK_TRIALS, _Chunk, _Memo
from trialfinder.catalog.schema import (
    _CHILDREN,
    _EAGER,
    RECORDS_FILE,
    SCHEMAS,
    TABLES,
    _decoded,
    _read_ipc,
    _stored,
    _to_frame,
)
from trialfinder.errors import DataProblem
from trialfinder.model import Trial
from trialfinder.store.reading import (
    SourcesChanged,
    reads,
)
from trialfinder.words.synonyms import EMPTY as NO_SYNONYMS
from trialfinder.words.synonyms import Synonyms


class _Sink:
    """Where the batches of one table go while building: memory, or a spill file."""

    def __init__(self, name: str, path: Path | None) -> None:
        self.name = name
        self.path = path
        self.batches: list[pa.RecordBatch] = []
        self.writer = pa.ipc.new_file(str(path), SCHEMAS[name]) if path is not None else None

    def add(self, batch: pa.RecordBatch) -> None:
        if self.writer is not None:
            self.writer.write_batch(batch)
        else:
            self.batches.append(batch)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def table(self) -> pa.Table:
        self.close()
        if self.path is not None:
            return _read_ipc(self.path, mapped=True)
        return pa.Table.from_batches(self.batches, schema=SCHEMAS[self.name])


class _RecordSink:
    """The records, back to back (a file, or memory), and where each one is."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.file = open(path, "wb") if path is not None else None  # noqa: SIM115
        self.memory = bytearray()
        self.offsets = array("q")
        self.lengths = array("q")
        self.size = 0

    def add(self, blob: bytes) -> None:
        self.offsets.append(self.size)
        self.lengths.append(len(blob))
        self.size += len(blob)
        if self.file is not None:
            self.file.write(blob)
        else:
            self.memory += blob

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


@dataclass
class _Built:
    """A catalog's parts, in Arrow, before they become a :class:`Catalog`."""

    tables: dict[str, pa.Table]
    index: dict[str, pa.Array]
    rec_offsets: np.ndarray
    rec_lengths: np.ndarray


@dataclass
class _Part:
    """What one builder made: its tables (rows as added), the rows each trial has in
    the child tables, and its records (where each one is in its file or bytes)."""

    tables: dict[str, pa.Table]
    counts: dict[str, np.ndarray]
    offsets: np.ndarray
    lengths: np.ndarray
    records: Path | bytes
    #: The folder of its spill files, removed once the part is assembled.
    spill: Path | None = None


class _Builder:
    """Trials in, a catalog's part out: one trial at a time, a chunk of rows at a time."""

    def __init__(self, spill: Path | None = None) -> None:
        self.memo = _Memo()
        self.chunk = _Chunk()
        self.spill = spill
        self.sinks = {
            name: _Sink(name, spill / f".spill-{name}.arrow" if spill else None) for name in TABLES
        }
        self.counts: dict[str, list[np.ndarray]] = {name: [] for name in _CHILDREN}
        self.records = _RecordSink(spill / RECORDS_FILE if spill else None)

    def add(self, trial: Trial) -> None:
        self.chunk.add(trial, self.memo)
        self.records.add(record_blob(trial))
        if len(self.chunk) >= CHUNK_TRIALS:
            self._flush()

    def _flush(self) -> None:
        for name, batch in self.chunk.batches().items():
            self.sinks[name].add(batch)
        for name in _CHILDREN:
            self.counts[name].append(np.array(self.chunk.counts[name], dtype=np.int64))
        self.chunk = _Chunk()

    def close(self) -> dict[str, Any]:
        """Everything written; what a :class:`_Part` is made of, but the tables."""
        self._flush()
        self.records.close()
        for sink in self.sinks.values():
            sink.close()
        return {
            "counts": {
                name: np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
                for name, parts in self.counts.items()
            },
            "offsets": np.frombuffer(self.records.offsets, dtype=np.int64).copy(),
            "lengths": np.frombuffer(self.records.lengths, dtype=np.int64).copy(),
        }

    def part(self) -> _Part:
        closed = self.close()
        tables = {name: sink.table() for name, sink in self.sinks.items()}
        records = self.records.path if self.records.path else bytes(self.records.memory)
        return _Part(tables, spill=self.spill, records=records, **closed)


def _assemble(parts: list[_Part], sort_by_id: bool, out: Path | None) -> tuple[_Built, Any]:
    """The parts as one catalog's tables (in id order when ``sort_by_id``, else as
    added), index and records; with ``out``, written there as they are ordered.
    Returns the parts and where the records are (a file in ``out``, or bytes)."""
    tables = {
        name: pa.concat_tables([part.tables[name] for part in parts])
        if parts
        else SCHEMAS[name].empty_table()
        for name in TABLES
    }
    counts = {
        name: np.concatenate([p.counts[name] for p in parts] or [np.zeros(0, dtype=np.int64)])
        for name in _CHILDREN
    }
    offsets, lengths, records = _join_records(parts, out)
    n = tables["trials"].num_rows
    order = None
    if sort_by_id and n:
        order = pc.sort_indices(tables["trials"].column("id")).to_numpy()
        if (order == np.arange(n)).all():
            order = None
    final: dict[str, pa.Table] = {}
    for name in TABLES:
        rows = None
        if order is not None:
            rows = order if name == "trials" else _child_rows(counts[name], order)
        final[name] = _ordered(tables[name], rows, out / f"{name}.arrow" if out else None, name)
        del tables[name]
    if order is not None:
        offsets, lengths = offsets[order], lengths[order]
        counts = {name: c[order] for name, c in counts.items()}
    for part in parts:
        part.tables.clear()
        if part.spill is not None and part.spill != out:
            shutil.rmtree(part.spill, ignore_errors=True)
        elif part.spill is not None:
            for name in TABLES:
                (part.spill / f".spill-{name}.arrow").unlink(missing_ok=True)
    index = build_index(final, counts["terms"])
    index.update(_text_codes(final["sites"], "sites", 1 << 20, only=SITE_RESULT_COLUMNS))
    return _Built(final, index, offsets, lengths), records


def _join_records(parts: list[_Part], out: Path | None) -> tuple[np.ndarray, np.ndarray, Any]:
    """The parts' records as one: offsets and lengths of each, and the file (in
    ``out``) or bytes that hold them back to back."""
    offsets, lengths, shift = [], [], 0
    for part in parts:
        offsets.append(part.offsets + shift)
        lengths.append(part.lengths)
        shift += int(part.lengths.sum())
    empty = np.zeros(0, dtype=np.int64)
    joined = (np.concatenate(offsets or [empty]), np.concatenate(lengths or [empty]))
    if out is None:
        data = b"".join(p.records if isinstance(p.records, bytes) else b"" for p in parts)
        return *joined, data
    target = out / RECORDS_FILE
    if len(parts) == 1 and parts[0].records == target:
        return *joined, target
    with open(target, "wb") as sink:
        for part in parts:
            if isinstance(part.records, bytes):
                sink.write(part.records)
            else:
                with open(part.records, "rb") as source:
                    shutil.copyfileobj(source, sink, 1 << 24)
    return *joined, target


def _child_rows(counts: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Rows of a child table (grouped by trial) for the trials in ``order``."""
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return _ranges(starts[:-1][order], starts[1:][order])


def _ordered(
    table: pa.Table, rows: np.ndarray | None, path: Path | None, name: str = ""
) -> pa.Table:
    """``table`` with its rows taken in ``rows`` order (all, as they are, when None),
    each column in one piece, written to ``path`` (then read back, memory-mapped)
    when given.

    One piece a column, not batches: Arrow takes rows from a column in pieces by
    first joining the pieces, which made every query pay for a copy of the column.
    """
    indices = pa.array(rows, type=pa.int64()) if rows is not None else None
    columns = []
    for column in table.columns:
        taken = column.take(indices) if indices is not None else column
        columns.append(taken.combine_chunks() if isinstance(taken, pa.ChunkedArray) else taken)
    result = pa.Table.from_arrays(columns, schema=table.schema)
    if path is None:
        return result
    stored = _stored(result, name)
    with pa.ipc.new_file(str(path), stored.schema) as writer:
        writer.write_table(stored)
    del result, columns, stored
    return _decoded(_read_ipc(path, mapped=True))


def _catalog(
    built: _Built,
    records: Records,
    problems: Iterable[DataProblem],
    built_at: str,
    fingerprint_: str,
) -> Catalog:
    frames = {name: _to_frame(built.tables[name], name) for name in _EAGER}
    lazy = {
        name: _LazyTable(name, _to_frame(table, name) if isinstance(table, pa.Table) else table)
        for name, table in built.tables.items()
        if name in TABLES and name not in _EAGER
    }
    n_trials, n_sites = len(frames["trials"]), len(frames["sites"])
    expected = {
        "by_rank": n_trials,
        "by_id": n_trials,
        "status.codes": n_trials,
        "study_type.codes": n_trials,
        "phases.codes": n_trials,
        "site_country.codes": n_sites,
        "site_status.codes": n_sites,
    }
    if len(records) != n_trials or any(len(built.index[k]) != v for k, v in expected.items()):
        raise ValueError("the index does not match the tables")
    search = _search_index(built.index).attach(frames["trials"], frames["sites"])
    return Catalog(
        **frames,
        records=records,
        search=search,
        problems=tuple(problems),
        built_at=built_at,
        fingerprint=fingerprint_,
        _lazy=lazy,
    )


def _now() -> str:
    return stamps.iso()


def build_catalog(
    trials: Iterable[Trial],
    problems: list[DataProblem] | tuple = (),
    fingerprint_: str = "",
    synonyms: Synonyms = NO_SYNONYMS,
) -> Catalog:
    """A catalog in memory, its tables in the order of ``trials`` (one pass over them)."""
    builder = _Builder()
    for trial in trials:
        builder.add(trial)
    built, records = _assemble([builder.part()], sort_by_id=False, out=None)
    records = Records(records, built.rec_offsets, built.rec_lengths)
    return with_synonyms(_catalog(built, records, problems, _now(), fingerprint_), synonyms)


def _build_in_memory(data_dir: Path, fingerprint_: str) -> Catalog:
    """The catalog with nothing written: the tables and the records in memory."""
    for _attempt, stream in reads(data_dir):
        problems: list[DataProblem] = []
        builder = _Builder()
        try:
            for item in stream:
                if isinstance(item, DataProblem):
                    problems.append(item)
                else:
                    builder.add(item)
        except SourcesChanged:
            continue
        built, records = _assemble([builder.part()], sort_by_id=True, out=None)
        records = Records(records, built.rec_offsets, built.rec_lengths)
        return _catalog(built, records, problems, _now(), fingerprint_)
    raise AssertionError("unreachable: the last read is final")

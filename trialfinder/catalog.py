"""The catalog: the data directory as a few columnar tables, kept as a snapshot.

Tables (pandas DataFrames over Arrow memory, one row a ...):
- ``trials``: trial, with the fields the finder filters, sorts and shows (the
  long texts, summaries and the other titles, are in the records only);
- ``sites``: site, keyed by ``trial_id``, grouped by trial in the trials' order;
  sites the record gives no coordinates for are placed at their city from the
  offline gazetteer and marked ``approximate``;
- ``arms``: arm, keyed by ``trial_id``;
- ``terms``: searchable term (condition, keyword, MeSH term or ancestor, title,
  treatment, sponsor).

``trials`` and ``sites`` are read with the catalog; ``arms`` and ``terms`` (the
treatment and sponsor views only) when first used. Beside them:
- ``records``: the whole normalized trial, compressed JSON, read one trial at a
  time for the trial page (:meth:`Catalog.trial`), from disk for a snapshot;
- ``search``: the arrays :mod:`trialfinder.query` works with, built once with
  the tables (:class:`SearchIndex`): a word index of the terms, codes of the
  columns with few values, the default order of results and the trials table
  in that order, the sites by latitude and by country.

The snapshot is under ``data/.snapshot/v<version>-<fingerprint>/``, rebuilt when
the data files change: the tables and the index as Arrow IPC files (a cold load
is a read of bytes, nothing parsed or converted), the records back to back in
``records.bin``. It is built streaming, never holding the trials: they flow
from the data files into chunks of rows spilled to disk. A whole registry is
read by worker processes (one a core) and built in a process of its own, so a
dashboard serving the catalog it has never holds a build beside it. Once built,
a catalog is read-only.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import json
import logging
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from trialfinder import ages, geo
from trialfinder.datadir import (
    SNAPSHOT,
    RegistrySource,
    SourcesChanged,
    duplicate_problem,
    fingerprint,
    finish_held,
    held_ids,
    hold,
    iter_file_trials,
    iter_trials,
    reading_order,
    registry_sources,
    wrong_folder_problem,
)
from trialfinder.errors import DataProblem
from trialfinder.model import OPEN_STATUSES, Trial
from trialfinder.words import fold
from trialfinder.words import learned as learning
from trialfinder.words.synonyms import EMPTY as NO_SYNONYMS
from trialfinder.words.synonyms import FILE_NAME as SYNONYMS_FILE
from trialfinder.words.synonyms import Synonyms, load_synonyms

_log = logging.getLogger("trialfinder")
TABLES = ("trials", "sites", "arms", "terms")
#: The trials table again, in the default order of results (see SearchIndex.ranked).
RANKED = "ranked"
#: The tables read with the catalog; the others are read when first used.
_EAGER = ("trials", "sites")
SNAPSHOT_VERSION = "6"
#: Trials a chunk of the streaming build holds before it is turned into Arrow.
CHUNK_TRIALS = 20_000
RECORDS_FILE = "records.bin"
INDEX_FILE = "index.arrow"
META_FILE = "meta.json"
#: Which kinds of term each word filter of the query language searches.
#: Titles are their own group: a condition's words may come in any order inside
#: one term, a title's keep the order typed (see trialfinder.words.match).
TERM_GROUPS: dict[str, tuple[str, ...]] = {
    "cond": ("condition", "keyword", "mesh", "ancestor"),
    "title": ("title",),
    "intr": ("intervention", "intervention_mesh"),
    "spons": ("sponsor",),
}
#: The sites' columns a result names its nearest site by (kept as codes, see SearchIndex).
SITE_RESULT_COLUMNS = ("facility", "city", "country", "status")
#: Term kinds whose names (for type-ahead) are worked out when the catalog is built.
NAMED_KINDS = ("condition", "intervention", "sponsor")
#: How many names of each kind the filters offer (the most used; see _term_names).
TYPEAHEAD_NAMES = 1000
WORD = re.compile(r"\w+")

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


# ---------------------------------------------------------------- the catalog


class Records:
    """Every trial as compressed JSON (:func:`record_blob`), read one at a time: from a file (a
    snapshot: the catalog stays small whatever the registry's size) or from
    memory (a catalog built in place).

    ``offsets`` and ``lengths`` are per trial, in the trials table's order.
    """

    def __init__(self, source: Path | bytes, offsets: np.ndarray, lengths: np.ndarray) -> None:
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self._memory: bytes | None = None
        self._file = None
        if isinstance(source, bytes | bytearray | memoryview):
            self._memory = bytes(source)
            size = len(self._memory)
        else:
            # Opened now: the snapshot folder may be removed (a newer snapshot
            # replaces it) while this catalog is still being served.
            self._file = open(source, "rb")  # noqa: SIM115 (kept open as long as the catalog)
            size = os.fstat(self._file.fileno()).st_size
        end = int((self.offsets + self.lengths).max()) if len(self.offsets) else 0
        if end > size:
            self.close()
            raise ValueError("the records file is shorter than its index says")

    def __len__(self) -> int:
        return len(self.offsets)

    def blob(self, position: int) -> bytes:
        offset, length = int(self.offsets[position]), int(self.lengths[position])
        if self._memory is not None:
            return self._memory[offset : offset + length]
        assert self._file is not None
        blob = os.pread(self._file.fileno(), length, offset)
        if len(blob) != length:
            raise ValueError("the records file was cut short")
        return blob

    def json(self, position: int) -> dict[str, Any]:
        return read_blob(self.blob(position))

    def payload(self) -> Iterator[bytes]:
        """The whole compressed file, in pieces (to write it elsewhere)."""
        if self._memory is not None:
            yield self._memory
            return
        assert self._file is not None
        offset, size = 0, os.fstat(self._file.fileno()).st_size
        while offset < size:
            piece = os.pread(self._file.fileno(), min(1 << 24, size - offset), offset)
            if not piece:
                break
            yield piece
            offset += len(piece)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __del__(self) -> None:
        self.close()


#: Python's ``\w`` on ASCII text (in Unicode mode it adds only non-ASCII characters).
_ASCII_WORD = "A-Za-z0-9_"


def _re2_literal(text: str) -> str:
    """``text`` as a literal in an RE2 pattern (RE2 refuses escapes it does not know)."""
    return "".join("\\" + c if c.isascii() and not c.isalnum() and c != " " else c for c in text)


def whole_words_in(texts: pa.Array, folded: str) -> np.ndarray:
    r"""Which ``texts`` hold ``folded`` with no word character right before or after it
    (Python's ``(?<!\w)folded(?!\w)``).

    ASCII texts are checked in one vectorized pass (Arrow's RE2, whose ASCII word
    characters are Python's); the others, and any text when RE2 cannot say, with
    Python's own rule, one by one.
    """
    result = np.zeros(len(texts), dtype=bool)
    if not len(texts):
        return result
    ascii_ = pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)
    edge = f"[^{_ASCII_WORD}]"
    pattern = f"(?:^|{edge}){_re2_literal(folded)}(?:$|{edge})"
    try:
        found = pc.match_substring_regex(texts.filter(pa.array(ascii_)), pattern)
        result[ascii_] = found.to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ascii_[:] = False
    rest = np.flatnonzero(~ascii_)
    if len(rest):
        rule = re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")
        values = texts.take(pa.array(rest)).to_pylist()
        result[rest] = [rule.search(v) is not None for v in values]
    return result


@dataclass(frozen=True, eq=False)
class WordIndex:
    """The folded terms of one group of kinds, their trials, and the words in them.

    ``vocab`` holds each distinct folded term once, sorted; the trials (rows of
    the trials table) of term ``v`` are ``postings[vocab_offsets[v]:vocab_offsets[v + 1]]``.
    ``words`` holds each distinct word (``\\w+``) of the terms, sorted; the terms
    that hold word ``w`` are ``word_vocab[word_offsets[w]:word_offsets[w + 1]]``.
    """

    vocab: pa.Array
    vocab_offsets: np.ndarray
    postings: np.ndarray
    words: pa.Array
    word_offsets: np.ndarray
    word_vocab: np.ndarray
    _lookup: dict[str, int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def word_id(self, word: str) -> int | None:
        if not self._lookup and len(self.words):
            with self._lock:
                if not self._lookup:
                    self._lookup.update((w, i) for i, w in enumerate(self.words.to_pylist()))
        return self._lookup.get(word)

    def terms_with_word(self, word: str) -> np.ndarray:
        found = self.word_id(word)
        if found is None:
            return np.zeros(0, dtype=np.int32)
        return self.word_vocab[self.word_offsets[found] : self.word_offsets[found + 1]]

    def matching_terms(self, folded: str) -> np.ndarray:
        """The terms (vocab ids) in which ``folded`` stands as whole words.

        The rule: ``folded`` occurs with no word character right before or
        after it. Every word of ``folded`` is then a whole word of the term, so
        the word index gives the few candidates; a query of one word is exactly
        one word of the term, anything else is checked with the rule itself.
        """
        words = list(dict.fromkeys(WORD.findall(folded)))
        if words:
            lists = sorted((self.terms_with_word(w) for w in words), key=len)
            candidates = lists[0]
            for other in lists[1:]:
                if not len(candidates):
                    break
                candidates = np.intersect1d(candidates, other, assume_unique=True)
            if words == [folded]:
                return candidates
        else:  # no word at all (only a query built in code can be so): check every term
            candidates = np.arange(len(self.vocab), dtype=np.int32)
        if not len(candidates):
            return candidates
        return candidates[whole_words_in(self.vocab.take(pa.array(candidates)), folded)]

    def trials_of(self, terms: np.ndarray) -> np.ndarray:
        """The trials (rows, possibly repeated) that have any of ``terms``."""
        return self.postings[_ranges(self.vocab_offsets[terms], self.vocab_offsets[terms + 1])]


@dataclass(frozen=True, eq=False)
class Codes:
    """A column with few values, as small integers: ``values[codes]``, -1 when missing."""

    codes: np.ndarray
    values: tuple[str, ...]

    def lookup(self, wanted, missing: bool = False) -> np.ndarray:
        """A table of booleans by code (its last entry, for -1, says ``missing``)."""
        return np.array([bool(wanted(v)) for v in self.values] + [missing], dtype=bool)

    def where(self, wanted, missing: bool = False) -> np.ndarray:
        return self.lookup(wanted, missing)[self.codes]


@dataclass(frozen=True, eq=False)
class SearchIndex:
    """What the query engine filters, orders and joins with: plain arrays, built once.

    Trials are rows of the trials table; sites are rows of the sites table,
    grouped by trial in the trials' order (the sites of trial ``i`` are rows
    ``site_start[i]:site_start[i + 1]``).
    """

    #: Trials in the default order: open first, then most recently updated, then id.
    by_rank: np.ndarray
    #: The trials table's columns in that order (rows ``by_rank``): results are
    #: read from it front to back, not gathered from all over the table.
    ranked: pa.Table
    #: Its text columns with few distinct values as codes (-1: missing) into them:
    #: rows are picked from a small array instead of a large one (see ranked_rows).
    ranked_codes: dict[str, tuple[np.ndarray, pa.Array]]
    #: The same for the sites table's text columns (those with few distinct values).
    site_codes: dict[str, tuple[np.ndarray, pa.Array]]
    #: Trials in id order (to find one by id).
    by_id: np.ndarray
    status: Codes
    study_type: Codes
    phases: Codes
    site_country: Codes
    site_status: Codes
    #: Sites with a latitude, by latitude (a spatial prefilter: a band of latitudes
    #: is a slice), and their latitudes.
    by_lat: np.ndarray
    #: Sites by country (those of country code ``c`` are
    #: ``by_country[country_start[c]:country_start[c + 1]]``, ascending).
    by_country: np.ndarray
    words: dict[str, WordIndex]
    #: Names for type-ahead, by kind of term.
    names: dict[str, tuple[str, ...]]
    #: The registry's own pairs of words and MeSH terms, by word filter.
    learned: dict[str, learning.Learned]
    # Derived when loaded (from the tables and the arrays above).
    rank: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    is_open: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    min_age_days: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    max_age_days: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    n_sites: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    site_start: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    site_trial: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    lat: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    lon: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    lat_sorted: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    country_start: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    _missing: dict[str, bool] = field(default_factory=dict, repr=False)

    def attach(self, trials: pd.DataFrame, sites: pd.DataFrame) -> SearchIndex:
        """The index with the arrays it derives from the tables filled in."""
        n_sites = trials["n_sites"].to_numpy(dtype=np.int64)
        site_start = np.zeros(len(n_sites) + 1, dtype=np.int64)
        np.cumsum(n_sites, out=site_start[1:])
        if site_start[-1] != len(sites):
            raise ValueError("the sites table does not match the trials' site counts")
        rank = np.empty(len(self.by_rank), dtype=np.int64)
        rank[self.by_rank] = np.arange(len(self.by_rank))
        lat = sites["lat"].to_numpy(dtype=float)
        codes, n_values = self.site_country.codes, len(self.site_country.values)
        if len(self.by_country) != int((codes >= 0).sum()):
            raise ValueError("the sites by country do not match the sites")
        return dataclasses.replace(
            self,
            rank=rank,
            is_open=trials["is_open"].to_numpy(dtype=bool),
            min_age_days=trials["min_age_days"].to_numpy(dtype=float),
            max_age_days=trials["max_age_days"].to_numpy(dtype=float),
            n_sites=n_sites,
            site_start=site_start,
            site_trial=np.repeat(np.arange(len(n_sites), dtype=np.int32), n_sites),
            lat=lat,
            lon=sites["lon"].to_numpy(dtype=float),
            lat_sorted=lat[self.by_lat],
            country_start=np.r_[0, np.cumsum(np.bincount(codes[codes >= 0], minlength=n_values))],
        )

    def ranked_rows(self, which: np.ndarray | None) -> pa.Table:
        """Rows of the ranked table: all (None), those of a mask, or at indices."""
        if which is None:
            return self.ranked
        if which.dtype == bool:
            which = np.flatnonzero(which)
        # Rows far apart are read in table order, then put in the order asked for:
        # the second take reads from the few rows taken, not from the whole table.
        ascending = bool((which[1:] >= which[:-1]).all())
        if ascending:
            indices, reorder = pa.array(which, type=pa.int64()), None
        else:
            order = np.argsort(which, kind="stable")
            inverse = np.empty_like(order)
            inverse[order] = np.arange(len(order))
            indices, reorder = pa.array(which[order], type=pa.int64()), pa.array(inverse)
        columns = []
        for name, column in zip(self.ranked.column_names, self.ranked.columns, strict=True):
            coded = self.ranked_codes.get(name)
            if coded is None:
                taken = column.chunk(0).take(indices)
                columns.append(taken if reorder is None else taken.take(reorder))
                continue
            codes, distinct = coded
            picked = codes[which]
            missing = picked < 0 if self._has_missing(name, codes) else None
            columns.append(distinct.take(pa.array(picked, mask=missing)))
        return pa.Table.from_arrays(columns, schema=self.ranked.schema)

    def site_values(self, sites: pd.DataFrame, name: str, rows: np.ndarray) -> pa.Array:
        """A text column of the sites table at ``rows``, through its codes if it has them."""
        coded = self.site_codes.get(name)
        if coded is None:
            taken = sites[name].array._pa_array.take(pa.array(rows, type=pa.int64()))
            return taken.combine_chunks().cast(pa.large_string())
        codes, distinct = coded
        picked = codes[rows]
        return distinct.take(pa.array(picked, mask=picked < 0))

    def _has_missing(self, name: str, codes: np.ndarray) -> bool:
        found = self._missing.get(name)
        if found is None:
            found = self._missing[name] = bool(len(codes)) and bool(codes.min() < 0)
        return found

    def sites_in(self, countries: Iterable[str]) -> np.ndarray:
        """The sites (rows, ascending) in these countries (by their one name)."""
        code = {value: i for i, value in enumerate(self.site_country.values)}
        wanted = sorted(code[c] for c in set(countries) if c in code)
        found = [self.by_country[self.country_start[c] : self.country_start[c + 1]] for c in wanted]
        if len(found) == 1:
            return found[0]
        return np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=np.int32)

    def sites_of(self, trials: np.ndarray) -> np.ndarray:
        """The sites (rows, ascending) of the given trials (rows, ascending)."""
        return _ranges(self.site_start[trials], self.site_start[trials + 1])


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, e) for s, e in zip(starts, ends)])``, vectorized."""
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(ends, dtype=np.int64) - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = starts - (np.cumsum(lengths) - lengths)
    return np.repeat(shift, lengths) + np.arange(total, dtype=np.int64)


class _LazyTable:
    """A table read when first used: a DataFrame already, or an Arrow IPC file held
    open (its footer and columns checked when opened)."""

    def __init__(self, name: str, source: pd.DataFrame | pa.NativeFile) -> None:
        self.name = name
        self.source = source
        self.lock = threading.Lock()

    def get(self) -> pd.DataFrame:
        if isinstance(self.source, pd.DataFrame):
            return self.source
        with self.lock:
            if not isinstance(self.source, pd.DataFrame):
                self.source = _read_lazily(self.source, self.name)
        return self.source


def _read_lazily(source: pa.NativeFile, name: str) -> pd.DataFrame:
    """A table's frame from its file (category columns stored as dictionaries: no
    copy of their text is ever made)."""
    frame = _to_frame(pa.ipc.open_file(source).read_all(), name)
    pa.default_memory_pool().release_unused()
    return frame


@dataclass(frozen=True, eq=False)
class Catalog:
    """The tables, the records and the search index of a data directory.

    ``trials`` and ``sites`` (what every page filters, joins and shows) are read
    with the catalog; ``arms`` and ``terms`` (the treatment and sponsor views
    only) are read from the snapshot the first time they are used.
    """

    trials: pd.DataFrame
    sites: pd.DataFrame
    records: Records
    search: SearchIndex
    problems: tuple[DataProblem, ...] = ()
    built_at: str = ""
    fingerprint: str = ""
    #: The data directory's synonyms file, read with the catalog (not part of the
    #: snapshot: an edit needs no rebuild, only a new load).
    synonyms: Synonyms = NO_SYNONYMS
    _lazy: dict[str, _LazyTable] = field(default_factory=dict, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.trials)

    @property
    def arms(self) -> pd.DataFrame:
        return self._lazy["arms"].get()

    @property
    def terms(self) -> pd.DataFrame:
        return self._lazy["terms"].get()

    def position(self, trial_id: str) -> int | None:
        """The trial's row in the trials table, or None for an unknown id."""
        if not isinstance(trial_id, str):
            return None
        ids, by_id = self.trials["id"].array, self.search.by_id
        k = bisect.bisect_left(range(len(by_id)), trial_id, key=lambda i: ids[by_id[i]])
        if k < len(by_id) and ids[by_id[k]] == trial_id:
            return int(by_id[k])
        return None

    def find_id(self, text: str) -> str | None:
        """The id of the trial ``text`` names, as written or in capitals or small
        letters ("nct07527104"); None when no trial has it. A lookup in the index,
        not a set of every id (a page run must not build one)."""
        if not isinstance(text, str):
            return None
        for candidate in dict.fromkeys((text, text.upper(), text.lower())):
            if self.position(candidate) is not None:
                return candidate
        return None

    def sites_of(self, trial_ids: Iterable[str]) -> pd.DataFrame:
        """The sites of these trials (rows of the sites table, in its order), found
        through the index rather than by comparing every site's ``trial_id``."""
        positions = sorted({p for p in map(self.position, trial_ids) if p is not None})
        rows = self.search.sites_of(np.asarray(positions, dtype=np.int64))
        return self.sites.take(rows)

    def trial(self, trial_id: str) -> Trial | None:
        """The whole normalized trial, or None for an unknown id."""
        position = self.position(trial_id)
        if position is None:
            return None
        return Trial.from_dict(self.records.json(position))

    def titles(self) -> pd.Series:
        """Each trial's title by id. Built once a catalog: its index hashes every
        id, which a page should not pay on each run."""
        found = self._memo.get("titles")
        if found is None:
            found = pd.Series(
                self.trials["title"].array, index=pd.Index(self.trials["id"].array), name="title"
            )
            self._memo["titles"] = found
        return found

    def condition_names(self) -> list[str]:
        """The conditions present in the data, for type-ahead."""
        return self.term_names("condition")

    def term_names(self, kind: str) -> list[str]:
        """The terms of one kind present in the data ("condition", "sponsor" ...)."""
        names = self.search.names.get(kind)
        if names is None:
            names = self._memo.get(f"names:{kind}")
            if names is None:
                names = _term_names(self.terms, kind)
                self._memo[f"names:{kind}"] = names
        return list(names)

    def countries(self) -> list[str]:
        found = self._memo.get("countries")
        if found is None:
            found = tuple(sorted(set(self.search.site_country.values), key=str.casefold))
            self._memo["countries"] = found
        return list(found)


def _term_names(terms: pd.DataFrame, kind: str) -> tuple[str, ...]:
    """The :data:`TYPEAHEAD_NAMES` most used names of a kind, in alphabetical order.

    Every page sends its filters' options to the browser: the whole registry's
    100,000 treatments would be megabytes a page on a family's phone. Any other
    name can still be typed (the filters accept new options).
    """
    names = terms.loc[terms["kind"] == kind, "term"]
    # One spelling per condition ("Cerebral palsy" / "Cerebral Palsy"): the most used.
    counts = names.value_counts(sort=True)
    folded = pd.Series(counts.to_numpy(), index=[n.casefold() for n in counts.index])
    uses = folded.groupby(level=0, sort=False).sum()
    spelling: dict[str, str] = {}
    for name in counts.index:
        spelling.setdefault(name.casefold(), name)
    kept = uses.sort_values(ascending=False, kind="stable").index[:TYPEAHEAD_NAMES]
    return tuple(sorted((spelling[f] for f in kept), key=str.casefold))


# ---------------------------------------------------------------- building rows


#: A record's header: the size of its JSON before compression.
_HEADER = struct.Struct("<I")


def record_blob(trial: Trial) -> bytes:
    """A trial as the records keep it: compact JSON, LZ4-compressed, after its size.

    The JSON of ``trial.to_dict()``, written straight from the dataclasses: their
    fields are their ``__dict__`` in order, and tuples are JSON arrays already.
    """
    text = json.dumps(trial, default=vars, ensure_ascii=False, separators=(",", ":"))
    text = text.encode("utf-8")
    return _HEADER.pack(len(text)) + pa.compress(text, codec="lz4", asbytes=True)


def read_blob(blob: bytes) -> dict[str, Any]:
    (size,) = _HEADER.unpack_from(blob)
    text = pa.decompress(
        memoryview(blob)[_HEADER.size :], decompressed_size=size, codec="lz4", asbytes=True
    )
    return json.loads(text)


def _intervention_terms(t: Trial) -> tuple[str, ...]:
    """Names, types and other names of the interventions, the arms' intervention
    entries ("Drug: Piracetam") and the curated active substance."""
    terms: list[str] = []
    for i in t.interventions:
        terms.append(i.name)
        terms.extend(i.other_names)
        if i.type:
            terms.append(i.type.lower().replace("_", " "))
    for arm in t.arms:
        terms.extend(arm.interventions)
    if t.active_substance:
        terms.append(t.active_substance)
    return tuple(dict.fromkeys(terms))


def _term_kinds(t: Trial) -> tuple[tuple[str, Iterable[str]], ...]:
    return (
        ("condition", t.conditions),
        ("keyword", t.keywords),
        ("mesh", t.mesh_terms),
        ("ancestor", t.mesh_ancestors),
        ("title", tuple(x for x in (t.brief_title, t.official_title, t.plain_title) if x)),
        ("intervention", _intervention_terms(t)),
        ("intervention_mesh", t.intervention_mesh_terms),
        ("sponsor", tuple(x for x in (t.sponsor, *t.collaborators) if x)),
    )


class _Memo:
    """Answers that repeat across a registry (countries, cities, ages, folded
    names), worked out once per build."""

    LIMIT = 500_000

    def __init__(self) -> None:
        self.countries: dict[str | None, str | None] = {}
        self.places: dict[tuple[str | None, str | None], geo.Place | None] = {}
        self.min_days: dict[str | None, float] = {}
        self.max_days: dict[str | None, float] = {}
        self.folded: dict[str, str] = {}

    def country(self, name: str | None) -> str | None:
        try:
            return self.countries[name]
        except KeyError:
            found = self.countries[name] = geo.canonical_country(name)
            return found

    def place(self, city: str | None, country: str | None) -> geo.Place | None:
        key = (city, country)
        try:
            return self.places[key]
        except KeyError:
            found = self.places[key] = geo.find_city(city, country)
            return found

    def min_age(self, text: str | None) -> float:
        try:
            return self.min_days[text]
        except KeyError:
            found = self.min_days[text] = ages.min_age_days(text)
            return found

    def max_age(self, text: str | None) -> float:
        try:
            return self.max_days[text]
        except KeyError:
            found = self.max_days[text] = ages.max_age_days_exclusive(text)
            return found

    def learned_key(self, text: str) -> str:
        try:
            return self.folded["\0" + text]
        except KeyError:
            found = self.folded["\0" + text] = learning.key_of(text)
            return found

    def fold(self, text: str, kind: str) -> str:
        if kind == "title":  # nearly every title is its own: not worth remembering
            return geo.fold(text)
        try:
            return self.folded[text]
        except KeyError:
            if len(self.folded) > self.LIMIT:
                self.folded.clear()
            found = self.folded[text] = geo.fold(text)
            return found


class _Chunk:
    """Rows of a few thousand trials, column by column, on their way to Arrow."""

    def __init__(self) -> None:
        self.columns = {name: {c: [] for c in spec} for name, spec in SPECS.items()}
        self.counts: dict[str, list[int]] = {name: [] for name in _CHILDREN}

    def __len__(self) -> int:
        return len(self.columns["trials"]["id"])

    def add(self, t: Trial, memo: _Memo) -> None:
        d, e, dates = t.design, t.eligibility, t.dates
        row = self.columns["trials"]
        values = (
            ("id", t.id),
            ("title", t.title),
            ("overall_status", t.overall_status),
            ("last_known_status", t.last_known_status),
            ("is_open", t.overall_status in OPEN_STATUSES),
            ("conditions", "; ".join(t.conditions)),
            ("study_type", d.study_type),
            ("phases", "|".join(d.phases)),
            ("allocation", d.allocation),
            ("intervention_model", d.intervention_model),
            ("masking", d.masking),
            ("primary_purpose", d.primary_purpose),
            ("enrollment", d.enrollment),
            ("enrollment_type", d.enrollment_type),
            ("min_age", e.min_age),
            ("max_age", e.max_age),
            ("min_age_days", memo.min_age(e.min_age)),
            ("max_age_days", memo.max_age(e.max_age)),
            ("sex", e.sex),
            ("healthy_volunteers", e.healthy_volunteers),
            ("sponsor", t.sponsor),
            ("start_date", dates.start),
            ("completion_date", dates.completion),
            ("first_posted", dates.first_posted),
            ("last_update", dates.last_update),
            ("has_results", t.has_results),
            ("active_substance", t.active_substance),
            ("n_sites", len(t.sites)),
            ("source", t.source),
            ("source_url", t.source_url),
        )
        for name, value in values:
            row[name].append(value)

        sites = self.columns["sites"]
        for i, s in enumerate(t.sites):
            lat, lon, approximate = s.lat, s.lon, False
            if lat is None or lon is None:
                place = memo.place(s.city, s.country)
                if place is not None:
                    lat, lon, approximate = place.lat, place.lon, True
                else:
                    lat = lon = None
            sites["trial_id"].append(t.id)
            sites["site_index"].append(i)
            sites["facility"].append(s.facility)
            sites["city"].append(s.city)
            sites["state"].append(s.state)
            sites["country"].append(s.country)
            sites["country_key"].append(memo.country(s.country))
            sites["status"].append(s.status)
            sites["lat"].append(np.nan if lat is None else lat)
            sites["lon"].append(np.nan if lon is None else lon)
            sites["approximate"].append(approximate)
            sites["note"].append(s.note)
        self.counts["sites"].append(len(t.sites))

        arms = self.columns["arms"]
        for i, a in enumerate(t.arms):
            arms["trial_id"].append(t.id)
            arms["arm_index"].append(i)
            arms["label"].append(a.label)
            arms["type"].append(a.type)
            arms["description"].append(a.description)
            arms["interventions"].append("; ".join(a.interventions))
        self.counts["arms"].append(len(t.arms))

        terms = self.columns["terms"]
        n = 0
        for kind, names in _term_kinds(t):
            for name in names:
                terms["trial_id"].append(t.id)
                terms["term"].append(name)
                terms["kind"].append(kind)
                terms["folded"].append(memo.fold(name, kind))
                n += 1
        # The registry's pairs of words and MeSH terms: the MeSH term as the term,
        # the key of the words as the folded text (see trialfinder.words.learned).
        for kind, match in learning.learned_pairs(t):
            terms["trial_id"].append(t.id)
            terms["term"].append(match.term)
            terms["kind"].append(kind)
            terms["folded"].append(memo.learned_key(match.found))
            n += 1
        self.counts["terms"].append(n)

    def batches(self) -> dict[str, pa.RecordBatch]:
        return {
            name: pa.record_batch(
                [
                    pa.array(columns[c], type=field.type)
                    for c, field in zip(columns, SCHEMAS[name], strict=True)
                ],
                schema=SCHEMAS[name],
            )
            for name, columns in self.columns.items()
        }


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
    final[RANKED] = _ordered(
        final["trials"], _numpy(index["by_rank"]), out / f"{RANKED}.arrow" if out else None
    )
    index.update(_text_codes(final[RANKED], "ranked"))
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


# ---------------------------------------------------------------- reading in parallel

#: From this many registry files on, a snapshot is built by worker processes
#: (one a core), each reading a run of files into its own part.
PARALLEL_FILES = 20_000
#: Files a worker reads into one part.
PART_FILES = 25_000


def _workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 8))


def _read_part(job: tuple[RegistrySource, list[Path], frozenset[str], Path]) -> dict[str, Any]:
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
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


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


_WORKER = "from trialfinder.catalog import _worker_main; _worker_main()"


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
    data_dir: Path, staging: Path, final: bool, workers: int
) -> tuple[list[_Part], list[DataProblem]]:
    """What :func:`~trialfinder.datadir.iter_trials` yields, read by worker
    processes into parts: the same trials, and the same problems in the same order."""
    sources = registry_sources(data_dir)
    held_back = held_ids(data_dir, sources)
    jobs, owners = [], []
    for source in sources:
        files = reading_order(source)
        stems: dict[str, int] = {}
        for path in files:
            stems[path.stem] = stems.get(path.stem, 0) + 1
        held = frozenset(held_back | {stem for stem, n in stems.items() if n > 1})
        for start in range(0, len(files), PART_FILES):
            folder = staging / f".part-{len(jobs):05d}"
            jobs.append((source, files[start : start + PART_FILES], held, folder))
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


def _registry_files(data_dir: Path) -> int:
    return sum(len(source.files()) for source in registry_sources(data_dir))


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
    """A table of an Arrow IPC file, read into memory in one read (the columns are
    views of it: nothing is copied or converted).

    Only the build's own files in its staging folder are memory-mapped: a mapped
    file cut short under a running server (a snapshot file overwritten in place)
    would crash the whole process at its next read.
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


# ---------------------------------------------------------------- the index


def build_index(tables: dict[str, pa.Table], terms_per_trial: np.ndarray) -> dict[str, pa.Array]:
    """The search index of the tables, as named Arrow arrays (what ``index.arrow`` holds)."""
    trials, sites, terms = tables["trials"], tables["sites"], tables["terms"]
    n = trials.num_rows
    index: dict[str, pa.Array] = {}
    updated = pc.fill_null(trials.column("last_update"), "")
    index["by_rank"] = _i32(
        pc.sort_indices(
            pa.table({"open": trials.column("is_open"), "update": updated, "id": trials["id"]}),
            sort_keys=[("open", "descending"), ("update", "descending"), ("id", "ascending")],
        )
    )
    index["by_id"] = _i32(pc.sort_indices(trials.column("id")))
    for key, table, column in (
        ("status", trials, "overall_status"),
        ("study_type", trials, "study_type"),
        ("phases", trials, "phases"),
        ("site_country", sites, "country_key"),
        ("site_status", sites, "status"),
    ):
        codes, values = pd.factorize(pd.arrays.ArrowStringArray(table.column(column)))
        index[f"{key}.codes"] = pa.array(codes.astype(np.int32))
        index[f"{key}.values"] = pa.array(list(values), type=pa.large_string())
    lat = sites.column("lat").to_numpy()
    with_lat = np.flatnonzero(~np.isnan(lat))
    index["by_lat"] = pa.array(with_lat[np.argsort(lat[with_lat], kind="stable")].astype(np.int32))
    country = _numpy(index["site_country.codes"])
    index["by_country"] = _i32(np.argsort(country, kind="stable")[(country < 0).sum() :])
    term_trial = np.repeat(np.arange(n, dtype=np.int64), terms_per_trial)
    for group, kinds in TERM_GROUPS.items():
        for key, value in _word_index(terms, term_trial, kinds, n).items():
            index[f"{group}.{key}"] = value
    frame = pd.DataFrame(
        {
            "kind": pd.arrays.ArrowStringArray(terms.column("kind")),
            "term": pd.arrays.ArrowStringArray(terms.column("term")),
        }
    )
    for kind in NAMED_KINDS:
        index[f"names.{kind}"] = pa.array(_term_names(frame, kind), type=pa.large_string())
    for group, kind in learning.KINDS.items():
        rows = pc.equal(terms.column("kind"), kind)
        pairs = terms.filter(rows)
        arrays = learning.build_learned(
            pairs.column("folded").to_pylist(), pairs.column("term").to_pylist()
        )
        for key, value in arrays.items():
            index[f"learned.{group}.{key}"] = value
    return index


def _i32(values: pa.Array | np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int32))


def _word_index(
    terms: pa.Table, term_trial: np.ndarray, kinds: tuple[str, ...], n: int
) -> dict[str, pa.Array]:
    rows = np.flatnonzero(
        pc.is_in(terms.column("kind"), value_set=pa.array(kinds)).to_numpy(zero_copy_only=False)
    )
    folded = terms.column("folded").take(pa.array(rows, type=pa.int64())).combine_chunks()
    encoded = pc.dictionary_encode(folded)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    vocab = encoded.dictionary.cast(pa.large_string())
    sort = pc.sort_indices(vocab).to_numpy()
    vocab = vocab.take(pa.array(sort))
    rank = np.empty(len(sort), dtype=np.int64)
    rank[sort] = np.arange(len(sort))
    keys = np.unique(rank[codes] * max(n, 1) + term_trial[rows])
    term_of = keys // max(n, 1)
    postings = (keys % max(n, 1)).astype(np.int32)
    vocab_offsets = np.searchsorted(term_of, np.arange(len(vocab) + 1)).astype(np.int64)
    # Words: each distinct \w+ of each term, and the terms it stands in.
    word_ids: dict[str, int] = {}
    word_of, term_with = array("i"), array("i")
    for v, text in enumerate(vocab.to_pylist()):
        for word in set(WORD.findall(text)):
            w = word_ids.get(word)
            if w is None:
                w = word_ids[word] = len(word_ids)
            word_of.append(w)
            term_with.append(v)
    words = sorted(word_ids, key=word_ids.__getitem__)
    word_sort = sorted(range(len(words)), key=words.__getitem__)
    word_rank = np.empty(len(words), dtype=np.int64)
    word_rank[word_sort] = np.arange(len(words))
    pairs = np.unique(
        word_rank[np.frombuffer(word_of, dtype=np.int32)] * max(len(vocab), 1)
        + np.frombuffer(term_with, dtype=np.int32)
    )
    word_offsets = np.searchsorted(pairs // max(len(vocab), 1), np.arange(len(words) + 1))
    return {
        "vocab": vocab,
        "vocab_offsets": pa.array(vocab_offsets.astype(np.int64)),
        "postings": pa.array(postings),
        "words": pa.array([words[i] for i in word_sort], type=pa.large_string()),
        "word_offsets": pa.array(word_offsets.astype(np.int64)),
        "word_vocab": pa.array((pairs % max(len(vocab), 1)).astype(np.int32)),
    }


def _numpy(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values.to_numpy(zero_copy_only=False)


def _text_codes(
    table: pa.Table, prefix: str, limit: int = 1 << 16, only: Iterable[str] | None = None
) -> dict[str, pa.Array]:
    """The codes of a table's text columns with few distinct values (at most
    ``limit``, and at most one row in eight): ``<prefix>.<column>.codes`` (-1:
    missing) and ``.values``."""
    index: dict[str, pa.Array] = {}
    limit = min(limit, max(table.num_rows // 8, 1))
    for name, column in zip(table.column_names, table.columns, strict=True):
        if not pa.types.is_large_string(column.type) or (only is not None and name not in only):
            continue
        encoded = pc.dictionary_encode(column.combine_chunks())
        if len(encoded.dictionary) > limit:
            continue
        index[f"{prefix}.{name}.codes"] = pc.fill_null(encoded.indices.cast(pa.int32()), -1)
        index[f"{prefix}.{name}.values"] = encoded.dictionary.cast(pa.large_string())
    return index


def _codes_of(index: dict[str, pa.Array], prefix: str) -> dict[str, tuple[np.ndarray, pa.Array]]:
    return {
        key.removeprefix(f"{prefix}.").removesuffix(".codes"): (
            _numpy(values),
            index[key.removesuffix(".codes") + ".values"],
        )
        for key, values in index.items()
        if key.startswith(f"{prefix}.") and key.endswith(".codes")
    }


def _search_index(index: dict[str, pa.Array], ranked: pa.Table) -> SearchIndex:
    def codes(key: str) -> Codes:
        return Codes(_numpy(index[f"{key}.codes"]), tuple(index[f"{key}.values"].to_pylist()))

    words = {
        group: WordIndex(
            vocab=index[f"{group}.vocab"],
            vocab_offsets=_numpy(index[f"{group}.vocab_offsets"]),
            postings=_numpy(index[f"{group}.postings"]),
            words=index[f"{group}.words"],
            word_offsets=_numpy(index[f"{group}.word_offsets"]),
            word_vocab=_numpy(index[f"{group}.word_vocab"]),
        )
        for group in TERM_GROUPS
    }
    if ranked.schema != SCHEMAS["trials"]:
        raise ValueError("the ranked table has other columns than this version writes")
    return SearchIndex(
        by_rank=_numpy(index["by_rank"]),
        ranked=_one_piece(ranked),
        ranked_codes=_codes_of(index, "ranked"),
        site_codes=_codes_of(index, "sites"),
        by_id=_numpy(index["by_id"]),
        status=codes("status"),
        study_type=codes("study_type"),
        phases=codes("phases"),
        site_country=codes("site_country"),
        site_status=codes("site_status"),
        by_lat=_numpy(index["by_lat"]),
        by_country=_numpy(index["by_country"]),
        words=words,
        names={kind: tuple(index[f"names.{kind}"].to_pylist()) for kind in NAMED_KINDS},
        learned={
            group: learning.Learned.from_arrays(
                {k: index[f"learned.{group}.{k}"] for k in ("keys", "offsets", "terms")}
            )
            for group in learning.KINDS
        },
    )


def _write_index(path: Path, index: dict[str, pa.Array]) -> None:
    """Every array as one list of one row: arrays of any lengths in one IPC file."""
    columns = {}
    for key, values in index.items():
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        columns[key] = pa.ListArray.from_arrays(
            pa.array([0, len(values)], type=pa.int32()), values
        ).cast(pa.large_list(values.type))
    with pa.ipc.new_file(str(path), pa.table(columns).schema) as writer:
        writer.write_table(pa.table(columns))


def _read_index(path: Path) -> dict[str, pa.Array]:
    table = _read_ipc(path)
    if table.num_rows != 1:
        raise ValueError("the index file is not one row")
    return {name: table.column(name).chunk(0).flatten() for name in table.column_names}


# ---------------------------------------------------------------- pandas


def _one_piece(table: pa.Table) -> pa.Table:
    """Every column in one chunk (see :func:`_ordered`)."""
    if all(column.num_chunks == 1 for column in table.columns):
        return table
    return pa.Table.from_arrays([c.combine_chunks() for c in table.columns], schema=table.schema)


def _to_frame(table: pa.Table, name: str) -> pd.DataFrame:
    if table.schema not in (SCHEMAS[name], _stored_schema(name)):
        raise ValueError(f"the {name} table has other columns than this version writes")
    return pd.DataFrame(frame_columns(table, name), index=pd.RangeIndex(table.num_rows))


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
    ranked = built.tables[RANKED]
    if (
        len(records) != n_trials
        or ranked.num_rows != n_trials
        or any(len(built.index[k]) != v for k, v in expected.items())
    ):
        raise ValueError("the index does not match the tables")
    search = _search_index(built.index, ranked).attach(frames["trials"], frames["sites"])
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
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------- public


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
    return _with_synonyms(_catalog(built, records, problems, _now(), fingerprint_), synonyms)


def _with_synonyms(catalog: Catalog, synonyms: Synonyms) -> Catalog:
    object.__setattr__(catalog, "synonyms", synonyms)
    fold.set_extra_spellings(synonyms.spellings)
    return catalog


def read_data_synonyms(data_dir: Path) -> Synonyms:
    """The data directory's synonyms (what ``trialfinder validate`` checks; a bad
    entry is left out, the others used)."""
    synonyms, _problems = load_synonyms(data_dir / SYNONYMS_FILE)
    return synonyms


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
        _ordered(catalog.search.ranked, None, staging / f"{RANKED}.arrow")
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
    for prefix, coded in (("ranked", s.ranked_codes), ("sites", s.site_codes)):
        for name, (codes, distinct) in coded.items():
            index[f"{prefix}.{name}.codes"] = pa.array(codes, type=pa.int32())
            index[f"{prefix}.{name}.values"] = distinct
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


def _build_elsewhere(data_dir: Path, directory: Path, fingerprint_: str, final: bool) -> None:
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


_BUILDER = "from trialfinder.catalog import _builder_main; _builder_main()"
_SOURCES_CHANGED = 3
#: Lines a build process writes on its standard error to say how long each part took.
_PHASE = "build phase: "


def _builder_main() -> None:
    """A build process: ``data_dir directory fingerprint final workers part_files``."""
    data_dir, directory, fingerprint_, final, workers, part_files = sys.argv[1:7]
    global PART_FILES
    PART_FILES = int(part_files)
    try:
        _build_snapshot_parallel(
            Path(data_dir), Path(directory), fingerprint_, final == "1", int(workers)
        )
    except SourcesChanged:
        raise SystemExit(_SOURCES_CHANGED) from None


def _phase(what: str, since: float) -> float:
    """Say on standard error how long a phase of a build took; the time now."""
    now = time.perf_counter()
    print(f"{_PHASE}{what} in {now - since:.1f} s", file=sys.stderr, flush=True)
    return now


def _build_snapshot_parallel(
    data_dir: Path, directory: Path, fingerprint_: str, final: bool, workers: int
) -> Path:
    """:func:`build_snapshot` of the data directory, read by ``workers`` processes."""
    staging = _staging(directory)
    try:
        start = time.perf_counter()
        parts, problems = _parallel_parts(data_dir, staging, final, workers)
        _phase(f"read the data files with {workers} workers", start)
        _finish_snapshot(staging, directory, parts, problems, fingerprint_, timed=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


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
    tables: dict[str, Any] = {
        name: _read_ipc(directory / f"{name}.arrow")
        if name in _EAGER
        else _open_ipc(name, directory)
        for name in TABLES
    }
    tables[RANKED] = _read_ipc(directory / f"{RANKED}.arrow")
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


def _stream(data_dir: Path) -> Iterator[tuple[int, Iterator[Trial | DataProblem]]]:
    """The data directory's trials, read again (up to three times) when a source
    folder was removed while it was read, as :func:`~trialfinder.datadir.load_trials` does."""
    for attempt in range(3):
        yield attempt, iter_trials(data_dir, final=attempt == 2)


def _build_in_memory(data_dir: Path, fingerprint_: str) -> Catalog:
    """The catalog with nothing written: the tables and the records in memory."""
    for _attempt, stream in _stream(data_dir):
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


def load_catalog(data_dir: Path, use_snapshot: bool = True) -> Catalog:
    """The catalog of ``data_dir``: from its snapshot when current, else rebuilt;
    with the directory's synonyms file as it is now."""
    return _with_synonyms(_load_catalog(data_dir, use_snapshot), read_data_synonyms(data_dir))


def _load_catalog(data_dir: Path, use_snapshot: bool) -> Catalog:
    current = fingerprint(data_dir)
    snapshot_dir = data_dir / SNAPSHOT / f"v{SNAPSHOT_VERSION}-{current}"
    if use_snapshot and (snapshot_dir / META_FILE).exists():
        try:
            return read_snapshot(snapshot_dir)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(snapshot_dir, ignore_errors=True)
    if not use_snapshot:
        return _build_in_memory(data_dir, current)
    large = _registry_files(data_dir) >= PARALLEL_FILES
    for attempt, stream in _stream(data_dir):
        try:
            if large:
                try:
                    _build_elsewhere(data_dir, snapshot_dir, current, final=attempt == 2)
                    break
                except WorkerFailed:  # a build process died (out of memory?): build here
                    _log.exception("the build process failed; building in this process")
            build_snapshot(stream, snapshot_dir, current)
        except SourcesChanged:
            continue
        except OSError:
            # A read-only data directory still serves, only slower to start.
            return _build_in_memory(data_dir, current)
        break
    with contextlib.suppress(OSError):
        _remove_old_snapshots(snapshot_dir)
    return read_snapshot(snapshot_dir)


def _remove_old_snapshots(keep: Path) -> None:
    for other in keep.parent.iterdir():
        if other != keep and other.is_dir() and not other.name.startswith(".build-"):
            shutil.rmtree(other, ignore_errors=True)

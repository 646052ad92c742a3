"""The :class:`Catalog`: the tables, records and search index of a data directory,
and the questions pages ask of them.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from trialfinder.catalog.index import SearchIndex, _term_names
from trialfinder.catalog.records import Records
from trialfinder.catalog.schema import _to_frame
from trialfinder.errors import DataProblem
from trialfinder.i18n import DEFAULT as DEFAULT_LANGUAGE
from trialfinder.model import Trial
from trialfinder.sources.curated import CURATED_SOURCES
from trialfinder.words import fold
from trialfinder.words.synonyms import EMPTY as NO_SYNONYMS
from trialfinder.words.synonyms import FILE_NAME as SYNONYMS_FILE
from trialfinder.words.synonyms import Synonyms, load_synonyms


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


T = TypeVar("T")


class _Titles(Mapping[str, str]):
    """Titles by id: a few in another language over the catalog's own."""

    def __init__(self, base: pd.Series, own: dict[str, str]) -> None:
        self.base, self.own = base, own

    def __getitem__(self, trial_id: str) -> str:
        found = self.own.get(trial_id)
        return found if found is not None else self.base[trial_id]

    def get(self, trial_id: str, default: Any = None) -> Any:
        found = self.own.get(trial_id)
        return found if found is not None else self.base.get(trial_id, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.base.index)

    def __len__(self) -> int:
        return len(self.base)


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

    def remembered(self, name: str, make: Callable[[], T]) -> T:
        """``make()``, worked out once a catalog and kept with it under ``name``.

        A catalog never changes once built, so what is worked out from it never goes
        stale, and goes when the catalog goes. Two page runs may both work it out
        the first time; the answer is the same.
        """
        try:
            return self._memo[name]
        except KeyError:
            found = self._memo[name] = make()
            return found

    def titles(self) -> pd.Series:
        """Each trial's title by id. Built once a catalog: its index hashes every
        id, which a page should not pay on each run."""
        return self.remembered(
            "titles",
            lambda: pd.Series(
                self.trials["title"].array, index=pd.Index(self.trials["id"].array), name="title"
            ),
        )

    def titles_in(self, lang: str) -> Mapping[str, str]:
        """Each trial's title by id in ``lang``: a curator's title in that language
        where a curated record has one (a handful of records, read once a catalog),
        else :meth:`titles`. Only ``get`` and ``[]`` are cheap: it is not copied."""
        if lang == DEFAULT_LANGUAGE:
            return self.titles()
        return self.remembered(
            f"titles-{lang}", lambda: _Titles(self.titles(), self._own_titles(lang))
        )

    def _own_titles(self, lang: str) -> dict[str, str]:
        curated = self.trials["source"].isin(CURATED_SOURCES).to_numpy(dtype=bool)
        own = {}
        for trial_id in self.trials["id"].to_numpy()[curated].tolist():
            trial = self.trial(trial_id)
            title = trial.title_in(lang) if trial else None
            if title and trial is not None and title != trial.title:
                own[trial_id] = title
        return own

    def id_index(self) -> pd.Index:
        """The trials' ids as an index, for looking many ids up at once (built once)."""
        return self.remembered("id_index", lambda: pd.Index(self.trials["id"]))

    def condition_names(self) -> list[str]:
        """The conditions present in the data, for type-ahead."""
        return self.term_names("condition")

    def term_names(self, kind: str) -> list[str]:
        """The terms of one kind present in the data ("condition", "sponsor" ...)."""
        names = self.search.names.get(kind)
        if names is None:
            names = self.remembered(f"names:{kind}", lambda: _term_names(self.terms, kind))
        return list(names)

    def countries(self) -> list[str]:
        """The sites' countries, for type-ahead."""
        return list(
            self.remembered(
                "countries",
                lambda: tuple(sorted(set(self.search.site_country.values), key=str.casefold)),
            )
        )


def with_synonyms(catalog: Catalog, synonyms: Synonyms) -> Catalog:
    """The catalog, reading what families type with ``synonyms`` (its spellings
    are used for every word folded from now on)."""
    object.__setattr__(catalog, "synonyms", synonyms)
    fold.set_extra_spellings(synonyms.spellings)
    return catalog


def read_data_synonyms(data_dir: Path) -> Synonyms:
    """The data directory's synonyms file (``trialfinder validate`` names its
    problems; an entry with a problem is left out, the others are used)."""
    synonyms, _problems = load_synonyms(data_dir / SYNONYMS_FILE)
    return synonyms

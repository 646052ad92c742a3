"""The search index: the word index of the terms, codes of the few-valued columns,
the default order of results, the sites by latitude and by country; built once with
the tables and kept in the snapshot.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from trialfinder.catalog.schema import _i32, _numpy, _read_ipc
from trialfinder.words import learned as learning
from trialfinder.words.match import intersect_sorted

#: The word indexes the catalog keeps, each over a group of term kinds: what a
#: trial is about (its conditions, keywords, MeSH terms and their ancestors, and
#: titles), what it tests, and who runs it.
WORD_GROUPS: dict[str, tuple[str, ...]] = {
    "about": ("condition", "keyword", "mesh", "ancestor"),
    # Titles apart: a condition's words may come in any order inside one term, a
    # title's keep the order typed (see trialfinder.words.match).
    "titles": ("title",),
    "treatments": ("intervention", "intervention_mesh"),
    "sponsors": ("sponsor",),
}
#: The sites' columns a result names its nearest site by (kept as codes, see SearchIndex).
SITE_RESULT_COLUMNS = ("facility", "city", "country", "status")
#: Term kinds whose names (for type-ahead) are worked out when the catalog is built.
NAMED_KINDS = ("condition", "intervention", "sponsor")
#: How many names of each kind the filters offer (the most used; see _term_names).
TYPEAHEAD_NAMES = 1000
WORD = re.compile(r"\w+")


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
                candidates = intersect_sorted(candidates, other)
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

    def adding(self, terms: np.ndarray, kept: np.ndarray) -> np.ndarray:
        """Those of ``terms`` (ascending) that have a trial not ``kept`` (a mask of the
        trials): the others would find nothing new."""
        if not len(terms):
            return terms
        starts, ends = self.vocab_offsets[terms], self.vocab_offsets[terms + 1]
        missing = ~kept[self.postings[_ranges(starts, ends)]]
        segments = np.r_[0, np.cumsum(ends - starts)[:-1]]
        return terms[np.logical_or.reduceat(missing, segments)]


@dataclass(frozen=True, eq=False)
class Codes:
    """A column with few values, as small integers: ``values[codes]``, -1 when missing."""

    codes: np.ndarray
    values: tuple[str, ...]
    #: The codes in one byte each (255: missing), when there are fewer than 255
    #: values: a quarter of the memory to read when millions of sites are checked.
    small: np.ndarray | None = None

    def lookup(self, wanted, missing: bool = False) -> np.ndarray:
        """A table of booleans by code (its last entry, for -1, says ``missing``)."""
        return np.array([bool(wanted(v)) for v in self.values] + [missing], dtype=bool)

    def with_small(self) -> Codes:
        """These codes with :attr:`small` filled in (when the values are few enough)."""
        if len(self.values) >= 255:
            return self
        return dataclasses.replace(self, small=self.codes.astype(np.uint8))  # -1 -> 255

    def at(self, rows: np.ndarray, wanted, missing: bool = False) -> np.ndarray:
        """Whether each of ``rows`` has one of the values ``wanted`` (or, with
        ``missing``, no value)."""
        table = self.lookup(wanted, missing)
        if self.small is None:
            return table[self.codes[rows]]
        by_byte = np.zeros(256, dtype=bool)
        by_byte[: len(self.values)] = table[:-1]
        by_byte[255] = table[-1]
        return np.take(by_byte, np.take(self.small, rows))

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
    #: The sites table's text columns with few distinct values, as codes (-1:
    #: missing) into them: a result's nearest sites are picked from a small array.
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
    #: The registry's own pairs of words and MeSH terms, by word index.
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
    #: The longitudes in the same order (a band's box is cut from them side by side).
    lon_by_lat: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
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
        lon = sites["lon"].to_numpy(dtype=float)
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
            lon=lon,
            lat_sorted=lat[self.by_lat],
            lon_by_lat=lon[self.by_lat],
            site_country=self.site_country.with_small(),
            site_status=self.site_status.with_small(),
            country_start=np.r_[0, np.cumsum(np.bincount(codes[codes >= 0], minlength=n_values))],
        )

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
    for group, kinds in WORD_GROUPS.items():
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
        pairs = terms.filter(pc.equal(terms.column("kind"), kind))
        arrays = learning.build_learned(
            pairs.column("folded").to_pylist(), pairs.column("term").to_pylist()
        )
        for key, value in arrays.items():
            index[f"learned.{group}.{key}"] = value
    return index


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


def _search_index(index: dict[str, pa.Array]) -> SearchIndex:
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
        for group in WORD_GROUPS
    }
    return SearchIndex(
        by_rank=_numpy(index["by_rank"]),
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
    table = _read_ipc(path, mapped=True)
    if table.num_rows != 1:
        raise ValueError("the index file is not one row")
    return {name: table.column(name).chunk(0).flatten() for name in table.column_names}

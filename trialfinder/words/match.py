"""Which terms of a word index a typed text matches, folded the way people type.

Every word typed must stand as a whole word in the term, in any of its spellings
(case, accents, British or American, singular or plural: :mod:`.fold`).
Inside a condition term the words may come in any order ("diabetes type 1"
finds "Type 1 Diabetes Mellitus"); in a title they keep the order typed, with
nothing between them but spaces and punctuation ("cerebral palsy" does not find
"palsy of the cerebral ...").

The index is the catalog's (:class:`trialfinder.catalog.WordIndex`): its words
are the terms' words with only case and accents folded, so a typed word is looked
up under each of its few spellings instead of folding the whole vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from trialfinder.words import fold

_EMPTY = np.zeros(0, dtype=np.int32)


class Index(Protocol):
    vocab: pa.Array

    def terms_with_word(self, word: str) -> np.ndarray: ...


def _spellings(typed: str) -> list[list[str]]:
    """For each word typed (folded), in order: the spellings it may stand under."""
    found = []
    for word in fold.words(typed):
        forms = list(fold.surface_forms(fold.key(word)))
        if word not in forms:
            forms.append(word)
        found.append(forms)
    return found


def _terms_with_any(index: Index, forms: list[str]) -> np.ndarray:
    lists = [index.terms_with_word(f) for f in forms]
    lists = [x for x in lists if len(x)]
    if not lists:
        return _EMPTY
    if len(lists) == 1:
        return lists[0]
    return np.unique(np.concatenate(lists))


def intersect_sorted(few: np.ndarray, many: np.ndarray) -> np.ndarray:
    """The values in both ascending arrays of distinct values, ascending: each of the
    ``few`` looked up in the ``many`` by bisection (``np.intersect1d`` sorts both
    together, several times dearer when one is long)."""
    if not len(few) or not len(many):
        return few[:0]
    at = np.searchsorted(many, few)
    at[at == len(many)] = 0
    return few[many[at] == few]


def matching_terms(
    index: Index,
    typed: str,
    *,
    in_order: bool = False,
    wanted: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """The terms (vocab ids, ascending) that hold every word of ``typed`` in one
    of its spellings; with ``in_order``, one after the other as typed. Given
    ``wanted`` (candidate terms to those worth checking, e.g. those that would
    find a trial not found yet), only those are checked for the order of their
    words and returned (the check is a regular expression a term)."""
    spellings = _spellings(typed)
    if not spellings:
        return _EMPTY
    candidates: np.ndarray | None = None
    by_size = sorted((_terms_with_any(index, forms) for forms in spellings), key=len)
    for terms in by_size:
        candidates = terms if candidates is None else intersect_sorted(candidates, terms)
        if not len(candidates):
            return _EMPTY
    assert candidates is not None
    if not in_order or len(spellings) == 1:
        return candidates
    if wanted is not None:
        candidates = wanted(candidates)
    return candidates[_in_order(index.vocab.take(pa.array(candidates)), spellings)]


def _in_order(texts: pa.Array, spellings: list[list[str]]) -> np.ndarray:
    """Which texts hold the words one after the other (only non-word characters between)."""
    alternatives = ["(?:" + "|".join(re.escape(f) for f in forms) + ")" for forms in spellings]
    rule = re.compile(r"(?<!\w)" + r"\W+".join(alternatives) + r"(?!\w)")
    if all(f.isascii() for forms in spellings for f in forms):
        # ASCII words: one vectorized pass with Arrow's RE2 for the ASCII texts.
        edge = "[^0-9A-Za-z_]"
        pattern = f"(?:^|{edge})" + f"{edge}+".join(alternatives) + f"(?:$|{edge})"
        ascii_ = pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)
        result = np.zeros(len(texts), dtype=bool)
        try:
            found = pc.match_substring_regex(texts.filter(pa.array(ascii_)), pattern)
            result[ascii_] = found.to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            ascii_[:] = False
        rest = np.flatnonzero(~ascii_)
        if len(rest):
            values = texts.take(pa.array(rest)).to_pylist()
            result[rest] = [rule.search(v) is not None for v in values]
        return result
    return np.array([rule.search(v) is not None for v in texts.to_pylist()], dtype=bool)

"""Synonyms learned from the records themselves.

Every full registry record pairs the words it used with MeSH terms (its derived
browse leaves: "impotence" was read as "Erectile Dysfunction", "disc herniation"
as "Intervertebral Disc Displacement"). The catalog keeps those pairs, from all
records, when it is built; a family typing any spelling one record used then
finds every trial coded with the term, not only the trials that used that spelling.

Left out, so that a search stays about what was typed:

- vague terms ("Syndrome", "Disease", "Acute Disease", "Recurrence" ...): a
  record's "acute" or "syndrome" is read as them, and they are on thousands of
  unrelated trials;
- short forms of four letters or fewer ("CP", "ALL", "IU/kg"): one record's "CP" is
  cerebral palsy, another's chest pain; abbreviations go through the synonyms
  file, which offers the meanings instead of picking one;
- pairs that only repeat the term ("Asthma" read as "Asthma").
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from trialfinder.model import MeshMatch, Trial
from trialfinder.words import fold
from trialfinder.words.synonyms import phrase

#: Terms too general to stand for what a family typed (MeSH's general pathology
#: headings and the qualifiers the registry's reader finds in any record).
VAGUE_TERMS = frozenset(
    " ".join(phrase(term))
    for term in (
        "Disease",
        "Syndrome",
        "Acute Disease",
        "Chronic Disease",
        "Recurrence",
        "Disease Progression",
        "Disease Attributes",
        "Pathologic Processes",
        "Pathological Conditions, Anatomical",
        "Pathological Conditions, Signs and Symptoms",
        "Signs and Symptoms",
        "Emergencies",
        "Critical Illness",
        "Inflammation",
        "Infections",
        "Communicable Diseases",
        "Wounds and Injuries",
        "Sclerosis",
        "Fibrosis",
        "Hyperplasia",
        "Hypertrophy",
        "Atrophy",
        "Necrosis",
        "Dilatation, Pathologic",
        "Constriction, Pathologic",
        "Cysts",
        "Prolapse",
        "Hemorrhage",
        "Calcinosis",
        "Ischemia",
        "Edema",
        "Postoperative Complications",
        "Rare Diseases",
    )
)
#: Words this short in all are a short form or a unit, ambiguous across records.
MAX_SHORT_FORM = 4
#: The kinds of the catalog's terms table that carry the pairs (by the word index
#: they serve): the term is the MeSH term, the folded text is the key of the words found.
KINDS = {"about": "mesh_found", "treatments": "intervention_mesh_found"}


def key_of(text: str) -> str:
    """The key two spellings of one phrase share (folded words, any order)."""
    return " ".join(phrase(text))


def usable(match: MeshMatch) -> bool:
    words = fold.words(match.found)
    if len("".join(words)) <= MAX_SHORT_FORM:  # "CP", "C.P.", "IU/kg"
        return False
    term = key_of(match.term)
    return term not in VAGUE_TERMS and key_of(match.found) != term


def learned_pairs(trial: Trial) -> Iterator[tuple[str, MeshMatch]]:
    """(kind of the terms table, pair) for each pair of the trial worth learning."""
    for kind, matches in (
        (KINDS["about"], trial.mesh_found),
        (KINDS["treatments"], trial.intervention_mesh_found),
    ):
        for match in matches:
            if usable(match):
                yield kind, match


def build_learned(keys: Iterable[str], terms: Iterable[str]) -> dict[str, pa.Array]:
    """The pairs as arrays for the catalog's index: each distinct key once,
    sorted, and its terms (``terms[offsets[i]:offsets[i + 1]]``), sorted."""
    pairs = sorted(set(zip(keys, terms, strict=True)))
    unique_keys: list[str] = []
    offsets: list[int] = []
    for i, (key, _term) in enumerate(pairs):
        if not unique_keys or unique_keys[-1] != key:
            unique_keys.append(key)
            offsets.append(i)
    offsets.append(len(pairs))
    return {
        "keys": pa.array(unique_keys, type=pa.large_string()),
        "offsets": pa.array(np.asarray(offsets, dtype=np.int64)),
        "terms": pa.array([t for _k, t in pairs], type=pa.large_string()),
    }


@dataclass(frozen=True, eq=False)
class Learned:
    """The learned pairs of one word filter (conditions or treatments)."""

    keys: pa.Array
    offsets: np.ndarray
    terms: pa.Array
    _lookup: dict[str, int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_arrays(cls, arrays: dict[str, pa.Array]) -> Learned:
        return cls(
            arrays["keys"], arrays["offsets"].to_numpy(zero_copy_only=False), arrays["terms"]
        )

    def __len__(self) -> int:
        return len(self.keys)

    def terms_for(self, typed: str) -> tuple[str, ...]:
        """The MeSH terms the records read the words ``typed`` as (any order)."""
        if not self._lookup and len(self.keys):
            with self._lock:
                if not self._lookup:
                    self._lookup.update((k, i) for i, k in enumerate(self.keys.to_pylist()))
        found = self._lookup.get(key_of(typed))
        if found is None:
            return ()
        start, end = int(self.offsets[found]), int(self.offsets[found + 1])
        return tuple(self.terms.slice(start, end - start).to_pylist())


EMPTY = Learned.from_arrays(build_learned((), ()))

"""From what a family typed to the texts the catalog is searched for.

A condition typed in a family's words becomes: what was typed (without child
words), the registry terms of the synonyms file's entry for it, and the MeSH
terms the records themselves read those words as (:mod:`.learned`). Each is
searched inside condition terms with its words in any order; what was typed and
the name understood are also searched in titles, words in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trialfinder.words.learned import EMPTY as NO_LEARNED
from trialfinder.words.learned import Learned
from trialfinder.words.read import Reading, read_condition, read_intervention
from trialfinder.words.synonyms import EMPTY as NO_SYNONYMS
from trialfinder.words.synonyms import Synonyms, phrase

READERS = {"cond": read_condition, "intr": read_intervention}


@dataclass(frozen=True)
class Expansion:
    """What one word filter searches for the values typed."""

    readings: tuple[Reading, ...]
    #: Texts whose words must all stand in one term, in any order.
    any_order: tuple[str, ...]
    #: Texts searched in titles, words in the order typed.
    in_order: tuple[str, ...]

    @property
    def child_hint(self) -> bool:
        return any(r.child_hint for r in self.readings)


def _unique(texts: Iterable[str]) -> tuple[str, ...]:
    seen: dict[tuple[str, ...], str] = {}
    for text in texts:
        seen.setdefault(phrase(text), text)
    return tuple(text for key, text in seen.items() if key)


def expand(
    key: str,
    typed: Iterable[str],
    synonyms: Synonyms = NO_SYNONYMS,
    learned: Learned = NO_LEARNED,
) -> Expansion:
    """The texts to search for the values ``typed`` in the word filter ``key``
    ("cond" or "intr")."""
    read = READERS[key]
    readings = tuple(read(text, synonyms) for text in typed)
    any_order: list[str] = []
    in_order: list[str] = []
    for reading in readings:
        any_order.extend(reading.search)
        in_order.append(reading.core)
        if reading.concept is not None:
            in_order.append(reading.concept.name)
        elif reading.generic:
            in_order.append(reading.generic)
        if reading.meanings:
            continue  # never read an ambiguous short form as one of its meanings
        names = (reading.core, *((reading.concept.name,) if reading.concept else ()))
        for name in names:
            any_order.extend(learned.terms_for(name))
    return Expansion(readings, _unique(any_order), _unique(in_order))

"""Words folded the way people type them.

Two spellings of one word fold to one *key*: case and accents do not count
(``Bại Não`` = ``bai nao``), British spelling is read as American (``tumour`` =
``tumor``, ``leukaemia`` = ``leukemia``, ``disc`` = ``disk``, from the ``breame``
package's lists plus the ``spellings`` of data/synonyms.yaml), and a plural is
read as its singular (``tumours`` = ``tumor``, ``allergies`` = ``allergy``,
``children`` = ``child``).

The plural rule is a few lines written here rather than a package: it runs on
every word of a query and of the catalog's vocabulary, must never merge two
medical words that differ (``AIDS`` is not ``aid``, ``diabetes`` is not a plural)
and is the same on both sides, so an odd singular (``diabete``) does no harm.

The catalog's word index holds words as they were written (only case and
accents folded); :func:`surface_forms` turns a key back into the spellings that
may stand in it, so a query looks up a handful of words instead of folding the
whole vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS, BRITISH_ENGLISH_SPELLINGS

from trialfinder.geo import fold

__all__ = ["fold", "key", "keys", "surface_forms", "words", "set_extra_spellings"]

WORD = re.compile(r"\w+")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")

#: Words that end in "s" but are not plurals (or whose singular means something else).
_NOT_PLURAL = frozenset(
    {
        "aids",
        "bias",
        "diabetes",
        "herpes",
        "measles",
        "mumps",
        "rabies",
        "rickets",
        "scabies",
        "series",
        "species",
        "lens",
        "news",
        "tetanus",
        "pancreas",
        "genus",
        "always",
        "perhaps",
        "scoliosis",
    }
)
_IRREGULAR = {
    "children": "child",
    "women": "woman",
    "men": "man",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "people": "person",
    "vertebrae": "vertebra",
    "metastases": "metastasis",
    "diagnoses": "diagnosis",
    "prognoses": "prognosis",
    "analyses": "analysis",
    "bronchi": "bronchus",
    "fungi": "fungus",
    "stimuli": "stimulus",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "indices": "index",
    "appendices": "appendix",
}
_PLURAL_OF = {singular: plural for plural, singular in _IRREGULAR.items()}

#: British -> American spellings staff add in data/synonyms.yaml (``spellings``),
#: for medical words the package's lists lack (oedema, ischaemia ...).
_extra_american: dict[str, str] = {}
_extra_british: dict[str, list[str]] = {}


def set_extra_spellings(pairs: Mapping[str, str]) -> None:
    """Use these British -> American pairs beside the package's (folded words)."""
    _extra_american.clear()
    _extra_british.clear()
    for british, american in pairs.items():
        _extra_american[fold(british)] = fold(american)
        _extra_british.setdefault(fold(american), []).append(fold(british))
    key.cache_clear()
    surface_forms.cache_clear()


def singular(word: str) -> str:
    """The singular of a folded word; the word itself when it is not a plural."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or word in _NOT_PLURAL or not word.isalpha():
        return word
    if word.endswith(("ss", "us", "is", "ous", "ics")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes", "uses")):
        return word[:-2]
    if word.endswith("as"):
        # leukemias, lymphomas, hernias; not pancreas, atlas
        return word[:-1] if word.endswith(("ias", "mas", "nas", "las")) else word
    if word.endswith("s"):
        return word[:-1]
    return word


def american(word: str) -> str:
    """The American spelling of a folded word (itself when it has no other)."""
    return _extra_american.get(word) or BRITISH_ENGLISH_SPELLINGS.get(word, word)


@lru_cache(maxsize=65536)
def key(word: str) -> str:
    """One folded word's key: American spelling, singular."""
    found = american(word)
    found = american(singular(found))
    return found


def words(text: str) -> list[str]:
    """The folded words of ``text`` in order ("Parkinson's" gives "parkinson")."""
    return WORD.findall(_POSSESSIVE.sub("", fold(text)))


def keys(text: str) -> list[str]:
    """The keys of the words of ``text``, in order."""
    return [key(w) for w in words(text)]


def _plurals(word: str) -> Iterable[str]:
    yield word
    yield word + "s"
    yield word + "es"
    if word.endswith("y"):
        yield word[:-1] + "ies"
    if word.endswith("a"):
        yield word + "e"
    if word in _PLURAL_OF:
        yield _PLURAL_OF[word]


@lru_cache(maxsize=65536)
def surface_forms(word_key: str) -> tuple[str, ...]:
    """The folded spellings whose key is ``word_key`` that a text may hold:
    the word, its plurals and their British spellings."""
    bases = {word_key}
    british = AMERICAN_ENGLISH_SPELLINGS.get(word_key)
    if british:
        bases.add(british)
    bases.update(_extra_british.get(word_key, ()))
    found: list[str] = []
    for base in sorted(bases):
        for form in _plurals(base):
            spelt = (form, AMERICAN_ENGLISH_SPELLINGS.get(form))
            for candidate in spelt:
                if candidate and candidate not in found and key(candidate) == word_key:
                    found.append(candidate)
    return tuple(found)

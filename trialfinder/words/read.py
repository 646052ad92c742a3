"""What a family typed in a condition or treatment box, read into what to search.

``read_condition("trẻ bị bại não", synonyms)`` is a :class:`Reading`: the family
typed "trẻ bị bại não"; "trẻ" (child) is an age hint, not a word a condition must
contain; "bị" (has) says nothing; "bại não" is the synonyms file's cerebral palsy,
so the search is for "bại não" and for the registry's "Cerebral Palsy".

An abbreviation with several meanings ("CP") is never read as one of them: the
reading searches the letters as typed and lists the meanings for the page to offer.
"""

from __future__ import annotations

from dataclasses import dataclass

from trialfinder.i18n import _, language
from trialfinder.words import drugs, fold
from trialfinder.words.synonyms import EMPTY, Concept, Synonyms

#: Words that say the patient is a child: an age hint, never part of a condition.
#: (Folded; "tre em" is Vietnamese "trẻ em", children.)
CHILD_WORDS = frozenset(
    {
        "child",
        "children",
        "kid",
        "kids",
        "pediatric",
        "paediatric",
        "son",
        "daughter",
        "toddler",
        "toddlers",
        "tre",  # trẻ
        "be",  # bé
        "con",  # con (my child)
    }
)
CHILD_PHRASES = (("tre", "em"), ("tre", "con"), ("em", "be"), ("con", "toi"))
#: Words at either end that join the hint to the condition and mean nothing alone.
EDGE_WORDS = frozenset(
    {
        "my",
        "has",
        "have",
        "with",
        "for",
        "in",
        "of",
        "the",
        "who",
        "bi",  # bị (has)
        "benh",  # bệnh (disease)
        "chung",  # chứng (condition)
        "o",  # ở (in)
        "cua",  # của (of)
        "cho",  # cho (for)
        "toi",  # tôi (my)
        "mac",  # mắc (has)
    }
)


@dataclass(frozen=True)
class Reading:
    """What was typed, and what the finder searches for it."""

    typed: str
    kind: str  # "condition" or "intervention"
    #: The words searched: what was typed without hint words, then the registry's terms.
    search: tuple[str, ...]
    concept: Concept | None = None
    #: For a treatment the drug list knows: its generic name.
    generic: str | None = None
    #: For an abbreviation with several meanings: the meanings to offer.
    meanings: tuple[str, ...] = ()
    #: The family said the patient is a child ("leukemia child", "trẻ em").
    child_hint: bool = False

    @property
    def core(self) -> str:
        """What was typed without the hint words ("leukemia" for "leukemia child")."""
        return self.search[0] if self.search else ""

    def name_in(self, language: str) -> str:
        """What the finder understood, in ``language`` ("cerebral palsy", "bại não")."""
        if self.concept is not None:
            return self.concept.name_in(language)
        return self.generic or self.core or self.typed

    def understood_otherwise(self, language: str) -> bool:
        """The name the page says differs from what was typed (then it says both)."""
        return fold.keys(self.name_in(language)) != fold.keys(self.typed)

    def said(self) -> str:
        """In the interface's language: "cerebral palsy (you typed: bại não)"; the
        name alone when it is what was typed ("bại não" for "bai nao" on a
        Vietnamese page)."""
        lang = language()
        if not self.understood_otherwise(lang):  # the same words: spelt as the file spells them
            return self.concept.name_in(lang) if self.concept else self.typed
        return _("{name} (you typed: {typed})").format(name=self.name_in(lang), typed=self.typed)


def _without_hints(text: str) -> tuple[str, bool]:
    """``text`` without child words and the joining words at its ends; and
    whether there were child words. Text that would be left empty is kept."""
    original = text.split()
    folded = [" ".join(fold.words(w)) for w in original]
    keep = [True] * len(original)
    hint = False
    for i in range(len(folded) - 1):
        if (folded[i], folded[i + 1]) in CHILD_PHRASES:
            keep[i] = keep[i + 1] = False
            hint = True
    for i, word in enumerate(folded):
        if word in CHILD_WORDS:
            keep[i] = False
            hint = True
    kept = [i for i in range(len(original)) if keep[i]]
    if hint or len(kept) > 1:
        while kept and folded[kept[0]] in EDGE_WORDS:
            kept.pop(0)
        while kept and folded[kept[-1]] in EDGE_WORDS:
            kept.pop()
    if not kept:
        return " ".join(original), False
    # Punctuation left at the ends ("autism,") goes with the words taken away.
    return " ".join(original[i] for i in kept).strip(" ,;:.-"), hint


def read_condition(text: str, synonyms: Synonyms = EMPTY) -> Reading:
    typed = " ".join(text.split())
    concept = synonyms.concept("condition", typed)
    core, hint = (typed, False) if concept else _without_hints(typed)
    if concept is None:
        short = synonyms.abbreviation(core)
        if short is not None:
            return Reading(typed, "condition", (core,), meanings=short.meanings, child_hint=hint)
        concept = synonyms.concept("condition", core)
    if concept is None:
        return Reading(typed, "condition", (core,), child_hint=hint)
    search = tuple(dict.fromkeys((core, *concept.registry)))
    return Reading(typed, "condition", search, concept=concept, child_hint=hint)


def read_intervention(text: str, synonyms: Synonyms = EMPTY) -> Reading:
    typed = " ".join(text.split())
    concept = synonyms.concept("intervention", typed)
    if concept is not None:
        search = tuple(dict.fromkeys((typed, *concept.registry)))
        return Reading(typed, "intervention", search, concept=concept)
    generic = drugs.generic_name(typed)
    if generic is None:
        return Reading(typed, "intervention", (typed,))
    search = tuple(dict.fromkeys((typed, generic, *drugs.other_names(generic))))
    return Reading(typed, "intervention", search, generic=generic)

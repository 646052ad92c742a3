"""The synonyms file staff edit: data/synonyms.yaml (documented in data/README.md).

It maps what families type (lay words, Vietnamese, abbreviations) to the words
the registry uses (MeSH headings and the registry's own spellings):

- ``conditions`` and ``interventions``: one entry a thing, with the ``name``
  a page says it understood (and ``name_vi`` in Vietnamese), the ``registry``
  terms it finds and the ``words`` families type for it;
- ``abbreviations``: a short form that stands for several things (CP: cerebral
  palsy, chest pain ...). It is never expanded: a page offers the meanings;
- ``spellings``: British spellings the spelling lists lack (oedema: edema).

Reading never raises: a bad entry is left out and named in a
:class:`~trialfinder.errors.DataProblem` (file, entry, field); the others work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trialfinder.errors import DataProblem
from trialfinder.words import fold

FILE_NAME = "synonyms.yaml"
SECTIONS = ("conditions", "interventions", "abbreviations", "spellings")
_CONCEPT_KEYS = ("name", "name_vi", "registry", "words")
_ABBREVIATION_KEYS = ("abbreviation", "meanings")

#: A phrase's key: its words' keys, sorted (the words of one term may come in any order).
Phrase = tuple[str, ...]


def phrase(text: str) -> Phrase:
    return tuple(sorted(set(fold.keys(text))))


@dataclass(frozen=True)
class Concept:
    """One condition or treatment: its names, the registry terms it finds, the words for it."""

    kind: str  # "condition" or "intervention"
    name: str
    registry: tuple[str, ...]
    words: tuple[str, ...] = ()
    name_vi: str | None = None

    def name_in(self, language: str) -> str:
        return self.name_vi if language == "vi" and self.name_vi else self.name


@dataclass(frozen=True)
class Abbreviation:
    """A short form with several meanings (each a name a family can pick)."""

    abbreviation: str
    meanings: tuple[str, ...]


@dataclass(frozen=True)
class Synonyms:
    conditions: tuple[Concept, ...] = ()
    interventions: tuple[Concept, ...] = ()
    abbreviations: tuple[Abbreviation, ...] = ()
    spellings: Mapping[str, str] = field(default_factory=dict)
    _by_phrase: dict[tuple[str, Phrase], Concept] = field(
        default_factory=dict, repr=False, compare=False
    )
    _short: dict[Phrase, Abbreviation] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for concept in (*self.conditions, *self.interventions):
            for text in (concept.name, concept.name_vi, *concept.words):
                if text:
                    self._by_phrase.setdefault((concept.kind, phrase(text)), concept)
        for short in self.abbreviations:
            self._short.setdefault(phrase(short.abbreviation), short)

    def concept(self, kind: str, text: str) -> Concept | None:
        """The condition or intervention whose name or words ``text`` is (folded)."""
        return self._by_phrase.get((kind, phrase(text)))

    def abbreviation(self, text: str) -> Abbreviation | None:
        """The abbreviation ``text`` is, when it stands for several things
        ("C.P." is "CP")."""
        letters = fold.words(text)
        if len(letters) > 1 and all(len(w) == 1 for w in letters):
            text = "".join(letters)
        return self._short.get(phrase(text))


EMPTY = Synonyms()


def _texts(value: Any) -> list[str] | None:
    """A list of non-empty strings (one string counts as a list of one); None otherwise."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        return None
    if not all(isinstance(i, str) and fold.words(i) for i in items):
        return None
    return [" ".join(i.split()) for i in items]


class _Reader:
    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[DataProblem] = []

    def problem(self, message: str, record: str | None = None, field: str | None = None) -> None:
        self.problems.append(DataProblem(self.where, message, record, field))

    def concepts(self, section: str, entries: Any) -> list[Concept]:
        kind = section.removesuffix("s")
        found: list[Concept] = []
        if not isinstance(entries, list):
            self.problem("should be a list of entries, each starting with '- name:'", section)
            return found
        for number, entry in enumerate(entries, 1):
            record = f"{section} #{number}"
            if not isinstance(entry, dict):
                self.problem("should be an entry with name, registry and words", record)
                continue
            name = entry.get("name")
            if isinstance(name, str) and name.strip():
                record = f"{section} '{name.strip()}'"
            ok = True
            for unknown in sorted(set(map(str, entry)) - set(_CONCEPT_KEYS)):
                self.problem(
                    f"unknown key (the keys are {', '.join(_CONCEPT_KEYS)})", record, unknown
                )
                ok = False
            if not isinstance(name, str) or not fold.words(name):
                self.problem("is missing: the name the page shows, in English", record, "name")
                ok = False
            name_vi = entry.get("name_vi")
            if name_vi is not None and (not isinstance(name_vi, str) or not fold.words(name_vi)):
                self.problem("should be the name in Vietnamese (text)", record, "name_vi")
                ok = False
            registry = _texts(entry.get("registry"))
            if registry is None:
                self.problem(
                    "should list the registry terms it finds (at least one, each text)",
                    record,
                    "registry",
                )
                ok = False
            words = [] if entry.get("words") is None else _texts(entry.get("words"))
            if words is None:
                self.problem("should be a list of words families type (each text)", record, "words")
                ok = False
            if ok:
                found.append(
                    Concept(kind, name.strip(), tuple(registry), tuple(words), name_vi)  # type: ignore[arg-type]
                )
        return found

    def abbreviations(self, entries: Any) -> list[Abbreviation]:
        found: list[Abbreviation] = []
        if not isinstance(entries, list):
            self.problem("should be a list of entries, each '- abbreviation:'", "abbreviations")
            return found
        for number, entry in enumerate(entries, 1):
            record = f"abbreviations #{number}"
            if not isinstance(entry, dict):
                self.problem("should be an entry with abbreviation and meanings", record)
                continue
            short = entry.get("abbreviation")
            if isinstance(short, str) and short.strip():
                record = f"abbreviations '{short.strip()}'"
            ok = True
            for unknown in sorted(set(map(str, entry)) - set(_ABBREVIATION_KEYS)):
                self.problem(
                    f"unknown key (the keys are {', '.join(_ABBREVIATION_KEYS)})", record, unknown
                )
                ok = False
            if not isinstance(short, str) or not fold.words(short):
                self.problem("is missing: the short form families type", record, "abbreviation")
                ok = False
            meanings = _texts(entry.get("meanings"))
            if meanings is None:
                self.problem("should list what it stands for (each text)", record, "meanings")
                ok = False
            elif len(meanings) < 2:
                self.problem(
                    "has one meaning: put the abbreviation in that entry's words instead",
                    record,
                    "meanings",
                )
                ok = False
            if ok:
                found.append(Abbreviation(short.strip(), tuple(meanings)))  # type: ignore[arg-type]
        return found

    def spellings(self, entries: Any) -> dict[str, str]:
        if not isinstance(entries, dict):
            self.problem("should be pairs 'british: american', one a line", "spellings")
            return {}
        found: dict[str, str] = {}
        for british, american in entries.items():
            one_word = [british, american]
            if not all(isinstance(w, str) and len(fold.words(w)) == 1 for w in one_word):
                self.problem(
                    "should be one British word and its one American spelling",
                    "spellings",
                    str(british),
                )
                continue
            found[british] = american
        return found

    def clashes(self, synonyms: Synonyms) -> list[str]:
        """Entries left out because an earlier entry already claims one of their words."""
        claimed: dict[tuple[str, Phrase], str] = {}
        dropped: list[str] = []
        for concept in (*synonyms.conditions, *synonyms.interventions):
            section = f"{concept.kind}s"
            record = f"{section} '{concept.name}'"
            for field_name, texts in (
                ("name", [concept.name]),
                ("name_vi", [concept.name_vi] if concept.name_vi else []),
                ("words", concept.words),
            ):
                for text in texts:
                    owner = claimed.setdefault((concept.kind, phrase(text)), record)
                    if owner != record:
                        self.problem(
                            f"'{text}' is already a word of {owner}: "
                            "one word may stand for one thing only",
                            record,
                            field_name,
                        )
                        dropped.append(record)
        for short in synonyms.abbreviations:
            owner = claimed.get(("condition", phrase(short.abbreviation)))
            if owner:
                self.problem(
                    f"'{short.abbreviation}' is also a word of {owner}: "
                    "an abbreviation with several meanings is never read as one of them",
                    f"abbreviations '{short.abbreviation}'",
                    "abbreviation",
                )
                dropped.append(f"abbreviations '{short.abbreviation}'")
        return dropped


def read_synonyms(text: str, where: str) -> tuple[Synonyms, list[DataProblem]]:
    """Read the synonyms file's text; ``where`` names the file in messages."""
    reader = _Reader(where)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        reader.problem(f"is not valid YAML{at}: {getattr(error, 'problem', error)}")
        return EMPTY, reader.problems
    if data is None:
        return EMPTY, reader.problems
    if not isinstance(data, dict):
        reader.problem(f"should hold the sections {', '.join(SECTIONS)}")
        return EMPTY, reader.problems
    for unknown in sorted(set(map(str, data)) - set(SECTIONS)):
        reader.problem(f"unknown section (the sections are {', '.join(SECTIONS)})", unknown)
    conditions = reader.concepts("conditions", data.get("conditions") or [])
    interventions = reader.concepts("interventions", data.get("interventions") or [])
    abbreviations = reader.abbreviations(data.get("abbreviations") or [])
    spellings = reader.spellings(data.get("spellings") or {})
    synonyms = Synonyms(tuple(conditions), tuple(interventions), tuple(abbreviations), spellings)
    dropped = set(reader.clashes(synonyms))
    if dropped:

        def kept(items: Iterable[Any], section: str) -> tuple[Any, ...]:
            return tuple(
                i
                for i in items
                if f"{section} '{getattr(i, 'name', getattr(i, 'abbreviation', ''))}'"
                not in dropped
            )

        synonyms = Synonyms(
            kept(conditions, "conditions"),
            kept(interventions, "interventions"),
            kept(abbreviations, "abbreviations"),
            spellings,
        )
    return synonyms, reader.problems


def stamp(path: Path) -> str:
    """Changes when the file changes (size and time), "" when there is none."""
    try:
        stat = path.stat()
    except OSError:
        return ""
    return f"{stat.st_size}-{stat.st_mtime_ns}"


def load_synonyms(path: Path) -> tuple[Synonyms, list[DataProblem]]:
    """The synonyms file at ``path`` (no file: no synonyms, no problem)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return EMPTY, []
    except (OSError, UnicodeDecodeError) as error:
        return EMPTY, [DataProblem(str(path), f"cannot read the file: {error}")]
    return read_synonyms(text, str(path))

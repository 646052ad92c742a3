"""Words of the criteria explained in place, from glossary.yaml (English, Vietnamese).

The registry's sentence stays as written; :func:`explain` lists what the project
can say about the words in it, in the interface's language (English otherwise).
For GMFCS and MACS, the levels an item names are explained too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from trialfinder.family.eligibility.recognise import recognise

GLOSSARY = Path(__file__).with_name("glossary.yaml")
LANGUAGES = ("en", "vi")


@dataclass(frozen=True)
class Explanation:
    key: str
    term: str
    text: str


@dataclass(frozen=True)
class _Entry:
    key: str
    find: re.Pattern[str] | None
    words: dict[str, tuple[str, str]]


@cache
def entries() -> tuple[_Entry, ...]:
    data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    found = []
    for key, entry in data.items():
        words = {
            lang: (entry[lang]["term"], " ".join(entry[lang]["text"].split())) for lang in LANGUAGES
        }
        pattern = re.compile(entry["find"], re.IGNORECASE) if "find" in entry else None
        found.append(_Entry(key, pattern, words))
    return tuple(found)


def _by_key() -> dict[str, _Entry]:
    return {e.key: e for e in entries()}


def explain(text: str, lang: str = "en") -> tuple[Explanation, ...]:
    """What the glossary says about the words of ``text``, in its order."""
    lang = lang if lang in LANGUAGES else "en"
    by_key = _by_key()
    hits: list[tuple[int, str]] = []
    for entry in entries():
        if entry.find is not None:
            found = entry.find.search(text)
            if found:
                hits.append((found.start(), entry.key))
    levels = []
    for fact in recognise(text):
        if fact.kind in ("gmfcs", "macs"):
            levels.extend(f"{fact.kind}_{level}" for level in sorted(fact.levels))
    keys = [key for _start, key in sorted(hits)]
    for key in levels:
        scale = key.split("_")[0]
        at = keys.index(scale) + 1 if scale in keys else len(keys)
        while at < len(keys) and keys[at].startswith(scale + "_"):
            at += 1
        keys.insert(at, key)
    explained = []
    for key in dict.fromkeys(keys):
        term, words = by_key[key].words[lang]
        explained.append(Explanation(key, term, words))
    return tuple(explained)

"""Text on the way in: what every adapter does to the text of a record before it is kept.

A registry record, a curated file or a refresh page may carry characters that
no reader needs and that break what comes later: a NUL or another control
character (XML, and so the Atom feeds and e-mail headers, refuse them), a lone
surrogate such as ``\\ud800`` (it cannot be written as UTF-8, so storing the
record fails), or the same letter spelled two ways (``e`` + combining acute
against ``é``: a search for one misses the other). Each is cleaned here, once,
on the way in:

- control characters are removed, but for tab, line feed and carriage return
  (criteria and summaries are laid out in lines);
- lone surrogates are removed;
- text is put in Unicode normal form C.

Checking is cheap and cleaning is rare: :func:`json_needs_cleaning` looks at a
file's whole text in two C-speed passes, and only a file that may hold such a
character has its parsed values walked.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

#: What is removed from text: C0 controls but tab, LF and CR; DEL; C1 controls; surrogates.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: In JSON text, the escapes that spell one of the above (C0/C1 controls, DEL, surrogates).
_UNWANTED_ESCAPE = re.compile(r"\\u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|[dD][89a-fA-F])")
#: Deeper than this, a JSON value is not a registry record (a study is about 8 deep).
MAX_DEPTH = 64


class TooDeep(ValueError):
    """A value nested deeper than :data:`MAX_DEPTH`."""


def clean_text(text: str) -> str:
    """``text`` without control characters (but tab, LF, CR) or lone surrogates, in NFC."""
    if _UNWANTED.search(text) is not None:
        text = _UNWANTED.sub("", text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def json_needs_cleaning(text: str) -> bool:
    """Might the values parsed from JSON ``text`` hold text :func:`clean_text` would change?

    Raw control characters cannot stand in a JSON string (the parser refuses
    them) and UTF-8 cannot carry a surrogate, so they arrive only as ``\\u``
    escapes; text not in NFC shows in the file itself.
    """
    if _UNWANTED_ESCAPE.search(text) is not None:
        return True
    return not text.isascii() and not unicodedata.is_normalized("NFC", text)


def clean_value(value: Any, depth: int = 0) -> Any:
    """A copy of a parsed JSON or YAML value with every text (keys too) cleaned.

    Raises :class:`TooDeep` past :data:`MAX_DEPTH` levels, so that a hostile
    value can never exhaust the stack.
    """
    if depth > MAX_DEPTH:
        raise TooDeep(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {
            (clean_text(k) if isinstance(k, str) else k): clean_value(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [clean_value(item, depth + 1) for item in value]
    return value


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """:class:`TooDeep` when ``value`` nests more than ``limit`` levels (no recursion used)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise TooDeep(f"nested more than {limit} levels deep")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))


_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def ascii_digits(text: str) -> bool:
    """Only the digits 0-9 (not fullwidth, Arabic-Indic or other Unicode digits)."""
    return _ASCII_DIGITS.fullmatch(text) is not None

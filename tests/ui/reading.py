"""Reading an AppTest run the way a family reads the page (used by the AppTest tests)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from streamlit.testing.v1 import AppTest

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(markdown: str) -> str:
    """What a reader sees of text written through ``md()``: escapes and joiners gone."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u2060", "").replace("  \n", "\n")


def texts(node) -> list[str]:
    """Every markdown, caption, heading and alert under ``node``, as a reader sees it."""
    found = []
    for kind in ("markdown", "caption", "header", "subheader", "warning", "info", "success"):
        found.extend(plain(str(element.value)) for element in getattr(node, kind))
    return found


def walk(node) -> Iterator:
    yield node
    children = getattr(node, "children", None) or {}
    for child in children.values() if isinstance(children, dict) else children:
        yield from walk(child)


def cards(at: AppTest) -> dict[str, object]:
    """The trial cards, by trial id, in page order (dicts keep order)."""
    return {
        block.key.removeprefix("card-"): block
        for block in walk(at.main)
        if isinstance(getattr(block, "key", None), str) and block.key.startswith("card-")
    }


def card_texts(card) -> list[str]:
    """The card's lines (a markdown element may hold several)."""
    return [line for element in card.markdown for line in plain(element.value).split("\n")]


def notices(at: AppTest) -> list[str]:
    return [plain(w.value) for w in at.warning]


def assert_clean(at: AppTest) -> None:
    """No exception surfaced and no "something went wrong" from dashboard.py."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]

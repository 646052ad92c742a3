"""A value computed once per process, by one thread.

``functools.cache`` lets every thread that arrives before the first result is
stored compute it too. Streamlit runs each session's page in its own thread:
30 families arriving together on a new process each built the gazetteer's
index (2-3 s of CPU apiece, under one interpreter lock), and all their first
pages took 20-30 s. Here the first caller computes and the others wait for it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def once(build: Callable[[], T]) -> Callable[[], T]:
    """``build()``'s result, computed by the first caller and kept."""
    lock = threading.Lock()
    kept: list[T] = []

    @functools.wraps(build)
    def value() -> T:
        if not kept:
            with lock:
                if not kept:
                    kept.append(build())
        return kept[0]

    def forget() -> None:
        with lock:
            kept.clear()

    value.cache_clear = forget  # type: ignore[attr-defined]
    return value

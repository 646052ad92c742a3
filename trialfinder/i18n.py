"""The interface's language: English (the default) or Vietnamese, through gettext.

Messages are marked in the code with :func:`_` (or :func:`ngettext`, or :func:`N_`
for a table translated later) and kept in a standard gettext catalog:
``trialfinder/locale/vi/LC_MESSAGES/trialfinder.po``, compiled to ``.mo`` with Babel
(``pybabel compile -d trialfinder/locale -D trialfinder``; the ``.mo`` is kept in the
repository, and a test checks that it matches the ``.po``).

The language of the current run is a context variable: the dashboard sets it once
at the top of every page run, from the ``lang`` URL key. Library code (plain words,
trust flags, the view's sentence) reads it when it builds text, so the same code
speaks either language and stays free of Streamlit.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

DOMAIN = "trialfinder"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"
#: The languages offered, each named in its own language.
LANGUAGES = {"en": "English", "vi": "Tiếng Việt"}

_current: ContextVar[str] = ContextVar("trialfinder_language", default=DEFAULT)


def normalize(lang: object) -> str:
    """A supported language code, or the default for anything else."""
    code = str(lang or "").strip().lower()[:8]
    return code if code in LANGUAGES else DEFAULT


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def set_language(lang: object) -> str:
    """Speak ``lang`` in this context from now on; returns the code used."""
    code = normalize(lang)
    _current.set(code)
    return code


def language() -> str:
    return _current.get()


@contextmanager
def using(lang: str) -> Iterator[str]:
    """Speak ``lang`` inside the ``with`` block (tests, the CLI)."""
    token = _current.set(normalize(lang))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet (tables)."""
    return message

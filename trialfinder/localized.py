"""Numbers, dates and country names written the way the page's language writes them.

Babel (the Unicode CLDR data) knows each language's conventions: Vietnamese
writes 1.127 where English writes 1,127, "27 tháng 6, 2026" for June 27, 2026,
and "Hàn Quốc" for South Korea.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from trialfinder import geo, stamps
from trialfinder.i18n import DEFAULT, LANGUAGES, language


def number(value: float | int, decimals: int = 0) -> str:
    """``value`` with the language's grouping and decimal marks, rounded to ``decimals``."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(round(value, decimals), format=pattern, locale=language())


def date(text: str | None) -> str | None:
    """A registry date (``YYYY-MM-DD`` or ``YYYY-MM``) in words; other text as written."""
    if not text:
        return text
    try:
        if len(text) == 7:
            day = dt.date.fromisoformat(text + "-01")
            return format_date(day, format="MMMM y", locale=language())
        return format_date(dt.date.fromisoformat(text), format="long", locale=language())
    except ValueError:
        return text


def moment(text: str | None) -> str | None:
    """A stored time (ISO, or as :func:`trialfinder.stamps.shown` writes it) as the
    language writes a day and a time, in UTC: "June 27, 2026, 2:03 PM UTC",
    "27 tháng 6, 2026, 14:03 UTC". Other text as written."""
    if not text:
        return text
    when = stamps.parse(text.removesuffix(" UTC"))
    if when is None:
        return text
    day = format_date(when.astimezone(dt.UTC).date(), format="long", locale=language())
    time = format_time(when, format="short", tzinfo=dt.UTC, locale=language())
    return f"{day}, {time} UTC"


def count(value: int | None) -> str:
    """A count of things (trials, sites, people) with the language's grouping marks;
    "" for None, so a template never shows "None"."""
    return "" if value is None else number(value)


@functools.cache
def _territories(lang: str) -> dict[str, str]:
    """The one country name trialfinder uses -> its name in ``lang``."""
    names = Locale.parse(lang).territories
    by_name = {}
    for code, english in Locale.parse("en").territories.items():
        if code.isalpha() and code in names:
            by_name[geo.canonical_country(english) or english] = names[code]
    return by_name


def country(name: str | None) -> str | None:
    """A country's name in the page's language, by its one name ("Korea, Republic of"
    is "South Korea"); as written when neither the gazetteer nor Babel knows it."""
    if not name:
        return name
    canonical = geo.canonical_country(name) or name
    if language() == "en":
        return canonical
    return _territories(language()).get(canonical, name)


def country_named(text: str) -> str | None:
    """The one name of a country written in another of the dashboard's languages
    ("Hoa Kỳ" is "United States", "Viet Nam" is "Vietnam"), accents optional; None
    when none of them names a country so."""
    return _countries_by_words().get(geo.fold(text))


@functools.cache
def _countries_by_words() -> dict[str, str]:
    return {
        geo.fold(shown): canonical
        for lang in LANGUAGES
        if lang != DEFAULT
        for canonical, shown in _territories(lang).items()
    }


def countries(names: Iterable[str | None]) -> list[str | None]:
    """:func:`country` of many names (a map's sites): each different name looked up once."""
    names = list(names)
    shown = {name: country(name) for name in set(names)}
    return [shown[name] for name in names]

"""A child's age as a family writes it, in English or Vietnamese.

``4``, ``4y``, ``4 years``, ``4 tuổi``, ``4 years 3 months``, ``4 năm 3 tháng``,
``18 tháng``, ``4,5``, ``4.5``, ``4 tuổi rưỡi`` and ``3 weeks`` all read as an age
in whole months (the age rule in :mod:`trialfinder.ages` counts completed
months: 4.3 years is 51 months, 3 weeks is 0 months). A number with no unit is
years. Two numbers with no unit between them (``4 3``) are refused rather than
guessed at.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from trialfinder.ages import DAYS_PER_MONTH, MAX_CHILD_YEARS, ChildAge, parse_child_age
from trialfinder.geo import fold
from trialfinder.i18n import _

#: Each unit's words (folded: accents and case do not count), in months.
_UNITS: dict[str, Fraction] = {}
for _names, _months in (
    (("y", "yr", "yrs", "year", "years", "yo", "tuoi", "nam"), Fraction(12)),
    (("m", "mo", "mos", "mth", "mths", "month", "months", "thang"), Fraction(1)),
    (("w", "wk", "wks", "week", "weeks", "tuan"), Fraction(7) / Fraction(DAYS_PER_MONTH)),
    (("d", "day", "days", "ngay"), 1 / Fraction(DAYS_PER_MONTH)),
):
    for _name in _names:
        _UNITS[_name] = _months
#: Words that say nothing about the number: "4 years old", "aged 4", "4 và 3 tháng".
_FILLER = frozenset({"old", "aged", "age", "of", "and", "va", "be", "chau", "con", "em"})
_HALF = frozenset({"ruoi", "half"})  # "4 tuổi rưỡi", "4 and a half"
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[a-z]+|\S")


def months_in_words(text: str) -> int:
    """Whole months of the age ``text`` says; ValueError (in the interface's
    language, naming the text) when it says none."""
    try:
        return parse_child_age(text).months
    except ValueError:
        pass
    months = _read(text)
    if months is None:
        raise ValueError(
            f"age {text!r} " + _("is not an age like 4, 4 years 3 months, 18 months or 4 tuổi")
        )
    if months > MAX_CHILD_YEARS * 12:
        older = _("is older than {n} years").format(n=MAX_CHILD_YEARS)
        raise ValueError(f"age {text!r} {older}")
    return months


def read_child_age(text: str) -> ChildAge:
    """:func:`months_in_words` as a :class:`~trialfinder.ages.ChildAge`."""
    return ChildAge(months_in_words(text))


def _read(text: str) -> int | None:
    tokens = _TOKEN.findall(re.sub(r"(?<=\w)-(?=\w)", " ", fold(text)))
    total = Fraction(0)
    number: Fraction | None = None
    seen_any = False
    used_units: set[Fraction] = set()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token[0].isdigit():
            if number is not None:  # "4 3": two numbers with no unit between them
                return None
            if len(token) > 6:
                return None
            number = Fraction(token.replace(",", "."))
        elif token in _UNITS:
            if number is None:
                return None
            unit = _UNITS[token]
            if unit in used_units:  # "4 years 2 years"
                return None
            used_units.add(unit)
            total += number * unit
            number = None
            seen_any = True
            if i + 1 < len(tokens) and tokens[i + 1] in _HALF:
                total += unit / 2
                i += 1
        elif token == "a" and i + 1 < len(tokens) and tokens[i + 1] in _HALF:
            # "4 and a half": half of a year after a bare number
            if number is None:
                return None
            total += (number + Fraction(1, 2)) * 12
            number = None
            seen_any = True
            i += 1
        elif token not in _FILLER:
            return None
        i += 1
    if number is not None:
        if used_units:  # "4 years 3": the 3 has no unit
            return None
        total += number * 12
        seen_any = True
    if not seen_any:
        return None
    return math.floor(total + Fraction(1, 10**6))

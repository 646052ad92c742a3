"""Ages: trial age limits as registries write them, and a child's age.

The rule every filter uses: a trial admits a child when the child's age is at
least the minimum, and when the child's age counted in the maximum's own unit,
remainder dropped, is at most the maximum. A maximum of "6 Years" admits 6 years
11 months and not 7 years; "18 Months" admits 18 months and not 19. A missing
limit, "N/A" or "0 ..." is no limit.

Bounds are kept in days so that a whole catalog can be filtered with one vector
comparison: the minimum as an inclusive bound, the maximum as an exclusive one
(``floor(age in unit) <= max`` is ``age < (floor(max) + 1) units``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from trialfinder.i18n import _

DAYS_PER_YEAR = 365.2425
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

UNIT_DAYS: dict[str, float] = {
    "year": DAYS_PER_YEAR,
    "month": DAYS_PER_MONTH,
    "week": 7.0,
    "day": 1.0,
    "hour": 1 / 24,
    "minute": 1 / 1440,
}
#: Bounds are moved down by this many days (under a tenth of a second). A child's
#: age in whole months and a limit in whole units never differ by less than a
#: tenth of a minute unless they are equal, so this only makes an age that is
#: exactly on a bound compare as equal despite float rounding (10 months is
#: exactly 438,291 minutes, which float arithmetic would otherwise miss).
_BOUND_TOLERANCE_DAYS = 1e-6
_NO_LIMIT = {"", "n/a", "na", "none"}
_LIMIT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+?)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class AgeLimit:
    """A trial's age limit, e.g. ``AgeLimit(6, "year")`` for "6 Years"."""

    value: float
    unit: str

    def in_months(self) -> float | None:
        """Whole months when the unit is years or months (exact), else None."""
        if self.unit == "year":
            return self.value * 12
        if self.unit == "month":
            return self.value
        return None

    def min_days(self) -> float:
        return _days(self.value, self.unit) - _BOUND_TOLERANCE_DAYS

    def max_days_exclusive(self) -> float:
        # floor(age in unit) <= value  <=>  age < (floor(value) + 1) units
        return _days(math.floor(self.value) + 1, self.unit) - _BOUND_TOLERANCE_DAYS


def _days(value: float, unit: str) -> float:
    # Years and months go through whole months so a child's age in months and a
    # bound in years compare exactly (12 months is exactly 1 year).
    if unit == "year":
        return value * 12 * DAYS_PER_MONTH
    return value * UNIT_DAYS[unit]


def parse_age_limit(text: str | None) -> AgeLimit | None:
    """Parse "6 Years", "18 Months", "1 Year"; None for no limit.

    Raises ValueError for text that is not a number followed by a unit.
    """
    if text is None:
        return None
    cleaned = str(text).strip()
    if cleaned.lower() in _NO_LIMIT:
        return None
    match = _LIMIT_RE.match(cleaned)
    if not match or match.group(2).lower() not in UNIT_DAYS:
        raise ValueError(
            f"age {text!r} is not a number followed by a unit "
            "(Years, Months, Weeks, Days, Hours or Minutes)"
        )
    value = float(match.group(1))
    if value == 0:
        return None
    return AgeLimit(value, match.group(2).lower())


def min_age_days(text: str | None) -> float:
    """Inclusive lower bound in days (0 when there is none)."""
    limit = parse_age_limit(text)
    return 0.0 if limit is None else limit.min_days()


def max_age_days_exclusive(text: str | None) -> float:
    """Exclusive upper bound in days (infinity when there is none)."""
    limit = parse_age_limit(text)
    return float("inf") if limit is None else limit.max_days_exclusive()


@dataclass(frozen=True)
class ChildAge:
    """A child's age in whole months."""

    months: int

    @property
    def days(self) -> float:
        return self.months * DAYS_PER_MONTH

    def __str__(self) -> str:
        years, months = divmod(self.months, 12)
        if years and months:
            return f"{years}y{months}m"
        if years:
            return f"{years}y"
        return f"{months}m"

    def in_words(self) -> str:
        years, months = divmod(self.months, 12)
        parts = []
        if years:
            parts.append(f"{years} year" + ("s" if years != 1 else ""))
        if months or not years:
            parts.append(f"{months} month" + ("s" if months != 1 else ""))
        return " ".join(parts)


_CHILD_RE = re.compile(r"^(?:(\d{1,3})y)?(?:(\d{1,4})m)?$")
MAX_CHILD_YEARS = 130


def parse_child_age(text: str) -> ChildAge:
    """Parse ``4``, ``4y``, ``4y3m``, ``18m``. Raises ValueError when it cannot: "age
    'abc' " and why, the why in the interface's language (a link's notice shows it)."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit() and len(cleaned) <= 3:
        cleaned += "y"
    match = _CHILD_RE.match(cleaned)
    # Spaces may stand beside a unit ("4y 3m"), never inside a number ("4 3" is not 43).
    if not cleaned or not match or re.search(r"\d\s+\d", text):
        raise ValueError(f"age {text!r} " + _("is not an age like 4, 4y, 4y3m or 18m"))
    months = int(match.group(1) or 0) * 12 + int(match.group(2) or 0)
    if months > MAX_CHILD_YEARS * 12:
        older = _("is older than {n} years").format(n=MAX_CHILD_YEARS)
        raise ValueError(f"age {text!r} {older}")
    return ChildAge(months)


def admits(min_age: str | None, max_age: str | None, child: ChildAge) -> bool:
    """The age rule for one trial (the catalog applies it vectorized)."""
    return min_age_days(min_age) <= child.days < max_age_days_exclusive(max_age)


def limit_in_words(text: str | None) -> str | None:
    """ "6 Years" -> "6 years"; None when there is no limit."""
    limit = parse_age_limit(text)
    if limit is None:
        return None
    value = int(limit.value) if limit.value == int(limit.value) else limit.value
    return f"{value} {limit.unit}" + ("s" if value != 1 else "")

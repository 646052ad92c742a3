"""The age rule: limits as registries write them, and a child's age in years and months."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialfinder.ages import (
    MAX_CHILD_YEARS,
    AgeLimit,
    ChildAge,
    admits,
    limit_in_words,
    max_age_days_exclusive,
    min_age_days,
    parse_age_limit,
    parse_child_age,
)

# Exact lengths, for a reference version of the rule written with fractions.
DAYS_PER_MONTH = Fraction(3652425, 10000) / 12
EXACT_UNIT_DAYS = {
    "Years": DAYS_PER_MONTH * 12,
    "Months": DAYS_PER_MONTH,
    "Weeks": Fraction(7),
    "Days": Fraction(1),
    "Hours": Fraction(1, 24),
    "Minutes": Fraction(1, 1440),
}
UNITS = tuple(EXACT_UNIT_DAYS)


def y(years: int, months: int = 0) -> ChildAge:
    return ChildAge(years * 12 + months)


def in_unit(child: ChildAge, unit: str) -> Fraction:
    """The child's age counted in ``unit``, exactly."""
    return child.months * DAYS_PER_MONTH / EXACT_UNIT_DAYS[unit]


# --- the two examples the rule is written around ------------------------------------


def test_six_years_admits_six_years_eleven_months_and_not_seven() -> None:
    assert admits(None, "6 Years", y(6, 11))
    assert admits(None, "6 Years", y(6))
    assert not admits(None, "6 Years", y(7))
    assert not admits(None, "6 Years", y(7, 1))


def test_eighteen_months_admits_eighteen_months_and_not_nineteen() -> None:
    assert admits(None, "18 Months", ChildAge(18))
    assert not admits(None, "18 Months", ChildAge(19))
    assert not admits(None, "18 Months", y(2))


def test_minimum_is_inclusive() -> None:
    assert admits("1 Year", None, y(1))
    assert not admits("1 Year", None, ChildAge(11))
    assert admits("18 Months", None, ChildAge(18))
    assert not admits("18 Months", None, ChildAge(17))


def test_both_limits_together() -> None:
    assert [m for m in range(0, 100) if admits("1 Year", "6 Years", ChildAge(m))] == list(
        range(12, 84)
    )


# --- each unit at its boundaries ------------------------------------------------------

# (maximum, oldest age in months it admits): floor(age in unit) <= maximum.
MAX_BOUNDARIES = [
    ("1 Year", 23),
    ("6 Years", 83),
    ("18 Years", 227),
    ("1 Month", 1),
    ("18 Months", 18),
    ("4 Weeks", 1),  # 1 month is 4.35 weeks -> 4; 2 months is 8.7 weeks
    ("8 Weeks", 2),  # 2 months is 8.70 weeks -> 8
    ("30 Days", 1),  # 1 month is 30.44 days -> 30
    ("29 Days", 0),
    ("730 Hours", 1),  # 1 month is 730.485 hours -> 730
    ("729 Hours", 0),
    ("43829 Minutes", 1),  # 1 month is 43,829.1 minutes -> 43,829
    ("43828 Minutes", 0),
]


@pytest.mark.parametrize(("maximum", "oldest"), MAX_BOUNDARIES)
def test_maximum_boundary_in_every_unit(maximum: str, oldest: int) -> None:
    assert admits(None, maximum, ChildAge(oldest))
    assert not admits(None, maximum, ChildAge(oldest + 1))


# (minimum, youngest age in months it admits): age >= minimum.
MIN_BOUNDARIES = [
    ("1 Year", 12),
    ("2 Years", 24),
    ("6 Months", 6),
    ("6 Weeks", 2),  # 42 days: 1 month (30.4 days) is too young, 2 months (60.9) is not
    ("4 Weeks", 1),  # 28 days
    ("30 Days", 1),
    ("31 Days", 2),
    ("28 Days", 1),
    ("730 Hours", 1),
    ("731 Hours", 2),
    ("43829 Minutes", 1),
    ("43830 Minutes", 2),
]


@pytest.mark.parametrize(("minimum", "youngest"), MIN_BOUNDARIES)
def test_minimum_boundary_in_every_unit(minimum: str, youngest: int) -> None:
    assert admits(minimum, None, ChildAge(youngest))
    assert not admits(minimum, None, ChildAge(youngest - 1))


@pytest.mark.parametrize(
    ("limit", "months"),
    [
        # Ages that are exactly a whole number of the unit: float rounding must not
        # push them to the wrong side of the bound.
        ("438291 Minutes", 10),  # 10 months is exactly 438,291 minutes
        ("876582 Minutes", 20),
        ("146097 Hours", 200),  # 200 months is exactly 146,097 hours
        ("2 Years", 24),
        ("24 Months", 24),
    ],
)
def test_an_age_exactly_on_a_limit(limit: str, months: int) -> None:
    child = ChildAge(months)
    assert in_unit(child, limit.split()[1]).denominator == 1  # really exact
    assert admits(limit, None, child)  # at least the minimum
    assert admits(None, limit, child)  # at most the maximum
    value, unit = limit.split()
    below = f"{int(value) - 1} {unit}"
    assert not admits(None, below, child)  # a whole unit over a lower maximum


@pytest.mark.parametrize("unit", ["Year", "Years", "year", "YEARS", "years "])
def test_singular_plural_and_case(unit: str) -> None:
    assert parse_age_limit(f"6 {unit}") == AgeLimit(6, "year")


@pytest.mark.parametrize(
    ("singular", "plural"),
    [(f"1 {u[:-1]}", f"1 {u}") for u in UNITS] + [(f"2 {u[:-1]}", f"2 {u}") for u in UNITS],
)
def test_singular_and_plural_mean_the_same(singular: str, plural: str) -> None:
    assert parse_age_limit(singular) == parse_age_limit(plural)
    assert min_age_days(singular) == min_age_days(plural)
    assert max_age_days_exclusive(singular) == max_age_days_exclusive(plural)


@pytest.mark.parametrize("text", ["6 Years", "6Years", "  6   Years  ", "6 years"])
def test_spacing(text: str) -> None:
    assert parse_age_limit(text) == AgeLimit(6, "year")


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "N/A",
        "n/a",
        "NA",
        "none",
        "0 Years",
        "0 Year",
        "0 Months",
        "0 Days",
        "0.0 Weeks",
    ],
)
def test_no_limit(text: str | None) -> None:
    assert parse_age_limit(text) is None
    assert min_age_days(text) == 0
    assert max_age_days_exclusive(text) == math.inf
    assert limit_in_words(text) is None
    for months in (0, 1, 12 * 80, 12 * MAX_CHILD_YEARS):
        assert admits(text, text, ChildAge(months))


def test_a_newborn_with_a_minimum_in_days() -> None:
    assert admits(None, "28 Days", ChildAge(0))
    assert not admits("1 Day", None, ChildAge(0))
    assert admits("1 Day", None, ChildAge(1))


@pytest.mark.parametrize(
    "text",
    ["abc", "6", "Years", "six years", "-1 Years", "6 Decades", "6 Yrs", "6 Years old", "1e3 Days"],
)
def test_bad_limits_raise(text: str) -> None:
    with pytest.raises(ValueError, match="not a number followed by a unit"):
        parse_age_limit(text)
    with pytest.raises(ValueError):
        admits(text, None, ChildAge(12))
    with pytest.raises(ValueError):
        admits(None, text, ChildAge(12))


def test_fractional_maximum_drops_the_remainder_of_the_age_only() -> None:
    # floor(age in years) <= 6.5 means floor(age) <= 6: 6y11m in, 7y and 7y3m out.
    assert admits(None, "6.5 Years", y(6, 11))
    assert not admits(None, "6.5 Years", y(7))
    assert not admits(None, "6.5 Years", y(7, 3))
    assert admits("2.5 Years", None, y(2, 6))
    assert not admits("2.5 Years", None, y(2, 5))


@given(
    months=st.integers(0, 12 * MAX_CHILD_YEARS),
    value=st.integers(1, 2_000_000),
    unit=st.sampled_from(UNITS),
)
def test_rule_agrees_with_an_exact_reference(months: int, value: int, unit: str) -> None:
    child = ChildAge(months)
    exact = in_unit(child, unit)
    limit = f"{value} {unit}"
    assert admits(limit, None, child) == (exact >= value)
    assert admits(None, limit, child) == (math.floor(exact) <= value)


@given(st.integers(0, 12 * MAX_CHILD_YEARS), st.integers(0, 12 * MAX_CHILD_YEARS))
def test_older_children_never_fit_a_maximum_a_younger_one_misses(a: int, b: int) -> None:
    young, old = sorted((a, b))
    for limit in ("6 Years", "18 Months", "8 Weeks", "100 Days"):
        if not admits(None, limit, ChildAge(young)):
            assert not admits(None, limit, ChildAge(old))
        if admits(limit, None, ChildAge(young)):
            assert admits(limit, None, ChildAge(old))


# --- limits in words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("6 Years", "6 years"),
        ("1 Year", "1 year"),
        ("1 Years", "1 year"),
        ("18 Months", "18 months"),
        ("1 Month", "1 month"),
        ("2 Weeks", "2 weeks"),
        ("28 Days", "28 days"),
        ("1 Hour", "1 hour"),
        ("30 Minutes", "30 minutes"),
        ("6.5 Years", "6.5 years"),
    ],
)
def test_limit_in_words(text: str, words: str) -> None:
    assert limit_in_words(text) == words


# --- a child's age -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("4", 48),
        ("4y", 48),
        ("4Y", 48),
        ("4y3m", 51),
        ("4y 3m", 51),
        ("4 y 3 m", 51),
        (" 4y3m ", 51),
        ("18m", 18),
        ("18M", 18),
        ("0", 0),
        ("0m", 0),
        ("0y", 0),
        ("4y0m", 48),
        ("1y12m", 24),
        ("130y", 1560),
        ("130", 1560),
        ("1560m", 1560),
    ],
)
def test_parse_child_age(text: str, months: int) -> None:
    assert parse_child_age(text) == ChildAge(months)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "-3",
        "-3y",
        "500y",
        "500",
        "131y",
        "1561m",
        "",
        "   ",
        "\t\n",
        "y",
        "m",
        "4.5",
        "4y3",
        "3m4y",
        "4 years",
        "1000",
        "4y3m2d",
        "4 3",
        "1 0",
        "４x",
    ],
)
def test_parse_child_age_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_child_age(text)


def test_parse_child_age_error_names_the_text() -> None:
    with pytest.raises(ValueError, match="'abc'"):
        parse_child_age("abc")
    with pytest.raises(ValueError, match="older than 130 years"):
        parse_child_age("500y")


@pytest.mark.parametrize(
    ("months", "text", "words"),
    [
        (0, "0m", "0 months"),
        (1, "1m", "1 month"),
        (11, "11m", "11 months"),
        (12, "1y", "1 year"),
        (13, "1y1m", "1 year 1 month"),
        (18, "1y6m", "1 year 6 months"),
        (48, "4y", "4 years"),
        (83, "6y11m", "6 years 11 months"),
        (1560, "130y", "130 years"),
    ],
)
def test_child_age_str_and_words(months: int, text: str, words: str) -> None:
    age = ChildAge(months)
    assert str(age) == text
    assert age.in_words() == words
    assert parse_child_age(text) == age


@given(st.integers(0, 12 * MAX_CHILD_YEARS))
def test_child_age_str_round_trip(months: int) -> None:
    age = ChildAge(months)
    assert parse_child_age(str(age)) == age
    # the words name the same years and months
    numbers = [int(w) for w in age.in_words().split() if w.isdigit()]
    assert sum(numbers) == age.months // 12 + age.months % 12


def test_child_age_days_are_whole_months() -> None:
    assert ChildAge(12).days == pytest.approx(365.2425)
    assert ChildAge(1).days == pytest.approx(30.436875)

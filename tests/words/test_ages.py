"""A child's age as families write it, in English and Vietnamese."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialfinder.ages import MAX_CHILD_YEARS, ChildAge
from trialfinder.words.ages import months_in_words, read_child_age


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("4 tuổi", 48),
        ("4 tuoi", 48),
        ("4 years", 48),
        ("4 year old", 48),
        ("4-year-old", 48),
        ("4 yrs", 48),
        ("4", 48),
        ("4y", 48),
        ("18 tháng", 18),
        ("18 months", 18),
        ("18m", 18),
        ("4 years 3 months", 51),
        ("4 năm 3 tháng", 51),
        ("4 tuổi 3 tháng", 51),
        ("4y3m", 51),
        ("4,5", 54),
        ("4.5", 54),
        ("4.5 years", 54),
        ("4 tuổi rưỡi", 54),
        ("1 tuổi rưỡi", 18),
        ("4 and a half", 54),
        ("bé 4 tuổi", 48),
        ("3 weeks", 0),
        ("10 ngày", 0),
        ("4.3", 51),
        ("aged 6", 72),
    ],
)
def test_ages_in_words_read_as_the_same_age(text: str, months: int) -> None:
    assert months_in_words(text) == months
    assert read_child_age(text) == ChildAge(months)


@pytest.mark.parametrize(
    "text",
    ["4 3", "abc", "-3", "4 years 3", "years", "4 years 2 years", "4, 5", "", "four", "500 tuổi"],
)
def test_what_is_not_an_age_is_refused_naming_the_text(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        months_in_words(text)
    assert repr(text) in str(raised.value)


def test_the_refusal_shows_examples_in_plain_words() -> None:
    with pytest.raises(ValueError, match="4 years 3 months"):
        months_in_words("abc")
    with pytest.raises(ValueError, match="older than 130 years"):
        months_in_words("500 tuổi")


@given(st.integers(0, MAX_CHILD_YEARS - 1), st.integers(0, 11))
def test_english_vietnamese_and_short_forms_agree(years: int, months: int) -> None:
    expected = years * 12 + months
    assert months_in_words(f"{years} years {months} months") == expected
    assert months_in_words(f"{years} năm {months} tháng") == expected
    assert months_in_words(f"{years}y{months}m") == expected

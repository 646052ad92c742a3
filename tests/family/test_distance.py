"""Distances in words: never "0 km" for a site placed at its city's centre."""

from __future__ import annotations

import math

from trialfinder.family.distance import distance_words
from trialfinder.i18n import using


def test_whole_kilometres_in_the_pages_language() -> None:
    assert distance_words(1234.4) == "1,234 km away"
    with using("vi"):
        assert "1.234" in distance_words(1234.4)


def test_a_site_placed_at_the_city_centre_has_no_distance() -> None:
    words = distance_words(0.0, approximate=True)
    assert "0 km" not in words
    assert "city centre" in words


def test_a_far_site_placed_at_its_city_centre_keeps_its_distance_as_about() -> None:
    assert distance_words(12960.2, approximate=True) == (
        "about 12,960 km away (placed at the city centre)"
    )
    assert "km" not in distance_words(30.0, approximate=True)  # within a city: unknown
    with using("vi"):
        assert "12.960" in distance_words(12960.2, approximate=True)


def test_very_near_is_not_zero() -> None:
    assert distance_words(0.2) == "less than 1 km away"
    assert distance_words(None) is None
    assert distance_words(math.nan) is None

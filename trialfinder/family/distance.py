"""How far a site is, in words a family can trust.

A site the record places only by its city is drawn at the city's centre: its
distance to a family in that city is not "0 km", it is unknown within the
city, and the words say so.
"""

from __future__ import annotations

import math

from trialfinder.i18n import _
from trialfinder.localized import number

#: Beyond this a site placed at its city's centre is far whatever its place in
#: the city: its distance is said, as "about" (a family in Hanoi is told that a
#: Boston site is about 12,960 km away, not only that its place is not given).
CITY_KM = 50.0


def distance_words(km: float | None, approximate: bool = False) -> str | None:
    """ "12 km away", "less than 1 km away"; for a site placed at its city's centre,
    "exact place not given (placed at the city centre)", or beyond :data:`CITY_KM`
    "about 12,960 km away (placed at the city centre)"; None without a distance."""
    known = km is not None and not math.isnan(km)
    if approximate:
        if known and km >= CITY_KM:
            return _("about {km} km away (placed at the city centre)").format(km=number(km))
        return _("exact place not given (placed at the city centre)")
    if not known:
        return None
    if km < 1:
        return _("less than 1 km away")
    return _("{km} km away").format(km=number(km))

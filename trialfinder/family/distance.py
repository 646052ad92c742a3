"""How far a site is, in words a family can trust.

A site the record places only by its city is drawn at the city's centre: its
distance to a family in that city is not "0 km", it is unknown within the
city, and the words say so.
"""

from __future__ import annotations

import math

from trialfinder.i18n import _
from trialfinder.localized import number


def distance_words(km: float | None, approximate: bool = False) -> str | None:
    """ "12 km away", "less than 1 km away", or, for a site placed at its city's
    centre, "exact place not given (placed at the city centre)"; None without a distance."""
    if approximate:
        return _("exact place not given (placed at the city centre)")
    if km is None or math.isnan(km):
        return None
    if km < 1:
        return _("less than 1 km away")
    return _("{km} km away").format(km=number(km))

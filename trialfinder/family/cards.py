"""What one card of results shows beside the finder's row: the title and the active
substance in the reader's language, the first contact, the trust flags.

The finder's rows hold the registry's English; the whole record (read one trial at
a time) holds a curated translation when there is one, the contacts and the facts
the flags judge. A card is read from both here, so the find page only asks and draws.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from trialfinder.catalog import Catalog
from trialfinder.family.contacts import Reach, contacts_for
from trialfinder.family.flags import Flag, trust_flags
from trialfinder.geo import Place


@dataclass(frozen=True)
class Card:
    """One result as its card shows it."""

    #: The finder's row, with ``title`` and ``active_substance`` in the reader's
    #: language when the record has them so (else as the registry gives them).
    row: pd.Series
    flags: tuple[Flag, ...] = ()
    #: The first contact: the trial's own, else its nearest site's (to ``place``).
    contact: Reach | None = None


def card(catalog: Catalog, row: pd.Series, lang: str, place: Place | None = None) -> Card:
    """The card of one row of results (a row of :meth:`Results.rows`)."""
    trial = catalog.trial(str(row["id"]))
    if trial is None:  # a row without its record (a catalog built from rows alone)
        return Card(row)
    lat, lon = (place.lat, place.lon) if place is not None else (None, None)
    first = contacts_for(trial, lat, lon, limit=1)
    shown = row.copy()
    shown["title"] = trial.title_in(lang)
    shown["active_substance"] = trial.text_in("active_substance", lang)
    return Card(shown, tuple(trust_flags(trial)), first[0] if first else None)


def cards(
    catalog: Catalog, rows: pd.DataFrame, lang: str, place: Place | None = None
) -> Iterator[Card]:
    """The cards of a page of results, in its order."""
    for _label, row in rows.iterrows():
        yield card(catalog, row, lang, place)

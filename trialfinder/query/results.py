"""What a query found: the count and the order at once, the rows only when asked.

A page shows 20 trials of maybe 100,000 matches. :class:`Results` holds the
matching trials' rows of the catalog's trials table in their order (and, with a
place, each one's nearest matching site and its distance): a few plain arrays.
Rows become a table only for what is asked: ``head(20)`` or ``rows(40, 60)`` for
a page, one column with ``results["id"]``, everything with ``frame()`` (a CSV,
an export).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from trialfinder.catalog import Catalog
from trialfinder.catalog.index import SITE_RESULT_COLUMNS
from trialfinder.query.nearest import SiteMatches

#: Where a column of results keeps the trial rows it was taken from (see _Rows).
ROWS = "trialfinder.rows"
_NAN_STRING = pd.StringDtype("pyarrow", na_value=np.nan)


class _Rows:
    """The rows of the trials table a results column was taken from, kept in its
    ``attrs`` so the sites of the results are found without looking ids up again.
    Never copied (pandas deep-copies ``attrs`` into every frame derived from it);
    checked against the ids before use, as a frame derived from the results may
    hold other rows."""

    __slots__ = ("catalog", "positions")

    def __init__(self, catalog: Catalog, positions: np.ndarray) -> None:
        # Weakly: a results column kept somewhere must not keep an old catalog alive.
        self.catalog = weakref.ref(catalog)
        self.positions = positions

    def __deepcopy__(self, memo: dict) -> _Rows:
        return self

    def __copy__(self) -> _Rows:
        return self


def _nulls(n: int) -> pd.api.extensions.ExtensionArray:
    return pd.arrays.ArrowStringArray(pa.chunked_array([pa.nulls(n, pa.large_string())]))


class Results:
    """Matching trials in their order.

    ``len()`` is the count; ``positions`` their rows of ``catalog.trials``;
    ``distance`` (km, NaN without ``near``) and ``best_site`` (a row of
    ``catalog.sites``) are set when the query has a place.

    With a place, the results start as the matching sites (see :meth:`of_sites`):
    the count, the members and a first page come from them directly; each trial's
    nearest site and the whole order are worked out only when asked for.
    """

    def __init__(
        self,
        catalog: Catalog,
        positions: np.ndarray,
        distance: np.ndarray | None = None,
        best_site: np.ndarray | None = None,
    ) -> None:
        self.catalog = catalog
        self._positions = positions
        self._distance = distance
        self._best_site = best_site
        # Set by of_sites: the matching sites, not yet grouped by trial nor ordered.
        self._sites: SiteMatches | None = None

    @classmethod
    def of_sites(
        cls, catalog: Catalog, sites: np.ndarray, distances: np.ndarray, near: bool
    ) -> Results:
        """The trials of the matching ``sites`` (rows of the sites table, in any
        order; ``distances`` to the place, NaN without ``near``), ordered open
        first, then (with ``near``) by the nearest matching site, then by rank."""
        results = cls(catalog, np.zeros(0, dtype=np.int64))
        results._sites = SiteMatches(catalog, sites, distances, near)
        return results

    @property
    def positions(self) -> np.ndarray:
        """The matches' rows of the trials table, in order."""
        self._order_all()
        return self._positions

    @property
    def distance(self) -> np.ndarray | None:
        self._order_all()
        return self._distance

    @property
    def best_site(self) -> np.ndarray | None:
        self._order_all()
        return self._best_site

    @property
    def members(self) -> np.ndarray:
        """The matches' rows of the trials table, in no particular order."""
        if self._sites is not None:
            return self._sites.members()
        return self._positions

    def _order_all(self) -> None:
        if self._sites is not None:
            self._positions, self._distance, self._best_site = self._sites.ordered()
            self._sites = None

    def __len__(self) -> int:
        if self._sites is not None:
            return self._sites.count()
        return len(self._positions)

    @property
    def empty(self) -> bool:
        return len(self) == 0

    def head(self, n: int = 5) -> pd.DataFrame:
        """The first ``n`` matches as a table (a page of cards)."""
        return self.rows(0, n)

    def rows(self, start: int = 0, stop: int | None = None) -> pd.DataFrame:
        """Matches ``start`` to ``stop`` (as a slice) as a table: the trials' columns,
        ``distance_km``, and ``site_*`` columns naming the nearest matching site
        (empty without a place). Its index counts from ``start``."""
        picked = slice(start, stop)
        if self._sites is not None and stop is not None and 0 < stop < len(self) // 4:
            positions, distance, best_site = self._sites.first(stop)
            positions, distance, best_site = positions[start:], distance[start:], best_site[start:]
        else:
            positions = self.positions[picked]
            distance = None if self.distance is None else self.distance[picked]
            best_site = None if self.best_site is None else self.best_site[picked]
        n = len(positions)
        first_row = picked.indices(len(self))[0]
        frame = self.catalog.trials.take(positions)
        frame.index = pd.RangeIndex(first_row, first_row + n)
        columns: dict[str, Any] = {}
        if best_site is None:
            columns["distance_km"] = np.full(n, np.nan)
            for name in SITE_RESULT_COLUMNS:
                columns[f"site_{name}"] = _nulls(n)
            columns["site_approximate"] = pd.arrays.BooleanArray(
                np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
            )
        else:
            best = best_site
            search, sites = self.catalog.search, self.catalog.sites
            columns["distance_km"] = distance
            for name in SITE_RESULT_COLUMNS:
                columns[f"site_{name}"] = pd.arrays.ArrowStringArray(
                    pa.chunked_array([search.site_values(sites, name, best)]), dtype=_NAN_STRING
                )
            columns["site_approximate"] = sites["approximate"].to_numpy()[best]
        extra = pd.DataFrame(columns, index=frame.index, copy=False)
        return pd.concat([frame, extra], axis=1)

    def frame(self) -> pd.DataFrame:
        """Every match as a table (what a CSV or an export needs, not a page)."""
        table = self.rows(0, None)
        table.attrs[ROWS] = _Rows(self.catalog, self.positions)
        return table

    def __getitem__(self, column: str) -> pd.Series:
        """One column for every match (``results["id"]``), without the others."""
        if column == "distance_km":
            values = self.distance if self.distance is not None else np.full(len(self), np.nan)
            return pd.Series(values, name=column)
        if column not in self.catalog.trials.columns:
            return self.frame()[column]
        series = self.catalog.trials[column].take(self.positions).reset_index(drop=True)
        series.attrs[ROWS] = _Rows(self.catalog, self.positions)
        return series

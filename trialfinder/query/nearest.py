"""From the sites a place query matched to its trials: the count, a first page, the order.

A query with a place matches sites (maybe 100,000 of them around a big city);
a trial matches when one of its sites does, and with ``near`` it is ordered by
its nearest matching site. A page needs the count and 20 trials: the count is
one pass marking the trials, and the first page is picked with a partition of
the sites' distances (only the sites of the few nearest trials are grouped and
sorted). Grouping every site by trial and sorting every trial is left for the
whole order (a CSV, an export).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from trialfinder.catalog import Catalog

#: How many sites a first try at the nearest trials looks at, at least.
_FIRST_TRY = 64


def nearest_site(
    trial_of: np.ndarray, sites: np.ndarray, distances: np.ndarray, near: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of each trial's matching sites (``sites`` ascending, so grouped by trial and
    in their order), the nearest; of two as near, or without ``near``, the first
    listed. Returns the trials, their sites and the distances, by trial."""
    if not len(sites):
        return trial_of, sites, distances
    starts = np.flatnonzero(np.r_[True, trial_of[1:] != trial_of[:-1]])
    if not near:
        return trial_of[starts], sites[starts], distances[starts]
    nearest = np.minimum.reduceat(distances, starts)
    counts = np.diff(np.r_[starts, len(sites)])
    at_least = np.flatnonzero(distances == np.repeat(nearest, counts))
    first = at_least[np.r_[True, trial_of[at_least[1:]] != trial_of[at_least[:-1]]]]
    return trial_of[first], sites[first], distances[first]


class SiteMatches:
    """The sites a place query matched, in any order, with their distances (NaN
    without ``near``); their trials are ordered open first, then (with ``near``)
    nearest first, then by rank, the way :func:`trialfinder.query.find` orders."""

    def __init__(
        self, catalog: Catalog, sites: np.ndarray, distances: np.ndarray, near: bool
    ) -> None:
        self.index = catalog.search
        self.sites = sites
        self.distances = distances
        self.near = near
        self.trial = self.index.site_trial[sites]
        self._marks: np.ndarray | None = None

    def marks(self) -> np.ndarray:
        """Which trials match (one boolean per row of the trials table)."""
        if self._marks is None:
            marks = np.zeros(len(self.index.rank), dtype=bool)
            marks[self.trial] = True
            self._marks = marks
        return self._marks

    def count(self) -> int:
        return int(np.count_nonzero(self.marks()))

    def members(self) -> np.ndarray:
        """The matching trials (rows, ascending)."""
        return np.flatnonzero(self.marks())

    def ordered(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every matching trial in order: rows, distances of their nearest sites, and
        those sites."""
        by_row = np.argsort(self.sites, kind="stable")
        positions, best, distance = nearest_site(
            self.trial[by_row], self.sites[by_row], self.distances[by_row], self.near
        )
        ranks = self.index.rank[positions]
        if self.near:
            order = np.lexsort((ranks, distance, ~self.index.is_open[positions]))
        else:
            order = np.argsort(ranks, kind="stable")
        return positions[order], distance[order], best[order]

    def first(self, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The first ``stop`` trials of :meth:`ordered`, without ordering the rest."""
        if not self.near:
            # By rank alone: mark the ranks of the matching trials, take the lowest.
            by_rank = np.zeros(len(self.index.rank), dtype=bool)
            by_rank[self.index.rank[self.trial]] = True
            positions = self.index.by_rank[np.flatnonzero(by_rank)[:stop]].astype(np.int64)
            wanted = np.zeros(len(by_rank), dtype=bool)
            wanted[positions] = True
            trials, best, distance = self._nearest(np.flatnonzero(wanted[self.trial]))
            at = np.searchsorted(trials, positions)
            return positions, distance[at], best[at]
        is_open = self.index.is_open[self.trial]
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        need = stop
        for open_ in (True, False):
            group = np.flatnonzero(is_open == open_)
            if need <= 0 or not len(group):
                continue
            distances = self.distances[group]
            candidates = group[distances <= self._edge(group, distances, need)]
            trials, best, distance = self._nearest(candidates)
            order = np.lexsort((self.index.rank[trials], distance))[:need]
            found.append((trials[order], distance[order], best[order]))
            need -= len(order)
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, np.zeros(0), empty
        return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))  # type: ignore[return-value]

    def _edge(self, group: np.ndarray, distances: np.ndarray, need: int) -> float:
        """The least distance within which ``need`` trials of ``group`` (indices of
        the matching sites) have a site; infinite when fewer trials are in it.

        A partition picks the nearest ``m`` sites; if they belong to fewer than
        ``need`` trials (a trial may have many sites in a city), ``m`` grows."""
        m = min(len(group), max(need, _FIRST_TRY))
        while True:
            if m < len(group):
                nearest = np.argpartition(distances, m - 1)[:m]
            else:
                nearest = np.arange(len(group))
            nearest = nearest[np.argsort(distances[nearest], kind="stable")]
            _, first = np.unique(self.trial[group[nearest]], return_index=True)
            if len(first) >= need:
                return float(distances[nearest[np.sort(first)[need - 1]]])
            if m >= len(group):
                return float("inf")
            m = min(len(group), m * 8)

    def _nearest(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Of the matching sites ``chosen`` (indices), each trial's nearest (of two as
        near, or without ``near``, the first listed): trials ascending, sites, distances."""
        sites, trials = self.sites[chosen], self.trial[chosen]
        distances = self.distances[chosen]
        keys = (sites, distances, trials) if self.near else (sites, trials)
        order = np.lexsort(keys)
        trials, sites, distances = trials[order], sites[order], distances[order]
        first = np.r_[True, trials[1:] != trials[:-1]] if len(trials) else np.zeros(0, bool)
        return trials[first].astype(np.int64), sites[first], distances[first]

"""Applying a query to a catalog.

Every filter is answered from the catalog's search index (plain arrays built
once with the catalog, :class:`trialfinder.catalog.index.SearchIndex`): words
through an inverted index of the terms' words, few-valued columns through a
lookup table by code, ages by two comparisons of numbers, places through a
latitude band of the sites sorted by latitude before any distance is computed,
and the order through a rank worked out once. Nothing is sorted by text at query
time.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from trialfinder.catalog import Catalog
from trialfinder.catalog.index import SITE_RESULT_COLUMNS
from trialfinder.catalog.schema import frame_columns
from trialfinder.query.filters import FILTERS
from trialfinder.query.parse import Query, Source, parse_query
from trialfinder.query.place import PLACE_FILTER

#: Where a results table keeps the trial rows it was taken from (see _Rows).
_ROWS = "trialfinder.rows"


class _Rows:
    """The rows of the trials table a results table was taken from, kept in its
    ``attrs`` so the sites of the results are found without looking ids up again.
    Never copied (pandas deep-copies ``attrs`` into every frame derived from it);
    checked against the ids before use, as a frame derived from the results may
    hold other rows."""

    __slots__ = ("catalog", "positions")

    def __init__(self, catalog: Catalog, positions: np.ndarray) -> None:
        # Weakly: a results table kept somewhere must not keep an old catalog alive.
        self.catalog = weakref.ref(catalog)
        self.positions = positions

    def __deepcopy__(self, memo: dict) -> _Rows:
        return self

    def __copy__(self) -> _Rows:
        return self


def _trial_mask(catalog: Catalog, query: Query) -> np.ndarray:
    """The trials every filter with a mask keeps (the place filters sites, later).
    The word filters, the dearest, go last and are skipped once nothing is left."""
    mask = np.ones(len(catalog.trials), dtype=bool)
    for f in sorted(FILTERS, key=lambda f: f.terms is not None):
        value = getattr(query, f.key)
        if f.mask is None or not f.values(value):
            continue
        if f.terms is not None and not mask.any():
            break
        mask &= f.mask(catalog, value)
    return mask


def _trials_mask(catalog: Catalog, trial_ids: pd.Series) -> np.ndarray:
    """The trials (a mask of the trials table's rows) of ``trial_ids``: a column of a
    results table (its rows are known: checked, not looked up), or any ids."""
    mask = np.zeros(len(catalog.trials), dtype=bool)
    rows = trial_ids.attrs.get(_ROWS)
    if (
        isinstance(rows, _Rows)
        and rows.catalog() is catalog
        and len(rows.positions) == len(trial_ids)
        and isinstance(trial_ids.dtype, pd.StringDtype)
    ):
        # The ids those rows hold, read from the ranked table (in results order,
        # mostly front to back), must be the ids given, one for one.
        index = catalog.search
        ranked_ids = index.ranked.column("id").chunk(0)
        expected = ranked_ids.take(pa.array(index.rank[rows.positions], type=pa.int64()))
        given = pa.array(trial_ids.array)
        if len(given) == 0 or pc.all(pc.equal(given, expected)).as_py():
            mask[rows.positions] = True
            return mask
    positions = catalog.id_index().get_indexer(trial_ids)
    mask[positions[positions >= 0]] = True
    return mask


def matching_sites(catalog: Catalog, query: Query, trial_ids: pd.Series) -> pd.DataFrame:
    """Sites of the candidate trials that are in the place, with their distance."""
    sites, distances = PLACE_FILTER.sites(catalog, query, _trials_mask(catalog, trial_ids))
    matched = catalog.sites.take(sites)
    matched["distance_km"] = distances
    return matched


def _nearest_site(
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


_SITE_COLUMNS = SITE_RESULT_COLUMNS
_NAN_STRING = pd.StringDtype("pyarrow", na_value=np.nan)


def _nulls(n: int) -> pd.api.extensions.ExtensionArray:
    return pd.arrays.ArrowStringArray(pa.chunked_array([pa.nulls(n, pa.large_string())]))


def apply_query(catalog: Catalog, query: Query) -> pd.DataFrame:
    """Matching trials, open first, then nearest, then most recently updated.

    Beside the trial columns: ``distance_km`` and ``site_*`` columns naming the
    nearest matching site when a place is set.
    """
    index = catalog.search
    mask = _trial_mask(catalog, query)
    site_columns: dict[str, Any]
    if not query.has_place:
        # In the default order already: the matching rows of the ranked table, front to back.
        in_order = mask[index.by_rank]
        positions = index.by_rank[in_order]
        table = index.ranked_rows(None if in_order.all() else in_order)
        n = len(positions)
        distance = np.full(n, np.nan)
        site_columns = {f"site_{c}": _nulls(n) for c in _SITE_COLUMNS}
        site_columns["site_approximate"] = pd.arrays.BooleanArray(
            np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
        )
    else:
        sites, distances = PLACE_FILTER.sites(catalog, query, mask)
        positions, best, distance = _nearest_site(
            index.site_trial[sites], sites, distances, bool(query.near)
        )
        ranks = index.rank[positions]
        if query.near:
            order = np.lexsort((ranks, distance, ~index.is_open[positions]))
        else:
            order = np.argsort(ranks, kind="stable")
        positions, best, distance, ranks = (
            positions[order],
            best[order],
            distance[order],
            ranks[order],
        )
        table = index.ranked_rows(ranks)
        site_columns = {
            f"site_{c}": pd.arrays.ArrowStringArray(
                pa.chunked_array([index.site_values(catalog.sites, c, best)]), dtype=_NAN_STRING
            )
            for c in _SITE_COLUMNS
        }
        site_columns["site_approximate"] = catalog.sites["approximate"].to_numpy()[best]
    result = pd.DataFrame(
        {**frame_columns(table, "trials"), "distance_km": distance, **site_columns},
        index=pd.RangeIndex(len(positions)),
        copy=False,
    )
    result.attrs[_ROWS] = _Rows(catalog, positions)
    return result


def search(catalog: Catalog, source: Source | Query) -> pd.DataFrame:
    """Convenience: parse (when needed) and apply."""
    query = source if isinstance(source, Query) else parse_query(source).query
    return apply_query(catalog, query)


def site_trials(catalog: Catalog, sites: pd.DataFrame) -> np.ndarray:
    """Each site's trial, as its row of the trials table. ``sites`` are rows of the
    catalog's sites table keeping their labels, as :func:`result_sites` and
    :func:`matching_sites` give them."""
    return catalog.search.site_trial[sites.index.to_numpy()]


def result_sites(catalog: Catalog, query: Query, results: pd.DataFrame) -> pd.DataFrame:
    """The sites a view shows for its results: with a place, the sites in it that
    matched; without one, every site of the matching trials."""
    if query.has_place:
        return matching_sites(catalog, query, results["id"])
    trials = _trials_mask(catalog, results["id"])
    if trials.all():
        return catalog.sites
    return catalog.sites.take(catalog.search.sites_of(np.flatnonzero(trials)))

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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from trialfinder.ages import ChildAge
from trialfinder.catalog import Catalog
from trialfinder.query.filters import FILTERS
from trialfinder.query.parse import Query, Source, parse_query
from trialfinder.query.place import PLACE_FILTER
from trialfinder.query.results import ROWS, Results, _Rows

#: "child", "children", "trẻ em" typed with a condition ask for trials that admit
#: at least the oldest child, 17 years 11 months.
OLDEST_CHILD = ChildAge(18 * 12 - 1)


def _trial_mask(catalog: Catalog, query: Query) -> np.ndarray:
    """The trials every filter with a mask keeps (the place filters sites, later).
    The word filters, the dearest, go last and are skipped once nothing is left."""
    mask = np.ones(len(catalog.trials), dtype=bool)
    if query.child_hint:
        mask &= catalog.search.min_age_days <= OLDEST_CHILD.days
    for f in sorted(FILTERS, key=lambda f: f.terms is not None):
        value = getattr(query, f.key)
        if f.mask is None or not f.values(value):
            continue
        if f.terms is not None and not mask.any():
            break
        mask &= f.mask(catalog, value)
    return mask


def _trials_mask(catalog: Catalog, trial_ids: pd.Series | Results) -> np.ndarray:
    """The trials (a mask of the trials table's rows) of ``trial_ids``: results, a
    column of results (its rows are known: checked, not looked up), or any ids."""
    mask = np.zeros(len(catalog.trials), dtype=bool)
    if isinstance(trial_ids, Results) and trial_ids.catalog is catalog:
        mask[trial_ids.members] = True
        return mask
    if isinstance(trial_ids, Results):
        trial_ids = trial_ids["id"]
    rows = trial_ids.attrs.get(ROWS)
    if (
        isinstance(rows, _Rows)
        and rows.catalog() is catalog
        and len(rows.positions) == len(trial_ids)
        and isinstance(trial_ids.dtype, pd.StringDtype)
    ):
        # The ids those rows hold must be the ids given, one for one.
        ids = catalog.trials["id"].array._pa_array
        ids = ids.chunk(0) if ids.num_chunks == 1 else ids.combine_chunks()
        expected = ids.take(pa.array(rows.positions, type=pa.int64()))
        given = pa.array(trial_ids.array)
        if len(given) == 0 or pc.all(pc.equal(given, expected)).as_py():
            mask[rows.positions] = True
            return mask
    positions = catalog.id_index().get_indexer(trial_ids)
    mask[positions[positions >= 0]] = True
    return mask


def matching_sites(catalog: Catalog, query: Query, trial_ids: pd.Series | Results) -> pd.DataFrame:
    """Sites of the candidate trials that are in the place, with their distance."""
    sites, distances = PLACE_FILTER.sites(catalog, query, _trials_mask(catalog, trial_ids))
    matched = catalog.sites.take(sites)
    matched["distance_km"] = distances
    return matched


def find(catalog: Catalog, query: Query) -> Results:
    """Matching trials, open first, then nearest, then most recently updated: their
    count and order, with no row built until a page asks for it (see :class:`Results`)."""
    index = catalog.search
    mask = _trial_mask(catalog, query)
    if not query.has_place:
        # In the default order already: the matching trials of the rank, front to back
        # (every trial: the rank itself, not a copy of it).
        if mask.all():
            return Results(catalog, index.by_rank)
        return Results(catalog, index.by_rank[mask[index.by_rank]])
    # The sites as found: grouped by trial and put in order only as far as a page
    # asks (see Results.of_sites).
    sites, distances = PLACE_FILTER.sites(catalog, query, mask, ordered=False)
    return Results.of_sites(catalog, sites, distances, bool(query.near))


def apply_query(catalog: Catalog, query: Query) -> pd.DataFrame:
    """Every matching trial as a table, in :func:`find`'s order (for a CSV or an
    export; a page takes its rows from :func:`find`).

    Beside the trial columns: ``distance_km`` and ``site_*`` columns naming the
    nearest matching site when a place is set.
    """
    return find(catalog, query).frame()


def search(catalog: Catalog, source: Source | Query) -> Results:
    """Parse (when needed) and find: ``len()`` is the count, ``.head(20)`` the first page."""
    query = source if isinstance(source, Query) else parse_query(source).query
    return find(catalog, query)


def site_trials(catalog: Catalog, sites: pd.DataFrame) -> np.ndarray:
    """Each site's trial, as its row of the trials table. ``sites`` are rows of the
    catalog's sites table keeping their labels, as :func:`result_sites` and
    :func:`matching_sites` give them."""
    labels = sites.index
    if isinstance(labels, pd.RangeIndex):
        # A slice (the whole table, for the broadest view) is a view: neither the
        # labels nor the trials are copied (to_numpy() would keep 3 million labels).
        return catalog.search.site_trial[labels.start : labels.stop : labels.step]
    return catalog.search.site_trial[labels.to_numpy()]


def result_sites(catalog: Catalog, query: Query, results: pd.DataFrame | Results) -> pd.DataFrame:
    """The sites a view shows for its results: with a place, the sites in it that
    matched; without one, every site of the matching trials."""
    ids = results if isinstance(results, Results) else results["id"]
    if query.has_place:
        return matching_sites(catalog, query, ids)
    trials = _trials_mask(catalog, ids)
    if trials.all():
        return catalog.sites
    return catalog.sites.take(catalog.search.sites_of(np.flatnonzero(trials)))

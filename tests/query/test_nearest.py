"""A place's matching sites to trials: count, members, first page and whole order."""

from __future__ import annotations

import numpy as np
import pytest

from tests.factories import HANOI, catalog_of, destination, site, trial
from trialfinder.query.nearest import SiteMatches

# Trial rows follow the ids' order: A0.. open, C0.. closed; each has three sites.
CATALOG = catalog_of(
    *(
        trial(
            f"{'A' if n % 3 else 'C'}{n:02d}",
            status="RECRUITING" if n % 3 else "COMPLETED",
            last_update=f"2024-01-{1 + n % 28:02d}",
            sites=tuple(
                site("Hanoi", "Vietnam", at=destination(*HANOI, 10 * k, 1 + (n * 7 + k) % 6))
                for k in range(3)
            ),
        )
        for n in range(30)
    )
)


def _matches(near: bool, shuffle: int = 0) -> SiteMatches:
    index = CATALOG.search
    sites = np.arange(len(CATALOG.sites))
    distances = np.array([float(1 + (s * 5) % 7) for s in sites]) if near else np.full(90, np.nan)
    if shuffle:  # the sites as a place query finds them: in any order
        order = np.random.default_rng(shuffle).permutation(len(sites))
        sites, distances = sites[order], distances[order]
    assert len(index.site_trial) == 90
    return SiteMatches(CATALOG, sites, distances, near)


@pytest.mark.parametrize("near", [True, False])
@pytest.mark.parametrize("shuffle", [0, 1, 2])
def test_the_first_trials_are_the_whole_orders_first(near: bool, shuffle: int) -> None:
    whole = _matches(near).ordered()
    for stop in (1, 3, 7, 20, 29):
        first = _matches(near, shuffle).first(stop)
        for got, expected in zip(first, whole, strict=True):
            np.testing.assert_array_equal(got, expected[:stop])


def test_open_trials_come_first_then_the_nearest_site_then_the_rank() -> None:
    positions, distances, best = _matches(True).ordered()
    index = CATALOG.search
    is_open = index.is_open[positions]
    assert is_open[: int(is_open.sum())].all() and not is_open[int(is_open.sum()) :].any()
    keys = list(zip(~is_open, distances, index.rank[positions], strict=True))
    assert keys == sorted(keys)
    # Each trial's distance is its nearest site's; of two as near, the first listed.
    for trial_row, distance, site_row in zip(positions, distances, best, strict=True):
        own = np.arange(index.site_start[trial_row], index.site_start[trial_row + 1])
        own_distances = np.array([float(1 + (s * 5) % 7) for s in own])
        assert distance == own_distances.min()
        assert site_row == own[np.argmin(own_distances)]


def test_the_count_and_the_members_are_the_trials_with_a_matching_site() -> None:
    index = CATALOG.search
    some = np.array([5, 4, 40, 41, 88])  # trials 1, 1, 13, 13, 29
    matches = SiteMatches(CATALOG, some, np.full(len(some), np.nan), near=False)
    assert matches.count() == 3
    np.testing.assert_array_equal(matches.members(), [1, 13, 29])
    np.testing.assert_array_equal(index.site_trial[some], [1, 1, 13, 13, 29])
    positions, _distances, best = matches.ordered()
    assert sorted(positions.tolist()) == [1, 13, 29]
    assert dict(zip(positions.tolist(), best.tolist(), strict=True)) == {1: 4, 13: 40, 29: 88}

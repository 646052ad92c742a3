"""Results: the count and the order at once, rows only for what a page asks."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.factories import HANOI, all_trials, catalog_of, destination, site, trial
from trialfinder.query import Results, apply_query, find, parse_query, result_sites, search

CATALOG = catalog_of(*all_trials(), *(trial(f"T{n:03d}") for n in range(45)))
VIEWS = ("", "status=recruiting", "near=Hanoi&within=2000", "country=Vietnam", "cond=zzz-none")


def _query(text: str):
    parsed = parse_query(text)
    assert parsed.problems == ()
    return parsed.query


@pytest.mark.parametrize("text", VIEWS)
def test_a_page_of_results_is_those_rows_of_the_whole_table(text: str) -> None:
    results = find(CATALOG, _query(text))
    whole = apply_query(CATALOG, _query(text))
    assert len(results) == len(whole) and results.empty == whole.empty
    pd.testing.assert_frame_equal(results.head(20), whole.head(20))
    page = results.rows(20, 40)
    assert list(page.index) == list(range(20, 20 + len(page)))
    pd.testing.assert_frame_equal(page, whole.iloc[20:40])
    assert results["id"].tolist() == whole["id"].tolist()
    assert results["distance_km"].isna().tolist() == whole["distance_km"].isna().tolist()


def test_search_reads_a_link_and_gives_the_count_and_a_first_page() -> None:
    results = search(CATALOG, "status=recruiting")
    assert isinstance(results, Results)
    assert len(results) == len(apply_query(CATALOG, _query("status=recruiting")))
    first = results.head(20)
    assert len(first) == min(20, len(results)) and set(first["overall_status"]) == {"RECRUITING"}


def test_the_sites_of_results_are_found_from_their_rows() -> None:
    for text in ("", "status=recruiting", "near=Hanoi&within=500"):
        query = _query(text)
        from_results = result_sites(CATALOG, query, find(CATALOG, query))
        from_table = result_sites(CATALOG, query, apply_query(CATALOG, query))
        pd.testing.assert_frame_equal(from_results, from_table)


def _many_places() -> object:
    """200 trials around Hanoi: open and closed, many at the same distance, two
    sites some of them, updated on different days (ranks)."""
    import random

    rng = random.Random(3)
    made = []
    for n in range(200):
        km = rng.choice([5, 10, 10, 20, 40, 80]) if n % 3 else rng.uniform(0, 90)
        sites = [site("Hanoi", "Vietnam", at=destination(*HANOI, (n * 37) % 360, km))]
        if n % 7 == 0:
            sites.append(site("Hanoi", "Vietnam", at=destination(*HANOI, 90, km / 2)))
        made.append(
            trial(
                f"P{n:03d}",
                status=("RECRUITING", "COMPLETED", "NOT_YET_RECRUITING")[n % 3],
                last_update=f"2024-{1 + n % 12:02d}-{1 + n % 27:02d}",
                sites=tuple(sites),
            )
        )
    return catalog_of(*made)


@pytest.mark.parametrize("text", ["near=Hanoi&within=100", "country=Vietnam", "near=Hanoi"])
def test_a_first_page_put_in_order_alone_is_the_whole_order_s_first_page(text: str) -> None:
    catalog = _many_places()
    for stop in (1, 20, 35):
        page = find(catalog, _query(text)).rows(0, stop)  # only the first ones ordered
        whole = find(catalog, _query(text)).frame()
        assert len(whole) >= 4 * stop + 1
        pd.testing.assert_frame_equal(page, whole.iloc[:stop])
    later = find(catalog, _query(text))
    pd.testing.assert_frame_equal(later.rows(20, 40), whole.iloc[20:40])


def _crowded_city() -> object:
    """Around Hanoi: one open trial with 150 sites within 1 km (more than a first look
    at the nearest sites holds), open trials whose nearest sites are as far as each
    other's (ties settled by rank), closed trials nearer than all of them."""
    made = [
        trial(
            "CROWD",
            last_update="2020-01-01",
            sites=tuple(
                site("Hanoi", "Vietnam", at=destination(*HANOI, n * 2.4, 0.5 + n / 400))
                for n in range(150)
            ),
        )
    ]
    for n in range(60):
        made.append(
            trial(
                f"Q{n:03d}",
                status="COMPLETED" if n % 4 == 0 else "RECRUITING",
                last_update=f"2023-{1 + n % 12:02d}-{1 + n % 27:02d}",
                sites=(
                    site("Hanoi", "Vietnam", at=destination(*HANOI, 45, 9 if n % 4 else 0.2)),
                    site("Hanoi", "Vietnam", at=destination(*HANOI, n * 6, 1 + n % 5)),
                    site("Hanoi", "Vietnam", at=destination(*HANOI, n * 6 + 180, 1 + n % 5)),
                ),
            )
        )
    return catalog_of(*made)


@pytest.mark.parametrize("text", ["near=Hanoi&within=30", "near=Hanoi&within=30&status=recruiting"])
def test_a_first_page_near_a_crowded_place_is_the_whole_order_s(text: str) -> None:
    catalog = _crowded_city()
    whole = find(catalog, _query(text)).frame()
    assert len(whole) > 4 * 10
    for stop in (1, 5, 10):
        results = find(catalog, _query(text))
        pd.testing.assert_frame_equal(results.rows(0, stop), whole.iloc[:stop])
        assert len(results) == len(whole)
        assert sorted(results.members) == sorted(catalog.id_index().get_indexer(whole["id"]))

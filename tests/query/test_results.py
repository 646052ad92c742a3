"""Results: the count and the order at once, rows only for what a page asks."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.factories import all_trials, catalog_of, trial
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

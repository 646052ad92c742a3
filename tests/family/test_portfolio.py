"""The treatment and sponsor views' sums, from fixture trials."""

from dataclasses import replace

import pandas as pd

from tests.factories import HANOI, catalog_of, site, trial
from trialfinder.family.portfolio import portfolio, status_legend
from trialfinder.model import Dates
from trialfinder.query import apply_query, parse_query


def _trials():
    child = replace(
        trial(
            "CHILD",
            title="Cells for children",
            conditions=("Cerebral palsy",),
            max_age="10 Years",
            sites=(site("Hanoi", "Vietnam", at=HANOI),),
        ),
        active_substance="the child's own cells",
        has_results=True,
    )
    child = replace(child, design=replace(child.design, enrollment=58))
    child = replace(child, dates=replace(child.dates, start="2024-01", completion="2026-06-30"))
    adult = trial(
        "ADULT",
        title="Cells for adults",
        conditions=("cerebral palsy", "Stroke"),
        min_age="18 Years",
        sites=(site("Seoul", "Korea, Republic of"), site("Busan", "South Korea")),
    )
    adult = replace(adult, design=replace(adult.design, enrollment=100), has_results=False)
    unknown = trial("UNKNOWN", title="Cells, no numbers", conditions=("Stroke",))
    return [child, adult, unknown]


def test_sums_only_what_records_state() -> None:
    catalog = catalog_of(*_trials())
    results = apply_query(catalog, parse_query("").query)
    book = portfolio(catalog, results)
    assert book.enrolled_children == 58  # under-18s only (max 10 years)
    assert book.enrolled_adults == 100
    assert book.enrolled_unknown_age == 1  # UNKNOWN states no enrollment
    assert book.with_results == ("CHILD",)
    assert book.results_unknown == 1
    assert book.substances == ("the child's own cells",)


def test_conditions_and_countries_count_trials_once_whatever_the_spelling() -> None:
    catalog = catalog_of(*_trials())
    book = portfolio(catalog, apply_query(catalog, parse_query("").query))
    conditions = {name.lower(): n for name, n in book.conditions.items()}
    assert conditions == {"stroke": 2, "cerebral palsy": 2}
    assert book.countries.to_dict() == {"Vietnam": 1, "South Korea": 1}


def test_timeline_keeps_the_dates_as_written() -> None:
    catalog = catalog_of(*_trials())
    book = portfolio(catalog, apply_query(catalog, parse_query("").query))
    row = book.timeline.set_index("id").loc["CHILD"]
    assert row["start"] == "2024-01" and row["completion"] == "2026-06-30"
    assert str(row["start_at"].date()) == "2024-01-01"
    assert pd.isna(book.timeline.set_index("id").loc["ADULT"]["start_at"])


def test_a_timeline_where_no_trial_gives_a_completion_date_is_still_dates() -> None:
    """(The treatment page fell over on such trials: the column was all nulls, not dates.)"""
    started = replace(trial("STARTED", title="Started"), dates=Dates(start="2024-03"))
    catalog = catalog_of(started, trial("UNDATED", title="Undated"))
    timeline = portfolio(catalog, apply_query(catalog, parse_query("").query)).timeline
    assert pd.api.types.is_datetime64_any_dtype(timeline["completion_at"])
    assert pd.api.types.is_datetime64_any_dtype(timeline["start_at"])
    dated = timeline.dropna(subset=["start_at"])
    filled = dated["completion_at"].fillna(dated["start_at"])  # what the page does
    assert str(filled.iloc[0].date()) == "2024-03-01"


def test_the_timeline_legend_keeps_a_status_not_given_apart_from_the_registrys_unknown() -> None:
    trials = [
        trial("OPEN", status="RECRUITING"),
        trial("SILENT", status=None),
        trial("STALE", status="UNKNOWN"),
    ]
    catalog = catalog_of(*trials)
    timeline = portfolio(catalog, apply_query(catalog, parse_query("").query)).timeline
    legend = dict(status_legend(timeline))
    assert sorted(legend) == ["Recruiting", "Status not given", "Status unknown"]
    # every bar's words are in the legend, so every bar gets its colour
    assert set(timeline["status_words"]) == set(legend)

"""Every trial of a treatment or of a sponsor, summed up (the treatment and sponsor views).

Built from the finder's results table; a fact no record states is left out of
the sums and counted as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialfinder.ages import parse_age_limit
from trialfinder.catalog import Catalog
from trialfinder.family.mapdeck import STATUS_COLOURS
from trialfinder.family.plain import phase_words, status_words

CHILD_MAX_YEARS = 18


@dataclass(frozen=True)
class Portfolio:
    #: One row a trial: id, title, status, status_words, phase, start, completion, enrollment.
    timeline: pd.DataFrame
    conditions: pd.Series  # condition -> number of trials
    countries: pd.Series  # country -> number of trials
    #: What curated records say the treatment is, in plain words.
    substances: tuple[str, ...]
    enrolled_children: int
    enrolled_adults: int
    enrolled_unknown_age: int
    with_results: tuple[str, ...]
    results_unknown: int


def _takes_children_only(max_age: object) -> bool:
    if max_age is None or pd.isna(max_age):
        return False
    limit = parse_age_limit(str(max_age))
    return limit is not None and limit.max_days_exclusive() <= (CHILD_MAX_YEARS * 365.2425)


def _date(text: object) -> pd.Timestamp | None:
    """A registry date (YYYY-MM or YYYY-MM-DD) as a point on the timeline."""
    if text is None or pd.isna(text):
        return None
    return pd.to_datetime(str(text), format="mixed", errors="coerce")


def _dates(column: pd.Series) -> pd.Series:
    """Registry dates as timeline points, always a datetime column (NaT where not given),
    even when no trial gives one (the text column may then be all nulls of Arrow's)."""
    return pd.Series(
        [_date(v) for v in column.astype(object).tolist()],
        index=column.index,
        dtype="datetime64[ns]",
    )


def _substances(catalog: Catalog, results: pd.DataFrame, lang: str) -> list[str]:
    """What curated records say the treatment is, in ``lang`` where the curator wrote it
    (only curated records say it: a handful, each read whole)."""
    said = results.loc[results["active_substance"].notna(), "id"].tolist()
    found = []
    for trial_id in said:
        trial = catalog.trial(trial_id)
        words = trial.text_in("active_substance", lang) if trial else None
        if words:
            found.append(words)
    return found


def portfolio(catalog: Catalog, results: pd.DataFrame, lang: str = "en") -> Portfolio:
    """The view's sums; titles and curated words in ``lang`` where a curator wrote them."""
    ids = results["id"]
    titles = catalog.titles_in(lang)
    timeline = pd.DataFrame(
        {
            "id": ids,
            "title": [titles.get(i, t) for i, t in zip(ids, results["title"], strict=True)],
            # "" where the record gives no status: not the registry's own "UNKNOWN".
            "status": results["overall_status"].fillna(""),
            "status_words": results["overall_status"].map(
                lambda s: status_words(s if pd.notna(s) else None)
            ),
            "phase": results["phases"].map(lambda p: phase_words(p if pd.notna(p) else None)),
            "start": results["start_date"],
            "completion": results["completion_date"],
            "start_at": _dates(results["start_date"]),
            "completion_at": _dates(results["completion_date"]),
            "enrollment": results["enrollment"],
        }
    ).reset_index(drop=True)
    terms = catalog.terms
    named = terms.loc[(terms["kind"] == "condition") & terms["trial_id"].isin(ids)]
    named = named.drop_duplicates(["trial_id", "folded"])
    # One spelling a condition ("Cerebral palsy" / "cerebral palsy"): the most used.
    spelling = named.groupby("folded")["term"].agg(lambda t: t.value_counts().index[0])
    conditions = named["folded"].value_counts()
    conditions.index = conditions.index.map(spelling)
    sites = catalog.sites.loc[catalog.sites["trial_id"].isin(ids)]
    countries = sites.drop_duplicates(["trial_id", "country_key"])["country_key"].value_counts()
    children = np.array([_takes_children_only(a) for a in results["max_age"]], dtype=bool)
    enrollment = results["enrollment"]
    known = enrollment.notna().to_numpy(dtype=bool)
    substances = tuple(dict.fromkeys(_substances(catalog, results, lang)))
    return Portfolio(
        timeline=timeline,
        conditions=conditions,
        countries=countries,
        substances=substances,
        enrolled_children=int(enrollment[known & children].sum()),
        enrolled_adults=int(enrollment[known & ~children].sum()),
        enrolled_unknown_age=int((~known).sum()),
        with_results=tuple(results.loc[results["has_results"].fillna(False).astype(bool), "id"]),
        results_unknown=int(results["has_results"].isna().sum()),
    )


def status_legend(timeline: pd.DataFrame) -> list[tuple[str, tuple[int, int, int]]]:
    """The timeline's colours: (words, colour) for each status it holds, the words
    the bars carry ("Status not given" apart from the registry's "Status unknown")."""
    return [
        (status_words(s or None), STATUS_COLOURS.get(s or None, STATUS_COLOURS[None]))
        for s in sorted(timeline["status"].unique())
    ]

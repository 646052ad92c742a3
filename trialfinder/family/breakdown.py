"""Counts behind the pictures: trials by status, phase, country and month of update.

Each count comes with words a screen reader (or anyone) can read instead of the
chart. Pure pandas: no Streamlit, no Altair.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from trialfinder import localized
from trialfinder.family import plain
from trialfinder.i18n import N_, _, ngettext
from trialfinder.model import OVERALL_STATUSES, PHASES

#: How many countries a chart names before it counts the rest as one bar.
TOP_COUNTRIES = 12


@dataclass(frozen=True)
class Counts:
    """One bar a row: ``label`` (in words), ``code`` (the registry's) and ``count``."""

    title: str
    frame: pd.DataFrame

    def text(self) -> str:
        """The chart in words: "Trials by status: Recruiting, 3; Completed, 1." (a
        label may end in a number, "phase 2", or be a month, "2026-06": a comma
        keeps the count apart)."""
        if self.frame.empty:
            return _("{title}: none.").format(title=self.title)
        parts = "; ".join(f"{r.label}, {localized.count(r.count)}" for r in self.frame.itertuples())
        return _("{title}: {counts}.").format(title=self.title, counts=parts)


def _frame(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "label", "count"]).astype({"count": "int64"})


def sources_line(trials: pd.DataFrame) -> str:
    """How many trials each source gave, in words: "ClinicalTrials.gov: 1,234, ..."."""
    counts = trials["source"].value_counts(dropna=False)
    return ", ".join(f"{plain.source_words(k)}: {localized.count(v)}" for k, v in counts.items())


def by_status(trials: pd.DataFrame) -> Counts:
    """The registry's own "unknown status" and a status not given are counted apart."""
    counts = trials["overall_status"].fillna("").value_counts()
    order = [s for s in (*OVERALL_STATUSES, "") if s in counts.index]
    rows = [(s, plain.status_words(s), int(counts[s])) for s in order]
    return Counts(_("Trials by status"), _frame(rows))


def by_phase(trials: pd.DataFrame) -> Counts:
    """A trial in two phases (phase 1/2) counts once under each."""
    phases = trials["phases"].fillna("").str.split("|").explode()
    counts = phases.loc[phases != ""].value_counts()
    unstated = int((trials["phases"].fillna("") == "").sum())
    rows = [(p, plain.phase_words((p,)), int(counts[p])) for p in PHASES if p in counts.index]
    if unstated:
        rows.append(("", plain.phase_words(()), unstated))
    return Counts(_("Trials by phase"), _frame(rows))


def by_country(sites: pd.DataFrame, top: int = TOP_COUNTRIES) -> Counts:
    """Trials with at least one site in each country (the most first)."""
    pairs = sites[["trial_id", "country_key"]].dropna().drop_duplicates()
    counts = pairs["country_key"].value_counts()
    rows = [
        (str(c), localized.country(str(c)) or str(c), int(n)) for c, n in counts.head(top).items()
    ]
    rest = counts.iloc[top:]
    if len(rest):
        label = ngettext("{n} other country", "{n} other countries", len(rest)).format(
            n=localized.count(len(rest))
        )
        rows.append(
            ("", label, int(pairs.loc[pairs["country_key"].isin(rest.index), "trial_id"].nunique()))
        )
    return Counts(_("Trials by country of their sites"), _frame(rows))


def updated_per_month(trials: pd.DataFrame, months: int = 24) -> Counts:
    """Records by the month of their last update (the last ``months`` months with any)."""
    month = trials["last_update"].dropna().astype(str).str.slice(0, 7)
    month = month.loc[month.str.fullmatch(r"\d{4}-\d{2}")]
    counts = month.value_counts().sort_index().tail(months)
    rows = [(str(m), str(m), int(n)) for m, n in counts.items()]
    return Counts(_("Records updated per month"), _frame(rows))


_CHANGE_WORDS = {
    "added": N_("trials added"),
    "gone": N_("trials gone from the pull"),
    "status_changes": N_("status changes"),
    "sites_added": N_("sites added"),
    "sites_removed": N_("sites removed"),
    "updated": N_("other record updates"),
}


def changes(counts: dict[str, int], source: str) -> Counts:
    """What one refresh or import changed, by kind (kinds with none left out)."""
    rows = [(k, _(words), int(counts.get(k, 0))) for k, words in _CHANGE_WORDS.items()]
    kept = [row for row in rows if row[2]]
    return Counts(
        _("What the last refresh of {source} changed").format(source=source), _frame(kept)
    )

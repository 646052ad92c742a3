"""A trial's sites on its page: the nearest few, then the rest by country, on demand."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from trialfinder import localized
from trialfinder.family import plain
from trialfinder.family.contacts import Reach, contacts_for
from trialfinder.family.distance import distance_words
from trialfinder.family.placenames import site_place
from trialfinder.family.sites import SitePlan
from trialfinder.i18n import _, language, ngettext
from trialfinder.model import Trial
from trialfinder.ui.contacts import reach_line
from trialfinder.ui.text import md


def _value(row: pd.Series, name: str) -> str | None:
    value = row.get(name)
    return None if value is None or pd.isna(value) else str(value)


def _site_contacts(trial: Trial, index: int) -> list[Reach]:
    if not 0 <= index < len(trial.sites) or not trial.sites[index].contacts:
        return []
    site = trial.sites[index]
    return contacts_for(Trial(id=trial.id, sites=(site,)))


def site_lines(trial: Trial, sites: pd.DataFrame) -> str:
    """Markdown: one item a site (place, its own status, how far), its contacts below."""
    lines = []
    for _i, row in sites.iterrows():
        place = site_place(
            _value(row, "facility"),
            _value(row, "city"),
            _value(row, "state"),
            _value(row, "country"),
        )
        status = _value(row, "status")
        where = place or _("Place not stated")
        parts = [f"**{md(where)}**"]
        parts.append(md(plain.status_words(status) if status else _("site status not given")))
        distance = row.get("distance_km")
        far = distance_words(
            None if distance is None or pd.isna(distance) else float(distance),
            bool(row.get("approximate") is True),
        )
        if far:
            parts.append(md(far))
        lines.append("- " + " · ".join(parts))
        note = _site_note(trial, int(row["site_index"])) or _value(row, "note")
        if note:
            lines.append("  " + md(note))
        for reach in _site_contacts(trial, int(row["site_index"])):
            lines.append("  " + reach_line(reach))
    return "\n".join(lines)


def _site_note(trial: Trial, site_index: int) -> str | None:
    """A site's note in the page's language, when the curator wrote it so."""
    if not 0 <= site_index < len(trial.sites):
        return None
    return trial.sites[site_index].note_in(language())


def site_list(trial: Trial, plan: SitePlan, near: str | None = None) -> None:
    """The first sites, then one panel a country that draws its sites only when opened."""
    total = len(plan.ordered)
    if not total:
        st.markdown(md(_("No sites are listed.")))
        return
    countries = len({c for c, _n in plan.countries} | set(plan.first["country"].dropna()))
    st.markdown(
        md(
            ngettext("{n} site", "{n} sites", total).format(n=localized.number(total))
            + " · "
            + ngettext("{n} country", "{n} countries", countries).format(n=countries)
        )
    )
    if plan.rest.empty:
        st.markdown(site_lines(trial, plan.first))
        return
    if near:
        st.markdown(md(_("Nearest to {place}:").format(place=near)))
    st.markdown(site_lines(trial, plan.first))
    st.markdown(md(_("The other sites, by country:")))
    for number, (country, count) in enumerate(plan.countries):
        name = localized.country(country) if country else _("Country not stated")
        panel = st.expander(
            f"{md(name)} ({localized.number(count)})",
            key=f"sites-country-{number}",
            on_change="rerun",
        )
        if panel.open:
            with panel:
                st.markdown(site_lines(trial, plan.in_country(country)))

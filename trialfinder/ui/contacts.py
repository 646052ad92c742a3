"""Who to contact about a trial: names, roles in words, phones and e-mails to tap."""

from __future__ import annotations

import streamlit as st

from trialfinder.family.contacts import Reach, contacts_for
from trialfinder.i18n import _
from trialfinder.model import Trial
from trialfinder.ui.text import link, md


def reach_line(reach: Reach) -> str:
    """One contact as a line of Markdown: who, their role, then phone and e-mail links."""
    who = ", ".join(md(x) for x in (reach.name, reach.role) if x)
    ways = []
    if reach.phone:
        ways.append("☎ " + link(reach.phone, reach.tel))
    if reach.email:
        ways.append("✉ " + link(reach.email, reach.mailto))
    if not ways:
        ways.append(md(_("phone and e-mail not given")))
    return " · ".join(x for x in (who, *ways) if x)


def contacts_section(
    trial: Trial, lat: float | None = None, lon: float | None = None, limit: int | None = None
) -> None:
    """The trial-wide contacts, then the nearest site's; "not given" with the registry link."""
    reaches = contacts_for(trial, lat, lon, limit)
    lines = []
    for reach in reaches:
        where = _("For the whole trial") if not reach.where else reach.where
        lines.append(f"- **{md(where)}:** {reach_line(reach)}")
    if lines:
        st.markdown("\n".join(lines))
    else:
        st.markdown(md(_("Phone and e-mail: not given in the record.")))
    if not reaches and trial.source_url and trial.source_url.startswith("https://"):
        st.markdown(
            link(_("The registry record may list other ways to reach the team"), trial.source_url)
        )

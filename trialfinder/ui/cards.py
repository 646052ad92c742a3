"""A trial as a card on the find page."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from trialfinder.family import plain
from trialfinder.family.contacts import Reach
from trialfinder.family.distance import distance_words
from trialfinder.family.flags import Flag
from trialfinder.family.placenames import site_place
from trialfinder.i18n import _
from trialfinder.ui.comparison import basket, compare_link, compare_toggle
from trialfinder.ui.contacts import reach_line
from trialfinder.ui.page import page_params
from trialfinder.ui.text import md
from trialfinder.ui.trust import flag_lines

TRIAL_PAGE = "pages/trial.py"
#: Cards a page of results shows: a screenful or two on a phone, and a page the
#: server makes quickly (each card is several elements sent to the browser).
CARDS_PER_PAGE = 20

#: Badge colours: Streamlit's green and gray badges keep a 4.5:1 contrast.
_STATUS_COLOURS = {True: "green", False: "gray"}


def status_badge(status: str | None) -> None:
    st.badge(plain.status_words(status), color=_STATUS_COLOURS[plain.is_open(status)])


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _facts(row: pd.Series, contact: Reach | None = None) -> list[str]:
    """The card's lines under its title, as markdown (trial text escaped)."""
    who = plain.ages_in_words(_text(row["min_age"]), _text(row["max_age"]))
    who_label = _("Who can join")
    sex = _text(row["sex"])
    # A record that does not state the sex says nothing here (never "sex not given").
    who = f"{who}, {plain.sex_words(sex)}" if sex else who
    lines = [f"{md(row['id'])} · {md(who_label)}: {md(who)}"]
    if _text(row["conditions"]):
        lines.append(md(_("Conditions")) + f": {md(row['conditions'])}")
    if _text(row["active_substance"]):
        lines.append(md(_("What is tested")) + f": {md(row['active_substance'])}")
    design = plain.design_words(
        _text(row["study_type"]), _text(row["allocation"]), _text(row["masking"])
    )
    lines.append(
        md(_("Design")) + f": {md(plain.phase_words(_text(row['phases'])))}, "
        f"{md(design or plain.not_given())}"
    )
    if _text(row["site_city"]) or _text(row["site_facility"]):
        place = site_place(
            _text(row["site_facility"]), _text(row["site_city"]), None, _text(row["site_country"])
        )
        distance = None if pd.isna(row["distance_km"]) else float(row["distance_km"])
        how_far = distance_words(distance, row["site_approximate"] is True)
        near = " · " + how_far if how_far else ""
        lines.append(md(_("Nearest site")) + f": {md(place)}{md(near)}")
    if contact is not None:
        lines.append(md(_("Contact")) + ": " + reach_line(contact))
    return lines


def trial_card(row: pd.Series, flags: Sequence[Flag] = (), contact: Reach | None = None) -> None:
    """One result: title, id, status, who can join, conditions, design, nearest site,
    the first contact (the trial's own, else the nearest site's), flags.

    Few elements a card (its facts are one block of lines): a page of cards is
    most of what a server sends, and each element is a message of its own.
    """
    with st.container(border=True, key=f"card-{row['id']}"):
        st.markdown(f"**{md(row['title'])}**")
        status_badge(_text(row["overall_status"]))
        st.markdown("  \n".join(_facts(row, contact)))
        flag_lines(flags, str(row["id"]))
        with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
            st.page_link(
                TRIAL_PAGE,
                label=_("Trial details"),
                icon=":material/article:",
                query_params=page_params({"id": str(row["id"])}),
            )
            compare_toggle(str(row["id"]))
            if str(row["id"]) in basket():
                # Right where "Add to compare" was pressed, not at the top of the page.
                compare_link(basket())

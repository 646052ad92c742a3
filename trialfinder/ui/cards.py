"""A trial as a card on the find page."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from trialfinder.family import plain
from trialfinder.family.flags import Flag
from trialfinder.i18n import _
from trialfinder.ui.comparison import compare_toggle
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


def _facts(row: pd.Series) -> list[str]:
    """The card's lines under its title, as markdown (trial text escaped)."""
    who = plain.ages_in_words(_text(row["min_age"]), _text(row["max_age"]))
    who_label = _("Who can join")
    lines = [
        f"{md(row['id'])} · {md(who_label)}: {md(who)}, {md(plain.sex_words(_text(row['sex'])))}"
    ]
    if _text(row["conditions"]):
        lines.append(md(_("Conditions")) + f": {md(row['conditions'])}")
    if _text(row["active_substance"]):
        lines.append(md(_("What is tested")) + f": {md(row['active_substance'])}")
    design = plain.design_words(
        _text(row["study_type"]), _text(row["allocation"]), _text(row["masking"])
    )
    lines.append(
        md(_("Design")) + f": {md(plain.phase_words(_text(row['phases'])))}, "
        f"{md(design or plain.unknown())}"
    )
    if _text(row["site_city"]) or _text(row["site_facility"]):
        place = ", ".join(
            x
            for x in (
                _text(row["site_facility"]),
                _text(row["site_city"]),
                _text(row["site_country"]),
            )
            if x
        )
        distance = row["distance_km"]
        near = "" if pd.isna(distance) else " · " + _("{km} km away").format(km=f"{distance:,.0f}")
        approx = " " + _("(approximate location)") if row["site_approximate"] is True else ""
        lines.append(md(_("Nearest site")) + f": {md(place)}{md(near)}{md(approx)}")
    return lines


def trial_card(row: pd.Series, flags: Sequence[Flag] = ()) -> None:
    """One result: title, id, status, who can join, conditions, design, nearest site, flags.

    Few elements a card (its facts are one block of lines): a page of cards is
    most of what a server sends, and each element is a message of its own.
    """
    with st.container(border=True, key=f"card-{row['id']}"):
        st.markdown(f"**{md(row['title'])}**")
        status_badge(_text(row["overall_status"]))
        st.markdown("  \n".join(_facts(row)))
        flag_lines(flags, str(row["id"]))
        with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
            st.page_link(
                TRIAL_PAGE,
                label=_("Trial details"),
                icon=":material/article:",
                query_params=page_params({"id": str(row["id"])}),
            )
            compare_toggle(str(row["id"]))

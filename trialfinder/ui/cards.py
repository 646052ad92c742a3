"""A trial as a card on the find page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from trialfinder import plain
from trialfinder.ui.comparison import compare_toggle
from trialfinder.ui.text import md

TRIAL_PAGE = "pages/trial.py"

_STATUS_COLOURS = {True: "green", False: "gray"}


def status_badge(status: str | None) -> None:
    st.badge(plain.status_words(status), color=_STATUS_COLOURS[plain.is_open(status)])


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def trial_card(row: pd.Series) -> None:
    """One result: title, id, status, who can join, conditions, design, nearest site."""
    with st.container(border=True, key=f"card-{row['id']}"):
        st.markdown(f"**{md(row['title'])}**")
        status_badge(_text(row["overall_status"]))
        who = plain.ages_in_words(_text(row["min_age"]), _text(row["max_age"]))
        st.markdown(
            f"{md(row['id'])} · Who can join: {md(who)}, {md(plain.sex_words(_text(row['sex'])))}"
        )
        if _text(row["conditions"]):
            st.markdown(f"Conditions: {md(row['conditions'])}")
        if _text(row["active_substance"]):
            st.markdown(f"What is tested: {md(row['active_substance'])}")
        design = plain.design_words(
            _text(row["study_type"]), _text(row["allocation"]), _text(row["masking"])
        )
        st.markdown(
            f"Design: {md(plain.phase_words(_text(row['phases'])))}, {md(design or plain.UNKNOWN)}"
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
            near = "" if pd.isna(distance) else f" · {distance:,.0f} km away"
            approx = " (approximate location)" if row["site_approximate"] is True else ""
            st.markdown(f"Nearest site: {md(place)}{near}{approx}")
        link, add = st.columns([1, 1], vertical_alignment="center")
        with link:
            st.page_link(
                TRIAL_PAGE,
                label="Trial details",
                icon=":material/article:",
                query_params={"id": str(row["id"])},
            )
        with add:
            compare_toggle(str(row["id"]))

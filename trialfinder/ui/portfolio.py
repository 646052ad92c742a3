"""The treatment and sponsor views: every trial of one, on a timeline."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from trialfinder.catalog import Catalog
from trialfinder.mapdeck import STATUS_COLOURS
from trialfinder.plain import STATUS_WORDS
from trialfinder.portfolio import Portfolio, portfolio
from trialfinder.query import ParsedQuery, apply_query
from trialfinder.ui.comparison import basket, compare_link, compare_toggle
from trialfinder.ui.text import md

TRIAL_PAGE = "pages/trial.py"


def _timeline(book: Portfolio) -> None:
    dated = book.timeline.dropna(subset=["start_at"]).copy()
    undated = len(book.timeline) - len(dated)
    if not dated.empty:
        dated["completion_at"] = dated["completion_at"].fillna(dated["start_at"])
        statuses = sorted(dated["status"].unique())
        colours = [
            "rgb({},{},{})".format(*STATUS_COLOURS.get(s, STATUS_COLOURS[None])) for s in statuses
        ]
        words = [STATUS_WORDS.get(s, s) for s in statuses]
        base = alt.Chart(dated).encode(
            y=alt.Y("id:N", sort=alt.SortField("start_at"), title=None),
            tooltip=[
                alt.Tooltip("id:N", title="Trial"),
                alt.Tooltip("title:N", title="Title"),
                alt.Tooltip("status_words:N", title="Status"),
                alt.Tooltip("phase:N", title="Phase"),
                alt.Tooltip("start:N", title="Start"),
                alt.Tooltip("completion:N", title="Completion"),
            ],
        )
        bars = base.mark_bar(height=12).encode(
            x=alt.X("start_at:T", title="Start to completion"),
            x2="completion_at:T",
            color=alt.Color(
                "status_words:N",
                scale=alt.Scale(domain=words, range=colours),
                legend=alt.Legend(title="Status", orient="bottom"),
            ),
        )
        labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
            x="completion_at:T", text="phase:N"
        )
        st.altair_chart(bars + labels, use_container_width=True)
    if undated:
        st.caption(md(f"{undated} trial(s) give no start date and are not on the timeline."))


def _counts(title: str, counts: pd.Series) -> None:
    st.markdown(f"**{md(title)}**")
    if counts.empty:
        st.markdown(md("None stated."))
    for name, number in counts.head(15).items():
        st.markdown(md(f"{name}: {number} trial" + ("s" if number != 1 else "")))


def portfolio_view(catalog: Catalog, parsed: ParsedQuery, key: str, noun: str) -> None:
    """``key`` is the filter this view is about ("intr" or "spons")."""
    query = parsed.query
    chosen = getattr(query, key)
    if not chosen:
        st.info(f"Choose a {noun} under More filters in the sidebar.")
        return
    results = apply_query(catalog, query)
    book = portfolio(catalog, results)
    count = len(results)
    st.subheader(md(query.describe(count)))
    for substance in book.substances:
        st.markdown(f"**What it is:** {md(substance)}")
    first, second, third, fourth = st.columns(4)
    first.metric("Trials", count)
    second.metric(
        "Children to enrol", f"{book.enrolled_children:,}", help="In trials for under-18s only."
    )
    third.metric("People to enrol in other trials", f"{book.enrolled_adults:,}")
    fourth.metric("Trials with posted results", len(book.with_results))
    if book.enrolled_unknown_age:
        st.caption(
            md(f"{book.enrolled_unknown_age} trial(s) do not say how many people take part.")
        )
    if book.results_unknown:
        st.caption(md(f"{book.results_unknown} trial(s) do not say whether results are posted."))
    _timeline(book)
    left, right = st.columns(2)
    with left:
        _counts("Conditions it is tried for", book.conditions)
    with right:
        _counts("Countries", book.countries)
    st.markdown("**The trials**")
    for _, row in book.timeline.iterrows():
        with st.container(border=True):
            st.markdown(f"**{md(row['title'])}** · {md(row['id'])} · {md(row['status_words'])}")
            link, add = st.columns(2, vertical_alignment="center")
            with link:
                st.page_link(
                    TRIAL_PAGE,
                    label="Trial details",
                    icon=":material/article:",
                    query_params={"id": str(row["id"])},
                )
            with add:
                compare_toggle(str(row["id"]), key_prefix=f"{key}-compare")
    compare_link(basket())

"""The treatment and sponsor views: every trial of one, on a timeline."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from trialfinder import localized
from trialfinder.catalog import Catalog
from trialfinder.family.portfolio import Portfolio, portfolio, status_legend
from trialfinder.i18n import _, language, ngettext
from trialfinder.query import ParsedQuery, apply_query
from trialfinder.ui.comparison import basket, compare_link, compare_toggle
from trialfinder.ui.page import page_params
from trialfinder.ui.results_view import across_section
from trialfinder.ui.text import md

TRIAL_PAGE = "pages/trial.py"


def _timeline(book: Portfolio) -> None:
    dated = book.timeline.dropna(subset=["start_at"]).copy()
    undated = len(book.timeline) - len(dated)
    if not dated.empty:
        dated["completion_at"] = dated["completion_at"].fillna(dated["start_at"])
        legend = status_legend(dated)
        words = [words for words, _colour in legend]
        colours = ["rgb({},{},{})".format(*colour) for _words, colour in legend]
        base = alt.Chart(dated).encode(
            y=alt.Y("id:N", sort=alt.SortField("start_at"), title=None),
            tooltip=[
                alt.Tooltip("id:N", title=_("Trial")),
                alt.Tooltip("title:N", title=_("Title")),
                alt.Tooltip("status_words:N", title=_("Status")),
                alt.Tooltip("phase:N", title=_("Phase")),
                alt.Tooltip("start:N", title=_("Start")),
                alt.Tooltip("completion:N", title=_("Completion")),
            ],
        )
        bars = base.mark_bar(height=12).encode(
            x=alt.X("start_at:T", title=_("Start to completion")),
            x2="completion_at:T",
            color=alt.Color(
                "status_words:N",
                scale=alt.Scale(domain=words, range=colours),
                legend=alt.Legend(title=_("Status"), orient="bottom"),
            ),
        )
        labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
            x="completion_at:T", text="phase:N"
        )
        st.altair_chart(bars + labels, use_container_width=True)
    if undated:
        st.caption(
            md(_("{n} trial(s) give no start date and are not on the timeline.").format(n=undated))
        )


def _counts(title: str, counts: pd.Series) -> None:
    st.markdown(f"**{md(title)}**")
    if counts.empty:
        st.markdown(md(_("None stated.")))
    for name, number in counts.head(15).items():
        st.markdown(
            md(
                ngettext("{name}: {n} trial", "{name}: {n} trials", number).format(
                    name=name, n=number
                )
            )
        )


def _choose(key: str) -> None:
    """A name chosen on a bare page becomes the filter (the sidebar's widget holds it)."""
    chosen = st.session_state.get(f"choose-{key}")
    if chosen:
        st.session_state[key] = [chosen]


def portfolio_view(catalog: Catalog, parsed: ParsedQuery, key: str, noun: str) -> None:
    """``key`` is the filter this view is about ("intr" or "spons")."""
    query = parsed.query
    chosen = getattr(query, key)
    if not chosen:
        kind = "intervention" if key == "intr" else "sponsor"
        st.selectbox(
            _("Choose a treatment") if noun == "treatment" else _("Choose a sponsor"),
            catalog.term_names(kind),
            index=None,
            placeholder=_("Type to search"),
            key=f"choose-{key}",
            on_change=_choose,
            args=(key,),
        )
        return
    results = apply_query(catalog, query)
    book = portfolio(catalog, results, language())
    count = len(results)
    st.subheader(md(query.describe(count)))
    for substance in book.substances:
        st.markdown("**" + md(_("What it is")) + f":** {md(substance)}")
    first, second, third, fourth = st.columns(4)
    first.metric(_("Trials"), localized.count(count))
    second.metric(
        _("Children to enrol"),
        localized.count(book.enrolled_children),
        help=_("In trials for under-18s only."),
    )
    third.metric(_("People to enrol in other trials"), localized.count(book.enrolled_adults))
    fourth.metric(_("Trials with posted results"), localized.count(len(book.with_results)))
    if book.enrolled_unknown_age:
        st.caption(
            md(
                _("{n} trial(s) do not say how many people take part.").format(
                    n=book.enrolled_unknown_age
                )
            )
        )
    if book.results_unknown:
        st.caption(
            md(
                _("{n} trial(s) do not say whether results are posted.").format(
                    n=book.results_unknown
                )
            )
        )
    _timeline(book)
    left, right = st.columns(2)
    with left:
        _counts(_("Conditions it is tried for"), book.conditions)
    with right:
        _counts(_("Countries"), book.countries.rename(index=lambda c: localized.country(c) or c))
    across_section(catalog, results)
    st.markdown("**" + md(_("The trials")) + "**")
    for _index, row in book.timeline.iterrows():
        with st.container(border=True):
            st.markdown(f"**{md(row['title'])}** · {md(row['id'])} · {md(row['status_words'])}")
            link, add = st.columns(2, vertical_alignment="center")
            with link:
                st.page_link(
                    TRIAL_PAGE,
                    label=_("Trial details"),
                    icon=":material/article:",
                    query_params=page_params({"id": str(row["id"])}),
                )
            with add:
                compare_toggle(str(row["id"]), key_prefix=f"{key}-compare")
    compare_link(basket())

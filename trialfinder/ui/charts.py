"""Small bar charts (Altair, which comes with Streamlit), each with its words beneath.

Horizontal bars keep long labels readable on a phone; every chart carries its
counts as text (its ``description``, read by screen readers, and a caption).
"""

from __future__ import annotations

import altair as alt
import streamlit as st

from trialfinder.family.breakdown import Counts
from trialfinder.i18n import _
from trialfinder.ui.text import md

#: A dark blue with more than 7:1 contrast on white.
BAR_COLOUR = "#1f4e79"
ROW_PX = 26
#: What a chart's title and its axis of counts take of its height.
TITLE_AND_AXIS_PX = 100


def bar_chart(counts: Counts, key: str, vertical: bool = False) -> None:
    """One chart and its text alternative; a note instead when there is nothing to count."""
    if counts.frame.empty:
        st.markdown(f"**{md(counts.title)}**")
        st.caption(md(counts.text()))
        return
    data = counts.frame.assign(order=range(len(counts.frame)))
    base = alt.Chart(data, title=counts.title)
    tooltip = [alt.Tooltip("label:N", title=" "), alt.Tooltip("count:Q", title=_("Trials"))]
    if vertical:
        chart = base.mark_bar(color=BAR_COLOUR).encode(
            x=alt.X("label:N", sort=None, title=None, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("count:Q", title=None, axis=alt.Axis(tickMinStep=1)),
            tooltip=tooltip,
        )
        height = 220
    else:
        bars = base.mark_bar(color=BAR_COLOUR).encode(
            y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=180)),
            x=alt.X("count:Q", title=None, axis=alt.Axis(tickMinStep=1)),
            tooltip=tooltip,
        )
        labels = base.mark_text(align="left", dx=3, color="#222222").encode(
            y=alt.Y("label:N", sort=None), x="count:Q", text="count:Q"
        )
        chart = bars + labels
        # Streamlit fits the whole chart, title and axis included, in this height:
        # with 30 pixels beyond the rows, the bars had none left (a line).
        height = ROW_PX * len(data) + TITLE_AND_AXIS_PX
    chart = chart.properties(height=height, description=counts.text())
    with st.container(key=f"chart-{key}"):
        st.altair_chart(chart, width="stretch", height=height)
        st.caption(md(counts.text()))

"""What earlier trials found, on the page: the trial's results section and the treatment or
sponsor view's results across its trials.

Every figure comes from :mod:`trialfinder.family.results` as the record states it; group
names, outcomes and events are the registry's words and are escaped like all trial text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from trialfinder.catalog import Catalog
from trialfinder.family import results as found_results
from trialfinder.family.results import Publication, SeriousFigures, TrialResults
from trialfinder.i18n import _, language, ngettext
from trialfinder.model import Trial
from trialfinder.ui.charts import BAR_COLOUR, ROW_PX
from trialfinder.ui.text import md

#: A light grey behind the dark bar: everyone at risk in the group.
AT_RISK_COLOUR = "#d9d9d9"
#: Primary outcomes shown open; the rest wait in a panel.
OPEN_OUTCOMES = 2


def _registry_words() -> None:
    note = _("Group names, outcomes and side effects are the registry's words, as written.")
    if language() != "en":
        note += " " + _("Text from the registry is shown in the registry's language (English).")
    st.caption(md(note))


def serious_chart(groups: tuple[SeriousFigures, ...], key: str) -> None:
    """Per group, a grey bar of everyone at risk and a dark bar of those with a serious
    side effect, labelled "3 of 25"; only groups that state both numbers are drawn."""
    drawn = [g for g in groups if g.charted]
    if not drawn:
        return
    frame = pd.DataFrame(
        {
            "group": [g.group for g in drawn],
            "affected": [g.affected for g in drawn],
            "at_risk": [g.at_risk for g in drawn],
            "label": [found_results.of_text(g.affected, g.at_risk) for g in drawn],
        }
    )
    words = "; ".join(found_results.serious_line(g) for g in drawn)
    # No axis: each bar carries its own "3 of 25"; the scale leaves room for that label.
    widest = max(g.at_risk for g in drawn) or 1
    x_scale = alt.Scale(domain=[0, widest * 1.45], nice=False)
    y = alt.Y("group:N", sort=None, title=None, axis=alt.Axis(labelLimit=140, labelFontSize=12))
    base = alt.Chart(frame)
    tooltip = [
        alt.Tooltip("group:N", title=_("Group")),
        alt.Tooltip("label:N", title=_("Had a serious side effect")),
    ]
    everyone = base.mark_bar(color=AT_RISK_COLOUR).encode(
        y=y, x=alt.X("at_risk:Q", title=None, axis=None, scale=x_scale), tooltip=tooltip
    )
    serious = base.mark_bar(color=BAR_COLOUR).encode(
        y=y, x=alt.X("affected:Q", scale=x_scale), tooltip=tooltip
    )
    labels = base.mark_text(align="left", dx=4, color="#222222", fontSize=12).encode(
        y=y, x=alt.X("at_risk:Q", scale=x_scale), text="label:N"
    )
    chart = (everyone + serious + labels).properties(
        height=max(50, ROW_PX * len(frame) + 10), description=words
    )
    with st.container(key=f"chart-{key}"):
        st.altair_chart(chart, width="stretch")
        st.caption(
            md(
                _(
                    "Dark: children or adults who had at least one serious side effect. "
                    "Grey: everyone in the group."
                )
            )
        )


def _pubmed_link(paper: Publication) -> str:
    """A Markdown link to PubMed; its address is built from digits alone (Publication.url)."""
    words = md(_("Read on PubMed ({pmid})").format(pmid=paper.pmid))
    return f"[{words}]({paper.url})"


def _publications(papers: tuple[Publication, ...]) -> None:
    st.markdown("**" + md(_("Publications")) + "**")
    if not papers:
        st.markdown(md(_("The record lists no publications.")))
        return
    for paper in papers:
        citation = md(paper.citation or _("Citation not given"))
        kind = md(found_results.publication_kind(paper.kind))
        link = " " + _pubmed_link(paper) if paper.url else ""
        st.markdown(f"- *{kind}:* {citation}{link}")


def _state(found: TrialResults) -> None:
    icon = ":material/fact_check:" if found.state == found_results.POSTED else ":material/info:"
    st.markdown(f"{icon} **{md(found_results.state_words(found.state))}**")
    if found.overdue is not None:
        st.markdown(
            f":material/flag: **{md(found.overdue.title)}.** {md(found.overdue.reason)}  \n"
            f"*{md(found.overdue.fact)}*"
        )


def _posted(found: TrialResults, trial: Trial) -> None:
    if found.flow:
        st.markdown("**" + md(_("Who took part")) + "**")
        st.markdown("\n".join(f"- {md(found_results.flow_line(f))}" for f in found.flow))
    st.markdown("**" + md(_("Serious side effects")) + "**")
    if not found.serious:
        st.markdown(md(_("The record gives no side-effect figures.")))
    else:
        if found.events_time_frame:
            st.caption(md(_("Counted over: {when}").format(when=found.events_time_frame)))
        serious_chart(found.serious, key=f"serious-{trial.id}")
        lines = [found_results.serious_line(f) for f in found.serious]
        lines += [d for d in (found_results.deaths_line(f) for f in found.serious) if d]
        st.markdown("\n".join(f"- {md(line)}" for line in lines))
    if found.top_serious:
        st.markdown("**" + md(_("Most frequent serious side effects")) + "**")
        st.markdown("\n".join(f"- {md(found_results.event_line(e))}" for e in found.top_serious))
        if found.serious_listed > len(found.top_serious):
            st.caption(
                md(
                    _("{shown} of the {listed} serious side effects the record lists.").format(
                        shown=len(found.top_serious), listed=found.serious_listed
                    )
                )
            )
    st.markdown("**" + md(_("Main result (primary outcome)")) + "**")
    if not found.primary:
        st.markdown(md(_("The record gives no result for a primary outcome.")))
    for index, outcome in enumerate(found.primary):
        holder = (
            st.container()
            if index < OPEN_OUTCOMES
            else st.expander(_("Another primary outcome"), expanded=False)
        )
        with holder:
            st.markdown(f"*{md(found_results.outcome_heading(outcome))}*")
            st.markdown(
                "\n".join(f"- {md(found_results.figure_line(outcome, f))}" for f in outcome.figures)
                or md(_("No figures given."))
            )


def results_section(trial: Trial, today: dt.date | None = None) -> None:
    """The trial page's section on what the trial found."""
    found = found_results.trial_results(trial, today)
    with st.container(key=f"results-{trial.id}"):
        st.subheader(_("What the trial found"))
        _state(found)
        if found.state == found_results.POSTED or found.publications:
            _registry_words()
        if found.state == found_results.POSTED:
            _posted(found, trial)
        _publications(found.publications)


def across_section(catalog: Catalog, found: pd.DataFrame, today: dt.date | None = None) -> None:
    """The treatment and sponsor views: which trials posted results, who took part,
    serious side effects per group, and their publications."""
    view = found_results.across_view(catalog, found, today)
    with st.container(key="results-across"):
        st.subheader(_("What earlier trials found"))
        _registry_words()
        charted = tuple(
            dataclasses.replace(g, group=f"{row.trial_id} · {g.group}")
            for row in view.rows
            for g in row.serious_groups
        )
        serious_chart(charted, key="serious-across")
        for row in (r for r in view.rows if r.anything_to_read):
            with st.container(border=True):
                st.markdown(f"**{md(row.title)}** · {md(row.trial_id)}")
                st.markdown(
                    "\n".join(
                        f"- **{md(label)}:** {md(value)}"
                        for label, value in (
                            (_("Results"), row.results),
                            (_("Took part (started)"), row.participants),
                            (_("Serious side effects"), row.serious),
                        )
                    )
                )
                if row.publications:
                    count = len(row.publications)
                    links = [_pubmed_link(p) for p in row.publications if p.url]
                    words = ngettext("{n} publication", "{n} publications", count)
                    st.markdown(
                        md(words.format(n=count)) + (": " + " · ".join(links) if links else "")
                    )
        quiet = [r for r in view.rows if not r.anything_to_read]
        for state in dict.fromkeys(r.state for r in quiet):
            ids = ", ".join(r.trial_id for r in quiet if r.state == state)
            st.markdown(f"**{md(found_results.state_words(state))}:** {md(ids)}")
        if view.left_out:
            st.caption(
                md(
                    _("{n} more trial(s) not shown here; narrow the filters to see them.").format(
                        n=view.left_out
                    )
                )
            )

"""One trial in plain words (the trial page)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from trialfinder import plain
from trialfinder.model import Outcome, Trial
from trialfinder.ui.cards import status_badge
from trialfinder.ui.comparison import basket, compare_link, compare_toggle
from trialfinder.ui.sitemap import site_map
from trialfinder.ui.text import md


def _fact(label: str, value: str | None, explain: str | None = None) -> None:
    text = f"**{md(label)}:** {md(value if value else plain.UNKNOWN)}"
    st.markdown(text, help=explain)


def _outcomes(title: str, outcomes: tuple[Outcome, ...]) -> None:
    st.markdown(f"**{md(title)}**")
    if not outcomes:
        st.markdown(md("Not stated."))
    for outcome in outcomes:
        when = f" (time frame: {outcome.time_frame})" if outcome.time_frame else ""
        st.markdown(f"- {md(outcome.measure + when)}")


def safe_link(url: str | None) -> str | None:
    """Only web addresses become links; anything else a record says stays text."""
    return url if url and url.startswith(("https://", "http://")) else None


def trial_view(trial: Trial, refreshed: str, sites: pd.DataFrame | None = None) -> None:
    """The whole trial; ``sites`` (its rows of the catalog's sites table) draws its map."""
    st.header(md(trial.title))
    status_badge(trial.overall_status)
    compare_toggle(trial.id, key_prefix="trial-compare")
    compare_link(basket())
    ids = ", ".join((trial.id, *[i for i in trial.registry_ids if i != trial.id]))
    st.caption(md(f"Identifiers: {ids}"))

    if trial.plain_summary:
        st.subheader("In plain words")
        st.markdown(md(trial.plain_summary))
    elif trial.brief_summary:
        st.subheader("Summary (from the registry)")
        st.markdown(md(trial.brief_summary))
    else:
        st.markdown(md("No summary is given."))
    if trial.active_substance:
        _fact("What is tested", trial.active_substance)
    if trial.what_could_lead_to:
        _fact("What this could lead to", trial.what_could_lead_to)
    if trial.what_could_go_wrong:
        _fact("What could go wrong", trial.what_could_go_wrong)

    e = trial.eligibility
    st.subheader("Who can join")
    _fact("Ages", plain.ages_in_words(e.min_age, e.max_age))
    _fact("Sex", plain.sex_words(e.sex) if e.sex else None)
    _fact("Healthy volunteers", plain.yes_no_unknown(e.healthy_volunteers))
    if trial.conditions:
        _fact("Conditions", "; ".join(trial.conditions))
    with st.expander("Eligibility criteria, as the record states them"):
        st.markdown(md(e.criteria or "Not stated."))

    st.subheader("What each group gets")
    if not trial.arms:
        st.markdown(md("The record does not describe the groups."))
    columns = st.columns(min(len(trial.arms), 4)) if len(trial.arms) > 1 else [st.container()]
    for i, arm in enumerate(trial.arms):
        with columns[i % len(columns)], st.container(border=True):
            kind = plain.label(arm.type) if arm.type else "type not stated"
            st.markdown(f"**{md(arm.label)}** · {md(kind)}")
            if arm.description:
                st.markdown(md(arm.description))
            if arm.interventions:
                st.markdown(md("Receives: " + "; ".join(arm.interventions)))
    if trial.control_group:
        _fact("The control group gets", trial.control_group)

    d = trial.design
    st.subheader("How the trial is designed")
    _fact("Study type", plain.label(d.study_type), plain.explain("study_type", d.study_type))
    _fact(
        "Phase",
        plain.phase_words(d.phases),
        " ".join(plain.explain("phase", p) or "" for p in d.phases) or None,
    )
    _fact("Allocation", plain.label(d.allocation), plain.explain("allocation", d.allocation))
    _fact(
        "Groups",
        plain.label(d.intervention_model),
        plain.explain("intervention_model", d.intervention_model),
    )
    masked = f" (masked: {', '.join(plain.label(w) for w in d.who_masked)})" if d.who_masked else ""
    _fact(
        "Masking",
        plain.design_words(d.masking) + masked if d.masking else None,
        plain.explain("masking", d.masking),
    )
    _fact("Main purpose", plain.label(d.primary_purpose))
    _fact("Size", plain.enrollment_words(d.enrollment, d.enrollment_type))

    st.subheader("What is measured")
    _outcomes("Main outcomes", trial.primary_outcomes)
    _outcomes("Other outcomes", trial.secondary_outcomes)

    st.subheader("Where")
    if not trial.sites:
        st.markdown(md("No sites are listed."))
    elif sites is not None and not sites.empty:
        site_map(sites, pd.Series({trial.id: trial.title}), key="trial_map", height=300)
    for site in trial.sites:
        place = ", ".join(x for x in (site.facility, site.city, site.state, site.country) if x)
        status = plain.status_words(site.status) if site.status else "site status unknown"
        with st.container(border=True):
            st.markdown(f"**{md(place or 'Place not stated')}** · {md(status)}")
            if site.note:
                st.caption(md(site.note))
            for contact in site.contacts:
                parts = [x for x in (contact.name, contact.role, contact.phone, contact.email) if x]
                st.markdown(md("Contact: " + ", ".join(parts)))

    st.subheader("Who runs it, and when")
    _fact("Sponsor", trial.sponsor)
    if trial.collaborators:
        _fact("Collaborators", "; ".join(trial.collaborators))
    dates = trial.dates
    _fact("Start", dates.start)
    _fact("Completion", dates.completion)
    _fact("First posted", dates.first_posted)
    _fact("Last update of the record", dates.last_update)
    _fact("Data refreshed here", refreshed)
    if trial.notes:
        _fact("Notes", trial.notes)
    link = safe_link(trial.source_url)
    if link:
        st.link_button("Registry record", link, icon=":material/open_in_new:")

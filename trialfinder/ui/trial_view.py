"""One trial in plain words (the trial page)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from trialfinder import localized
from trialfinder.family import plain
from trialfinder.family.flags import trust_flags
from trialfinder.family.placenames import place_words
from trialfinder.family.sites import plan_sites
from trialfinder.geo import Place
from trialfinder.i18n import _, language
from trialfinder.model import Outcome, Trial
from trialfinder.sources.curated import SOURCE as CURATED_SOURCE
from trialfinder.ui.cards import status_badge
from trialfinder.ui.comparison import basket, compare_link, compare_toggle
from trialfinder.ui.contacts import contacts_section
from trialfinder.ui.eligibility_view import eligibility_section
from trialfinder.ui.follow import follow_trial
from trialfinder.ui.page import page_params
from trialfinder.ui.results_view import results_section
from trialfinder.ui.sitemap import site_map
from trialfinder.ui.sites import site_list
from trialfinder.ui.text import md
from trialfinder.ui.trust import flags_section

HANDOUT_PAGE = "pages/handout.py"


def _fact(label: str, value: str | None, explain: str | None = None) -> None:
    text = f"**{md(label)}:** {md(value if value else plain.not_given())}"
    st.markdown(text, help=explain)


def _outcomes(title: str, outcomes: tuple[Outcome, ...]) -> None:
    st.markdown(f"**{md(title)}**")
    if not outcomes:
        st.markdown(md(_("Not given.")))
    for outcome in outcomes:
        when = (
            " " + _("(time frame: {when})").format(when=outcome.time_frame)
            if outcome.time_frame
            else ""
        )
        st.markdown(f"- {md(outcome.measure + when)}")


def safe_link(url: str | None) -> str | None:
    """Only web addresses become links; anything else a record says stays text."""
    return url if url and url.startswith(("https://", "http://")) else None


def registry_note(trial: Trial) -> None:
    """Registry text is shown as written; say so when the interface is not in English.
    A curated record's English is its source's, not a registry's."""
    if language() == "en":
        return
    if trial.source == CURATED_SOURCE:
        st.caption(
            _("What the record does not give in Vietnamese is shown as its source wrote it.")
        )
    else:
        st.caption(_("Text from the registry is shown in the registry's language (English)."))


def summary(trial: Trial) -> None:
    """The plain-language summary in the interface's language, else the registry's."""
    if language() == "vi" and trial.plain_summary_vi:
        st.subheader(_("In plain words"))
        st.markdown(md(trial.plain_summary_vi))
    elif trial.plain_summary:
        st.subheader(_("In plain words"))
        if language() != "en":
            st.caption(_("This summary has not been written in your language yet."))
        st.markdown(md(trial.plain_summary))
    elif trial.brief_summary:
        st.subheader(_("Summary (from the registry)"))
        registry_note(trial)
        st.markdown(md(trial.brief_summary))
    else:
        st.markdown(md(_("No summary is given.")))


def trial_view(
    trial: Trial,
    refreshed: str,
    sites: pd.DataFrame | None = None,
    today: dt.date | None = None,
    place: Place | None = None,
    countries: tuple[str, ...] = (),
    view: tuple[str, ...] | None = None,
) -> None:
    """The whole trial; ``sites`` (its rows of the catalog's sites table) draws its map
    and its list; ``place`` (the family's) or else ``countries`` put the nearest sites
    and their contacts first; ``view`` names the map so that it is built once."""
    lang = language()
    st.header(md(trial.title_in(lang)))
    status_badge(trial.overall_status)
    compare_toggle(trial.id, key_prefix="trial-compare")
    compare_link(basket())
    follow_trial(trial.id, trial.title, lang=language())
    st.page_link(
        HANDOUT_PAGE,
        label=_("Printable handout for your doctor"),
        icon=":material/print:",
        query_params=page_params({"id": trial.id}),
    )
    ids = ", ".join((trial.id, *[i for i in trial.registry_ids if i != trial.id]))
    st.caption(md(_("Identifiers: {ids}").format(ids=ids)))

    summary(trial)
    if trial.active_substance:
        _fact(_("What is tested"), trial.text_in("active_substance", lang))
    if trial.what_could_lead_to:
        _fact(_("What this could lead to"), trial.text_in("what_could_lead_to", lang))
    if trial.what_could_go_wrong:
        _fact(_("What could go wrong"), trial.text_in("what_could_go_wrong", lang))

    st.subheader(_("Who to contact"))
    contacts_section(trial, *((place.lat, place.lon) if place else (None, None)))

    flags_section(trust_flags(trial, today), trial.id)

    e = trial.eligibility
    st.subheader(_("Who can join"))
    _fact(_("Ages"), plain.ages_in_words(e.min_age, e.max_age))
    _fact(_("Sex"), plain.sex_words(e.sex) if e.sex else None)
    _fact(_("Healthy volunteers"), plain.yes_no(e.healthy_volunteers))
    if trial.conditions:
        _fact(_("Conditions"), "; ".join(trial.conditions))
    eligibility_section(trial)

    st.subheader(_("What each group gets"))
    if not trial.arms:
        st.markdown(md(_("The record does not describe the groups.")))
    columns = st.columns(min(len(trial.arms), 4)) if len(trial.arms) > 1 else [st.container()]
    for i, arm in enumerate(trial.arms):
        with columns[i % len(columns)], st.container(border=True):
            kind = plain.label(arm.type) if arm.type else _("type not given")
            label = (arm.label_vi if lang == "vi" else None) or arm.label
            st.markdown(f"**{md(label)}** · {md(kind)}")
            description = (arm.description_vi if lang == "vi" else None) or arm.description
            if description:
                st.markdown(md(description))
            if arm.interventions:
                what = "; ".join(plain.intervention_words(i) for i in arm.interventions)
                st.markdown(md(_("Receives: {what}").format(what=what)))
    if trial.control_group:
        _fact(_("The control group gets"), trial.text_in("control_group", lang))

    d = trial.design
    st.subheader(_("How the trial is designed"))
    _fact(_("Study type"), plain.label(d.study_type), plain.explain("study_type", d.study_type))
    _fact(
        _("Phase"),
        plain.phase_words(d.phases),
        " ".join(plain.explain("phase", p) or "" for p in d.phases) or None,
    )
    _fact(_("Allocation"), plain.label(d.allocation), plain.explain("allocation", d.allocation))
    _fact(
        _("How the groups are set up"),
        plain.label(d.intervention_model),
        plain.explain("intervention_model", d.intervention_model),
    )
    masked = (
        " " + _("(masked: {who})").format(who=", ".join(plain.label(w) for w in d.who_masked))
        if d.who_masked
        else ""
    )
    _fact(
        _("Masking"),
        plain.design_words(d.masking) + masked if d.masking else None,
        plain.explain("masking", d.masking),
    )
    _fact(_("Main purpose"), plain.label(d.primary_purpose))
    _fact(_("Size"), plain.enrollment_words(d.enrollment, d.enrollment_type))

    st.subheader(_("What is measured"))
    registry_note(trial)
    _outcomes(_("Main outcomes"), trial.primary_outcomes)
    _outcomes(_("Other outcomes"), trial.secondary_outcomes)
    results_section(trial, today)

    st.subheader(_("Where"))
    if not trial.sites or sites is None:
        st.markdown(md(_("No sites are listed.")))
    else:
        lat, lon = (place.lat, place.lon) if place else (None, None)
        plan = plan_sites(sites, lat, lon, countries)
        if not sites.empty:
            site_map(
                sites,
                {trial.id: trial.title_in(language())},
                key="trial_map",
                height=300,
                view=view,
            )
        site_list(trial, plan, place_words(place) if place else None)

    st.subheader(_("Who runs it, and when"))
    _fact(_("Sponsor"), trial.sponsor)
    if trial.collaborators:
        _fact(_("Collaborators"), "; ".join(trial.collaborators))
    dates = trial.dates
    _fact(_("Start"), localized.date(dates.start))
    _fact(_("Completion"), localized.date(dates.completion))
    _fact(_("First posted"), localized.date(dates.first_posted))
    _fact(_("Last update of the record"), localized.date(dates.last_update))
    if dates.status_verified:
        _fact(_("Status last verified"), localized.date(dates.status_verified))
    _fact(_("Data refreshed here"), localized.moment(refreshed))
    link = safe_link(trial.source_url)
    if link:
        st.link_button(_("Registry record"), link, icon=":material/open_in_new:")

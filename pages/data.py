"""About the data: what the catalog holds, where each part came from, what the last
refreshes changed, and any data problems."""

import streamlit as st

from trialfinder import localized
from trialfinder.family import breakdown
from trialfinder.i18n import DEFAULT, _, language
from trialfinder.store.changes import latest_reports
from trialfinder.ui import page
from trialfinder.ui.charts import bar_chart
from trialfinder.ui.data import data_dir, served
from trialfinder.ui.follow import feed_links
from trialfinder.ui.text import md

page.show_notice(page.current())
current = served()
the_catalog = current.catalog
trials = the_catalog.trials
st.subheader(_("About the data"))
st.markdown(
    md(
        _("{trials} trials and {sites} sites, catalog built {built}.").format(
            trials=localized.count(len(trials)),
            sites=localized.count(len(the_catalog.sites)),
            built=localized.moment(the_catalog.built_at),
        )
    )
)
st.markdown(md(_("Where they come from: {sources}").format(sources=breakdown.sources_line(trials))))
st.markdown(
    md(
        _(
            "Registry records come from ClinicalTrials.gov. Curated records are written by our "
            "staff; a curated record with a registry id adds to and corrects the registry's record."
        )
    )
)
if language() != DEFAULT:
    st.caption(_("Text from the registry is shown in the registry's language (English)."))

st.markdown("**" + md(_("What the catalog holds")) + "**")
left, right = st.columns(2)
with left:
    bar_chart(breakdown.by_status(trials), "data-status")
    bar_chart(breakdown.by_country(the_catalog.sites), "data-country")
with right:
    bar_chart(breakdown.by_phase(trials), "data-phase")
    bar_chart(breakdown.updated_per_month(trials), "data-months", vertical=True)

curated = page.curated_notes(the_catalog)
if curated:
    with st.expander(_("Staff notes on curated records"), icon=":material/edit_note:"):
        for trial_id, notes in curated:
            st.markdown(f"**{md(trial_id)}:** {md(notes)}")

st.markdown("**" + md(_("Latest refreshes")) + "**")
reports = latest_reports(data_dir())
if not reports:
    st.markdown(md(_("No refresh or import has run on this data yet.")))
elif language() != DEFAULT:
    st.caption(
        _(
            "Trial titles and the refreshes' own notes below are shown as the registry and "
            "the staff tools wrote them (in English)."
        )
    )
for number, report in enumerate(reports):
    if report.has_counts:
        bar_chart(breakdown.changes(report.counts, report.source), f"data-changes-{number}")
    with st.expander(md(report.summary())):
        origin = report.origin_line()
        if origin:
            st.markdown(md(origin))
        for line in report.page_lines(limit=30):
            st.markdown(md(line))

feed_links()

problems = current.pending_problems or the_catalog.problems
if problems:
    st.warning(
        md(_("{n} data file problem(s) need attention:").format(n=localized.count(len(problems))))
    )
    for problem in problems:
        st.markdown(f"- {md(problem)}")
else:
    st.success(_("Every data file is valid."))

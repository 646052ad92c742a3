"""About the data: what the catalog holds, where each part came from, what the last
refreshes changed, and any data problems."""

import streamlit as st

from trialfinder.changes import latest_reports
from trialfinder.ui import page
from trialfinder.ui.data import data_dir, served
from trialfinder.ui.text import md

page.show_notice(page.current())
current = served()
the_catalog = current.catalog
trials = the_catalog.trials
st.subheader("About the data")
st.markdown(
    md(
        f"{len(trials):,} trials and {len(the_catalog.sites):,} sites, "
        f"catalog built {the_catalog.built_at}."
    )
)
by_source = trials["source"].fillna("unknown").value_counts()
st.markdown(md("Where they come from: " + ", ".join(f"{k}: {v:,}" for k, v in by_source.items())))
st.markdown(
    md(
        "Registry records come from ClinicalTrials.gov. Curated records are written by our "
        "staff; a curated record with a registry id adds to and corrects the registry's record."
    )
)

st.markdown("**Latest refreshes**")
reports = latest_reports(data_dir())
if not reports:
    st.markdown(md("No refresh or import has run on this data yet."))
for report in reports:
    with st.expander(md(report.summary())):
        origin = report.origin
        if origin.get("api_url"):
            params = "; ".join(f"{k} = {v}" for k, v in (origin.get("params") or {}).items())
            st.markdown(md(f"Pulled from {origin['api_url']} with {params}."))
        elif origin.get("paths"):
            st.markdown(md("Imported from " + ", ".join(map(str, origin["paths"])) + "."))
        for line in report.lines(limit=30):
            st.markdown(md(line))

problems = current.pending_problems or the_catalog.problems
if problems:
    st.warning(md(f"{len(problems)} data file problem(s) need attention:"))
    for problem in problems:
        st.markdown(f"- {md(problem)}")
else:
    st.success("Every data file is valid.")

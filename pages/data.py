"""About the data: what is loaded, when it was built, and any data problems."""

import streamlit as st

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
        f"{len(trials)} trials and {len(the_catalog.sites)} sites, "
        f"built {the_catalog.built_at} from {data_dir()}."
    )
)
by_source = trials["source"].fillna("unknown").value_counts()
st.markdown(md("By source: " + ", ".join(f"{k}: {v}" for k, v in by_source.items())))
st.markdown(
    md(
        "Registry records come from ClinicalTrials.gov. Curated records are written by our "
        "staff; a curated record with a registry id adds to and corrects the registry's record."
    )
)
problems = current.pending_problems or the_catalog.problems
if problems:
    st.warning(md(f"{len(problems)} data file problem(s) need attention:"))
    for problem in problems:
        st.markdown(f"- {md(problem)}")
else:
    st.success("Every data file is valid.")

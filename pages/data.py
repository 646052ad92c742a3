"""About the data: what is loaded, when it was built, and any data problems."""

import streamlit as st

from trialfinder.ui import page
from trialfinder.ui.data import catalog, data_dir
from trialfinder.ui.text import md

page.show_notice(page.current())
the_catalog = catalog()
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
if the_catalog.problems:
    st.warning(md(f"{len(the_catalog.problems)} data file problem(s) need attention:"))
    for problem in the_catalog.problems:
        st.markdown(f"- {md(problem)}")
else:
    st.success("Every data file is valid.")

"""Map of trial sites (placeholder until the map issue): the matching sites as a table."""

import streamlit as st

from trialfinder.query import apply_query
from trialfinder.ui import page
from trialfinder.ui.data import catalog

parsed = page.current()
page.show_notice(parsed)
the_catalog = catalog()
results = apply_query(the_catalog, parsed.query)
sites = the_catalog.sites[the_catalog.sites["trial_id"].isin(results["id"])]
st.subheader(f"Sites of {len(results)} matching trials")
st.caption("The map itself is on its way; for now, the sites as a table.")
st.dataframe(
    sites[["trial_id", "facility", "city", "country", "status", "approximate"]],
    hide_index=True,
)

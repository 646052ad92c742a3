"""Map of trial sites: where the matching trials' sites are, by their own status."""

import streamlit as st

from trialfinder.query import apply_query, result_sites
from trialfinder.ui import page
from trialfinder.ui.data import catalog
from trialfinder.ui.sitemap import legend, site_map, trials_at
from trialfinder.ui.text import md

parsed = page.current()
page.show_notice(parsed)
the_catalog = catalog()
query = parsed.query
results = apply_query(the_catalog, query)
sites = result_sites(the_catalog, query, results)
titles = the_catalog.trials.set_index("id")["title"]

trials_word = "trial" if len(results) == 1 else "trials"
sites_word = "site" if len(sites) == 1 else "sites"
st.subheader(f"{len(sites):,} {sites_word} of {len(results):,} matching {trials_word}")
st.markdown(md(query.describe(len(results))))
legend()
clicked = site_map(sites, titles, query.place, query.radius_km)
if clicked:
    st.markdown("**Trials at this site**")
    trials_at(clicked, titles)
else:
    st.caption("Click a site to list its trials.")

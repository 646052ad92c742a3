"""Map of trial sites: where the matching trials' sites are, by their own status."""

import streamlit as st

from trialfinder.i18n import _, ngettext
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

n_sites, n_trials = len(sites), len(results)
st.subheader(
    _("{sites} of {trials}").format(
        sites=ngettext("{n} site", "{n} sites", n_sites).format(n=f"{n_sites:,}"),
        trials=ngettext("{n} matching trial", "{n} matching trials", n_trials).format(
            n=f"{n_trials:,}"
        ),
    )
)
# The view in one sentence, as on the find page.
st.markdown(md(query.describe(n_trials)))
legend()
clicked = site_map(sites, titles, query.place, query.radius_km)
if clicked:
    st.markdown("**" + md(_("Trials at this site")) + "**")
    trials_at(clicked, titles)
else:
    st.caption(_("Click a site to list its trials."))

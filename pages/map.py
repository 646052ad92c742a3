"""Map of trial sites: where the matching trials' sites are, by their own status."""

import streamlit as st

from trialfinder import localized
from trialfinder.catalog import Catalog
from trialfinder.i18n import _, language, ngettext
from trialfinder.query import Query, find, result_sites, site_trials
from trialfinder.ui import page
from trialfinder.ui.data import catalog, data_dir
from trialfinder.ui.sitemap import site_map, trials_at
from trialfinder.ui.text import md


@st.fragment
def the_map(the_catalog: Catalog, query: Query) -> None:
    """The view, its map and the trials at the clicked site.

    A fragment: a click on a site reruns this alone, not the sidebar and the
    rest of the dashboard. It keeps only the catalog and the query between
    reruns (not the sites, which may be millions of rows).
    """
    page.keep_language()
    results = find(the_catalog, query)
    sites = result_sites(the_catalog, query, results)
    n_sites, n_trials = len(sites), len(results)
    st.subheader(
        _("{sites} of {trials}").format(
            sites=ngettext("{n} site", "{n} sites", n_sites).format(n=localized.count(n_sites)),
            trials=ngettext("{n} matching trial", "{n} matching trials", n_trials).format(
                n=localized.count(n_trials)
            ),
        )
    )
    # The view in one sentence, as on the find page.
    st.markdown(md(query.describe(n_trials, the_catalog.synonyms)))
    titles = the_catalog.titles_in(language())
    view = (str(data_dir()), the_catalog.fingerprint, query.to_query_string(), language())
    trial_of = site_trials(the_catalog, sites)
    clicked = site_map(
        sites, titles, query.place, query.radius_km, view=view, trial_of=trial_of, with_legend=True
    )
    if clicked:
        st.markdown("**" + md(_("Trials at this site")) + "**")
        trials_at(clicked, titles)
    elif not n_sites:
        pass  # no site to list
    elif clicked is None:
        st.caption(_("Turn on “Zoom and tap the map” to list the trials at a site."))
    else:
        st.caption(_("Click a site to list its trials."))


parsed = page.current()
page.show_notice(parsed)
the_map(catalog(), parsed.query)

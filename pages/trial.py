"""One trial in plain words: /trial?id=NCT07527104."""

import streamlit as st

from trialfinder.i18n import _
from trialfinder.ui import page
from trialfinder.ui.data import catalog
from trialfinder.ui.text import md
from trialfinder.ui.trial_view import trial_view

parsed = page.current()
page.show_notice(parsed)
wanted = parsed.extra.get("id", ())
the_catalog = catalog()
trial = the_catalog.trial(wanted[0].strip()) if wanted else None

if not wanted:
    st.info(_("Choose a trial on the Find page to read about it here."))
    st.page_link("pages/find.py", label=_("Find trials"), icon=":material/search:")
elif trial is None:
    st.warning(
        md(
            _(
                "We could not find a trial with the id {id}. "
                "It may have been removed, or the link may be incomplete."
            ).format(id=wanted[0][:60])
        )
    )
    st.page_link("pages/find.py", label=_("Find trials"), icon=":material/search:")
else:
    sites = the_catalog.sites
    trial_view(trial, the_catalog.built_at, sites.loc[sites["trial_id"] == trial.id])

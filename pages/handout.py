"""A one-page handout of a trial, to print for a family's doctor: /handout?id=NCT07527104."""

from urllib.parse import urlencode

import streamlit as st

from trialfinder.handout import build_handout, handout_html
from trialfinder.i18n import _
from trialfinder.ui import page
from trialfinder.ui.data import catalog
from trialfinder.ui.text import md

parsed = page.current()
page.show_notice(parsed)
wanted = parsed.extra.get("id", ())
the_catalog = catalog()
trial = the_catalog.trial(wanted[0].strip()) if wanted else None

if not wanted:
    st.info(_("Choose a trial on the Find page; its page links to its handout."))
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
    url = page.share_url(urlencode([("id", trial.id), *page.lang_pairs()]), path="trial")
    st.caption(_("Print this page (Ctrl+P, or Share then Print on a phone) to take it along."))
    st.html(handout_html(build_handout(trial, url, parsed.query.place)))

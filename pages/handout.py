"""A one-page handout of a trial, to print for a family's doctor: /handout?id=NCT07527104."""

from urllib.parse import urlencode

import streamlit as st

from trialfinder.family.handout import build_handout, handout_html
from trialfinder.i18n import _
from trialfinder.ui import page
from trialfinder.ui.data import catalog
from trialfinder.ui.eligibility_view import eligibility_handout

parsed = page.current()
page.show_notice(parsed)
trial = page.requested_trial(
    parsed,
    catalog(),
    _("Which trial is the handout for? Type its number, or choose one below."),
    here="pages/handout.py",
)
if trial is not None:
    url = page.share_url(urlencode([("id", trial.id), *page.lang_pairs()]), path="trial")
    st.caption(_("Print this page (Ctrl+P, or Share then Print on a phone) to take it along."))
    handout = build_handout(trial, url, parsed.query.place)
    st.html(handout_html(handout, checklist=eligibility_handout(trial)))

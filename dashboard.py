"""trialfinder: the dashboard's entry point (navigation and the shared filters)."""

import logging

import streamlit as st

from trialfinder.serving import NoCatalog
from trialfinder.ui.data import served
from trialfinder.ui.filters import read_link_once, sidebar_filters
from trialfinder.ui.page import QUERY_STATE
from trialfinder.ui.text import md

# An emoji icon: the browser draws it from a data: URL. A ":material/...:" page icon
# makes the browser fetch the favicon from fonts.gstatic.com, and nothing may leave
# the machine.
st.set_page_config(page_title="trialfinder", page_icon="🩺", layout="wide")

pages = st.navigation(
    [
        st.Page(
            "pages/find.py",
            title="Find trials",
            icon=":material/search:",
            default=True,
            help="Trials that match a condition, a child's age, status and place.",
        ),
        st.Page(
            "pages/map.py",
            title="Map",
            icon=":material/map:",
            url_path="map",
            help="Where the matching trials' sites are.",
        ),
        st.Page(
            "pages/compare.py",
            title="Compare",
            icon=":material/compare_arrows:",
            url_path="compare",
            help="Two to four trials side by side.",
        ),
        st.Page(
            "pages/trial.py",
            title="Trial",
            icon=":material/article:",
            url_path="trial",
            help="One trial in plain words.",
        ),
        st.Page(
            "pages/treatment.py",
            title="Treatment",
            icon=":material/medication:",
            url_path="treatment",
            help="Every trial of one treatment or active substance, on a timeline.",
        ),
        st.Page(
            "pages/sponsor.py",
            title="Sponsor",
            icon=":material/apartment:",
            url_path="sponsor",
            help="Every trial one sponsor or collaborator runs, on a timeline.",
        ),
        st.Page(
            "pages/data.py",
            title="About the data",
            icon=":material/database:",
            url_path="data",
            help="Where the trials come from, when they were refreshed, and data problems.",
        ),
    ],
    position="top",
)

try:
    read_link_once(pages)
    current = served()
    if current.attention:
        st.warning(md(current.attention), icon=":material/warning:")
    st.session_state[QUERY_STATE] = sidebar_filters(current.catalog)
    pages.run()
except NoCatalog:
    logging.getLogger("trialfinder").exception("no catalog to serve")
    st.error("The trial data cannot be loaded right now. Please try again later.")
except Exception:
    logging.getLogger("trialfinder").exception("page failed")
    st.error(
        "Sorry, something went wrong while showing this page. "
        "The rest of the dashboard still works; please try another view."
    )

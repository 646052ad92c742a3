"""trialfinder: the dashboard's entry point (navigation and the shared filters)."""

import logging

import streamlit as st

from trialfinder.catalog.serving import NoCatalog
from trialfinder.i18n import LANGUAGES, _, normalize, set_language
from trialfinder.ui.data import served
from trialfinder.ui.filters import read_link_once, sidebar_filters
from trialfinder.ui.linklimit import install as read_long_links_cut
from trialfinder.ui.page import (
    LANG_SWITCH,
    QUERY_STATE,
    accessibility_styles,
    keep_language_in_link,
    name_the_page,
)
from trialfinder.ui.text import md

# An emoji icon: the browser draws it from a data: URL. A ":material/...:" page icon
# makes the browser fetch the favicon from fonts.gstatic.com, and nothing may leave
# the machine.
st.set_page_config(page_title="trialfinder", page_icon="🩺", layout="wide")
read_long_links_cut()

# The language first: every word below is in it. A link's ``lang`` sets it on a
# session's first run; after that the switch does (its state is set before a rerun).
if LANG_SWITCH not in st.session_state:
    st.session_state[LANG_SWITCH] = normalize(st.query_params.get("lang"))
language = set_language(st.session_state[LANG_SWITCH])

pages = st.navigation(
    [
        st.Page(
            "pages/find.py",
            title=_("Find trials"),
            icon=":material/search:",
            default=True,
            help=_("Trials that match a condition, a child's age, status and place."),
        ),
        st.Page(
            "pages/map.py",
            title=_("Map"),
            icon=":material/map:",
            url_path="map",
            help=_("Where the matching trials' sites are."),
        ),
        st.Page(
            "pages/compare.py",
            title=_("Compare"),
            icon=":material/compare_arrows:",
            url_path="compare",
            help=_("Two to four trials side by side."),
        ),
        st.Page(
            "pages/trial.py",
            title=_("Trial"),
            icon=":material/article:",
            url_path="trial",
            visibility="hidden",
            help=_("One trial in plain words."),
        ),
        st.Page(
            "pages/handout.py",
            title=_("Handout"),
            icon=":material/print:",
            url_path="handout",
            visibility="hidden",
            help=_("A one-page summary of a trial to print and take to your doctor."),
        ),
        st.Page(
            "pages/treatment.py",
            title=_("Treatment"),
            icon=":material/medication:",
            url_path="treatment",
            help=_("Every trial of one treatment or active substance, on a timeline."),
        ),
        st.Page(
            "pages/sponsor.py",
            title=_("Sponsor"),
            icon=":material/apartment:",
            url_path="sponsor",
            help=_("Every trial one sponsor or collaborator runs, on a timeline."),
        ),
        st.Page(
            "pages/follow.py",
            title=_("Follow"),
            icon=":material/notifications:",
            url_path="follow",
            visibility="hidden",
            help=_("Confirm or stop following a trial or a search."),
        ),
        st.Page(
            "pages/data.py",
            title=_("About the data"),
            icon=":material/database:",
            url_path="data",
            help=_("Where the trials come from, when they were refreshed, and data problems."),
        ),
    ],
    position="top",
)

try:
    read_link_once(pages)
    keep_language_in_link(language)
    name_the_page(pages.title, language)
    accessibility_styles()
    # Not bound to the URL: a bound widget writes its shown label ("Tiếng Việt") into
    # the link; keep_language_in_link writes ``lang=vi`` instead.
    st.radio(
        "Language / Ngôn ngữ",
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANG_SWITCH,
        horizontal=True,
    )
    current = served()
    if current.attention:
        st.warning(md(current.attention), icon=":material/warning:")
    # The Find page asks its main questions on the page itself (a phone hides the sidebar).
    on_find = pages.url_path in ("", "find")
    st.session_state[QUERY_STATE] = sidebar_filters(current.catalog, on_page=on_find)
    pages.run()
except NoCatalog:
    logging.getLogger("trialfinder").exception("no catalog to serve")
    st.error(_("The trial data cannot be loaded right now. Please try again later."))
except Exception:
    logging.getLogger("trialfinder").exception("page failed")
    st.error(
        _(
            "Sorry, something went wrong while showing this page. "
            "The rest of the dashboard still works; please try another view."
        )
    )

"""What every page shares: the parsed query and the notice about a bad link."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from trialfinder.query import ParsedQuery, Query
from trialfinder.ui.text import md

QUERY_STATE = "parsed_query"


def _run_through_dashboard() -> None:
    """Make sure this page runs inside dashboard.py, not on its own.

    Streamlit treats a folder named ``pages/`` as its old multipage layout (each
    file a page of its own, run without the entry script) until some run calls
    ``st.navigation``. So after a server start, a link to ``/trial?id=...`` or
    ``/map?...`` opened before anyone opened ``/`` ran the page alone: no filters,
    no link check, and "Choose a trial" instead of the trial. Switch to
    ``st.navigation`` (what dashboard.py's first run would do) and run again:
    the rerun keeps the page and the query string.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def current() -> ParsedQuery:
    """The query the sidebar built on this run (set by dashboard.py)."""
    _run_through_dashboard()
    parsed = st.session_state.get(QUERY_STATE)
    return parsed if isinstance(parsed, ParsedQuery) else ParsedQuery(Query())


def show_notice(parsed: ParsedQuery) -> None:
    notice = parsed.notice()
    if notice:
        # The notice quotes what the link said: data, never markup.
        st.warning(md(notice), icon=":material/link_off:")


def share_url(query_string: str, path: str = "") -> str:
    """The address of a view, from the browser's own address when known."""
    base = st.context.url or "http://localhost:8501/"
    scheme, netloc, _, _, _ = urlsplit(base)
    return urlunsplit((scheme, netloc, "/" + path.lstrip("/"), query_string, ""))

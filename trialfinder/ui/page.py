"""What every page shares: the parsed query and the notice about a bad link."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from trialfinder.query import ParsedQuery, Query

QUERY_STATE = "parsed_query"


def current() -> ParsedQuery:
    """The query the sidebar built on this run (set by dashboard.py)."""
    parsed = st.session_state.get(QUERY_STATE)
    return parsed if isinstance(parsed, ParsedQuery) else ParsedQuery(Query())


def show_notice(parsed: ParsedQuery) -> None:
    notice = parsed.notice()
    if notice:
        st.warning(notice, icon=":material/link_off:")


def share_url(query_string: str, path: str = "") -> str:
    """The address of a view, from the browser's own address when known."""
    base = st.context.url or "http://localhost:8501/"
    scheme, netloc, _, _, _ = urlsplit(base)
    return urlunsplit((scheme, netloc, "/" + path.lstrip("/"), query_string, ""))

"""A link with more values than Streamlit reads keeps its first values, and says so.

Streamlit drops a whole query string past 1,000 parameters (or 512 Ki
characters) to protect the server: a link with 1,500 ``cond=`` values opened
with every filter gone and every trial shown, with no word of why (issue 23).
Here the limit stays, but what is past it is cut instead of everything: the
first 1,000 parameters are read, so the filters the link names first apply and
the values past the page's own limits (20 a filter) are ignored *with a notice*
(:meth:`trialfinder.query.ParsedQuery.notice`). The server still never parses
more than Streamlit's limit.

Installed once per process from dashboard.py (through
:func:`trialfinder.ui.internals.read_long_links_with`). The first run of a fresh
server process reads its link before dashboard.py runs; from then on every link is
read this way.
"""

from __future__ import annotations

from streamlit.runtime.state import query_params

from trialfinder.query.parse import LINK_CUT, LINK_LIMIT
from trialfinder.ui.internals import read_long_links_with

_MAX_FIELDS = min(LINK_LIMIT, query_params.CLIENT_STATE_QUERY_STRING_MAX_FIELDS)
_MAX_LENGTH = query_params.CLIENT_STATE_QUERY_STRING_MAX_LENGTH


def first_fields(query_string: str) -> str:
    """``query_string`` within Streamlit's limits: as it is, or its first parameters
    and ``link_cut=<how many it had>`` in place of the rest (said in the notice)."""
    if not query_string:
        return ""
    total = query_string.count("&") + 1
    if len(query_string) <= _MAX_LENGTH and total <= _MAX_FIELDS:
        return query_string
    if len(query_string) > _MAX_LENGTH:
        query_string = query_string[:_MAX_LENGTH].rsplit("&", 1)[0]
    fields = query_string.split("&", _MAX_FIELDS)[: _MAX_FIELDS - 1]
    return "&".join([*fields, f"{LINK_CUT}={total}"])


def install() -> None:
    """Read long links cut, not dropped (idempotent)."""
    read_long_links_with(first_fields)

"""Trial text is data: escape it before Streamlit's Markdown sees it."""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def md(text: object) -> str:
    """Text shown literally by ``st.markdown``: every ASCII punctuation mark is
    backslash-escaped (CommonMark allows it for all of them), so no link, tag,
    emphasis, directive (``:red[...]``), emoji code or formula can form, and
    line breaks are kept."""
    if text is None:
        return ""
    escaped = _PUNCTUATION.sub(r"\\\1", str(text))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")

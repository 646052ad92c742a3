"""Trial text is data: escape it before Streamlit's Markdown sees it."""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
#: Where GitHub-flavoured Markdown would turn plain text into a link on its own
#: (``http://x``, ``www.x``, ``a@b.c``): it finds them in the text after the
#: backslash escapes are read, so escaping cannot stop them.
_AUTOLINK = re.compile(r"(?i)(https?)(?=:)|(www)(?=\.)|(@)(?=[-\w])")
#: U+2060 WORD JOINER: invisible, no line break, and not part of any autolink.
_JOINER = "\u2060"


def md(text: object) -> str:
    """Text shown literally by ``st.markdown``: every ASCII punctuation mark is
    backslash-escaped (CommonMark allows it for all of them), so no link, tag,
    emphasis, directive (``:red[...]``), emoji code or formula can form, and
    line breaks are kept. Bare web and mail addresses are broken with an
    invisible word joiner, so they do not become links either."""
    if text is None:
        return ""
    unlinked = _AUTOLINK.sub(lambda m: m.group(0) + _JOINER, str(text))
    escaped = _PUNCTUATION.sub(r"\\\1", unlinked)
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


#: The only kinds of link trial data may become: a phone call, an e-mail, a web page.
_LINK_SCHEMES = ("tel:", "mailto:", "https://", "http://")


def link(label: object, href: str | None) -> str:
    """``label`` as a Markdown link to ``href``, escaped like :func:`md` but without
    the word joiner (inside a link's label nothing becomes a link on its own, and
    a copied label must be what it shows). Plain escaped text when ``href`` is not
    a phone, mail or web address."""
    if not href or not href.startswith(_LINK_SCHEMES):
        return md(label)
    text = _PUNCTUATION.sub(r"\\\1", str(label)).replace("\n", " ")
    target = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    target = target.replace("<", "%3C").replace(">", "%3E")
    return f"[{text}]({target})"

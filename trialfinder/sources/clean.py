"""Text clean-up on the way in: what a record says, without what no one can see.

Registry text sometimes carries invisible format characters (a word joiner
U+2060 inside an e-mail address, a zero-width space, a byte-order mark, a soft
hyphen). A family who copies such an address gets one that does not work, and
a search for it finds nothing, so they are taken out when a record is read.
"""

from __future__ import annotations

import re

#: Unicode format characters that have no visible form in running text:
#: soft hyphen, zero-width space / non-joiner / joiner, the direction marks,
#: word joiner and the invisible operators, and the byte-order mark.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """``text`` without invisible format characters (ASCII text is returned as is)."""
    if text.isascii():
        return text
    return _INVISIBLE.sub("", text)

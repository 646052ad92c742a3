"""Brand names to generic names, offline, from the ``drug-named-entity-recognition``
package (its dictionary of about 100,000 drug names, built from DrugBank, MeSH,
MedlinePlus and the NHS; shipped inside the package, no download).

Only its dictionary is used, read once on first use (about two seconds): the
package's own finder also builds an index of letter triples this needs not.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from trialfinder.geo import fold

#: Other names shorter than this are left out of a search (``apap``, ``alli``: too
#: easily another word); the name a family typed is always searched.
MIN_OTHER_NAME = 5
_PLAIN_NAME = re.compile(r"^[a-z][a-z0-9 \-]*$")
_lock = threading.Lock()
_dictionary: dict[str, Any] = {}


def _names() -> dict[str, Any]:
    with _lock:
        if not _dictionary:
            from drug_named_entity_recognition import drugs_finder

            _dictionary.update(drugs_finder.d)
    return _dictionary


@lru_cache(maxsize=4096)
def generic_name(text: str) -> str | None:
    """The generic name of the drug ``text`` names (a brand or the generic
    itself), lower case; None when the list does not know it."""
    names = _names()["drug_variant_to_canonical"]
    cleaned = " ".join(text.lower().split())
    for candidate in (cleaned, fold(cleaned)):
        found = names.get(candidate)
        if found:
            return found[0]
    return None


@lru_cache(maxsize=4096)
def other_names(generic: str) -> tuple[str, ...]:
    """The drug's other names worth searching (brands, other spellings)."""
    data = _names()["drug_canonical_to_data"].get(generic) or {}
    found: list[str] = []
    for name in data.get("synonyms") or ():
        folded = fold(name)
        if (
            len(folded) >= MIN_OTHER_NAME
            and _PLAIN_NAME.match(folded)
            and folded != generic
            and folded not in found
        ):
            found.append(folded)
    return tuple(found)

"""The real criteria texts in ../shared/ctgov (never copied into the project).

API v2 records are read through the project's own adapter; the legacy XML records
(``<eligibility><criteria><textblock>``) with the standard library. One text per
NCT id and format (the first found). Run ``python -m tests.family.eligibility.corpus``
for the split figures the README gives.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from functools import cache
from pathlib import Path

from trialfinder.family.eligibility.split import same_text, split_criteria
from trialfinder.sources.ctgov import iter_studies

#: ``../shared/ctgov`` beside the repository; a worktree elsewhere names it in
#: TRIALFINDER_SHARED_CTGOV.
SHARED = Path(
    os.environ.get("TRIALFINDER_SHARED_CTGOV")
    or Path(__file__).resolve().parents[3].parent / "shared" / "ctgov"
)


@cache
def v2_texts() -> dict[str, str]:
    """NCT id -> eligibilityCriteria of the API v2 JSON records."""
    found: dict[str, str] = {}
    folder = SHARED / "v2_json"
    if not folder.is_dir():
        return found
    for entry in iter_studies(folder):
        if entry.study is None:
            continue
        section = entry.study.get("protocolSection", {})
        nct = section.get("identificationModule", {}).get("nctId")
        text = section.get("eligibilityModule", {}).get("eligibilityCriteria")
        if nct and isinstance(text, str) and text.strip():
            found.setdefault(nct, text)
    return found


@cache
def xml_texts() -> dict[str, str]:
    """NCT id -> criteria textblock of the legacy XML records."""
    found: dict[str, str] = {}
    folder = SHARED / "legacy_xml"
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.xml")):
        root = ET.parse(path).getroot()
        nct = root.findtext("id_info/nct_id")
        text = root.findtext("eligibility/criteria/textblock")
        if nct and text and text.strip():
            found.setdefault(nct, text)
    return found


def figures(texts: dict[str, str]) -> tuple[int, int, int, Counter]:
    """(records, lossless, clean, doubts counted by kind)."""
    lossless = clean = 0
    doubts: Counter = Counter()
    for text in texts.values():
        criteria = split_criteria(text)
        lossless += same_text(criteria)
        clean += criteria.clean
        doubts.update(criteria.doubts)
    return len(texts), lossless, clean, doubts


if __name__ == "__main__":
    for name, texts in (("API v2 JSON", v2_texts()), ("legacy XML", xml_texts())):
        n, lossless, clean, doubts = figures(texts)
        print(f"{name}: {n} records, {lossless} re-join to their text, {clean} split cleanly")
        for doubt, count in doubts.most_common():
            print(f"  {count:5d}  {doubt}")

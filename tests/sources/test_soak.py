"""Soak: thousands of generated hostile study records, and nothing raises (issue 23).

Records are shaped like API v2 studies, but every value may be wrong: the wrong
JSON type, text with NULs, escape sequences, lone surrogates, combining marks,
fullwidth digits, ids in other scripts, dates in the year 9999, deep nesting.
Each goes through the reading, parsing, cleaning and storing code a refresh
and an import run: hypothesis shapes 300 a run (and shrinks a failure to its
smallest form); a seeded fuzz loop puts 1,000 more through a whole import.
A record may be refused (a DataProblem naming it); nothing may raise, and
whatever is stored is valid UTF-8 JSON free of control characters and lone
surrogates.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trialfinder.errors import DataError
from trialfinder.sources import ctgov
from trialfinder.store.api import _page_json
from trialfinder.store.importer import import_paths
from trialfinder.store.layout import encode_study
from trialfinder.store.reading import load_trials

NASTY = [
    "\x00",
    "\x1b[31m",
    "\x07",
    "\x7f",
    "\x85",
    "\ud800",
    "\udfff",
    "e\u0301",
    "\uff10\uff17",
    "\u0660\u0667",
    "\u202e",
    "\ufeff",
    "<script>",
    "=cmd|",
    "",
    " ",
]
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

texts = st.lists(st.one_of(st.characters(codec="utf-8"), st.sampled_from(NASTY)), max_size=12).map(
    "".join
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), texts)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
ids = st.one_of(
    st.from_regex(r"NCT[0-9]{8}", fullmatch=True),
    st.just("NCT\uff10\uff17\uff15\uff12\uff17\uff11\uff10\uff14"),
    st.just("NCT0/../../x"),
    texts,
    values,
)
dates = st.one_of(
    st.sampled_from(["2025-01-08", "9999-12-31", "2025-99-99", "2024-02", "", "yesterday"]),
    values,
)


@st.composite
def studies(draw: st.DrawFn) -> Any:
    """A study-shaped value whose every field may be hostile (or not a study at all)."""
    if draw(st.integers(0, 19)) == 0:
        return draw(values)
    ps: dict[str, Any] = {
        "identificationModule": {"nctId": draw(ids), "briefTitle": draw(texts | values)},
        "statusModule": {
            "overallStatus": draw(st.sampled_from(["RECRUITING", "COMPLETED"]) | texts),
            "lastUpdatePostDateStruct": {"date": draw(dates)},
        },
        "conditionsModule": {"conditions": draw(st.lists(texts, max_size=3) | values)},
        "eligibilityModule": {
            "minimumAge": draw(st.sampled_from(["2 Years", "18 Months"]) | texts),
            "maximumAge": draw(st.sampled_from(["12 Years", "N/A"]) | texts),
        },
        "contactsLocationsModule": {
            "locations": draw(
                st.lists(
                    st.fixed_dictionaries({"facility": texts, "city": texts, "geoPoint": values}),
                    max_size=2,
                )
                | values
            )
        },
    }
    extra = draw(st.dictionaries(texts, values, max_size=2))
    ps.update(extra)
    return {"protocolSection": ps, "hasResults": draw(values)}


def _check_stored(study: dict) -> None:
    """What would be stored is UTF-8 JSON with no control character or lone surrogate."""
    payload = encode_study(study).decode("utf-8")
    again = json.loads(payload)
    for text in _texts(again):
        assert UNWANTED.search(text) is None, repr(text)


def _texts(value: Any) -> list[str]:
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(k for k in item if isinstance(k, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@settings(max_examples=60)
@given(st.lists(studies(), min_size=5, max_size=5))
def test_generated_pages_never_raise(batch: list[Any]) -> None:
    # As the API would send them: JSON with \\u escapes for controls and surrogates.
    raw = json.dumps({"studies": batch, "nextPageToken": "t"}).encode("ascii")
    page, problem = _page_json(raw)
    assert page is not None, problem
    for item in ctgov._iter_payload(raw, "page.json"):
        if item.study is None:
            assert item.problem is not None and item.problem.file.startswith("page.json")
            continue
        try:
            trial = ctgov.parse_study(item.study, origin=item.origin)
        except DataError as error:
            assert error.problem.file == item.origin
            continue
        for text in (trial.brief_title or "", *trial.conditions):
            assert UNWANTED.search(text) is None
        _check_stored(item.study)
        ctgov.newer(ctgov.study_last_update(item.study), "2025-01-01")


def test_an_import_of_a_thousand_fuzzed_records(tmp_path: Path) -> None:
    rng = random.Random(23)
    records: list[Any] = []
    for number in range(1000):
        nct = f"NCT{rng.randrange(10**7, 10**8):08d}"
        title = "".join(rng.choice(NASTY + ["a", "b", " ", "é"]) for _ in range(rng.randrange(12)))
        study: dict[str, Any] = {
            "protocolSection": {
                "identificationModule": {"nctId": nct, "briefTitle": title or None},
                "statusModule": {
                    "overallStatus": rng.choice(["RECRUITING", "COMPLETED", "bogus\x00"]),
                    "lastUpdatePostDateStruct": {
                        "date": rng.choice(["2025-01-08", "9999-12-31", "2025-13-45", None])
                    },
                },
            }
        }
        if number % 97 == 0:
            study = rng.choice([[], "text", None, {"protocolSection": [1]}, {"x": "\ud800"}])
        records.append(study)
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(records), encoding="ascii")
    data = tmp_path / "data"
    report = import_paths([path], data)
    assert report.read == 1000
    assert report.added + len(report.skipped) >= 1000 - report.updated
    for problem in report.problems:
        assert problem.file.startswith(str(path)) and problem.message
    loaded = load_trials(data)
    assert len(loaded.trials) == report.added
    for trial in loaded.trials:
        assert UNWANTED.search(trial.brief_title or "") is None

"""Honest figures: for every real registry study with posted results, every number the
trial page shows about them is the record's own (../shared/ctgov; skipped when absent).

Two checks a study: each figure equals the one at its place in the raw record (read
here straight from the JSON, not through the adapter), and no number appears in the
page's lines, in either language, that the record does not hold somewhere.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from trialfinder.family import results
from trialfinder.i18n import using
from trialfinder.sources import ctgov

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "ctgov"
FOLDERS = ("v2_json", "v2_json_fields_subset")
TODAY = dt.date(2026, 12, 6)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _studies_with_results() -> dict[str, dict]:
    """One copy of each study that has a resultsSection (the newest by last update)."""
    kept: dict[str, dict] = {}
    for folder in FOLDERS:
        for item in ctgov.iter_studies(SHARED / folder):
            if item.study is None or not item.study.get("resultsSection"):
                continue
            nct = ctgov.study_id(item.study)
            old = kept.get(nct)
            if old is None or (ctgov.study_last_update(item.study) or "") > (
                ctgov.study_last_update(old) or ""
            ):
                kept[nct] = item.study
    return kept


@pytest.fixture(scope="module")
def studies() -> dict[str, dict]:
    if not (SHARED / "v2_json").is_dir():
        pytest.skip(f"real registry records not found at {SHARED}")
    found = _studies_with_results()
    assert len(found) > 100, "the corpus holds over a hundred studies with results"
    return found


def _int(text: Any) -> int | None:
    return int(text) if isinstance(text, str) and text.strip().isdigit() else text


def _title(group: dict) -> str:
    return (group.get("title") or "").strip() or group["id"]


def _expected_flow(flow: dict | None) -> list[tuple[str, Any, Any]]:
    if not flow or not flow.get("periods"):
        return []
    periods = flow["periods"]

    def counts(period: dict, kind: str) -> dict[str, Any]:
        for milestone in period.get("milestones") or []:
            if (milestone.get("type") or "").strip().upper() == kind:
                return {a["groupId"]: _int(a.get("numSubjects")) for a in milestone["achievements"]}
        return {}

    started, completed = counts(periods[0], "STARTED"), counts(periods[-1], "COMPLETED")
    return [
        (_title(g), started.get(g["id"]), completed.get(g["id"])) for g in flow.get("groups") or []
    ]


def _expected_primary(module: dict | None) -> list[tuple]:
    out = []
    for outcome in (module or {}).get("outcomeMeasures") or []:
        if outcome.get("type") != "PRIMARY":
            continue
        values = [
            (m["groupId"], (m.get("value") or "").strip() or None)
            for klass in outcome.get("classes") or []
            for category in klass.get("categories") or []
            for m in category.get("measurements") or []
        ]
        out.append(
            (
                outcome["title"].strip(),
                (outcome.get("unitOfMeasure") or "").strip() or None,
                (outcome.get("timeFrame") or "").strip() or None,
                [v for _id, v in values],
            )
        )
    return out


def _numbers(text: str) -> set[str]:
    return {_canonical(n) for n in _NUMBER.findall(text)}


def _canonical(number: str) -> str:
    return number.lstrip("0") or "0" if "." not in number else number


def test_every_figure_shown_is_the_records(studies: dict[str, dict]) -> None:
    wrong: list[str] = []
    checked = {"studies": 0, "serious groups": 0, "flow groups": 0, "primary figures": 0}
    for nct, raw in sorted(studies.items()):
        trial = ctgov.parse_study(raw, nct)
        found = results.trial_results(trial, TODAY)
        section = raw["resultsSection"]
        checked["studies"] += 1
        if found.state != results.POSTED:
            wrong.append(f"{nct}: state {found.state}")
        events = section.get("adverseEventsModule") or {}
        expected = [
            (_title(g), g.get("seriousNumAffected"), g.get("seriousNumAtRisk"))
            for g in events.get("eventGroups") or []
        ]
        shown = [(f.group, f.affected, f.at_risk) for f in found.serious]
        if shown != expected:
            wrong.append(f"{nct}: serious {shown} != {expected}")
        checked["serious groups"] += len(shown)
        stats = {
            e["term"].strip(): [(s.get("numAffected"), s.get("numAtRisk")) for s in e["stats"]]
            for e in events.get("seriousEvents") or []
        }
        for event in found.top_serious:
            if [(g.affected, g.at_risk) for g in event.groups] != stats.get(event.term):
                wrong.append(f"{nct}: event {event.term}")
        flow = [(f.group, f.started, f.completed) for f in found.flow]
        if flow != _expected_flow(section.get("participantFlowModule")):
            wrong.append(f"{nct}: flow {flow}")
        checked["flow groups"] += len(flow)
        primary = [
            (o.title, o.unit, o.time_frame, [f.value for f in o.figures]) for o in found.primary
        ]
        if primary != _expected_primary(section.get("outcomeMeasuresModule")):
            wrong.append(f"{nct}: primary outcomes differ")
        checked["primary figures"] += sum(len(o.figures) for o in found.primary)
        pmids = [
            (r.get("pmid") or "").strip()
            for r in (raw["protocolSection"].get("referencesModule") or {}).get("references") or []
        ]
        if sorted(p.pmid or "" for p in found.publications) != sorted(pmids):
            wrong.append(f"{nct}: publications")
    print(f"\nhonest figures: {checked}")
    assert wrong[:10] == []
    assert checked["serious groups"] > 200 and checked["primary figures"] > 300


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_no_number_on_the_page_that_the_record_does_not_hold(
    studies: dict[str, dict], lang: str
) -> None:
    invented: list[str] = []
    for nct, raw in sorted(studies.items()):
        held = _numbers(json.dumps(raw, ensure_ascii=False))
        trial = ctgov.parse_study(raw, nct)
        with using(lang):
            text = "\n".join(results.lines(results.trial_results(trial, TODAY)))
            text += "\n".join(
                value
                for _label, values, _explain in results.compare_rows([trial], TODAY)
                for value in values
            )
        extra = _not_held(text, lang, held)
        if extra:
            invented.append(f"{nct}: {sorted(extra)[:5]}")
    assert invented == []


def _not_held(text: str, lang: str, held: set[str]) -> set[str]:
    """Numbers of the page the record does not hold, read either as the record writes
    them ("80.27", shown as written) or as the page's language groups a count
    ("1,380" in English, "1.380" in Vietnamese; decimals "2,5" there)."""
    group, decimal = (",", ".") if lang == "en" else (".", ",")
    missing: set[str] = set()
    for token in re.findall(r"\d+(?:[.,]\d+)*", text):
        as_written = _numbers(token)
        grouped = _numbers(token.replace(group, "").replace(decimal, "."))
        if not (as_written <= held or grouped <= held):
            missing |= as_written
    return missing

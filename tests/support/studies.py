"""Made-up API v2 studies for the refresh tests (none copied from a real record),
real ones from ``../shared/ctgov`` where present, and a picture of a data directory."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from trialfinder.sources import ctgov

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "ctgov"
V2_JSON = SHARED / "v2_json"

HANOI = {"facility": "Hanoi Children's Hospital", "city": "Hanoi", "country": "Vietnam"}
HUE = {"facility": "Hue Central Hospital", "city": "Hue", "country": "Vietnam"}
SEOUL = {
    "facility": "Seoul Rehabilitation Center",
    "city": "Seoul",
    "country": "Korea, Republic of",
}


def made_up(
    nct: str,
    title: str | None = None,
    status: str = "RECRUITING",
    sites: list[dict] | None = None,
    updated: str = "2025-01-08",
    conditions: tuple[str, ...] = ("Cerebral Palsy",),
) -> dict[str, Any]:
    """A small but complete API v2 study."""
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": nct,
                "briefTitle": title or f"Made-up movement therapy trial {nct}",
            },
            "statusModule": {
                "overallStatus": status,
                "lastUpdatePostDateStruct": {"date": updated, "type": "ACTUAL"},
            },
            "conditionsModule": {"conditions": list(conditions)},
            "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"]},
            "eligibilityModule": {"sex": "ALL", "minimumAge": "2 Years", "maximumAge": "12 Years"},
            "contactsLocationsModule": {"locations": [dict(s) for s in (sites or [HANOI])]},
        },
        "hasResults": False,
    }


def made_up_many(count: int, start: int = 1) -> list[dict]:
    return [made_up(f"NCT0995{i:04d}") for i in range(start, start + count)]


def real_studies() -> list[dict]:
    """Every real study in ../shared/ctgov/v2_json, newest copy of each id, in id order."""
    newest: dict[str, dict] = {}
    for item in ctgov.iter_studies(V2_JSON):
        if item.study is None:
            continue
        nct = ctgov.study_id(item.study)
        if nct is None:
            continue
        kept = newest.get(nct)
        if kept is None or (ctgov.study_last_update(item.study) or "") > (
            ctgov.study_last_update(kept) or ""
        ):
            newest[nct] = item.study
    return [newest[k] for k in sorted(newest)]


def data_state(data_dir: Path) -> dict[str, str]:
    """Every file under ``data_dir`` by the hash of its bytes, every symlink by its
    target (not followed); the lock file, which only says who ran last, left out."""
    state: dict[str, str] = {}
    for folder, dirs, names in os.walk(data_dir):
        for name in names + [d for d in dirs if Path(folder, d).is_symlink()]:
            path = Path(folder, name)
            key = str(path.relative_to(data_dir))
            if key == ".lock":
                continue
            if path.is_symlink():
                state[key] = "-> " + os.readlink(path)
            else:
                state[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def leftovers(data_dir: Path) -> list[str]:
    """Staging folders and temporary files anywhere under ``data_dir``."""
    found = []
    for folder, dirs, names in os.walk(data_dir):
        for name in dirs + names:
            if name.endswith((".partial", ".tmp")) or ".link-" in name:
                found.append(str(Path(folder, name).relative_to(data_dir)))
    return found

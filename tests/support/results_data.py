"""A data directory holding our own registry records with posted results
(tests/fixtures/results), for the catalog, AppTest and browser tests of results."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
#: Posted results, two groups, serious events, publications; a group title in markup.
WITH_RESULTS = "NCT09900101"
#: Posted results with a number not stated (of how many at risk).
PARTLY_STATED = "NCT09900102"
#: Completed in 2018, no results posted: the overdue flag.
NO_RESULTS = "NCT09900103"
TREATMENT = "Botulinum toxin type A"
MARKUP_GROUP = "<b>Toxin</b> *group*"


def build_results_data_dir(root: Path, curated: dict[str, str] | None = None) -> Path:
    """The three registry records as an import leaves them, plus ``curated`` YAML files
    (name -> text) under trials/; returns ``root``."""
    (root / "trials").mkdir(parents=True)
    registry = root / "registry" / "imported" / "NCT099"
    registry.mkdir(parents=True)
    for record in sorted(FIXTURES.glob("*.json")):
        shutil.copy(record, registry)
    for name, text in (curated or {}).items():
        (root / "trials" / name).write_text(text, "utf-8")
    return root

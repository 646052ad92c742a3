"""``trialfinder import``: registry files into the data directory."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trialfinder.datadir import registry_path, write_study
from trialfinder.errors import DataError
from trialfinder.sources import ctgov


@dataclass
class ImportReport:
    read: int = 0
    added: int = 0
    updated: int = 0
    #: (where, why) for every study not written.
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"read {self.read}, added {self.added}, updated {self.updated}, "
            f"skipped {len(self.skipped)}"
        )


def _newer(a: str | None, b: str | None) -> bool:
    """Is update date ``a`` later than ``b``? (ISO dates compare as text)."""
    return (a or "") > (b or "")


def _stored(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def import_paths(paths: Iterable[Path], data_dir: Path) -> ImportReport:
    """Read every study under ``paths``, keep the newest of each NCT id, store it.

    Studies stream through one at a time (a whole-registry import fits in
    memory). A bad study is skipped with its reason; the rest are imported.
    Each stored file is replaced atomically, so nothing is half-written.
    """
    report = ImportReport()
    this_run: dict[str, str] = {}  # id -> origin of the copy stored by this run
    for path in paths:
        for item in ctgov.iter_studies(Path(path)):
            report.read += 1
            if item.study is None:
                reason = item.problem.message if item.problem else "unreadable"
                report.skipped.append((item.origin, reason))
                continue
            try:
                trial = ctgov.parse_study(item.study, origin=item.origin)
            except DataError as error:
                report.skipped.append((item.origin, str(error)))
                continue
            target = registry_path(data_dir, trial.id)
            stored = _stored(target) if target.exists() else None
            if trial.id in this_run:
                if not _newer(trial.dates.last_update, ctgov.study_last_update(stored or {})):
                    report.skipped.append(
                        (item.origin, f"{trial.id} again: a more recently updated copy was kept")
                    )
                    continue
                report.skipped.append(
                    (this_run[trial.id], f"{trial.id} again: a more recently updated copy was kept")
                )
            elif stored == item.study:
                report.skipped.append((item.origin, f"{trial.id} is already stored, unchanged"))
                continue
            elif stored is not None and _newer(
                ctgov.study_last_update(stored), trial.dates.last_update
            ):
                report.skipped.append(
                    (item.origin, f"{trial.id}: the stored record is more recently updated")
                )
                continue
            elif stored is None:
                report.added += 1
            else:
                report.updated += 1
            write_study(data_dir, item.study)
            this_run[trial.id] = item.origin
    return report

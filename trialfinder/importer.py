"""``trialfinder import``: registry files into the data directory."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trialfinder.datadir import NCT_ID, registry_path, write_study
from trialfinder.errors import DataError, DataProblem
from trialfinder.sources import ctgov

_NCT_FIELD = "protocolSection.identificationModule.nctId"


@dataclass
class ImportReport:
    read: int = 0
    added: int = 0
    updated: int = 0
    #: (where, why) for every study not written.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: The skips that are bad input (as opposed to a copy that was not needed:
    #: unchanged, or older than another copy).
    problems: list[DataProblem] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"read {self.read}, added {self.added}, updated {self.updated}, "
            f"skipped {len(self.skipped)}"
        )
        if self.problems:
            text += f" ({len(self.problems)} with problems)"
        return text

    def _bad(self, problem: DataProblem) -> None:
        self.problems.append(problem)
        self.skipped.append((problem.file, _why(problem)))


def _why(problem: DataProblem) -> str:
    """The problem without its file: "record R, field F: what is wrong"."""
    where = []
    if problem.record:
        where.append(f"record {problem.record}")
    if problem.field:
        where.append(f"field {problem.field}")
    return ", ".join(where) + ": " + problem.message if where else problem.message


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
    Of two copies of one trial the more recently updated is kept; on a tie,
    the one met first: the stored copy, else the first read in this run. A
    stored file that cannot be read is replaced (counted as updated).

    Each stored file is replaced atomically, so nothing is half-written; an
    error writing (a full disk) stops the import, every file written so far
    complete.
    """
    report = ImportReport()
    this_run: dict[str, str] = {}  # id -> origin of the copy stored by this run
    for path in paths:
        for item in ctgov.iter_studies(Path(path)):
            report.read += 1
            if item.study is None:
                report._bad(item.problem or DataProblem(file=item.origin, message="unreadable"))
                continue
            try:
                trial = ctgov.parse_study(item.study, origin=item.origin)
            except DataError as error:
                report._bad(error.problem)
                continue
            if not NCT_ID.fullmatch(trial.id):
                report._bad(
                    DataProblem(
                        file=item.origin,
                        record=trial.id,
                        field=_NCT_FIELD,
                        message=f"nctId {trial.id!r} is not an NCT number "
                        "(NCT followed by 8 digits, like NCT01234567)",
                    )
                )
                continue
            date = trial.dates.last_update
            target = registry_path(data_dir, trial.id)
            exists = target.exists()
            stored = _stored(target) if exists else None
            stored_date = ctgov.study_last_update(stored) if stored is not None else None
            if trial.id in this_run:
                earlier = this_run[trial.id]
                if not _newer(date, stored_date):
                    report.skipped.append(
                        (
                            item.origin,
                            f"record {trial.id}: duplicate; the copy from {earlier} "
                            f"(last update {stored_date}) is as recent or more recent "
                            f"than this one ({date}) and was kept",
                        )
                    )
                    continue
                report.skipped.append(
                    (
                        earlier,
                        f"record {trial.id}: duplicate; replaced by the more recently "
                        f"updated copy from {item.origin} (last update {date}, "
                        f"this one {stored_date})",
                    )
                )
            elif stored == item.study:
                report.skipped.append(
                    (item.origin, f"record {trial.id}: already stored, unchanged")
                )
                continue
            elif stored is not None and not _newer(date, stored_date):
                report.skipped.append(
                    (
                        item.origin,
                        f"record {trial.id}: the stored copy (last update {stored_date}) "
                        f"is as recent or more recent than this one ({date}) and was kept",
                    )
                )
                continue
            elif exists:
                report.updated += 1
            else:
                report.added += 1
            write_study(data_dir, item.study)
            this_run[trial.id] = item.origin
    return report

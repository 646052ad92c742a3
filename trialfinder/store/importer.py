"""``trialfinder import``: registry files into the data directory.

Imported studies are the source ``imported``: ``registry/imported`` is a
symlink to its current generation. An import writes the next generation beside
it (hard links to the current files, plus the studies added or updated) and
swaps it in only once every input was read, the same way a refresh publishes
(:mod:`trialfinder.store.publish`): an import that fails or is interrupted changes
nothing. Studies stored in the layout before sources (``registry/NCT075/``)
move into the new generation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trialfinder.errors import DataError, DataProblem
from trialfinder.model import Trial
from trialfinder.sources import ctgov
from trialfinder.sources.files import InputRefused, Limits, read_limited
from trialfinder.store.changes import (
    ChangeReport,
    compare,
    keep_staged_reports,
    now_utc,
    save_report,
    stage_report,
)
from trialfinder.store.layout import (
    IMPORTED,
    NCT_ID,
    PullFolder,
    encode_study,
    registry_pulls,
    resolve_link,
    shard_path,
    source_link,
)
from trialfinder.store.publish import (
    Staging,
    clean_leftovers,
    data_lock,
    retire_legacy_shards,
    utc_stamp,
)

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
    #: What the import changed, once published (None when nothing changed).
    changes: ChangeReport | None = None

    @property
    def published(self) -> bool:
        return self.changes is not None

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
    """Is update date ``a`` later than ``b``? A date unreadable or in the future never is."""
    return ctgov.newer(a, b)


def _stored(path: Path) -> dict | None:
    try:
        raw = read_limited(path, Limits.from_env().record_bytes)
        return ctgov.parse_json_text(raw.decode("utf-8"))
    except (InputRefused, ValueError, RecursionError):
        return None


class ReportNotWritten(Exception):
    """The import was published; only its change report (or tidying up) failed."""


def _date_of(path: Path) -> str:
    stored = _stored(path)
    return (ctgov.study_last_update(stored) if stored is not None else None) or ""


class _Store:
    """The source ``imported`` as this run sees it: the current data until the first
    write, then a staging generation holding the current data plus this run's writes."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        root, _generation = resolve_link(source_link(data_dir, IMPORTED))
        self.current: Path | None = root if root.is_dir() else None
        self.legacy: PullFolder | None = next(
            (s for s in registry_pulls(data_dir) if s.name == ""), None
        )
        self.stage: Staging | None = None

    def _legacy_path(self, trial_id: str) -> Path | None:
        if self.legacy is None or trial_id[:6] not in self.legacy.shards:
            return None
        path = shard_path(self.legacy.root, trial_id)
        return path if path.exists() else None

    def stored_path(self, trial_id: str) -> Path | None:
        """Where the stored copy of ``trial_id`` is, or None: the current one, or the
        legacy one when it is newer, as :meth:`open` stages it (by a link: for a
        trial this run has not written, the staged file is this same file)."""
        current = shard_path(self.current, trial_id) if self.current is not None else None
        if current is not None and not current.exists():
            current = None
        legacy = self._legacy_path(trial_id)
        if current is not None and legacy is not None:
            return legacy if _newer(_date_of(legacy), _date_of(current)) else current
        return current or legacy

    def open(self) -> Staging:
        """Start the next generation: every study stored now, linked (not copied)."""
        if self.stage is None:
            stage = Staging(self.data_dir, IMPORTED)
            try:
                if self.current is not None:
                    stage.link_all(self.current)
                if self.legacy is not None:
                    for path in self.legacy.files():
                        if path.parent.name != path.stem[:6] or not NCT_ID.fullmatch(path.stem):
                            continue  # `trialfinder validate` names these; they are not moved
                        staged = stage.path(path.stem)
                        if not staged.exists() or _newer(_date_of(path), _date_of(staged)):
                            stage.link_file(path.stem, path)
            except BaseException:
                stage.discard()
                raise
            self.stage = stage
        return self.stage

    def write(self, trial_id: str, encoded: bytes) -> None:
        self.open().add(trial_id, encoded)


def import_paths(
    paths: Iterable[Path],
    data_dir: Path,
    *,
    wait: bool = False,
    waiting: Callable[[str], None] | None = None,
    limits: Limits | None = None,
) -> ImportReport:
    """Read every study under ``paths``, keep the newest of each NCT id, publish them.

    Studies stream through one at a time (a whole-registry import fits in
    memory). A bad study is skipped with its reason; the rest are imported.
    Of two copies of one trial the more recently updated is kept; on a tie,
    the one met first: the stored copy, else the first read in this run. A
    stored file that cannot be read is replaced (counted as updated).

    Nothing is visible until every input was read: the new generation is then
    swapped in whole and a change report is written under ``reports/``. No file,
    zip member or study past ``limits`` (default :meth:`Limits.from_env`) is read
    or stored; each is skipped, named. An
    error (a full disk) or an interrupt publishes nothing; the data stays as it
    was. Raises :class:`trialfinder.store.publish.Busy` when another refresh or
    import is running (unless ``wait``).
    """
    paths = list(paths)
    with data_lock(data_dir, "trialfinder import", wait=wait, waiting=waiting):
        clean_leftovers(data_dir)
        keep_staged_reports(data_dir)
        store = _Store(data_dir)
        try:
            report = _import(paths, store, limits or Limits.from_env())
            if store.stage is None and store.legacy is not None:
                store.open()  # the layout before sources moves into registry/imported
            if store.stage is not None:
                report.changes = _publish(paths, data_dir, store)
        finally:
            if store.stage is not None and not store.stage.published:
                store.stage.discard()
    return report


def _publish(paths: list[Path], data_dir: Path, store: _Store) -> ChangeReport:
    stage = store.stage
    assert stage is not None
    when, stamp = now_utc(), utc_stamp()
    shown = [str(p) for p in paths[:20]] + (
        [f"... {len(paths) - 20} more"] if len(paths) > 20 else []
    )
    changes = ChangeReport(source=IMPORTED, kind="import", when=when, origin={"paths": shown})
    old: list[tuple[Path, list[str] | None]] = []
    if store.current is not None:
        old.append((store.current, None))
    if store.legacy is not None:
        old.append((store.legacy.root, list(store.legacy.shards)))
    compare(old, stage.root, changes)
    stage.write_manifest({"source": IMPORTED, "kind": "import", "when": when, "paths": shown})
    changes.published = True
    changes.generation = stage.name
    stage_report(stage.root, changes, stamp)
    try:
        stage.publish()
    except BaseException:
        changes.published = False
        raise
    try:
        if store.legacy is not None:
            retire_legacy_shards(data_dir)
        save_report(data_dir, changes, stamp)
    except OSError as error:  # published all the same: say so, never "nothing changed"
        raise ReportNotWritten(
            f"the import is published, but its change report could not be written: {error}"
        ) from error
    return changes


def _import(paths: list[Path], store: _Store, limits: Limits) -> ImportReport:
    report = ImportReport()
    # id -> (origin, last update) of the copy this run stored: a later copy of the
    # trial is weighed against that, without reading it back.
    this_run: dict[str, tuple[str, str | None]] = {}
    for path in paths:
        for item in ctgov.iter_studies(Path(path), limits):
            report.read += 1
            trial = _usable(item, report)
            if trial is None:
                continue
            encoded = encode_study(item.study)
            too_big = ctgov.record_too_big(encoded, item.origin, limits)
            if too_big is not None:
                report._bad(dataclasses.replace(too_big, record=trial.id))
                continue
            date = trial.dates.last_update
            if trial.id in this_run:
                keep = _beats_this_run(item.origin, trial.id, date, this_run[trial.id], report)
            else:
                keep = _beats_stored(store, item, trial.id, date, report)
            if keep:
                store.write(trial.id, encoded)
                this_run[trial.id] = (item.origin, date)
    return report


def _usable(item: ctgov.StudyInput, report: ImportReport) -> Trial | None:
    """The trial ``item`` holds, or None (the problem reported) when it cannot be imported."""
    if item.study is None:
        report._bad(item.problem or DataProblem(file=item.origin, message="unreadable"))
        return None
    try:
        trial = ctgov.parse_study(item.study, origin=item.origin)
    except DataError as error:
        report._bad(error.problem)
        return None
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
        return None
    return trial


def _beats_this_run(
    origin: str,
    trial_id: str,
    date: str | None,
    earlier: tuple[str, str | None],
    report: ImportReport,
) -> bool:
    """Does this copy replace the one this run already stored? Either way, say why."""
    earlier_origin, earlier_date = earlier
    if not _newer(date, earlier_date):
        report.skipped.append(
            (
                origin,
                f"record {trial_id}: duplicate; the copy from {earlier_origin} "
                f"(last update {earlier_date}) is as recent or more recent "
                f"than this one ({date}) and was kept",
            )
        )
        return False
    report.skipped.append(
        (
            earlier_origin,
            f"record {trial_id}: duplicate; replaced by the more recently "
            f"updated copy from {origin} (last update {date}, "
            f"this one {earlier_date})",
        )
    )
    return True


def _beats_stored(
    store: _Store, item: ctgov.StudyInput, trial_id: str, date: str | None, report: ImportReport
) -> bool:
    """Does this copy go in (added, or updating the stored one)? Counted, or skipped saying why."""
    target = store.stored_path(trial_id)
    stored = _stored(target) if target is not None else None
    stored_date = ctgov.study_last_update(stored) if stored is not None else None
    if stored == item.study:
        report.skipped.append((item.origin, f"record {trial_id}: already stored, unchanged"))
        return False
    if stored is not None and not _newer(date, stored_date):
        report.skipped.append(
            (
                item.origin,
                f"record {trial_id}: the stored copy (last update {stored_date}) "
                f"is as recent or more recent than this one ({date}) and was kept",
            )
        )
        return False
    if target is not None:
        report.updated += 1
    else:
        report.added += 1
    return True

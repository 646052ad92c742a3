"""What a refresh or an import changed: the change report.

:func:`compare` walks the old and the new data of one source shard by shard
(a shard is the ``NCT075/`` folder), so even the whole registry is compared
without holding it in memory: a file that is the same file (a hard link) or
has the same bytes is unchanged without being parsed; only changed records are
read as JSON. Trials are matched by NCT id:

- added: in the new data only; gone: in the old data only (gone from the pull);
- status changes: ``overallStatus`` old -> new;
- sites added or removed: a site is its facility, city and country as written;
- other updates: any other change to the record (``lastUpdatePostDate`` moves).

Each report is kept as ``data/reports/<UTC stamp>-<source>.json``. The
dashboard's data page calls :func:`latest_reports`.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trialfinder import localized, stamps
from trialfinder.family import plain
from trialfinder.family.placenames import site_place
from trialfinder.i18n import DEFAULT, _, language, ngettext
from trialfinder.sources.text import clean_value
from trialfinder.store.layout import NCT_ID, atomic_write_bytes, indented_json

REPORTS = "reports"
REGISTRY_FOLDER = "registry"
REPORT_VERSION = 1
#: Each list of a report names at most this many trials; the counts are always whole.
DETAIL_LIMIT = 1000
_REPORT_NAME = re.compile(r"(?P<stamp>\d{8}T\d{6,12}Z)-(?P<source>[a-z0-9-]+)\.json")
_KINDS = ("added", "gone", "status_changes", "sites_added", "sites_removed", "updated")


def now_utc() -> str:
    return stamps.iso()


@dataclass
class ChangeReport:
    """What one refresh or import of one source changed."""

    source: str
    #: "refresh" or "import".
    kind: str = "refresh"
    #: When the data was pulled (UTC, ISO 8601, "2025-06-01T14:03:22Z").
    when: str = field(default_factory=now_utc)
    #: Trials the source holds after this run.
    studies: int = 0
    #: Was new data swapped in? False for a dry run, a run that changed nothing,
    #: and (never written) a failed one.
    published: bool = False
    dry_run: bool = False
    #: The generation now current (its folder name under registry/.generations/).
    generation: str | None = None
    #: Where the data came from: {"api_url": ..., "params": {...}} or {"paths": [...]}.
    origin: dict[str, Any] = field(default_factory=dict)
    #: Whole counts: added, gone, status_changes (trials), sites_added, sites_removed
    #: (sites), updated (trials), unchanged (trials).
    counts: dict[str, int] = field(default_factory=dict)
    #: {"id", "title", "status"} each.
    added: list[dict] = field(default_factory=list)
    gone: list[dict] = field(default_factory=list)
    #: {"id", "title", "old", "new"} each.
    status_changes: list[dict] = field(default_factory=list)
    #: {"id", "title", "sites": [{"facility", "city", "country"}, ...]} each.
    sites_added: list[dict] = field(default_factory=list)
    sites_removed: list[dict] = field(default_factory=list)
    #: {"id", "title", "old_last_update", "new_last_update"} each.
    updated: list[dict] = field(default_factory=list)
    #: Anything else worth knowing (duplicates in the pull, counts that differ ...).
    notes: list[str] = field(default_factory=list)
    #: Where the report is kept (not stored in it).
    path: Path | None = field(default=None, compare=False)

    @property
    def changed(self) -> bool:
        return any(self.counts.get(k) for k in _KINDS)

    def count(self, kind: str) -> int:
        return self.counts.get(kind, 0)

    @property
    def has_counts(self) -> bool:
        """Does the report count anything (a chart of it would show a bar)?"""
        return any((self.counts or {}).values())

    def origin_line(self) -> str | None:
        """Where the pull came from, in the interface's language: the API and the
        parameters a refresh used, or the paths an import read; None when not kept."""
        origin = self.origin or {}
        if origin.get("api_url"):
            params = "; ".join(f"{k} = {v}" for k, v in (origin.get("params") or {}).items())
            return _("Pulled from {url} with {params}.").format(
                url=origin["api_url"], params=params
            )
        if origin.get("paths"):
            return _("Imported from {paths}.").format(paths=", ".join(map(str, origin["paths"])))
        return None

    def when_text(self) -> str:
        """ "2025-06-01 14:03 UTC" in English (the command, the feeds and the logs share
        it); in another language as it writes a day and a time ("1 tháng 6, 2025, 14:03
        UTC"), for the data page."""
        if language() == DEFAULT:
            return stamps.shown(self.when)
        return localized.moment(self.when) or ""

    def change_text(self) -> str:
        """ "3 added, 1 gone, 2 status changes, ..." or "no changes" (in the interface's
        language: the data page shows it too)."""
        parts = []
        if self.count("added"):
            parts.append(_("{n} added").format(n=localized.count(self.count("added"))))
        if self.count("gone"):
            parts.append(_("{n} gone").format(n=localized.count(self.count("gone"))))
        for kind, words in (
            ("status_changes", lambda n: ngettext("{n} status change", "{n} status changes", n)),
            ("sites_added", lambda n: ngettext("{n} site added", "{n} sites added", n)),
            ("sites_removed", lambda n: ngettext("{n} site removed", "{n} sites removed", n)),
            ("updated", lambda n: ngettext("{n} other update", "{n} other updates", n)),
        ):
            if self.count(kind):
                parts.append(words(self.count(kind)).format(n=localized.count(self.count(kind))))
        return ", ".join(parts) if parts else _("no changes")

    def summary(self) -> str:
        """One line, e.g. "cerebral-palsy, refreshed 2025-06-01 14:03 UTC: 1,234 trials;
        3 added, 1 gone, 2 status changes"."""
        values = {
            "source": self.source,
            "when": self.when_text(),
            "trials": ngettext("{n} trial", "{n} trials", self.studies).format(
                n=localized.count(self.studies)
            ),
            "changes": self.change_text(),
        }
        if self.kind == "import":
            text = _("{source}, imported {when}: {trials}; {changes}").format(**values)
        elif self.kind == "refresh":
            text = _("{source}, refreshed {when}: {trials}; {changes}").format(**values)
        else:
            text = "{source}, {kind} {when}: {trials}; {changes}".format(kind=self.kind, **values)
        if self.dry_run:
            text += " " + _("(dry run: nothing published)")
        return text

    def page_lines(self, limit: int = 30) -> list[str]:
        """The changes trial by trial in sentences of the interface's language, statuses
        in plain words (the data page); at most ``limit`` of each kind. Titles and the
        refresh's notes stay as the registry and the staff tools wrote them."""
        out: list[str] = []

        def trial(row: dict) -> str:
            return f"{row['id']} {row['title']}" if row.get("title") else str(row["id"])

        def sites(row: dict) -> str:
            return sites_in_words(report_sites(row))

        def last(value: str | None) -> str:
            return localized.date(value) or value or plain.not_given()

        kinds = (
            (
                "added",
                lambda r: _("New: {trial} ({status})").format(
                    trial=trial(r), status=plain.status_words(r.get("status"))
                ),
            ),
            ("gone", lambda r: _("Gone from the pull: {trial}").format(trial=trial(r))),
            (
                "status_changes",
                lambda r: _("Status changed: {trial}: {old} → {new}").format(
                    trial=trial(r),
                    old=plain.status_words(r.get("old")),
                    new=plain.status_words(r.get("new")),
                ),
            ),
            (
                "sites_added",
                lambda r: _("Sites added: {id}: {sites}").format(id=r["id"], sites=sites(r)),
            ),
            (
                "sites_removed",
                lambda r: _("Sites removed: {id}: {sites}").format(id=r["id"], sites=sites(r)),
            ),
            (
                "updated",
                lambda r: _("Record updated: {trial} (last update {old} → {new})").format(
                    trial=trial(r),
                    old=last(r.get("old_last_update")),
                    new=last(r.get("new_last_update")),
                ),
            ),
        )
        for kind, show in kinds:
            rows: list[dict] = getattr(self, kind)
            out += [show(row) for row in rows[:limit]]
            whole = len(rows) if kind in ("sites_added", "sites_removed") else self.count(kind)
            more = whole - min(len(rows), limit)
            if more > 0:
                out.append(_("… and {n} more").format(n=localized.count(more)))
        out += [_("Note from the refresh: {note}").format(note=note) for note in self.notes]
        return out

    def lines(self, limit: int = 50) -> list[str]:
        """The changes trial by trial, for a terminal (in English, as the staff tools
        speak); at most ``limit`` of each kind. The data page shows :meth:`page_lines`."""
        out: list[str] = []

        def section(kind: str, rows: list[dict], show) -> None:
            for row in rows[:limit]:
                out.append(show(row))
            more = self.count(kind) - min(len(rows), limit)
            if kind in ("sites_added", "sites_removed"):
                more = len(rows) - min(len(rows), limit)
            if more > 0:
                out.append(f"  ... and {more:,} more {kind.replace('_', ' ')}")

        def title(row: dict) -> str:
            return f" {row['title']}" if row.get("title") else ""

        section(
            "added",
            self.added,
            lambda r: f"  added    {r['id']}{title(r)} ({r.get('status') or 'no status'})",
        )
        section("gone", self.gone, lambda r: f"  gone     {r['id']}{title(r)}")
        section(
            "status_changes",
            self.status_changes,
            lambda r: f"  status   {r['id']}{title(r)}: {r['old']} -> {r['new']}",
        )
        section(
            "sites_added",
            self.sites_added,
            lambda r: f"  sites +  {r['id']}: {'; '.join(map(site_text, r['sites']))}",
        )
        section(
            "sites_removed",
            self.sites_removed,
            lambda r: f"  sites -  {r['id']}: {'; '.join(map(site_text, r['sites']))}",
        )
        section(
            "updated",
            self.updated,
            lambda r: (
                f"  updated  {r['id']}{title(r)} (last update "
                f"{r.get('old_last_update') or '?'} -> {r.get('new_last_update') or '?'})"
            ),
        )
        out += [f"  note: {note}" for note in self.notes]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "source": self.source,
            "kind": self.kind,
            "when": self.when,
            "studies": self.studies,
            "published": self.published,
            "dry_run": self.dry_run,
            "generation": self.generation,
            "origin": self.origin,
            "counts": self.counts,
            **{kind: getattr(self, kind) for kind in _KINDS},
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: Path | None = None) -> ChangeReport:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k != "path"}
        return cls(**known, path=path)


#: A site as a change report names it: (facility, city, country).
SiteNamed = tuple[str | None, str | None, str | None]


def report_sites(row: dict) -> tuple[SiteNamed, ...]:
    """The sites of a report's row (a hand-edited report may hold anything)."""
    listed = row.get("sites")
    if not isinstance(listed, list):
        return ()
    return tuple(site_named(s) for s in listed if isinstance(s, dict))


def sites_in_words(named: Iterable[SiteNamed]) -> str:
    """ "Hue Central Hospital, Huế, Việt Nam; not given", in the page's language."""
    return "; ".join(
        site_place(facility, city, None, country) or plain.not_given()
        for facility, city, country in named
    )


def site_named(site: dict) -> SiteNamed:
    """A report's site as (facility, city, country); None where it names none (a
    hand-edited report may hold anything)."""
    facility, city, country = (site.get(k) for k in ("facility", "city", "country"))
    return tuple(v if isinstance(v, str) and v else None for v in (facility, city, country))


def site_text(site: dict) -> str:
    return ", ".join(site.get(k) or "?" for k in ("facility", "city", "country"))


# ---------------------------------------------------------------- comparing


def _get(study: Any, *keys: str) -> Any:
    node = study
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _title(study: Any) -> str | None:
    value = _get(study, "protocolSection", "identificationModule", "briefTitle")
    return value if isinstance(value, str) else None


def _status(study: Any) -> str | None:
    value = _get(study, "protocolSection", "statusModule", "overallStatus")
    return value if isinstance(value, str) else None


def _last_update(study: Any) -> str | None:
    value = _get(study, "protocolSection", "statusModule", "lastUpdatePostDateStruct", "date")
    return value if isinstance(value, str) else None


def _sites(study: Any) -> Counter:
    """The study's sites as (facility, city, country), as written; a multiset."""
    locations = _get(study, "protocolSection", "contactsLocationsModule", "locations")
    keys: Counter = Counter()
    for loc in locations if isinstance(locations, list) else ():
        if isinstance(loc, dict):
            keys[tuple(loc.get(k) if isinstance(loc.get(k), str) else None for k in _SITE)] += 1
    return keys


_SITE = ("facility", "city", "country")


def _site_dicts(counter: Counter) -> list[dict]:
    return [dict(zip(_SITE, key, strict=True)) for key in sorted(counter.elements(), key=str)]


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _study_files(folder: Path) -> dict[str, Path]:
    try:
        names = os.listdir(folder)
    except OSError:
        return {}
    return {
        n[:-5]: folder / n
        for n in names
        if n.endswith(".json") and not n.startswith(".") and NCT_ID.fullmatch(n[:-5])
    }


def _shards(root: Path, only: Iterable[str] | None) -> set[str]:
    if only is not None:
        return set(only)
    try:
        return {e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith(".")}
    except OSError:
        return set()


def _same_file(a: Path, b: Path) -> bool:
    try:
        sa, sb = a.stat(), b.stat()
    except OSError:
        return False
    if (sa.st_ino, sa.st_dev) == (sb.st_ino, sb.st_dev):
        return True
    if sa.st_size != sb.st_size:
        return False
    try:
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def compare(
    old: list[tuple[Path, Iterable[str] | None]],
    new: Path,
    report: ChangeReport,
    limit: int = DETAIL_LIMIT,
) -> ChangeReport:
    """Fill ``report`` with what changed from the ``old`` folders to the ``new`` one.

    ``old`` is a list of (folder of shards, the shards to read or None for all);
    of an id in two old folders the first is taken. Returns ``report``.
    """
    counts = dict.fromkeys((*_KINDS, "unchanged"), 0)
    studies = 0
    shards: set[str] = _shards(new, None)
    for root, only in old:
        shards |= _shards(root, only)
    for shard in sorted(shards):
        old_files: dict[str, Path] = {}
        for root, only in old:
            if only is not None and shard not in set(only):
                continue
            for trial_id, path in _study_files(root / shard).items():
                old_files.setdefault(trial_id, path)
        new_files = _study_files(new / shard)
        studies += len(new_files)
        for trial_id in sorted(old_files.keys() | new_files.keys()):
            before, after = old_files.get(trial_id), new_files.get(trial_id)
            if before is None:
                counts["added"] += 1
                if len(report.added) < limit:
                    study = _read(after)
                    report.added.append(
                        {"id": trial_id, "title": _title(study), "status": _status(study)}
                    )
                continue
            if after is None:
                counts["gone"] += 1
                if len(report.gone) < limit:
                    study = _read(before)
                    report.gone.append(
                        {"id": trial_id, "title": _title(study), "status": _status(study)}
                    )
                continue
            if _same_file(before, after):
                counts["unchanged"] += 1
                continue
            _compare_one(trial_id, _read(before), _read(after), report, counts, limit)
    report.counts = counts
    report.studies = studies
    return report


def _compare_one(
    trial_id: str, old: Any, new: Any, report: ChangeReport, counts: dict[str, int], limit: int
) -> None:
    title = _title(new) or _title(old)
    other = True
    if _status(old) != _status(new):
        other = False
        counts["status_changes"] += 1
        if len(report.status_changes) < limit:
            report.status_changes.append(
                {"id": trial_id, "title": title, "old": _status(old), "new": _status(new)}
            )
    old_sites, new_sites = _sites(old), _sites(new)
    if old_sites != new_sites:
        other = False
        for kind, diff in (
            ("sites_added", new_sites - old_sites),
            ("sites_removed", old_sites - new_sites),
        ):
            if diff:
                counts[kind] += sum(diff.values())
                rows = getattr(report, kind)
                if len(rows) < limit:
                    rows.append({"id": trial_id, "title": title, "sites": _site_dicts(diff)})
    if other:
        counts["updated"] += 1
        if len(report.updated) < limit:
            report.updated.append(
                {
                    "id": trial_id,
                    "title": title,
                    "old_last_update": _last_update(old),
                    "new_last_update": _last_update(new),
                }
            )


# ---------------------------------------------------------------- keeping


def reports_dir(data_dir: Path) -> Path:
    return data_dir / REPORTS


def save_report(data_dir: Path, report: ChangeReport, stamp: str) -> Path:
    """Write the report as ``reports/<stamp>-<source>.json`` (atomically)."""
    path = reports_dir(data_dir) / f"{stamp}-{report.source}.json"
    payload = indented_json(report.to_dict()) + "\n"
    atomic_write_bytes(path, payload.encode("utf-8"))
    report.path = path
    return path


#: A generation carries its own change report, ``.report-<stamp>-<source>.json``:
#: published with the data by the same rename, so a kill at any instant leaves
#: both or neither. It is copied into ``reports/`` after the swap (or, should the
#: process die first, by the next refresh or import); until then readers find
#: it in the generation (:func:`report_files`).
STAGED_REPORT = ".report-"


def stage_report(generation: Path, report: ChangeReport, stamp: str) -> Path:
    """Write ``report`` into the generation folder being staged (synced with it)."""
    path = generation / f"{STAGED_REPORT}{stamp}-{report.source}.json"
    payload = indented_json(report.to_dict()) + "\n"
    atomic_write_bytes(path, payload.encode("utf-8"), durable=False)
    return path


def _staged_reports(data_dir: Path) -> list[tuple[str, str, Path]]:
    """(stamp, source, path) of the reports inside the generations the sources link to."""
    found = []
    try:
        entries = list(os.scandir(data_dir / REGISTRY_FOLDER))
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_symlink():
            continue
        try:
            names = os.listdir(entry.path)
        except OSError:
            continue
        for name in names:
            if not name.startswith(STAGED_REPORT):
                continue
            match = _REPORT_NAME.fullmatch(name[len(STAGED_REPORT) :])
            if match:
                found.append((match["stamp"], match["source"], Path(entry.path, name)))
    return found


def keep_staged_reports(data_dir: Path) -> list[Path]:
    """Copy into ``reports/`` each report a published generation holds but
    ``reports/`` lacks (its process was killed between the swap and the copy)."""
    kept = []
    for stamp, source, path in _staged_reports(data_dir):
        target = reports_dir(data_dir) / f"{stamp}-{source}.json"
        if target.exists():
            continue
        try:
            atomic_write_bytes(target, path.read_bytes())
        except OSError:
            continue
        kept.append(target)
    return kept


def read_report(path: Path) -> ChangeReport | None:
    """The report kept at ``path``, its text cleaned (a report written before text was
    cleaned on the way in may hold a NUL, which no feed or e-mail can carry); None
    when it cannot be read."""
    try:
        data = clean_value(json.loads(path.read_text(encoding="utf-8")))
        return ChangeReport.from_dict(data, path=path) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError, RecursionError):
        return None


def report_files(data_dir: Path) -> list[tuple[str, str, Path]]:
    """(stamp, source, path) of every report kept, oldest first."""
    try:
        names = os.listdir(reports_dir(data_dir))
    except OSError:
        names = []
    found = []
    for name in names:
        match = _REPORT_NAME.fullmatch(name)
        if match:
            found.append((match["stamp"], match["source"], reports_dir(data_dir) / name))
    listed = set(names)
    for stamp, source, path in _staged_reports(data_dir):
        if f"{stamp}-{source}.json" not in listed:
            found.append((stamp, source, path))
    return sorted(found)


def latest_reports(data_dir: Path) -> list[ChangeReport]:
    """The newest change report of each source, newest first. For the data page.

    Reads only the folder listing and one small file a source; a report that
    cannot be read is passed over (the one before it is shown instead).
    """
    newest: dict[str, ChangeReport] = {}
    for _stamp, source, path in reversed(report_files(data_dir)):
        if source in newest:
            continue
        report = read_report(path)
        if report is not None:
            newest[source] = report
    return sorted(newest.values(), key=lambda r: r.when, reverse=True)

"""Atom feeds of the change reports: one for every change, one for each pull.

Written with feedgen after each refresh (and by ``trialfinder notify``) from
``data/reports/``: ``all.xml`` holds every report that changed something
(refreshes and imports alike); ``source-<name>.xml`` holds those of one pull in
``sources.yaml`` (written, empty at first, for every pull listed). Each entry is
one report: its one-line summary, and the changes trial by trial with links to
the trial pages. Every feed is written in each language of the dashboard:
``all.xml`` in English, ``all.vi.xml`` in Vietnamese (its links open Vietnamese
pages); the registry's titles and the staff tools' notes stay as written. The
newest :data:`MAX_ENTRIES` reports are kept; a feed whose bytes would not change
is not rewritten.

Where they go (:func:`feeds_dir`): ``--feeds-dir``, else
``$TRIALFINDER_FEEDS_DIR``, else, for the project's own ``data/``, the
project's ``static/feeds/``, which Streamlit serves at ``/app/static/feeds/``
when ``server.enableStaticServing`` is on; for any other data directory,
``<data dir>/feeds/`` (not served: set ``TRIALFINDER_FEEDS_DIR`` to the
project's ``static/feeds`` for the refresh and the dashboard alike to serve
them). Streamlit refuses to serve a file reached through a symlink out of
``static/``, so the feeds must really be written there.
"""

from __future__ import annotations

import html
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from feedgen.feed import FeedGenerator

from trialfinder import i18n, localized, stamps
from trialfinder.family import plain
from trialfinder.follow.digest import public_url, trial_url
from trialfinder.i18n import _
from trialfinder.store.changes import (
    ChangeReport,
    read_report,
    report_files,
    report_sites,
    sites_in_words,
)
from trialfinder.store.layout import atomic_write_bytes
from trialfinder.store.refresh import SOURCES_FILE, SourcesError, load_sources

ENV_FEEDS_DIR = "TRIALFINDER_FEEDS_DIR"
PROJECT = Path(__file__).resolve().parents[2]
#: What Streamlit serves at /app/static/ (beside dashboard.py).
STATIC = PROJECT / "static"
PROJECT_FEEDS = STATIC / "feeds"
STATIC_URL = "app/static"
ALL = "all.xml"
MAX_ENTRIES = 50
#: Of each kind of change, an entry names at most this many trials.
MAX_LINES = 100
_SOURCE_FEED = re.compile(r"source-[a-z0-9-]+(?:\.[a-z]{2})?\.xml")
_EPOCH = "1970-01-01T00:00:00Z"


def feeds_dir(data_dir: Path, given: Path | None = None) -> Path:
    """Where the feeds of ``data_dir`` are written (see the module's doc)."""
    if given is not None:
        return given
    configured = os.environ.get(ENV_FEEDS_DIR)
    if configured:
        return Path(configured)
    try:
        if data_dir.resolve() == (PROJECT / "data").resolve():
            return PROJECT_FEEDS
    except OSError:
        pass
    return data_dir / "feeds"


def source_feed(source: str) -> str:
    return f"source-{source}.xml"


def in_language(file_name: str, lang: str) -> str:
    """The feed's file in ``lang``: "all.xml" in English, "all.vi.xml" in Vietnamese."""
    if lang == i18n.DEFAULT:
        return file_name
    return file_name.removesuffix(".xml") + f".{lang}.xml"


def served_url(path: Path) -> str | None:
    """The feed's address relative to the dashboard ("app/static/feeds/all.xml"),
    or None when Streamlit does not serve that folder."""
    try:
        relative = path.resolve().relative_to(STATIC.resolve())
    except (OSError, ValueError):
        return None
    return f"{STATIC_URL}/{relative.as_posix()}"


def _feed_id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'trialfinder/feeds/' + name)}"


def _entry_id(key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'trialfinder/reports/' + key)}"


def _trial_link(base: str, trial_id: str, label: str, lang: str) -> str:
    href = html.escape(trial_url(base, trial_id, lang), quote=True)
    return f'<a href="{href}">{html.escape(label)}</a>'


def _status(value: object) -> str:
    return plain.status_words(str(value) if value else None)


def entry_html(report: ChangeReport, base: str, lang: str = i18n.DEFAULT) -> str:
    """The report as escaped HTML: what changed, trial by trial, linked (in the
    language set with :func:`trialfinder.i18n.using`; links open pages in ``lang``)."""
    parts = [f"<p>{html.escape(report.summary())}</p>"]

    def section(heading: str, kind: str, show) -> None:
        rows = getattr(report, kind)[:MAX_LINES]
        if not rows:
            return
        items = "".join(f"<li>{show(row)}</li>" for row in rows if isinstance(row, dict))
        more = len(getattr(report, kind)) - len(rows)
        if kind not in ("sites_added", "sites_removed"):
            more = report.count(kind) - len(rows)
        more_words = _("… and {n} more").format(n=localized.count(more))
        tail = "<li>" + html.escape(more_words) + "</li>" if more > 0 else ""
        parts.append(f"<p>{html.escape(heading)}</p><ul>{items}{tail}</ul>")

    def trial(row: dict) -> str:
        trial_id = str(row.get("id"))
        title = row.get("title")
        return _trial_link(base, trial_id, f"{trial_id}: {title}" if title else trial_id, lang)

    section(_("Added"), "added", lambda r: f"{trial(r)} ({html.escape(_status(r.get('status')))})")
    section(_("Gone from the pull"), "gone", trial)
    section(
        _("Status changes"),
        "status_changes",
        lambda r: (
            f"{trial(r)}: {html.escape(_status(r.get('old')))} → "
            f"{html.escape(_status(r.get('new')))}"
        ),
    )
    for heading, kind in (
        (_("Sites added"), "sites_added"),
        (_("Sites removed"), "sites_removed"),
    ):
        section(
            heading,
            kind,
            lambda r: f"{trial(r)}: " + html.escape(sites_in_words(report_sites(r))),
        )
    section(
        _("Other updates"),
        "updated",
        lambda r: (
            f"{trial(r)} "
            + html.escape(
                _("(last update {old} → {new})").format(
                    old=r.get("old_last_update") or "?", new=r.get("new_last_update") or "?"
                )
            )
        ),
    )
    if report.notes:
        notes = "".join(f"<li>{html.escape(note)}</li>" for note in report.notes)
        heading = _("Notes")
        parts.append(f"<p>{html.escape(heading)}</p><ul>{notes}</ul>")
    return "\n".join(parts)


def build_feed(
    name: str,
    title: str,
    subtitle: str,
    reports: list[tuple[str, ChangeReport]],
    base: str,
    self_url: str | None,
    lang: str = i18n.DEFAULT,
) -> bytes:
    """An Atom feed of ``reports`` ((key, report), newest first), in the language set
    with :func:`trialfinder.i18n.using`. Same input, same bytes."""
    fg = FeedGenerator()
    fg.id(_feed_id(name))
    fg.title(title)
    fg.subtitle(subtitle)
    fg.author({"name": "trialfinder"})
    fg.language(lang)
    data_page = f"{base}/data" + ("" if lang == i18n.DEFAULT else f"?lang={lang}")
    fg.link(href=data_page, rel="alternate")
    if self_url:
        fg.link(href=self_url, rel="self")
    fg.updated(reports[0][1].when if reports else _EPOCH)
    for key, report in reports:
        entry = fg.add_entry(order="append")
        entry.id(_entry_id(key))
        entry.title(report.summary())
        entry.updated(report.when)
        entry.published(report.when)
        entry.link(href=data_page, rel="alternate")
        entry.content(entry_html(report, base, lang), type="html")
    return fg.atom_str(pretty=True)


@dataclass(frozen=True)
class Feed:
    """One feed: its file, title, and address on the dashboard (None: not served)."""

    path: Path
    title: str
    url: str | None


def _pulls(data_dir: Path) -> list[tuple[str, str | None]]:
    """(name, description) of each pull in sources.yaml; none when it cannot be read."""
    try:
        return [(s.name, s.description) for s in load_sources(data_dir / SOURCES_FILE)]
    except SourcesError:
        return []


def _dated(report: ChangeReport) -> bool:
    """Does the report say when it ran (a hand-edited one might not)?"""
    return stamps.parse(report.when) is not None


def _changed_reports(data_dir: Path, pulls: set[str]) -> dict[str, list[tuple[str, ChangeReport]]]:
    """The newest reports that changed something: under ALL, and under each pull's feed."""
    buckets: dict[str, list[tuple[str, ChangeReport]]] = {ALL: []}
    buckets.update({source_feed(p): [] for p in pulls})
    for stamp, source, path in reversed(report_files(data_dir)):
        wanted = [ALL] if len(buckets[ALL]) < MAX_ENTRIES else []
        own = source_feed(source)
        if own in buckets and len(buckets[own]) < MAX_ENTRIES:
            wanted.append(own)
        if not wanted:
            if all(len(b) >= MAX_ENTRIES for b in buckets.values()):
                break
            continue
        report = read_report(path)
        if report is None or not report.changed or report.dry_run or not _dated(report):
            continue
        for name in wanted:
            buckets[name].append((f"{stamp}-{source}", report))
    return buckets


def write_feeds(data_dir: Path, out_dir: Path | None = None, base: str | None = None) -> list[Feed]:
    """Write every feed of ``data_dir``, in every language; the feeds, all first."""
    base = public_url(base)
    out = feeds_dir(data_dir, out_dir)
    pulls = _pulls(data_dir)
    buckets = _changed_reports(data_dir, {name for name, _ in pulls})
    feeds = []
    for lang in i18n.LANGUAGES:
        with i18n.using(lang):
            for file_name, title, subtitle in _plans(pulls):
                path = out / in_language(file_name, lang)
                url = served_url(path)
                self_url = f"{base}/{url}" if url else None
                payload = build_feed(
                    file_name, title, subtitle, buckets[file_name], base, self_url, lang
                )
                try:
                    same = path.read_bytes() == payload
                except OSError:
                    same = False
                if not same:
                    atomic_write_bytes(path, payload)
                feeds.append(Feed(path, title, url))
    written = {feed.path.name for feed in feeds}
    for stale in out.glob("source-*.xml"):
        if _SOURCE_FEED.fullmatch(stale.name) and stale.name not in written:
            stale.unlink(missing_ok=True)  # a pull no longer in sources.yaml
    return feeds


def _plans(pulls: list[tuple[str, str | None]]) -> list[tuple[str, str, str]]:
    """(file, title, subtitle) of each feed, in the language in use."""
    plans = [
        (
            ALL,
            _("trialfinder: every change to the trials"),
            _("Every refresh and import that changed something."),
        )
    ]
    for name, description in pulls:
        plans.append(
            (
                source_feed(name),
                f"trialfinder: {name}",
                description or _("What each refresh of the pull {name} changed.").format(name=name),
            )
        )
    return plans


def existing_feeds(data_dir: Path, out_dir: Path | None = None) -> list[Feed]:
    """The feeds written for ``data_dir`` in the language in use, all first (for the
    data page)."""
    out = feeds_dir(data_dir, out_dir)
    lang = i18n.language()
    found = []
    everything = out / in_language(ALL, lang)
    if everything.is_file():
        found.append(Feed(everything, _("Every change"), served_url(everything)))
    for name, _description in _pulls(data_dir):
        path = out / in_language(source_feed(name), lang)
        if path.is_file():
            found.append(Feed(path, _("The pull {name}").format(name=name), served_url(path)))
    return found

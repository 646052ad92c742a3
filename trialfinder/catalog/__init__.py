"""The catalog: the data directory as a few columnar tables, kept as a snapshot.

Tables (pandas DataFrames over Arrow memory, one row a ...):
- ``trials``: trial, with the fields the finder filters, sorts and shows (the
  long texts, summaries and the other titles, are in the records only);
- ``sites``: site, keyed by ``trial_id``, grouped by trial in the trials' order;
  sites the record gives no coordinates for are placed at their city from the
  offline gazetteer and marked ``approximate``;
- ``arms``: arm, keyed by ``trial_id``;
- ``terms``: searchable term (condition, keyword, MeSH term or ancestor, title,
  treatment, sponsor).

``trials`` and ``sites`` are read with the catalog; ``arms`` and ``terms`` (the
treatment and sponsor views only) when first used. Beside them:
- ``records``: the whole normalized trial, compressed JSON, read one trial at a
  time for the trial page (:meth:`Catalog.trial`), from disk for a snapshot;
- ``search``: the arrays :mod:`trialfinder.query` works with, built once with
  the tables (:class:`SearchIndex`): a word index of the terms, codes of the
  columns with few values, the default order of results, the sites by
  latitude and by country.

The snapshot is under ``data/.snapshot/v<version>-<fingerprint>/``, rebuilt when
the data files change: the tables and the index as Arrow IPC files (a cold load
maps the files, nothing parsed or converted: every process serving the
same snapshot shares its pages), the records back to back in
``records.bin``. It is built streaming, never holding the trials: they flow
from the data files into chunks of rows spilled to disk. A whole registry is
read by worker processes (one a core) and built in a process of its own, so a
dashboard serving the catalog it has never holds a build beside it. Once built,
a catalog is read-only.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from pathlib import Path

from trialfinder.catalog import workers
from trialfinder.catalog.build import _build_in_memory, build_catalog
from trialfinder.catalog.core import Catalog, read_data_synonyms, with_synonyms
from trialfinder.catalog.schema import META_FILE, SNAPSHOT_VERSION
from trialfinder.catalog.snapshot import (
    _remove_old_snapshots,
    build_snapshot,
    one_builder,
    read_snapshot,
    write_snapshot,
)
from trialfinder.store.layout import SNAPSHOT, fingerprint
from trialfinder.store.reading import SourcesChanged, reads

__all__ = ["Catalog", "build_catalog", "load_catalog", "read_snapshot", "write_snapshot"]
_log = logging.getLogger("trialfinder")


def load_catalog(data_dir: Path, use_snapshot: bool = True) -> Catalog:
    """The catalog of ``data_dir``: from its snapshot when current, else rebuilt;
    with the directory's synonyms file as it is now."""
    return with_synonyms(_load_catalog(data_dir, use_snapshot), read_data_synonyms(data_dir))


def _load_catalog(data_dir: Path, use_snapshot: bool) -> Catalog:
    current = fingerprint(data_dir)
    snapshot_dir = data_dir / SNAPSHOT / f"v{SNAPSHOT_VERSION}-{current}"
    if use_snapshot and (snapshot_dir / META_FILE).exists():
        try:
            return read_snapshot(snapshot_dir)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(snapshot_dir, ignore_errors=True)
    if not use_snapshot:
        return _build_in_memory(data_dir, current)
    with one_builder(snapshot_dir.parent):
        if (snapshot_dir / META_FILE).exists():  # built by another process meanwhile
            return read_snapshot(snapshot_dir)
        built = _build(data_dir, snapshot_dir, current)
    return built if built is not None else read_snapshot(snapshot_dir)


def _build(data_dir: Path, snapshot_dir: Path, current: str) -> Catalog | None:
    """Build the snapshot; a catalog only when it had to be built in memory."""
    large = workers.registry_files(data_dir) >= workers.PARALLEL_FILES
    for attempt, stream in reads(data_dir):
        try:
            if large:
                try:
                    workers.build_elsewhere(data_dir, snapshot_dir, current, final=attempt == 2)
                    break
                except workers.WorkerFailed:  # a build process died (out of memory?): build here
                    _log.exception("the build process failed; building in this process")
            build_snapshot(stream, snapshot_dir, current)
        except SourcesChanged:
            continue
        except OSError:
            # A read-only data directory still serves, only slower to start.
            return _build_in_memory(data_dir, current)
        break
    with contextlib.suppress(OSError):
        _remove_old_snapshots(snapshot_dir)
    return None

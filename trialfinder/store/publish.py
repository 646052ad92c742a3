"""Publishing registry data: a new generation written whole, then swapped in at once.

A source's studies live in an immutable *generation* folder,
``registry/.generations/<source>-<UTC stamp>-<random>/``, and ``registry/<source>``
is a symlink to the current one. A refresh or an import writes the next
generation beside it (as ``<name>.partial``), syncs it to disk, renames it to
its final name, and then replaces the symlink with one ``rename()``: readers
see the old generation or the new one, never a mix. Until that rename nothing
a reader sees has changed, so a failure, an interrupt, a kill or a full disk
leaves the current data exactly as it was.

The generation before the current one is kept (a reader may still be walking
it); older ones, and what killed runs left behind, are removed at the start of
the next refresh or import. One refresh or import runs at a time:
:func:`data_lock` holds ``data/.lock`` (``flock``), which the kernel releases
when the process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from trialfinder.store.layout import (
    GENERATIONS,
    LEGACY_SHARD,
    REGISTRY,
    SOURCE_NAME,
    atomic_write_bytes,
    create_file,
    resolve_link,
    shard_path,
    source_link,
    umask_mode,
)

LOCK_FILE = ".lock"
PARTIAL = ".partial"
#: Prefix of a folder holding the layout before sources once an import moved it.
RETIRED = "_retired-"
_GENERATION = re.compile(r"(?P<source>[a-z0-9-]+)-(?P<stamp>\d{8}T\d{12}Z)-(?P<rand>[0-9a-f]{6})")
#: The stamp given to a plain folder when it becomes a generation: older than any.
_OLDEST = "00000000T000000000000Z"


class Busy(Exception):
    """Another refresh or import holds the data directory."""


def utc_stamp(when: datetime | None = None) -> str:
    """``20250601T140322123456Z``: sorts as time does, unique enough per process."""
    return (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def generation_name(source: str, stamp: str | None = None) -> str:
    return f"{source}-{stamp or utc_stamp()}-{secrets.token_hex(3)}"


def parse_generation(name: str) -> tuple[str, str] | None:
    """(source, stamp) of a generation folder's name, or None for anything else."""
    match = _GENERATION.fullmatch(name)
    return (match["source"], match["stamp"]) if match else None


# ------------------------------------------------------------------- lock


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return f"pid {info['pid']}, `{info['command']}`, started at {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "pid unknown"


@contextlib.contextmanager
def data_lock(
    data_dir: Path,
    command: str,
    wait: bool = False,
    waiting: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold ``data/.lock`` while the block runs: one refresh or import at a time.

    Without ``wait`` a second caller gets :class:`Busy` at once, naming the
    holder; with it, the caller waits (``waiting`` is told whom for). The lock
    is released when the block ends or the process dies.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise Busy(
                    f"another refresh or import is running ({holder}); "
                    "try again when it has finished, or give --wait"
                ) from None
            if waiting is not None:
                waiting(f"waiting for the refresh or import running ({holder}) to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        started = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        info = json.dumps({"pid": os.getpid(), "command": command, "started": started})
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode("utf-8"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


# ------------------------------------------------------------------ cleanup


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _current_generations(data_dir: Path) -> dict[str, str]:
    """source -> the generation its symlink points to."""
    registry = data_dir / REGISTRY
    current: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir(registry):
            if entry.is_symlink():
                _root, generation = resolve_link(Path(entry.path))
                if generation is not None:
                    current[entry.name] = generation
    return current


def clean_leftovers(data_dir: Path, only_source: str | None = None) -> list[str]:
    """Remove what is no longer read; call with :func:`data_lock` held. Returns the names.

    Kept for each source: the current generation and the one before it (the
    newest older one). Removed: older generations; generations of a killed run
    (newer than the current one but never published, or ``.partial``); those
    of a source whose symlink is gone; moved-away old layouts; temporary files.
    ``only_source`` limits it to that source's generations (after a publish).
    """
    registry = data_dir / REGISTRY
    generations = registry / GENERATIONS
    current = _current_generations(data_dir)
    removed: list[str] = []
    try:
        names = sorted(os.listdir(generations))
    except OSError:
        names = []
    by_source: dict[str, list[tuple[str, str]]] = {}
    for name in names:
        parsed = parse_generation(name)
        if parsed is not None:
            by_source.setdefault(parsed[0], []).append((parsed[1], name))
            continue
        if only_source is None and (
            name.endswith(PARTIAL) or name.startswith((RETIRED, ".")) or name.endswith(".tmp")
        ):
            _remove(generations / name)
            removed.append(name)
    for source, found in by_source.items():
        if only_source is not None and source != only_source:
            continue
        keep: set[str] = set()
        pointed = current.get(source)
        if pointed is not None:
            keep.add(pointed)
            stamp = next((s for s, n in found if n == pointed), None)
            older = sorted((s, n) for s, n in found if stamp is not None and s < stamp)
            if older:
                keep.add(older[-1][1])
        for _stamp, name in found:
            if name not in keep:
                _remove(generations / name)
                removed.append(name)
    if only_source is None:
        with contextlib.suppress(OSError):
            for entry in os.scandir(registry):
                if entry.name.startswith(".") and ".link-" in entry.name:
                    _remove(Path(entry.path))
                    removed.append(entry.name)
    return removed


# ------------------------------------------------------------------ staging


def sync_to_disk(root: Path) -> None:
    """Make everything written so far durable: one sync for the whole generation.

    One ``sync()`` instead of an fsync per file (a whole-registry pull writes
    600,000 of them), then an fsync of the generation's folder itself.
    """
    if hasattr(os, "sync"):
        os.sync()
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Best effort: the rename is done; this only hurries it to disk."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def hardlink(src: Path, dst: Path) -> None:
    """``dst`` becomes the same file as ``src`` (a copy where links cannot be made)."""
    try:
        os.link(src, dst)
    except OSError as error:
        if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(src, dst)


class Staging:
    """The next generation of one source, written beside the current one.

    Use as a context manager: leaving the block without :meth:`publish` (an
    error, Ctrl-C) removes everything written. The caller holds
    :func:`data_lock`.
    """

    def __init__(self, data_dir: Path, source: str) -> None:
        if not SOURCE_NAME.fullmatch(source):
            raise ValueError(f"source name {source!r}: lower-case letters, digits and dashes")
        self.data_dir = data_dir
        self.source = source
        self.link = source_link(data_dir, source)
        self.generations = data_dir / REGISTRY / GENERATIONS
        self.name = generation_name(source)
        self.root = self.generations / (self.name + PARTIAL)
        self.final = self.generations / self.name
        current, generation = resolve_link(self.link)
        #: The folder of the data published now (None when the source is new).
        self.current: Path | None = current if current.is_dir() else None
        self.current_generation = generation if self.current is not None else None
        self.published = False
        self.root.mkdir(parents=True)
        self._shards: set[str] = set()
        #: The mode of the files :meth:`add` creates (the umask is read once, at the first).
        self._mode: int | None = None

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self.published:
            self.discard()

    def discard(self) -> None:
        """Remove what was written; the published data is untouched."""
        _remove(self.root)
        if not self.published:
            _remove(self.final)

    # -- writing

    def path(self, trial_id: str) -> Path:
        return shard_path(self.root, trial_id)

    def current_path(self, trial_id: str) -> Path | None:
        return shard_path(self.current, trial_id) if self.current is not None else None

    def _folder(self, trial_id: str) -> Path:
        shard = trial_id[:6]
        folder = self.root / shard
        if shard not in self._shards:
            folder.mkdir(exist_ok=True)
            self._shards.add(shard)
        return folder

    def write(self, trial_id: str, payload: bytes) -> Path:
        """Store ``payload`` as the study ``trial_id`` (replacing a staged copy, never in place)."""
        self._folder(trial_id)
        path = self.path(trial_id)
        atomic_write_bytes(path, payload, durable=False)
        return path

    def add(self, trial_id: str, payload: bytes) -> None:
        """Store ``payload`` as the study ``trial_id``, as :meth:`write` does, but a
        study not staged yet is written where it belongs, with no temporary file
        and no rename: nothing reads the staging before :meth:`publish`, and a
        failed run removes it whole. A staged copy (maybe a link to the current
        generation's file) is replaced, never written through."""
        if self._mode is None:
            self._mode = umask_mode()
        path = f"{self._folder(trial_id)}{os.sep}{trial_id}.json"
        if not create_file(path, payload, self._mode):
            self.write(trial_id, payload)

    def link_file(self, trial_id: str, src: Path) -> Path:
        """Store the file ``src`` (of an older generation) as the study ``trial_id``."""
        folder = self._folder(trial_id)
        path = self.path(trial_id)
        if not path.exists():
            hardlink(src, path)
            return path
        tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            hardlink(src, tmp)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return path

    def put(self, trial_id: str, payload: bytes) -> bool:
        """Store ``payload``; a study unchanged since the current generation is linked
        to it, not written again. True when it was linked."""
        old = self.current_path(trial_id)
        if old is not None:
            try:
                same = old.stat().st_size == len(payload) and old.read_bytes() == payload
            except OSError:
                same = False
            if same:
                self.link_file(trial_id, old)
                return True
        self.write(trial_id, payload)
        return False

    def link_all(self, root: Path, shards: list[str] | None = None) -> int:
        """Link every study of the folder ``root`` (or of its ``shards``) into the staging."""
        count = 0
        if shards is None:
            try:
                shards = sorted(
                    e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith(".")
                )
            except OSError:
                shards = []
        for shard in shards:
            try:
                names = sorted(os.listdir(root / shard))
            except OSError:
                continue
            studies = [n for n in names if n.endswith(".json") and not n.startswith(".")]
            if not studies:
                continue
            folder = self.root / shard
            if shard not in self._shards:
                folder.mkdir(exist_ok=True)
                self._shards.add(shard)
            staged = set(os.listdir(folder))  # one listing, not a look per study
            for name in studies:
                if name not in staged:
                    hardlink(root / shard / name, folder / name)
                    count += 1
        return count

    def write_manifest(self, info: dict) -> None:
        """``.manifest.json``: what this generation is (hidden: never read as a study)."""
        payload = json.dumps({"generation": self.name, **info}, ensure_ascii=False, indent=1)
        atomic_write_bytes(self.root / ".manifest.json", payload.encode("utf-8"), durable=False)

    # -- publishing

    def publish(self) -> Path:
        """Sync, then swap the symlink to the new generation. Returns its folder.

        Raises OSError (a full disk, ...) with the current data untouched; the
        caller's ``with`` block then removes the staging.
        """
        sync_to_disk(self.root)
        os.rename(self.root, self.final)
        registry = self.link.parent
        tmp_link = registry / f".{self.source}.link-{secrets.token_hex(4)}"
        moved: Path | None = None
        try:
            os.symlink(os.path.join(GENERATIONS, self.name), tmp_link)
            if self.link.is_dir() and not self.link.is_symlink():
                # A plain folder (written by hand or by an older version) becomes the
                # previous generation. Between this rename and the next the source
                # is briefly absent: this happens once per data directory.
                moved = self.generations / generation_name(self.source, _OLDEST)
                os.rename(self.link, moved)
            os.replace(tmp_link, self.link)
        except BaseException:
            tmp_link.unlink(missing_ok=True)
            if moved is not None and not self.link.exists():
                os.rename(moved, self.link)
            raise
        self.published = True
        _fsync_dir(registry)
        clean_leftovers(self.data_dir, only_source=self.source)
        return self.final


def retire_legacy_shards(data_dir: Path) -> int:
    """Move the layout before sources (``registry/NCT075/``) out of the way, once
    an import has published its studies under ``registry/imported``."""
    registry = data_dir / REGISTRY
    shards = sorted(
        e.name
        for e in os.scandir(registry)
        if LEGACY_SHARD.fullmatch(e.name) and e.is_dir() and not e.is_symlink()
    )
    if not shards:
        return 0
    retired = registry / GENERATIONS / f"{RETIRED}{utc_stamp()}"
    retired.mkdir(parents=True)
    for shard in shards:
        os.rename(registry / shard, retired / shard)
    return len(shards)

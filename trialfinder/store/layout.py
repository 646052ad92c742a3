"""The data directory: where records live on disk, and how they are read.

```
data/
  sources.yaml                  what `trialfinder refresh` pulls from ClinicalTrials.gov
  trials/<id>.yaml              curated records, written by hand
  registry/<source>             a symlink to the source's current generation:
  registry/.generations/<source>-<UTC stamp>-<random>/NCT075/NCT07527104.json
                                registry studies as the API gave them, one a file; a
                                generation is written whole beside the current one and
                                never changed after it is published
  registry/NCT075/NCT07527104.json   the layout before sources (still read; an import
                                moves it into registry/imported)
  reports/<UTC stamp>-<source>.json  what each refresh or import changed
  .snapshot/                    the catalog's Arrow IPC snapshot (not in git)
  .lock                         held by a running refresh or import (not in git)
```

Writing a generation and swapping it in is :mod:`trialfinder.store.publish`. Readers
resolve each source's symlink once, then read from the folder it pointed to,
so a swap in the middle of a read never mixes two generations; a folder may
also be a plain one (written by hand, or by an older version), read in place.

Every single file write goes beside its target and is renamed into place, so a
reader sees the old file or the new one, never half of one; only a study new to
a generation being staged, which nothing reads before the whole generation is
published, is written in place (:func:`create_file`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trialfinder.sources import ctgov

ENV_DATA_DIR = "TRIALFINDER_DATA_DIR"
REGISTRY = "registry"
CURATED = "trials"
SNAPSHOT = ".snapshot"
#: Under ``registry/``: every generation of every source.
GENERATIONS = ".generations"
#: The source ``trialfinder import`` writes.
IMPORTED = "imported"
#: A ClinicalTrials.gov id, the only kind stored under ``registry/``.
NCT_ID = re.compile(r"NCT[0-9]{8}")
#: A source's name: it names a folder, so lower-case letters, digits and dashes.
SOURCE_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
#: A folder of the layout before sources: ``registry/NCT075/``.
LEGACY_SHARD = re.compile(r"NCT[0-9]{3}")
_NCT_FIELD = "protocolSection.identificationModule.nctId"
_STRAY = (
    "not read: registry files live one folder down, "
    "registry/<source>/<first 6 characters of the id>/<id>.json"
)


def default_data_dir() -> Path:
    """``$TRIALFINDER_DATA_DIR``, else ``./data``."""
    return Path(os.environ.get(ENV_DATA_DIR) or "data")


def shard_path(root: Path, trial_id: str) -> Path:
    """Where a study is stored in a folder of studies: sharded so no folder grows huge."""
    return root / trial_id[:6] / f"{trial_id}.json"


def source_link(data_dir: Path, source: str) -> Path:
    """``registry/<source>``: the symlink to the source's current generation."""
    return data_dir / REGISTRY / source


def registry_path(data_dir: Path, trial_id: str, source: str = IMPORTED) -> Path:
    """Where a source's copy of a registry study is read (through the source's symlink)."""
    return shard_path(source_link(data_dir, source), trial_id)


def _new_file_mode(path: Path) -> int:
    """The mode the file would get from a plain open(): kept if it exists, else umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return umask_mode()


def umask_mode() -> int:
    """The mode a plain open() gives a new file: 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_bytes(path: Path, payload: bytes, durable: bool = True) -> None:
    """Write beside ``path`` and rename over it: all or nothing.

    ``durable=False`` leaves out the fsync, for a file in a generation that is
    synced as a whole before it is published.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _new_file_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)  # mkstemp makes it owner-only
            handle.write(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_file(path: str, payload: bytes, mode: int) -> bool:
    """Write ``payload`` to ``path`` if no file is there; False (and nothing written) if one is.

    Not atomic: a reader could see the file half-written, and a failure leaves
    nothing only because the file is then removed. For a folder nothing reads
    yet (a generation being staged), where a temporary file and a rename per
    file would only double the work.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    try:
        try:
            os.fchmod(fd, mode)  # as atomic_write_bytes does: the umask's mode, whatever the ACLs
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return True


def encode_study(study: dict) -> bytes:
    """A study as stored: the API's JSON, UTF-8, one key a line (same study, same bytes)."""
    return indented_json(study).encode("utf-8")


def indented_json(value: Any) -> str:
    """Exactly ``json.dumps(value, ensure_ascii=False, indent=1)``, in half the time.

    The bytes of a stored study decide "unchanged" (a refresh links a study
    whose bytes did not change; a change report compares bytes before it
    parses), so they must not change. :mod:`json` has no C encoder for an
    indent, and its Python one was the largest cost of an import. No library
    writes the same bytes faster: orjson indents by two spaces only, and
    simplejson's C speedups, like json's, are not used with an indent; so this
    writes them itself, and its tests compare it with json.dumps. Anything but
    plain JSON types (a tuple, a subclass, a key that is not text, a cycle) is
    left to :func:`json.dumps`, so the text, and the errors, stay its own.
    """
    try:
        return _indented(value, "\n")
    except (_NotPlain, RecursionError):
        return json.dumps(value, ensure_ascii=False, indent=1)


class _NotPlain(Exception):
    """A value :func:`_indented` leaves to :func:`json.dumps`."""


#: How json.dumps(ensure_ascii=False) writes text (its C function where there is one).
_text = json.encoder.encode_basestring


def _indented(value: Any, newline: str) -> str:
    """``value`` as json.dumps(indent=1) writes it; ``newline`` is "\\n" plus the indent
    of the line it is on. Text, the most common value, is written in line."""
    kind = value.__class__
    if kind is str:
        return _text(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = newline + " "
        items = []
        for key, item in value.items():
            if key.__class__ is not str:
                raise _NotPlain
            items.append(
                _text(key)
                + ": "
                + (_text(item) if item.__class__ is str else _indented(item, inner))
            )
        return "{" + inner + ("," + inner).join(items) + newline + "}"
    if kind is list:
        if not value:
            return "[]"
        inner = newline + " "
        items = [_text(item) if item.__class__ is str else _indented(item, inner) for item in value]
        return "[" + inner + ("," + inner).join(items) + newline + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return _float(value)
    raise _NotPlain


def _float(value: float) -> str:
    """As json.dumps writes a float (it allows NaN and the infinities)."""
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return float.__repr__(value)


def checked_id(study: dict) -> str:
    """The study's NCT id; ValueError when it has none or it is not an NCT number."""
    trial_id = ctgov.study_id(study)
    if not trial_id:
        raise ValueError("study has no nctId")
    if not NCT_ID.fullmatch(trial_id):
        # The id becomes a path: "NCT0/../../x" must never leave its folder.
        raise ValueError(f"nctId {trial_id!r} is not NCT followed by 8 digits")
    return trial_id


def write_study(root: Path, study: dict, durable: bool = True) -> Path:
    """Store one registry study (as the API gave it) in the folder of studies ``root``."""
    path = shard_path(root, checked_id(study))
    atomic_write_bytes(path, encode_study(study), durable=durable)
    return path


# ------------------------------------------------------------------ sources


@dataclass(frozen=True)
class PullFolder:
    """One pull's studies, resolved: read from ``root`` (its current generation), named
    through ``link``."""

    #: The pull's name; "" for the layout before pulls (shards right under registry/).
    name: str
    #: How files are named in messages: ``registry/<name>`` (``registry`` for the old layout).
    link: Path
    #: The folder read: the generation the symlink pointed to when resolved, or the
    #: plain folder itself.
    root: Path
    #: The generation's folder name, when ``link`` is a symlink.
    generation: str | None = None
    #: For the old layout: the shard folders found (``NCT075``, ...).
    shards: tuple[str, ...] = ()

    def display(self, path: Path | str) -> str:
        """A path under ``root`` as named through ``link``."""
        text, root = str(path), str(self.root)
        if self.generation is not None and text.startswith(root + os.sep):
            return str(self.link) + text[len(root) :]
        return text

    def shard_folders(self) -> list[Path]:
        """The folders that hold studies (hidden ones passed over)."""
        if self.name == "":
            return [self.root / shard for shard in self.shards]
        try:
            entries = sorted(os.scandir(self.root), key=lambda e: e.name)
        except OSError:
            return []
        return [Path(e.path) for e in entries if not e.name.startswith(".") and _is_dir(e)]

    def files(self) -> list[Path]:
        """``<shard>/*.json`` under ``root``, hidden files (".x.tmp", "._x.json") passed over."""
        found = []
        for folder in self.shard_folders():
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            found += [folder / n for n in names if n.endswith(".json") and not n.startswith(".")]
        return sorted(found)

    def still_there(self) -> bool:
        """Is every folder this source was read from still there (not removed meanwhile)?"""
        if self.name == "":
            return all(folder.is_dir() for folder in self.shard_folders())
        return self.root.is_dir()


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def resolve_link(link: Path) -> tuple[Path, str | None]:
    """(folder to read, generation name) for ``registry/<source>``: resolved once."""
    try:
        target = os.readlink(link)
    except OSError:  # not a symlink (a plain folder), or gone
        return link, None
    root = Path(os.path.normpath(link.parent / target))
    return root, root.name


def registry_pulls(data_dir: Path) -> list[PullFolder]:
    """Every pull's folder under ``registry/``, each symlink resolved once, in name order.

    A folder named like a shard (``NCT075``) belongs to the layout before
    sources; all of them together are the source named "" (listed first).
    """
    root = data_dir / REGISTRY
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return []
    legacy: list[str] = []
    sources: list[PullFolder] = []
    for entry in entries:
        if entry.name.startswith(".") or not _is_dir(entry):
            continue  # a dangling symlink is reported by check_data_dir
        if LEGACY_SHARD.fullmatch(entry.name) and not entry.is_symlink():
            legacy.append(entry.name)
            continue
        link = Path(entry.path)
        folder, generation = resolve_link(link)
        sources.append(PullFolder(entry.name, link, folder, generation))
    if legacy:
        sources.insert(0, PullFolder("", root, root, None, tuple(legacy)))
    return sources


def registry_files(data_dir: Path) -> list[Path]:
    """Every study file of every source, as read (in the resolved generation folders)."""
    return sorted(path for source in registry_pulls(data_dir) for path in source.files())


def curated_files(data_dir: Path) -> list[Path]:
    root = data_dir / CURATED
    return sorted(root.glob("*.yaml")) if root.is_dir() else []


def data_files(data_dir: Path) -> list[Path]:
    """Every file whose content makes up the catalog."""
    return registry_files(data_dir) + curated_files(data_dir)


def fingerprint(data_dir: Path) -> str:
    """Changes whenever the data changes; cheap enough for every page run.

    A published generation never changes, so it counts by its name, plus the
    times of its shard folders (a file added or removed by hand changes those):
    a few hundred stats even for the whole registry, never one per study. Plain
    folders (written by hand or by an older version) and curated files count
    file by file: name, size and time. A hand edit inside one file of a
    generation may go unseen; staff correct records with curated overlays.
    """
    digest = hashlib.sha256()
    for source in registry_pulls(data_dir):
        if source.generation is not None:
            digest.update(f"{source.name}\0{source.generation}\n".encode())
            digest.update(_shard_times(source.root).encode())
            continue
        for path in source.files():
            _stat_line(digest, data_dir, path)
    for path in curated_files(data_dir):
        _stat_line(digest, data_dir, path)
    return digest.hexdigest()[:16]


def _shard_times(root: Path) -> str:
    """ "NCT075 <mtime>" for each shard folder: plain strings, no Path, it runs every page."""
    lines = []
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                if entry.name.startswith(".") or not _is_dir(entry):
                    continue
                try:
                    lines.append(f"{entry.name}\0{entry.stat().st_mtime_ns}\n")
                except OSError:
                    continue
    except OSError:
        return ""
    lines.sort()
    return "".join(lines)


def _stat_line(digest, data_dir: Path, path: Path) -> None:
    try:
        stat = path.stat()
    except OSError:
        return
    digest.update(f"{path.relative_to(data_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())

"""Beyond one machine, in miniature: one snapshot built once, shipped whole, swapped in at once.

The refresh job builds the data folder and its catalog snapshot once, then
*publishes* it as an immutable release, ``SHARED/releases/<stamp>/`` with a
manifest of every file (size and SHA-256), and only then points
``SHARED/CURRENT`` at it. Each serving machine *syncs*: it copies a release it
does not have into ``MACHINE/releases/<stamp>.partial``, checks it against the
manifest, renames it, and swaps its ``MACHINE/current`` symlink with one
``rename()``. The dashboards there run with ``TRIALFINDER_DATA_DIR=MACHINE/current``
and resolve it once a page run, so a reader sees the old release or the new one,
never a mix; the shipped snapshot is used as it is (file times are kept, so the
data's fingerprint, and the snapshot's name, are the same on every machine).

Here SHARED is a folder, standing for what a real deployment uses (README,
"Beyond one machine"): an S3 bucket with one prefix a release (``rclone copy``,
then ``rclone check``), an NFS export, or ``rsync -a --link-dest`` from the build
machine. The steps and their order are the same.

    python -m deploy.sync publish --data-dir DATA --shared SHARED
    python -m deploy.sync sync --shared SHARED --machine MACHINE
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

RELEASES = "releases"
CURRENT = "CURRENT"
MANIFEST = "MANIFEST.json"
PARTIAL = ".partial"
#: What a data folder holds that is no part of a release: the refresh lock, unfinished builds.
_LEFT_OUT = (".lock", ".build-")
#: Releases a machine keeps: the current one and the one before (a page run may still read it).
KEEP = 2


class SyncError(RuntimeError):
    """A release that cannot be published or taken, in words for the operator."""


def _ignore(_folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n.startswith(_LEFT_OUT) or n.endswith(PARTIAL)]


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def manifest(folder: Path) -> dict[str, list]:
    """Every regular file under ``folder`` (not through symlinks): [size, sha256]."""
    found: dict[str, list] = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not Path(root, d).is_symlink()]
        for name in files:
            path = Path(root, name)
            if path.is_symlink() or name == MANIFEST:
                continue
            found[str(path.relative_to(folder))] = [path.stat().st_size, _digest(path)]
    return dict(sorted(found.items()))


def _write_atomically(path: Path, text: str) -> None:
    staged = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    with staged.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    staged.replace(path)


def _copy(source: Path, target: Path) -> None:
    """The whole folder, symlinks as symlinks, file and folder times kept (as ``rsync -a``)."""
    shutil.copytree(source, target, symlinks=True, ignore=_ignore, copy_function=shutil.copy2)


def publish(data_dir: Path, shared: Path, name: str | None = None) -> str:
    """Ship ``data_dir`` (with its snapshot) as a new release; CURRENT names it last."""
    name = name or datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    releases = shared / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    staging = releases / f"{name}{PARTIAL}"
    final = releases / name
    if final.exists():
        raise SyncError(f"release {name} is already published; a release never changes")
    shutil.rmtree(staging, ignore_errors=True)
    _copy(data_dir, staging)
    (staging / MANIFEST).write_text(json.dumps(manifest(staging), indent=1), encoding="utf-8")
    staging.rename(final)
    _write_atomically(shared / CURRENT, name + "\n")
    return name


def current_release(root: Path) -> str | None:
    """The release a machine serves (the name its ``current`` symlink points to)."""
    link = root / "current"
    return os.readlink(link).rsplit("/", 1)[-1] if link.is_symlink() else None


def _check(folder: Path, name: str) -> None:
    try:
        expected = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SyncError(f"release {name} has no readable {MANIFEST}") from None
    found = manifest(folder)
    if found != expected:
        wrong = sorted({p for p in set(found) | set(expected) if found.get(p) != expected.get(p)})
        raise SyncError(
            f"release {name} arrived damaged or incomplete ({len(wrong)} file(s) differ from "
            f"its manifest, first {wrong[0]}); the machine keeps serving what it had"
        )


def sync(shared: Path, machine: Path) -> str | None:
    """Bring the machine to the shared CURRENT release; its name, or None if already there."""
    try:
        name = (shared / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        raise SyncError(f"nothing published yet in {shared} (no {CURRENT})") from None
    if current_release(machine) == name:
        return None
    releases = machine / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    local = releases / name
    if not local.exists():
        staging = releases / f"{name}{PARTIAL}"
        shutil.rmtree(staging, ignore_errors=True)
        _copy(shared / RELEASES / name, staging)
        try:
            _check(staging, name)
        except SyncError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        staging.rename(local)
    link = machine / f".current-{secrets.token_hex(4)}"
    os.symlink(f"{RELEASES}/{name}", link)
    link.replace(machine / "current")  # one rename: the old release or the new one
    _prune(releases, keep=name)
    return name


def _prune(releases: Path, keep: str) -> None:
    """Remove all but the newest KEEP releases (never the current one).

    A dashboard may still have the old snapshot's files memory-mapped: removing a
    file only unlinks it, its pages stay readable until they are let go.
    """
    done = sorted(p for p in releases.iterdir() if p.is_dir() and not p.name.endswith(PARTIAL))
    for old in done[:-KEEP]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    out = steps.add_parser("publish", help="ship a data folder (its snapshot built) as a release")
    out.add_argument("--data-dir", type=Path, required=True)
    out.add_argument("--shared", type=Path, required=True)
    take = steps.add_parser("sync", help="bring this machine to the current release")
    take.add_argument("--shared", type=Path, required=True)
    take.add_argument("--machine", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.step == "publish":
            from trialfinder.catalog import load_catalog

            load_catalog(args.data_dir)  # the snapshot is built here, once, not on each machine
            print(f"published {publish(args.data_dir, args.shared)}")
        else:
            name = sync(args.shared, args.machine)
            print(f"now serving {name}" if name else "already current")
    except SyncError as error:
        print(f"trialfinder sync: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

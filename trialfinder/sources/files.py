"""Input files, read with bounds: regular files only, no symlink out of the folder
given, and no more bytes than a record of that kind can need.

Every limit is stated in the README ("Limits on what is read") and can be
raised: ``trialfinder import --max-file-mb/--max-record-mb``, or for every
command (the dashboard's catalog build too) the environment variables
``TRIALFINDER_MAX_FILE_MB`` and ``TRIALFINDER_MAX_RECORD_MB``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MB = 1_000_000
ENV_MAX_FILE_MB = "TRIALFINDER_MAX_FILE_MB"
ENV_MAX_RECORD_MB = "TRIALFINDER_MAX_RECORD_MB"
#: One input file (an API page, a JSON array export) or one zip member.
DEFAULT_FILE_MB = 256
#: One study. The largest real records (with results) are a few MB.
DEFAULT_RECORD_MB = 16


class InputRefused(Exception):
    """A file that is not read; ``message`` says why in plain words (without the path)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    """How much one input may hold before it is refused unread."""

    file_bytes: int = DEFAULT_FILE_MB * MB
    record_bytes: int = DEFAULT_RECORD_MB * MB

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, raised (or lowered) by the environment variables."""
        return cls(
            file_bytes=_env_mb(ENV_MAX_FILE_MB, DEFAULT_FILE_MB),
            record_bytes=_env_mb(ENV_MAX_RECORD_MB, DEFAULT_RECORD_MB),
        )


def _env_mb(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        number = float(value) if value else default
    except ValueError:
        number = default
    return int(number * MB) if number > 0 else default * MB


def megabytes(size: int) -> str:
    """``size`` in plain words: "1.2 GB", "300 MB", "12 kB"."""
    if size >= 1000 * MB:
        return f"{size / (1000 * MB):.1f} GB"
    if size >= MB:
        return f"{size / MB:.0f} MB"
    return f"{max(1, size // 1000)} kB"


def too_big(what: str, size: int | None, limit: int, option: str) -> str:
    """The message for a file, member or record over its limit."""
    said = f"{megabytes(size)}" if size is not None else "more than that"
    return (
        f"{what} is {said}, over the limit of {megabytes(limit)}; not read "
        f"(raise it with {option} if this is a real record)"
    )


def read_limited(path: Path, limit: int, option: str = f"${ENV_MAX_FILE_MB}") -> bytes:
    """The bytes of the regular file ``path``; :class:`InputRefused` for anything else.

    Opened without blocking (a FIFO would otherwise wait for a writer forever)
    and checked to be a regular file before a byte is read (not a device such
    as /dev/zero, a FIFO or a socket); no more than ``limit`` bytes are ever
    read, whatever the file claims its size is.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise InputRefused(f"cannot be read: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputRefused(f"not read: it is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise InputRefused(too_big("the file", info.st_size, limit, option))
        chunks: list[bytes] = []
        got = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > limit:
                raise InputRefused(too_big("the file", None, limit, option))
        return b"".join(chunks)
    except OSError as error:
        raise InputRefused(f"cannot be read: {error.strerror or error}") from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def outside(path: Path, folder: Path) -> str | None:
    """Where a symlink under ``folder`` leads when that is outside ``folder``, else None.

    The target is named, never read: a link to /etc/passwd must not have its
    contents shown in an error.
    """
    try:
        if not path.is_symlink():
            return None
        real = Path(os.path.realpath(path))
        base = Path(os.path.realpath(folder))
    except OSError:
        return "somewhere that cannot be looked at"
    if real == base or base in real.parents:
        return None
    return str(real)

"""The records: each whole normalized trial, compressed JSON, read one at a time."""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from trialfinder.model import Trial


class Records:
    """Every trial as compressed JSON (:func:`record_blob`), read one at a time: from a file (a
    snapshot: the catalog stays small whatever the registry's size) or from
    memory (a catalog built in place).

    ``offsets`` and ``lengths`` are per trial, in the trials table's order.
    """

    def __init__(self, source: Path | bytes, offsets: np.ndarray, lengths: np.ndarray) -> None:
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self._memory: bytes | None = None
        self._file = None
        if isinstance(source, bytes | bytearray | memoryview):
            self._memory = bytes(source)
            size = len(self._memory)
        else:
            # Opened now: the snapshot folder may be removed (a newer snapshot
            # replaces it) while this catalog is still being served.
            self._file = open(source, "rb")  # noqa: SIM115 (kept open as long as the catalog)
            size = os.fstat(self._file.fileno()).st_size
        end = int((self.offsets + self.lengths).max()) if len(self.offsets) else 0
        if end > size:
            self.close()
            raise ValueError("the records file is shorter than its index says")

    def __len__(self) -> int:
        return len(self.offsets)

    def blob(self, position: int) -> bytes:
        offset, length = int(self.offsets[position]), int(self.lengths[position])
        if self._memory is not None:
            return self._memory[offset : offset + length]
        assert self._file is not None
        blob = os.pread(self._file.fileno(), length, offset)
        if len(blob) != length:
            raise ValueError("the records file was cut short")
        return blob

    def json(self, position: int) -> dict[str, Any]:
        return read_blob(self.blob(position))

    def payload(self) -> Iterator[bytes]:
        """The whole compressed file, in pieces (to write it elsewhere)."""
        if self._memory is not None:
            yield self._memory
            return
        assert self._file is not None
        offset, size = 0, os.fstat(self._file.fileno()).st_size
        while offset < size:
            piece = os.pread(self._file.fileno(), min(1 << 24, size - offset), offset)
            if not piece:
                break
            yield piece
            offset += len(piece)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __del__(self) -> None:
        self.close()


#: A record's header: the size of its JSON before compression.
_HEADER = struct.Struct("<I")


def record_blob(trial: Trial) -> bytes:
    """A trial as the records keep it: compact JSON, LZ4-compressed, after its size.

    The JSON of ``trial.to_dict()``, written straight from the dataclasses: their
    fields are their ``__dict__`` in order, and tuples are JSON arrays already.
    """
    text = json.dumps(trial, default=vars, ensure_ascii=False, separators=(",", ":"))
    text = text.encode("utf-8")
    return _HEADER.pack(len(text)) + pa.compress(text, codec="lz4", asbytes=True)


def read_blob(blob: bytes) -> dict[str, Any]:
    (size,) = _HEADER.unpack_from(blob)
    text = pa.decompress(
        memoryview(blob)[_HEADER.size :], decompressed_size=size, codec="lz4", asbytes=True
    )
    return json.loads(text)

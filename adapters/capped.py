"""Reading a whole file or binary stream, but never more than a limit: the one reader of user-named files.

The size a file claims (`st_size`) cannot be trusted for this: it is 0 for /dev/zero and for pipes, which
never end. So a reader takes at most one byte past the limit, and that byte is enough to refuse.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO

_MIB = 1024 * 1024
_CHUNK = 16 * _MIB  # what is asked for at a time when the size is not known (a pipe, a device)


class OverLimitError(Exception):
    """The input holds more than `limit` bytes; what to tell the user is the caller's business."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {size_text(limit)}")
        self.limit = limit


def read_capped(source: str | Path | BinaryIO, limit: int) -> bytes:
    """Every byte of a file (by path) or of an open binary stream, when there are at most `limit` of them.

    Reads at most `limit` + 1 bytes, whatever the input claims or however long it runs. Memory is asked for
    as the bytes arrive (a regular file's size, then chunks), never `limit` bytes up front.

    Raises:
        OverLimitError: the input holds more than `limit` bytes.
        OSError: the file cannot be opened or read (FileNotFoundError, IsADirectoryError, ...).
    """
    if isinstance(source, str | Path):
        with open(source, "rb") as file:
            data = _read_at_most(file, limit + 1)
    else:
        data = _read_at_most(source, limit + 1)
    if len(data) > limit:
        raise OverLimitError(limit)
    return data


def _read_at_most(stream: BinaryIO, most: int) -> bytes:
    """Up to `most` bytes of the stream, to its end; the first read asks for its size when it has one."""
    try:
        size = os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, io.UnsupportedOperation):
        size = 0
    chunks: list[bytes] = []
    total = 0
    want = size + 1 if size else _CHUNK  # one byte more than a file's size: its end shows at once
    while total < most:
        chunk = stream.read(min(want, most - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = _CHUNK
    return b"".join(chunks)


def size_text(count: int) -> str:
    """A byte limit as people read it: whole MiB from 1 MiB up ("5 MiB"), else bytes ("512 bytes")."""
    return f"{count // _MIB} MiB" if count >= _MIB else f"{count} bytes"

"""Reading a whole file or binary stream, but never more than a limit: the one reader of user-named files.

The size a file claims (`st_size`) cannot be trusted for this: it is 0 for /dev/zero and for pipes, which
never end. So a reader takes at most one byte past the limit, and that byte is enough to refuse.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

_MIB = 1024 * 1024


class OverLimitError(Exception):
    """The input holds more than `limit` bytes; what to tell the user is the caller's business."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {size_text(limit)}")
        self.limit = limit


def read_capped(source: str | Path | BinaryIO, limit: int) -> bytes:
    """Every byte of a file (by path) or of an open binary stream, when there are at most `limit` of them.

    Reads at most `limit` + 1 bytes, whatever the input claims or however long it runs.

    Raises:
        OverLimitError: the input holds more than `limit` bytes.
        OSError: the file cannot be opened or read (FileNotFoundError, IsADirectoryError, ...).
    """
    if isinstance(source, str | Path):
        with open(source, "rb") as file:
            data = file.read(limit + 1)
    else:
        data = source.read(limit + 1)
    if len(data) > limit:
        raise OverLimitError(limit)
    return data


def size_text(count: int) -> str:
    """A byte limit as people read it: whole MiB from 1 MiB up ("5 MiB"), else bytes ("512 bytes")."""
    return f"{count // _MIB} MiB" if count >= _MIB else f"{count} bytes"

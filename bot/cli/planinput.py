"""Reading a plan argument: a file path, or - for standard input."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, TextIO

from engine.errors import PlanError

MAX_PLAN_BYTES = 5 * 1024 * 1024


def read_plan_source(arg: str, *, stdin: TextIO) -> tuple[str, str]:
    """Return (text, name) for a plan argument; PlanError says what is wrong with the file."""
    if arg == "-":
        # Bytes, decoded strictly: a text stream would smuggle undecodable bytes in as lone surrogates.
        raw: BinaryIO | None = getattr(stdin, "buffer", None)
        data = raw.read(MAX_PLAN_BYTES + 1) if raw is not None else stdin.read(MAX_PLAN_BYTES + 1).encode()
        if len(data) > MAX_PLAN_BYTES:
            raise PlanError("the plan is larger than 5 MB", where="<stdin>")
        return _decode(data, where="<stdin>"), "<stdin>"
    path = Path(arg)
    if not path.exists():
        raise PlanError("no such file", where=arg)
    if path.is_dir():
        raise PlanError("is a directory, not a plan file", where=arg)
    try:
        # Read at most one byte past the limit: st_size says 0 for /dev/zero and pipes, which never end.
        with path.open("rb") as handle:
            data = handle.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise PlanError(f"cannot read the file: {exc.strerror}", where=arg) from None
    if len(data) > MAX_PLAN_BYTES:
        raise PlanError("the plan is larger than 5 MB; a plan is far smaller", where=arg)
    return _decode(data, where=arg), arg


def _decode(data: bytes, *, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanError(f"not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x})", where=where) from None

"""Reading a plan argument: a file path, or - for standard input."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from engine.errors import PlanError

MAX_PLAN_BYTES = 5 * 1024 * 1024


def read_plan_source(arg: str, *, stdin: TextIO) -> tuple[str, str]:
    """Return (text, name) for a plan argument; PlanError says what is wrong with the file."""
    if arg == "-":
        text = stdin.read(MAX_PLAN_BYTES + 1)
        if len(text) > MAX_PLAN_BYTES:
            raise PlanError("the plan is larger than 5 MB", where="<stdin>")
        return text, "<stdin>"
    path = Path(arg)
    if not path.exists():
        raise PlanError("no such file", where=arg)
    if path.is_dir():
        raise PlanError("is a directory, not a plan file", where=arg)
    try:
        size = path.stat().st_size
        if size > MAX_PLAN_BYTES:
            raise PlanError(f"the plan is {size} bytes; the limit is 5 MB", where=arg)
        data = path.read_bytes()
    except OSError as exc:
        raise PlanError(f"cannot read the file: {exc.strerror}", where=arg) from None
    try:
        return data.decode("utf-8"), arg
    except UnicodeDecodeError as exc:
        raise PlanError(f"not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x})", where=arg) from None

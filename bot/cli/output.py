"""Writing reports and errors to the terminal: JSON for scripts, tables for people (as wide as the terminal or
COLUMNS, 120 columns when piped; coloured on a terminal unless NO_COLOR is set or TERM=dumb)."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict
from typing import TextIO

from pydantic import BaseModel

from bot.render.terminal import output_width, use_color
from bot.render.text import render_text
from engine.errors import EngineError, InputError, PlanError, PlanProblem

_WHERE = re.compile(r"(?P<file>.+?)(?::(?P<line>\d+))?(?::\d+)?")


def plan_problems(exc: PlanError) -> list[PlanProblem]:
    """Every problem of a plan as {file, line, path, message} (CI annotations); a problem of the whole file
    (not YAML, too large, no such file) is one problem where its `where` says."""
    if exc.problems:
        return list(exc.problems)
    where = exc.where or ""
    found = _WHERE.fullmatch(where)
    file = found["file"] if found else where
    line = int(found["line"]) if found and found["line"] else None
    message = exc.message.removeprefix(f"{where}: ") if where else exc.message
    return [PlanProblem(file=file, line=line, path="", message=message)]


class Output:
    """Where and how the CLI writes."""

    def __init__(self, *, fmt: str, stream: TextIO, errors: TextIO | None = None) -> None:
        self.fmt = fmt
        self.stream = stream
        self.errors = errors if errors is not None else sys.stderr

    def report(self, report: BaseModel) -> None:
        """Write one report in the chosen format."""
        if self.fmt == "json":
            data = report.model_dump(mode="json", by_alias=True)
            self.stream.write(json.dumps(data, indent=2) + "\n")
            return
        self.stream.write(render_text(report, color=use_color(self.stream), width=output_width(self.stream),
                                      encoding=getattr(self.stream, "encoding", None) or "utf-8"))

    def error(self, exc: EngineError) -> None:
        """Write an error: JSON on stdout for scripts, a readable line on stderr for people."""
        if self.fmt == "json":
            error: dict[str, object] = {"type": type(exc).__name__, "message": exc.message, "remedy": exc.remedy}
            request_id = getattr(exc, "request_id", None)
            if request_id:
                error["requestId"] = request_id
            if isinstance(exc, PlanError):
                error["problems"] = [asdict(problem) for problem in plan_problems(exc)]
            elif isinstance(exc, InputError) and exc.problems:
                error["problems"] = [asdict(problem) for problem in exc.problems]
            self.stream.write(json.dumps({"error": error}, indent=2) + "\n")
        self.errors.write(f"okebot: error: {exc.message}\n")
        if exc.remedy:
            self.errors.write(f"  fix: {exc.remedy}\n")

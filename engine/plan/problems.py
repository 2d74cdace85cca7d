"""Problems found in a plan file, and the one PlanError that reports them with source, line and field."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic.alias_generators import to_camel

from engine.errors import PlanError, PlanProblem

FieldPath = tuple[str | int, ...]
LineIndex = Mapping[FieldPath, int]

PLAN_REMEDY = "See docs/plan-format.md, or run `okebot plan schema` for the JSON Schema."
_MAX_LISTED = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan file, at a field path such as ("nodePools", 1, "maxPodsPerNode")."""

    path: FieldPath
    message: str


def format_path(path: FieldPath) -> str:
    """A field path in plan terms: nodePools[1].maxPodsPerNode."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def line_of(path: FieldPath, lines: LineIndex) -> int | None:
    """The line of the field, or of its nearest enclosing field the index knows."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


def where(path: FieldPath, *, source: str, lines: LineIndex) -> str:
    """'plan.yaml:12: nodePools[1].maxPodsPerNode', leaving out what is not known."""
    line = line_of(path, lines) if path else lines.get(())
    head = f"{source}:{line}" if line is not None else source
    return f"{head}: {format_path(path)}" if path else head


def plan_error(problems: Sequence[Problem], *, source: str, lines: LineIndex) -> PlanError:
    """One PlanError: the first problem as its headline, every further one on a line of its own."""
    ordered = sorted(problems, key=lambda p: (line_of(p.path, lines) or 0, format_path(p.path)))
    first, rest = ordered[0], ordered[1:]
    extra = [f"{where(p.path, source=source, lines=lines)}: {p.message}" for p in rest[: _MAX_LISTED - 1]]
    if len(rest) >= _MAX_LISTED:
        extra.append(f"... and {len(rest) - _MAX_LISTED + 1} more problems")
    message = "\n".join([first.message, *extra])
    located = [PlanProblem(file=source, line=line_of(p.path, lines) if p.path else lines.get(()),
                           path=format_path(p.path), message=p.message) for p in ordered]
    return PlanError(message, where=where(first.path, source=source, lines=lines), remedy=PLAN_REMEDY,
                     problems=located)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' when a choice is close to the word, else ''."""
    options = list(choices)
    camel = to_camel(word)
    if camel != word and camel in options:
        return f" (did you mean {camel}?)"
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        # A misspelt head of a long key ("maxPodz" for "maxPodsPerNode") matches the key's start best.
        heads = {option[: len(word)]: option for option in options if len(word) >= 4}
        close = [heads[h] for h in difflib.get_close_matches(word, list(heads), n=1, cutoff=0.8)]
    return f" (did you mean {close[0]}?)" if close else ""


def describe(value: object) -> str:
    """A short, safe description of an input value; never the repr of a whole structure."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        text = repr(value)
        return f"the number {text if len(text) <= 30 else text[:27] + '...'}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}" + ("..." if len(value) > 40 else "")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a value of type {type(value).__name__}"

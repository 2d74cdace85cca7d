"""YAML read with the line of every key, so a mistake in okebot.yaml names its key and line; and the problems of a
file gathered, every one, into one InputError.

Shared by the readers of okebot.yaml (`access:` in adapters/access_config.py, `digests:` in
adapters/digest_config.py, the whole file in adapters/okebot_yaml.py). A problem is an engine.errors.InputProblem
(file, line, key path, message); `describe` writes it as "okebot.yaml line 7 (digests.0.schedule): ...".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from engine.errors import InputError, InputProblem

_PARSE_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError)

SECTIONS = ("access", "digests")
"""The top-level keys of okebot.yaml: `access:` (docs/access-control.md) and `digests:` (docs/digests.md)."""

Lines = dict[tuple[str, ...], int]
"""The line (1-based) of each key or list item, by its path: ("digests", "0", "schedule") → 12."""


@dataclass(frozen=True)
class Document:
    """A YAML document as read: its data (safe loader), the line of each key, and the problems found while
    reading it that do not stop the rest from being checked (a key given twice in one mapping)."""

    data: Any
    lines: Lines
    problems: list[InputProblem] = field(default_factory=list)


def read_yaml(text: str, source: str, *, remedy: str) -> Document:
    """The YAML document (safe loader), the line of each key and every key given twice.

    Raises InputError (naming the line, with the one problem in `problems`) when the text is not YAML at all.
    """
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        lines: Lines = {}
        problems: list[InputProblem] = []
        if node is not None:
            note_lines(node, (), lines)
            problems = [InputProblem(source, line, "", message) for line, message in duplicate_keys(node)]
        return Document(data, lines, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise _whole(f"not valid YAML: {exc.problem or exc}", source, mark.line + 1 if mark else None,
                     remedy) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise _whole(f"not valid YAML: {exc.reason} (character U+{exc.character:04X})", source, line,
                     remedy) from None
    except RecursionError:
        raise _whole("nested too deeply to be okebot configuration", source, None, remedy) from None
    except _PARSE_ERRORS as exc:
        raise _whole(f"not valid YAML: {exc}", source, None, remedy) from None
    finally:
        if loader is not None:
            loader.dispose()


def _whole(message: str, source: str, line: int | None, remedy: str) -> InputError:
    """A problem of the whole file, which stops everything else from being checked."""
    return problems_error([InputProblem(source, line, "", message)], remedy=remedy)


def note_lines(node: yaml.Node, path: tuple[str, ...], lines: Lines, seen: set[int] | None = None) -> None:
    """Record the line of every key and list item under `node` into `lines`."""
    # Aliases make the node tree a graph; walking each node once keeps "billion laughs" files cheap.
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value) if isinstance(key, yaml.ScalarNode) else "?")
            lines.setdefault(child, key.start_mark.line + 1)
            note_lines(value, child, lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, str(index))
            lines.setdefault(child, item.start_mark.line + 1)
            note_lines(item, child, lines, seen)


_MERGE_TAG = "tag:yaml.org,2002:merge"


def duplicate_keys(node: yaml.Node, seen: set[int] | None = None) -> list[tuple[int, str]]:
    """(line, message) of every key given twice in one mapping under `node`, in document order.

    YAML loaders keep the last of two equal keys without a word; a setting given twice is a mistake to name,
    not a choice to guess (the second `access:` would silently replace the first).
    """
    seen = set() if seen is None else seen
    if id(node) in seen:
        return []
    seen.add(id(node))
    found: list[tuple[int, str]] = []
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            children.append(value)
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
                continue
            line = key.start_mark.line + 1
            if key.value in first:
                found.append((line, f"the key {key.value!r} appears twice in one mapping "
                                    f"(first on line {first[key.value]})"))
            else:
                first[key.value] = line
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    for child in children:
        found += duplicate_keys(child, seen)
    return found


def line_of(path: Sequence[str], lines: Lines) -> int | None:
    """The line of the key at `path`, or of its nearest enclosing key the index knows."""
    for depth in range(len(path), 0, -1):
        line = lines.get(tuple(path[:depth]))
        if line is not None:
            return line
    return None


def problem(path: Sequence[str], message: str, lines: Lines, source: str) -> InputProblem:
    """The problem `message` at the key `path` ("digests", "0", "schedule") of `source`."""
    return InputProblem(source, line_of(path, lines), ".".join(path), message)


def place(found: InputProblem) -> str:
    """ "okebot.yaml line 7 (digests.0.schedule)": where a problem is, leaving out what is not known."""
    head = f"{found.file} line {found.line}" if found.line is not None else found.file
    return f"{head} ({found.path})" if found.path else head


def describe(found: InputProblem) -> str:
    """ "okebot.yaml line 7 (digests.0.schedule): minute field '61' is out of range (0–59)"."""
    return f"{place(found)}: {found.message}"


def validation_problems(exc: ValidationError, lines: Lines, source: str,
                        prefix: Sequence[str] = ()) -> list[InputProblem]:
    """Every problem pydantic found, each at its key (`prefix` + pydantic's location) with its line."""
    found = []
    for error in exc.errors(include_url=False, include_input=False):
        path = [*prefix, *(str(part) for part in error["loc"] if part != "[key]")]
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "this section is required" if len(path) == 1 else "this key is required"
        elif error["type"] in ("model_type", "dict_type"):  # pydantic names the model class ("_Digest"): ours
            message = "expected a mapping of keys to values here"
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
        found.append(problem(path, message, lines, source))
    return found


def unknown_sections(data: Any, lines: Lines, source: str) -> list[InputProblem]:
    """A problem for each top-level key of okebot.yaml that is not one of SECTIONS, with the section meant when
    one is close ("digest:" → "did you mean digests?"): a misspelt section would otherwise be ignored silently."""
    if not isinstance(data, Mapping):
        return []
    found = []
    known = " and ".join(f"{section}:" for section in SECTIONS)
    for key in data:
        if key in SECTIONS:
            continue
        name = str(key)
        close = difflib.get_close_matches(name, SECTIONS, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else f"; the sections are {known}"
        found.append(problem((name,), f"unknown section {name!r}{hint}", lines, source))
    return found


def problems_error(problems: Iterable[InputProblem], *, remedy: str) -> InputError:
    """One InputError for every problem, in line order: the first is its headline (and `where`), each further
    one a line of its own ("okebot.yaml line 9 (digests.1.mode): ..."); `problems` holds them all.

    Raises ValueError when there is no problem.
    """
    ordered = sorted(problems, key=lambda p: p.line or 0)
    if not ordered:
        raise ValueError("problems_error() needs at least one problem")
    first, rest = ordered[0], ordered[1:]
    message = "\n".join([first.message, *(describe(p) for p in rest)])
    return InputError(message, where=place(first), remedy=remedy, problems=ordered)

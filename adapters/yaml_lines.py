"""YAML read with the line of every key, so an error in okebot.yaml names its key and line.

Shared by the readers of okebot.yaml's sections (`access:` in adapters/access_config.py, `digests:` in
adapters/digest_config.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import ValidationError

from engine.errors import InputError
from engine.words import noun

_PARSE_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError)

Lines = dict[tuple[str, ...], int]
"""The line (1-based) of each key or list item, by its path: ("digests", "0", "schedule") → 12."""


def read_yaml(text: str, source: str, *, remedy: str) -> tuple[Any, Lines]:
    """The YAML document (safe loader) and the line of each key; InputError naming the line for bad YAML."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        lines: Lines = {}
        if node is not None:
            note_lines(node, (), lines)
            duplicate = first_duplicate_key(node)
            if duplicate is not None:
                line, message = duplicate
                raise InputError(message, where=f"{source} line {line}", remedy=remedy)
        return data, lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source} line {mark.line + 1}" if mark is not None else source
        raise InputError(f"not valid YAML: {exc.problem or exc}", where=where, remedy=remedy) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        where = f"{source} line {line}"
        message = f"not valid YAML: {exc.reason} (character U+{exc.character:04X})"
        raise InputError(message, where=where, remedy=remedy) from None
    except RecursionError:
        raise InputError("nested too deeply to be okebot configuration", where=source, remedy=remedy) from None
    except _PARSE_ERRORS as exc:
        raise InputError(f"not valid YAML: {exc}", where=source, remedy=remedy) from None
    finally:
        if loader is not None:
            loader.dispose()


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


def first_duplicate_key(node: yaml.Node, seen: set[int] | None = None) -> tuple[int, str] | None:
    """(line, message) of the first key given twice in one mapping under `node`, None when there is none.

    YAML loaders keep the last of two equal keys without a word; a setting given twice is a mistake to name,
    not a choice to guess (the second `access:` would silently replace the first).
    """
    seen = set() if seen is None else seen
    if id(node) in seen:
        return None
    seen.add(id(node))
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            children.append(value)
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
                continue
            line = key.start_mark.line + 1
            if key.value in first:
                return line, f"the key {key.value!r} appears twice in one mapping (first on line {first[key.value]})"
            first[key.value] = line
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    for child in children:
        found = first_duplicate_key(child, seen)
        if found is not None:
            return found
    return None


def where(path: Sequence[str], lines: Lines, source: str) -> str:
    """ "okebot.yaml line 7 (digests.0.schedule)": the nearest known line of a key path."""
    dotted = ".".join(path) or "(top level)"
    for depth in range(len(path), 0, -1):
        line = lines.get(tuple(path[:depth]))
        if line is not None:
            return f"{source} line {line} ({dotted})"
    return f"{source} ({dotted})"


def first_problem(exc: ValidationError, lines: Lines, source: str, *, remedy: str) -> InputError:
    """The first problem of a ValidationError as an InputError naming the file, line and key."""
    problems = exc.errors(include_url=False, include_input=False)
    first = problems[0]
    path = [str(part) for part in first["loc"] if part != "[key]"]
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    if first["type"] == "missing":
        message = "this section is required"
    more = f" (and {len(problems) - 1} more {noun(len(problems) - 1, 'problem')})" if len(problems) > 1 else ""
    return InputError(message + more, where=where(path, lines, source), remedy=remedy)



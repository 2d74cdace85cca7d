"""JSON read with the line of every field: the standard library's own parser, its values kept with their
offsets, so that a plan's problems can say `plan.json:12: nodePools[1].size: ...` as they do for YAML.

    root = scan_json(text)                       # json.JSONDecodeError as json.loads raises it
    data, lines, problems = json_with_lines(root, text)
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
import types
from collections.abc import Callable
from typing import NamedTuple

from engine.plan.problems import FieldPath, Problem


class _At(NamedTuple):
    """A JSON value and the offset in the text where it starts: a scalar, a list of _At, or _Pairs."""

    value: object
    start: int


class _Pairs(NamedTuple):
    """A JSON object's members in the order written, repeated keys included."""

    members: list[tuple[str, _At]]


# The standard library's own JSON parsing functions (pure Python), with the scanner they call for each value
# wrapped so that every value comes back with its offset. The C scanner cannot be wrapped: it calls itself.
_JSON_OBJECT: Callable[..., tuple[object, int]] = vars(json.decoder)["JSONObject"]
_JSON_ARRAY: Callable[..., tuple[object, int]] = vars(json.decoder)["JSONArray"]
_PY_MAKE_SCANNER: Callable[[object], Callable[[str, int], tuple[object, int]]] = vars(json.scanner)[
    "py_make_scanner"
]
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def scan_json(text: str) -> _At:
    """The JSON document in `text`, every value with its offset; JSONDecodeError as json.loads raises it."""

    def scan(string: str, idx: int) -> tuple[_At, int]:
        value, end = inner(string, idx)
        return _At(value, idx), end

    def parse_object(s_and_end: tuple[str, int], strict: bool, _scan: object, *hooks: object) -> tuple[object, int]:
        return _JSON_OBJECT(s_and_end, strict, scan, *hooks)

    def parse_array(s_and_end: tuple[str, int], _scan: object) -> tuple[object, int]:
        return _JSON_ARRAY(s_and_end, scan)

    context = types.SimpleNamespace(**vars(json.JSONDecoder(object_pairs_hook=_Pairs)))
    context.parse_object, context.parse_array = parse_object, parse_array
    inner = _PY_MAKE_SCANNER(context)
    start = _JSON_SPACE.match(text, 0)
    idx = start.end() if start else 0
    try:
        root, end = scan(text, idx)
    except StopIteration as exc:
        raise json.JSONDecodeError("Expecting value", text, exc.value) from None
    rest = _JSON_SPACE.match(text, end)
    if rest is not None and rest.end() != len(text):
        raise json.JSONDecodeError("Extra data", text, rest.end())
    return root


class _JsonWalk(NamedTuple):
    text: str
    newlines: list[int]  # the offset of every newline, to turn an offset into a line
    lines: dict[FieldPath, int]
    problems: list[Problem]

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1

    def key_line(self, value_start: int) -> int:
        """The line of the key whose value starts at `value_start` (of its closing quote, before the colon)."""
        quote = self.text.rfind(":", 0, value_start) - 1  # only blanks and the colon come between
        while quote > 0 and self.text[quote] in " \t\n\r":
            quote -= 1
        return self.line(value_start) - self.text.count("\n", quote, value_start)


def _json_plain(node: _At, path: FieldPath, walk: _JsonWalk) -> object:
    """The plain value of `node` (dicts, lists, scalars), recording the line of every field and each key given
    twice in one mapping (the last is kept, as json.loads keeps it). The line of `path` is recorded already."""
    value = node.value
    if isinstance(value, list):
        plain = []
        for i, item in enumerate(value):
            walk.lines[(*path, i)] = walk.line(item.start)
            plain.append(_json_plain(item, (*path, i), walk))
        return plain
    if not isinstance(value, _Pairs):
        return value
    seen: dict[str, list[int]] = {}
    for key, item in value.members:
        seen.setdefault(key, []).append(walk.key_line(item.start))
    last = {key: i for i, (key, _) in enumerate(value.members)}
    result: dict[str, object] = {}
    for i, (key, item) in enumerate(value.members):
        if i != last[key]:
            result.setdefault(key, None)  # in the order first written, with the value written last
            continue
        walk.lines[(*path, key)] = seen[key][-1]
        result[key] = _json_plain(item, (*path, key), walk)
        if len(seen[key]) > 1:
            walk.problems.append(Problem((*path, key), given_again(key, seen[key])))
    return result


def given_again(key: str, lines: list[int]) -> str:
    times = "twice" if len(lines) == 2 else f"{len(lines)} times"
    return f"the key {key!r} appears {times} in one mapping (first on line {lines[0]})"


def json_with_lines(root: _At, text: str) -> tuple[object, dict[FieldPath, int], list[Problem]]:
    """The plain document `scan_json` read (dicts, lists, scalars), the line of every field path, and a
    problem for each key given twice in one mapping (the last value kept, as json.loads keeps it)."""
    newlines = [match.start() for match in re.finditer("\n", text)]
    walk = _JsonWalk(text, newlines, {}, [])
    walk.lines[()] = walk.line(root.start)
    data = _json_plain(root, (), walk)
    return data, walk.lines, walk.problems

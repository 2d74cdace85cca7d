"""The one plan reader: a path or stdin, bytes (a Slack upload) or text in, a Plan out; every bad input
becomes one PlanError. One size cap (MAX_PLAN_BYTES) and one decoding rule (strict UTF-8, a BOM allowed).

YAML is read with the safe loader only. Before anything is built from it the node graph is measured, so an
alias bomb ("billion laughs") or very deep nesting is refused instead of expanded; each field's line is
kept so that messages can say `plan.yaml:12: nodePools[1].maxPodsPerNode: ...`.
"""

from __future__ import annotations

import codecs
import json
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import yaml

from adapters.capped import OverLimitError, read_capped, size_text
from adapters.json_lines import given_again, json_with_lines, scan_json
from engine.errors import PlanError
from engine.findings import cidr_location_key, field_location_key
from engine.plan import LineIndex, Plan, parse_plan
from engine.plan.problems import PLAN_REMEDY, FieldPath, Problem, format_path

# The one cap on a plan, however it arrives: a file, stdin, a Slack modal, a message or an uploaded file.
MAX_PLAN_BYTES = 5 * 1024 * 1024
TOO_LARGE = f"the plan is larger than {size_text(MAX_PLAN_BYTES)}; a plan is far smaller"
STDIN = "<stdin>"
EMPTY_PATH_REMEDY = "name a plan file, or - to read the plan from standard input"
MAX_YAML_NODES = 100_000
MAX_DEPTH = 40
_MERGE_TAG = "tag:yaml.org,2002:merge"
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Refused(Exception):
    """The YAML node graph is too big or too deep to build."""


class PlanText(NamedTuple):
    """A plan's text as read, and the name messages give its source ("plan.yaml", "<stdin>")."""

    text: str
    source: str


def read_plan_path(path_or_dash: str | Path, *, stdin: BinaryIO | None) -> PlanText:
    """The text of the plan a command-line argument names: a file path, or "-" for standard input.

    Standard input is read as bytes (`sys.stdin.buffer`), never through a text stream, which would smuggle
    undecodable bytes in as lone surrogates; None means there is none. Decoded by `read_plan_bytes`.

    Raises:
        PlanError: an empty path, no such file, a directory, unreadable, larger than MAX_PLAN_BYTES, not UTF-8.
    """
    name = str(path_or_dash)
    if name == "":
        # Path("") is the current directory: "is a directory" would name no file at all.
        raise PlanError("the path of the plan file is empty", remedy=EMPTY_PATH_REMEDY)
    if name == "-":
        if stdin is None:
            raise PlanError("there is no standard input to read the plan from", where=STDIN)
        return PlanText(read_plan_bytes(_read(stdin, source=STDIN), source=STDIN), STDIN)
    return PlanText(read_plan_bytes(_read(Path(name), source=name), source=name), name)


def read_plan_bytes(data: bytes, *, source: str) -> str:
    """The text of a plan's bytes, however they arrived (a file, stdin, a file uploaded to Slack).

    At most MAX_PLAN_BYTES bytes of UTF-8, decoded strictly; a leading byte-order mark is dropped.
    `source` names the input in messages.

    Raises:
        PlanError: too many bytes, or not UTF-8 (naming the first bad byte and its offset in `data`).
    """
    check_plan_size(len(data), source=source)
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return str(memoryview(data)[bom:], "utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start  # the decoder counts from after the BOM
        message = f"not UTF-8 text (byte 0x{data[offset]:02x} at offset {offset}); is this a plan file?"
        raise PlanError(message, where=source, remedy=PLAN_REMEDY) from None


def check_plan_size(size: int, *, source: str) -> None:
    """Refuse a plan of more than MAX_PLAN_BYTES bytes with the PlanError every entry point gives."""
    if size > MAX_PLAN_BYTES:
        raise PlanError(TOO_LARGE, where=source, remedy=PLAN_REMEDY)


def _read(input_: Path | BinaryIO, *, source: str) -> bytes:
    try:
        return read_capped(input_, MAX_PLAN_BYTES)
    except OverLimitError:
        raise PlanError(TOO_LARGE, where=source, remedy=PLAN_REMEDY) from None
    except FileNotFoundError:
        raise PlanError("no such file", where=source) from None
    except IsADirectoryError:
        raise PlanError("is a directory, not a plan file", where=source) from None
    except OSError as exc:
        raise PlanError(f"cannot read the file: {exc.strerror or exc}", where=source) from None


class LocatedPlan(NamedTuple):
    """A plan, and where in its file each thing a finding can be about starts: `locations` maps a finding
    subject ("subnet:pods", "nodePool:general", "cluster:prod", "vcn:prod-vcn") to (line, field path), each
    VCN or subnet CIDR block (`engine.findings.cidr_location_key`) to its own (line, "vcn.cidrs[1]"), and each
    field of a subject and each CIDR field, valid or not (`engine.findings.field_location_key`), to its own
    (line, "cluster.podsCidr")."""

    plan: Plan
    locations: dict[str, tuple[int, str]]


def load_plan_text(text: str, *, source: str) -> Plan:
    """Read a plan from YAML or JSON text (see `load_located_plan`)."""
    return load_located_plan(text, source=source).plan


def load_located_plan(text: str, *, source: str) -> LocatedPlan:
    """Read a plan from YAML or JSON text; `source` names it in messages (a file name, "<stdin>").

    Every entry point's text ends here: a file or stdin (through `read_plan_path`), a file uploaded to
    Slack (through `read_plan_bytes`), text pasted in a modal or a message's code block. Its size counts
    UTF-8 bytes, so a plan refused as a file is refused as text too.

    Raises:
        PlanError: too large, a lone surrogate, empty, not YAML or JSON, or not a valid plan.
    """
    check_plan_size(len(text), source=source)  # every character is at least one byte: refused unencoded
    try:
        encoded = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise PlanError(
            f"character {exc.start + 1} is not valid Unicode text (a lone surrogate, {text[exc.start]!a})",
            where=f"{source}:{line}",
            remedy=PLAN_REMEDY,
        ) from None
    check_plan_size(encoded, source=source)
    if not text.strip():
        raise PlanError(
            "the plan is empty; a plan starts with apiVersion: okebot.plan/v1",
            where=source,
            remedy=PLAN_REMEDY,
        )
    if source.lower().endswith(".json"):
        loaded = _load_json(text, source=source)
    elif text.lstrip().startswith(("{", "[")):
        loaded = _load_json_or_yaml(text, source=source)
    else:
        loaded = _load_yaml(text, source=source)
    plan = parse_plan(loaded.data, source=source, lines=loaded.lines, found=loaded.problems)
    return LocatedPlan(plan, _locations(plan, loaded.lines))


class _Loaded(NamedTuple):
    """A document as loaded: its data, the line of every field, and the problems that did not stop loading
    (a key given twice in one mapping: the last is kept, as both YAML and JSON loaders do)."""

    data: object
    lines: LineIndex
    problems: list[Problem]


def _locations(plan: Plan, lines: LineIndex) -> dict[str, tuple[int, str]]:
    """Where each subject a finding can name starts in the file."""
    found: dict[str, tuple[int, str]] = {}
    wanted: list[tuple[str, FieldPath]] = [(f"cluster:{plan.cluster.name}", ("cluster",)),
                                           (f"vcn:{plan.vcn.name}", ("vcn",))]
    wanted += [(f"subnet:{subnet.name}", ("subnets", i)) for i, subnet in enumerate(plan.subnets)]
    wanted += [(f"nodePool:{pool.name}", ("nodePools", i)) for i, pool in enumerate(plan.node_pools)]
    for subject, path in wanted:
        line = lines.get(path)
        if line is not None:
            found.setdefault(subject, (line, format_path(path)))
    # Each field of a subject (cluster.podsCidr, nodePools[1].maxPodsPerNode), for findings about one field.
    subject_paths = {path for _, path in wanted}
    for path, line in lines.items():
        if path and path[:-1] in subject_paths and isinstance(path[-1], str):
            found[field_location_key(format_path(path))] = (line, format_path(path))
    # Each CIDR block's own line, for findings about one block; a block listed twice is placed on its last listing.
    for subject, path in _cidr_paths(plan):
        line, block = lines.get(path), _block(_value_at(plan, path))
        if line is not None:
            found[field_location_key(format_path(path))] = (line, format_path(path))
        if line is not None and block is not None:
            found[cidr_location_key(subject, block)] = (line, format_path(path))
    return found


def _cidr_paths(plan: Plan) -> list[tuple[str, FieldPath]]:
    """The field path of every VCN and subnet CIDR block the plan writes, with its subject."""
    vcn = f"vcn:{plan.vcn.name}"
    paths: list[tuple[str, FieldPath]] = [(vcn, ("vcn", "cidrs", i)) for i in range(len(plan.vcn.cidrs))]
    for i, subnet in enumerate(plan.subnets):
        subject = f"subnet:{subnet.name}"
        if subnet.cidrs is not None:
            paths += [(subject, ("subnets", i, "cidrs", k)) for k in range(len(subnet.cidrs))]
        elif subnet.cidr is not None:
            paths.append((subject, ("subnets", i, "cidr")))
    return paths


def _value_at(plan: Plan, path: FieldPath) -> str:
    if path[0] == "vcn":
        return plan.vcn.cidrs[int(path[2])]
    subnet = plan.subnets[int(path[1])]
    return subnet.cidrs[int(path[3])] if len(path) == 4 and subnet.cidrs is not None else subnet.cidr or ""


def _block(text: str) -> str | None:
    """The block as the engine writes it (what a finding's details name), or None when it is not one."""
    try:
        return str(IPv4Network(text))
    except ValueError:
        return None


def _load_json_or_yaml(text: str, *, source: str) -> _Loaded:
    # Text opening with a brace is most likely JSON, but YAML flow style opens the same way.
    try:
        return _load_json(text, source=source)
    except PlanError as json_error:
        try:
            return _load_yaml(text, source=source)
        except PlanError:
            raise json_error from None


def _load_json(text: str, *, source: str) -> _Loaded:
    try:
        root = scan_json(text)
    except json.JSONDecodeError as exc:
        truncated = " (the text ends early: is it truncated?)" if exc.pos >= len(text.rstrip()) else ""
        where = f"{source}:{exc.lineno}:{exc.colno}"
        raise PlanError(f"not valid JSON: {exc.msg}{truncated}", where=where, remedy=PLAN_REMEDY) from None
    except RecursionError:
        raise PlanError(f"nested more than {MAX_DEPTH} levels deep", where=source, remedy=PLAN_REMEDY) from None
    except ValueError as exc:
        raise PlanError(f"not valid JSON: {exc}", where=source, remedy=PLAN_REMEDY) from None
    data, lines, problems = json_with_lines(root, text)
    return _Loaded(data, lines, problems)


def _load_yaml(text: str, *, source: str) -> _Loaded:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return _Loaded(None, {}, [])
        lines: dict[FieldPath, int] = {}
        if _expanded_size(node, {}, depth=0) > MAX_YAML_NODES:
            raise _Refused(f"expands to more than {MAX_YAML_NODES} values (aliases?); a plan is far smaller")
        problems: list[Problem] = []
        _index(node, (), lines, problems)
        return _Loaded(loader.construct_document(node), lines, problems)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, source=source, text=text) from None
    except yaml.YAMLError as exc:
        raise PlanError(f"not valid YAML: {_one_line(str(exc))}", where=source, remedy=PLAN_REMEDY) from None
    except _Refused as exc:
        raise PlanError(str(exc), where=source, remedy=PLAN_REMEDY) from None
    except RecursionError:
        raise PlanError(f"nested more than {MAX_DEPTH} levels deep", where=source, remedy=PLAN_REMEDY) from None
    except ValueError as exc:
        # The constructor checks values such as dates (2024-13-45) and the length of huge integers.
        raise PlanError(f"cannot read a value: {exc}", where=source, remedy=PLAN_REMEDY) from None
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.MarkedYAMLError, *, source: str, text: str) -> PlanError:
    mark = exc.problem_mark or exc.context_mark
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
    context = f"{exc.context}, " if exc.context else ""
    said = _one_line(context + str(exc.problem))
    lines = text.splitlines()
    if mark is not None and mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == "\t":
        # YAML forbids tabs in indentation; PyYAML's own words ("cannot start any token") do not say so.
        said = "a tab: YAML indents with spaces only"
        return PlanError(f"not valid YAML: {said}", where=where, remedy="replace the tabs with spaces")
    return PlanError(f"not valid YAML: {said}", where=where, remedy=PLAN_REMEDY)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _expanded_size(node: yaml.Node, sizes: dict[int, int], *, depth: int) -> int:
    """How many values the node builds, counting every alias in full, measured without building them."""
    if depth > MAX_DEPTH:
        raise _Refused(f"nested more than {MAX_DEPTH} levels deep")
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = MAX_YAML_NODES + 1  # a node that contains itself is refused
    size = 1
    for child in _children(node):
        size += _expanded_size(child, sizes, depth=depth + 1)
        if size > MAX_YAML_NODES:
            break
    sizes[id(node)] = size
    return size


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _index(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int], problems: list[Problem]) -> None:
    """Record the line of every field, and each key given twice in one mapping (the last is kept, as the
    loader keeps it: its lines are the ones recorded)."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines, problems)
    if isinstance(node, yaml.MappingNode):
        keys = [(k, key) for k, (key, _) in enumerate(node.value)
                if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE_TAG]
        seen: dict[str, list[int]] = {}
        for _, key in keys:
            seen.setdefault(key.value, []).append(key.start_mark.line + 1)
        last = {key.value: k for k, key in keys}
        for k, key in keys:
            if k != last[key.value]:
                continue
            lines[(*path, key.value)] = key.start_mark.line + 1
            _index(node.value[k][1], (*path, key.value), lines, problems)
            if len(seen[key.value]) > 1:
                problems.append(Problem((*path, key.value), given_again(key.value, seen[key.value])))

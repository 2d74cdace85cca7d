"""Read the access policy from the `access:` section of okebot.yaml; every error names its key and line.

    access:
      default_role: viewer        # viewer | operator | admin | none
      unbound_channels: all       # all | none: what a channel with no binding may see
      users:  {U0123ABCD: admin}
      groups: {S0SRE: operator, "@oncall": operator}
      channels:
        C0PAYMENTS: {clusters: [payments-native], default_cluster: payments-native}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from engine.access import AccessPolicy, ChannelBinding, GrantKind, Role, RoleGrant, channel_key, subject_key
from engine.errors import InputError

_REMEDY = "see docs/access-control.md and deploy/okebot.example.yaml"
_PARSE_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError)

Lines = dict[tuple[str, ...], int]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Channel(_Strict):
    clusters: tuple[str, ...] = ()
    compartments: tuple[str, ...] = ()
    default_cluster: str | None = None


class _Access(_Strict):
    default_role: Literal["viewer", "operator", "admin", "none"] = "viewer"
    unbound_channels: Literal["all", "none"] = "all"
    users: dict[str, Role] = {}
    groups: dict[str, Role] = {}
    channels: dict[str, _Channel] = {}


class _File(BaseModel):
    # Other sections of okebot.yaml belong to other readers.
    model_config = ConfigDict(extra="ignore")
    access: _Access


def load_access_policy(path: Path) -> AccessPolicy:
    """Read the access policy from a YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the access policy: {exc}", where=str(path), remedy=_REMEDY) from exc
    return parse_access_policy(text, source=str(path))


def parse_access_policy(text: str, *, source: str = "okebot.yaml") -> AccessPolicy:
    """Parse the `access:` section of a YAML document into a policy."""
    data, lines = _read_yaml(text, source)
    if not isinstance(data, Mapping):
        raise InputError("expected a mapping with an 'access' section", where=source, remedy=_REMEDY)
    try:
        parsed = _File.model_validate(data).access
    except ValidationError as exc:
        raise _first_problem(exc, lines, source) from None
    return _policy(parsed, lines, source)


def _read_yaml(text: str, source: str) -> tuple[Any, Lines]:
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        lines: Lines = {}
        if node is not None:
            _note_lines(node, (), lines)
        return data, lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source} line {mark.line + 1}" if mark is not None else source
        raise InputError(f"not valid YAML: {exc.problem or exc}", where=where, remedy=_REMEDY) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        where = f"{source} line {line}"
        message = f"not valid YAML: {exc.reason} (character U+{exc.character:04X})"
        raise InputError(message, where=where, remedy=_REMEDY) from None
    except RecursionError:
        raise InputError("nested too deeply to be an access policy", where=source, remedy=_REMEDY) from None
    except _PARSE_ERRORS as exc:
        raise InputError(f"not valid YAML: {exc}", where=source, remedy=_REMEDY) from None
    finally:
        if loader is not None:
            loader.dispose()


def _note_lines(node: yaml.Node, path: tuple[str, ...], lines: Lines, seen: set[int] | None = None) -> None:
    # Aliases make the node tree a graph; walking each node once keeps "billion laughs" files cheap.
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value) if isinstance(key, yaml.ScalarNode) else "?")
            lines.setdefault(child, key.start_mark.line + 1)
            _note_lines(value, child, lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, str(index))
            lines.setdefault(child, item.start_mark.line + 1)
            _note_lines(item, child, lines, seen)


def _where(path: Sequence[str], lines: Lines, source: str) -> str:
    dotted = ".".join(path) or "(top level)"
    for depth in range(len(path), 0, -1):
        line = lines.get(tuple(path[:depth]))
        if line is not None:
            return f"{source} line {line} ({dotted})"
    return f"{source} ({dotted})"


def _first_problem(exc: ValidationError, lines: Lines, source: str) -> InputError:
    problems = exc.errors(include_url=False, include_input=False)
    first = problems[0]
    path = [str(part) for part in first["loc"] if part != "[key]"]
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    if first["type"] == "missing":
        message = "this section is required"
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return InputError(message + more, where=_where(path, lines, source), remedy=_REMEDY)


def _policy(parsed: _Access, lines: Lines, source: str) -> AccessPolicy:
    grants = _grants("user", parsed.users, lines, source) + _grants("group", parsed.groups, lines, source)
    return AccessPolicy(
        default_role=None if parsed.default_role == "none" else Role(parsed.default_role),
        unbound_channels=parsed.unbound_channels,
        bindings=_bindings(parsed.channels, lines, source),
        grants=grants,
    )


def _bindings(channels: Mapping[str, _Channel], lines: Lines, source: str) -> tuple[ChannelBinding, ...]:
    bindings: dict[str, ChannelBinding] = {}
    for channel, entry in channels.items():
        where = _where(("access", "channels", channel), lines, source)
        key = channel_key(channel)
        if key in bindings:
            raise InputError(f"channel {key} is bound twice", where=where, remedy=_REMEDY)
        try:
            bindings[key] = ChannelBinding(channel=key, **entry.model_dump())
        except ValidationError as exc:
            problem = exc.errors(include_url=False, include_input=False)[0]
            message = problem["msg"].removeprefix("Value error, ")
            raise InputError(message, where=where, remedy=_REMEDY) from None
    return tuple(bindings.values())


def _grants(kind: GrantKind, roles: Mapping[str, Role], lines: Lines, source: str) -> tuple[RoleGrant, ...]:
    section = "users" if kind == "user" else "groups"
    grants: dict[str, RoleGrant] = {}
    for subject, role in roles.items():
        where = _where(("access", section, subject), lines, source)
        key = subject_key(kind, subject)
        if not key:
            raise InputError(f"a {kind} needs an id", where=where, remedy=_REMEDY)
        if key in grants:
            raise InputError(f"{kind} {subject} is listed twice", where=where, remedy=_REMEDY)
        grants[key] = RoleGrant(kind=kind, subject=subject, role=role)
    return tuple(grants.values())

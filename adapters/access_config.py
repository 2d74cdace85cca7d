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

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from adapters.yaml_lines import (
    Lines,
    problem,
    problems_error,
    read_yaml,
    unknown_sections,
    validation_problems,
)
from engine.access import (
    AccessPolicy,
    ChannelBinding,
    GrantKind,
    Role,
    RoleGrant,
    channel_key,
    is_channel_id,
    subject_key,
)
from engine.errors import InputError, InputProblem

REMEDY = "see docs/access-control.md and deploy/okebot.example.yaml"


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
    # Other sections belong to other readers; unknown ones are refused by yaml_lines.unknown_sections.
    model_config = ConfigDict(extra="ignore")
    access: _Access


def load_access_policy(path: Path) -> AccessPolicy:
    """Read the access policy from a YAML file; InputError as `parse_access_policy` says, or naming the file
    when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the access policy: {exc}", where=str(path), remedy=REMEDY) from exc
    return parse_access_policy(text, source=str(path))


def parse_access_policy(text: str, *, source: str = "okebot.yaml") -> AccessPolicy:
    """Parse the `access:` section of a YAML document into a policy.

    Raises InputError listing every problem of the section and of the file's shape (a key given twice, an
    unknown top-level section), each with its line and key (`problems`); the first is its headline.
    """
    document = read_yaml(text, source, remedy=REMEDY)
    policy, problems = read_access(document.data, document.lines, source)
    problems = [*document.problems, *unknown_sections(document.data, document.lines, source), *problems]
    if problems or policy is None:
        raise problems_error(problems, remedy=REMEDY)
    return policy


def read_access(data: Any, lines: Lines, source: str) -> tuple[AccessPolicy | None, list[InputProblem]]:
    """The policy of a document's `access:` section and every problem with it (the policy is None when there
    is one). `data` is the whole document as read, `lines` its key lines."""
    if not isinstance(data, Mapping):
        return None, [InputProblem(source, None, "", "expected a mapping with an 'access' section")]
    try:
        parsed = _File.model_validate(data).access
    except ValidationError as exc:
        return None, validation_problems(exc, lines, source)
    bindings, binding_problems = _bindings(parsed.channels, lines, source)
    users, user_problems = _grants("user", parsed.users, lines, source)
    groups, group_problems = _grants("group", parsed.groups, lines, source)
    problems = [*binding_problems, *user_problems, *group_problems]
    if problems:
        return None, problems
    return AccessPolicy(
        default_role=None if parsed.default_role == "none" else Role(parsed.default_role),
        unbound_channels=parsed.unbound_channels,
        bindings=bindings,
        grants=users + groups,
    ), []


def channel_name_warnings(data: Any, lines: Lines, source: str) -> list[InputProblem]:
    """A warning for each channel bound in `access.channels` by what looks like its name ("general",
    "#payments") rather than its ID: Slack sends the ID, so such a binding applies to no channel, and the
    channel stays unbound (seeing what `unbound_channels` allows). The fix is engine.access.CHANNEL_ID_HELP."""
    access = data.get("access") if isinstance(data, Mapping) else None
    channels = access.get("channels") if isinstance(access, Mapping) else None
    if not isinstance(channels, Mapping):
        return []
    return [problem(("access", "channels", str(channel)),
                    f"{channel!r} looks like a channel name, not a channel ID (C0123ABCD, G0123ABCD): Slack "
                    "names a channel by its ID, so this binding applies to no channel", lines, source)
            for channel in channels if isinstance(channel, str) and not is_channel_id(channel)]


def _bindings(channels: Mapping[str, _Channel], lines: Lines,
              source: str) -> tuple[tuple[ChannelBinding, ...], list[InputProblem]]:
    bindings: dict[str, ChannelBinding] = {}
    problems: list[InputProblem] = []
    for channel, entry in channels.items():
        path = ("access", "channels", channel)
        key = channel_key(channel)
        if key in bindings:
            problems.append(problem(path, f"channel {key} is bound twice", lines, source))
            continue
        try:
            bindings[key] = ChannelBinding(channel=key, **entry.model_dump())
        except ValidationError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                problems.append(problem(path, str(error["msg"]).removeprefix("Value error, "), lines, source))
    return tuple(bindings.values()), problems


def _grants(kind: GrantKind, roles: Mapping[str, Role], lines: Lines,
            source: str) -> tuple[tuple[RoleGrant, ...], list[InputProblem]]:
    section = "users" if kind == "user" else "groups"
    grants: dict[str, RoleGrant] = {}
    problems: list[InputProblem] = []
    for subject, role in roles.items():
        path = ("access", section, subject)
        key = subject_key(kind, subject)
        if not key:
            problems.append(problem(path, f"a {kind} needs an id", lines, source))
        elif key in grants:
            problems.append(problem(path, f"{kind} {subject} is listed twice", lines, source))
        else:
            grants[key] = RoleGrant(kind=kind, subject=subject, role=role)
    return tuple(grants.values()), problems

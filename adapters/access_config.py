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
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from adapters.yaml_lines import Lines, first_problem, read_yaml
from adapters.yaml_lines import where as _where
from engine.access import AccessPolicy, ChannelBinding, GrantKind, Role, RoleGrant, channel_key, subject_key
from engine.errors import InputError

_REMEDY = "see docs/access-control.md and deploy/okebot.example.yaml"


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
    data, lines = read_yaml(text, source, remedy=_REMEDY)
    if not isinstance(data, Mapping):
        raise InputError("expected a mapping with an 'access' section", where=source, remedy=_REMEDY)
    try:
        parsed = _File.model_validate(data).access
    except ValidationError as exc:
        raise first_problem(exc, lines, source, remedy=_REMEDY) from None
    return _policy(parsed, lines, source)


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

"""Conversions between engine models and database rows, shared by both backends so they store the same."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.access import ChannelBinding, GrantKind, Role, RoleGrant, channel_key, subject_key
from engine.audit import AuditEntry
from engine.errors import EngineError, SourceError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

AuditRow = tuple[int, str, str, str, str, str, str | None, int]
BindingRow = tuple[str, str, str, str | None]
GrantRow = tuple[str, str, str, str]


def text(value: str) -> str:
    """A string both databases store unchanged: PostgreSQL refuses NUL and neither takes lone surrogates."""
    cleaned = value.replace("\x00", "\ufffd")
    return cleaned.encode("utf-8", "replace").decode("utf-8")


def audit_row(entry: AuditEntry) -> AuditRow:
    """The row of an audit entry; time as whole microseconds since the epoch, UTC."""
    micros = (entry.at - _EPOCH) // timedelta(microseconds=1)
    error_id = text(entry.error_id) if entry.error_id is not None else None
    return (
        micros,
        text(entry.user),
        text(entry.channel),
        text(entry.command),
        text(entry.arguments),
        entry.outcome,
        error_id,
        entry.duration_ms,
    )


def audit_entry(row: Sequence[Any]) -> AuditEntry:
    """The audit entry a row holds."""
    micros, user, channel, command, arguments, outcome, error_id, duration_ms = row
    return AuditEntry(
        at=_EPOCH + timedelta(microseconds=int(micros)),
        user=user,
        channel=channel,
        command=command,
        arguments=arguments,
        outcome=outcome,
        error_id=error_id,
        duration_ms=int(duration_ms),
    )


def binding_row(binding: ChannelBinding) -> BindingRow:
    """The row of a channel binding; lists as JSON arrays."""
    return (
        binding_key(binding.channel),
        json.dumps([text(c) for c in binding.clusters]),
        json.dumps([text(c) for c in binding.compartments]),
        text(binding.default_cluster) if binding.default_cluster is not None else None,
    )


def binding_key(channel: str) -> str:
    """The primary key a channel's binding is stored under."""
    return text(channel_key(channel))


def channel_binding(row: Sequence[Any]) -> ChannelBinding:
    """The channel binding a row holds."""
    channel, clusters, compartments, default = row
    return ChannelBinding(
        channel=channel,
        clusters=tuple(json.loads(clusters)),
        compartments=tuple(json.loads(compartments)),
        default_cluster=default,
    )


def grant_row(grant: RoleGrant) -> GrantRow:
    """The row of a role grant: kind, comparison key, subject as written, role."""
    subject = text(grant.subject)
    return grant.kind, subject_key(grant.kind, subject), subject, grant.role.value


def grant_key(kind: GrantKind, subject: str) -> tuple[str, str]:
    """The primary key a grant is stored under."""
    return kind, subject_key(kind, text(subject))


def role_grant(row: Sequence[Any]) -> RoleGrant:
    """The role grant a row holds."""
    kind, subject, role = row
    return RoleGrant(kind=kind, subject=subject, role=Role(role))


def check_limit(limit: int) -> None:
    """Refuse a negative audit limit, which both databases would read differently."""
    if limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")


def check_ttl(ttl_seconds: int) -> None:
    """Refuse a negative claim lifetime."""
    if ttl_seconds < 0:
        raise ValueError(f"ttl_seconds must be 0 or more, not {ttl_seconds}")


@contextmanager
def translated(backend: str, errors: tuple[type[BaseException], ...]) -> Iterator[None]:
    """Turn the driver's errors into SourceError, once, at the boundary."""
    try:
        yield
    except EngineError:
        raise
    except errors as exc:
        raise SourceError(f"the {backend} state store failed: {type(exc).__name__}: {exc}") from exc

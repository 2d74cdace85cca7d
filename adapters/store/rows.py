"""Conversions between engine models and database rows, shared by both backends so they store the same."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.access import ChannelBinding, GrantKind, Role, RoleGrant, channel_key, subject_key
from engine.audit import AuditEntry
from engine.digest.alerts import AlertState
from engine.digest.definition import DigestDefinition, JobRun
from engine.digest.history import Sample
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


# --- history, digests, job runs -------------------------------------------------------------------------------

RUN_COLUMNS = (
    "job, slot, state, scheduled_for, owner, lease_until, attempts, channel, message_ts, error, message, snapshot,"
    " represents"
)


def seconds(instant: datetime) -> float:
    """An aware instant as seconds since the epoch (the database clock's unit)."""
    return (instant.astimezone(UTC) - _EPOCH) / timedelta(seconds=1)


def instant(value: float) -> datetime:
    """Seconds since the epoch as an aware UTC datetime, to the microsecond."""
    return _EPOCH + timedelta(microseconds=round(float(value) * 1_000_000))


def sample_row(series_id: int, sample: Sample) -> tuple[int, int, int | None, int | None, int | None, int | None,
                                                         int | None]:
    """The row of a sample: its series id, the whole second it was read at, its figures."""
    at = int(seconds(sample.at) // 1)
    return series_id, at, sample.usable, sample.used, sample.reserved, sample.nodes, sample.max_pods


_SAMPLE_FIELDS = frozenset(Sample.model_fields)


def samples(series: Mapping[int, Sequence[Any]], found: Sequence[Sequence[Any]]) -> list[Sample]:
    """The samples of sample rows (series_id, at, usable, used, reserved, nodes, max_pods), with each series'
    identity (cluster_id, cluster_name, kind, series_key, name) by id.

    The store wrote them from validated Samples, so they are rebuilt without validating again, through pydantic's
    pickling protocol (`__setstate__`, about 1 µs a sample; `model_construct` takes 4), and the instants every
    series shares are made once: reading back a month of history must stay cheap. CPU-bound: call it off the loop.
    """
    instants: dict[int, datetime] = {}
    out = []
    new = Sample.__new__
    for series_id, at, usable, used, reserved, nodes, max_pods in found:
        when = instants.get(at)
        if when is None:
            when = instants[at] = _EPOCH + timedelta(seconds=int(at))
        cluster_id, cluster_name, kind, key, name = series[series_id]
        sample = new(Sample)
        sample.__setstate__({
            "__dict__": {"at": when, "cluster_id": cluster_id, "cluster_name": cluster_name, "kind": kind, "key": key,
                         "name": name, "usable": usable, "used": used, "reserved": reserved, "nodes": nodes,
                         "max_pods": max_pods},
            "__pydantic_fields_set__": _SAMPLE_FIELDS, "__pydantic_extra__": None, "__pydantic_private__": None,
        })
        out.append(sample)
    return out


def job_run(row: Sequence[Any]) -> JobRun:
    """The job run a row (RUN_COLUMNS) holds."""
    (job, slot, state, scheduled_for, owner, lease_until, attempts, channel, message_ts, error, message, snapshot,
     represents) = row
    return JobRun(
        job=job, slot=slot, state=state, scheduled_for=instant(scheduled_for), owner=owner,
        lease_until=instant(lease_until) if lease_until is not None else None, attempts=int(attempts),
        channel=channel, message_ts=message_ts, error=error, message=message, snapshot=snapshot,
        represents=int(represents),
    )


def digest_row(digest: DigestDefinition) -> tuple[str, str]:
    """The row of a stored digest: its name and its definition as JSON."""
    return text(digest.name), json.dumps(digest.model_dump(mode="json", by_alias=True))


def digest(row: Sequence[Any]) -> DigestDefinition:
    """The stored digest a row holds; SourceError naming it when the stored JSON is no longer a definition."""
    name, definition = row
    try:
        return DigestDefinition.model_validate_json(definition)
    except ValueError as exc:
        raise SourceError(f"the stored digest {name!r} cannot be read: {exc}",
                          remedy="remove it with /oke digest remove and add it again") from exc


def alert_state(value: str) -> AlertState:
    """A stored alert state (JSON); an unreadable one counts as nothing alerted."""
    try:
        return AlertState.model_validate_json(value)
    except ValueError:
        return AlertState()

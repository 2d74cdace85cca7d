"""Ports: what the engine's use cases need from the outside world, as `typing.Protocol`s.

Adapters satisfy them structurally; none subclasses a port.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from engine.access import ChannelBinding, GrantKind, RoleGrant
from engine.audit import AuditEntry, AuditKind
from engine.digest.alerts import AlertState
from engine.digest.definition import DigestDefinition, JobRun, RunState, ScheduledClaim
from engine.digest.history import Sample, SeriesKey
from engine.digest.schedule import Schedule
from engine.model import Tenancy


class TenancyReader(Protocol):
    """Reads a tenancy (live, snapshot or demo) into the engine model."""

    async def read(self, *, clusters: Sequence[str] | None = None, fresh: bool = False) -> Tenancy:
        """Read the tenancy.

        Args:
            clusters: cluster names or OCIDs to restrict the read to; None reads every cluster.
            fresh: bypass any cache the reader keeps.

        Returns:
            The tenancy; what could not be read is listed in `Tenancy.unreadable`, never silently dropped.
        """
        ...

    @property
    def description(self) -> str:
        """A short, human description of the source, such as "snapshot demo.json (us-ashburn-1)"."""
        ...


class HistoryStore(Protocol):
    """Capacity history: samples per series (engine.digest.history), kept by the retention rule.

    Instants are kept to the whole second (a sample's `at` is truncated on write). Raises `SourceError` when the
    database cannot be reached; a failed write changes nothing.
    """

    async def record_samples(self, samples: Sequence[Sample]) -> int:
        """Store samples; one already stored for the same series and second is replaced. Returns how many."""
        ...

    async def read_samples(
        self, *, since: datetime | None = None, cluster_ids: Sequence[str] | None = None
    ) -> list[Sample]:
        """Samples at or after `since` (all when None), of these clusters (all when None), oldest first."""
        ...

    async def prune_samples(self, *, keep_days: int, full_resolution_days: int) -> int:
        """Apply the retention rule (engine.digest.history.retained) at the database's now; how many were deleted."""
        ...


class DigestStore(Protocol):
    """Digest definitions added from Slack, the runs of scheduled jobs, and alert states, shared by every replica.

    Due-ness, leases and expiry are judged by the database's clock, never one replica's. Claims are row claims
    (FOR UPDATE SKIP LOCKED on PostgreSQL) under a unique (job, slot) key; no session advisory locks.
    Raises `SourceError` when the database cannot be reached.
    """

    async def database_now(self) -> datetime:
        """The database's clock (UTC)."""
        ...

    async def put_digest(self, digest: DigestDefinition) -> None:
        """Create or replace a stored digest (by name)."""
        ...

    async def list_digests(self) -> list[DigestDefinition]:
        """Every stored digest, by name."""
        ...

    async def delete_digest(self, name: str) -> bool:
        """Remove a stored digest; False when there was none. Its past runs stay (for the record)."""
        ...

    async def start_schedule(self, job: str, *, since: datetime | None = None) -> None:
        """Count a job's occurrences from `since` (default: the database's now): on add, and on resume, so the
        time before is neither run nor missed."""
        ...

    async def claim_scheduled(
        self, job: str, schedule: Schedule, *, grace: timedelta, owner: str, lease_seconds: float,
        channel: str | None = None,
    ) -> ScheduledClaim:
        """Plan `job` at the database's now (engine.digest.schedule.plan_run, counting from its last occurrence
        or its start) and, in the same transaction, record missed occurrences and claim the due one for `owner`.
        A job another replica is planning right now is skipped (run None). A job never started is started now."""
        ...

    async def claim_slot(
        self, job: str, slot: str, *, scheduled_for: datetime, owner: str, lease_seconds: float,
        channel: str | None = None, message: str | None = None,
    ) -> JobRun | None:
        """Claim one run by key, once: the run when this call created it, None when it already existed."""
        ...

    async def claim_expired(self, *, owner: str, lease_seconds: float, limit: int = 10) -> list[JobRun]:
        """Take over runs left claimed or posting whose lease expired (their replica died); each is returned
        with `owner` and a fresh lease, and its attempts counted."""
        ...

    async def queue_run(self, job: str, slot: str, *, scheduled_for: datetime, channel: str | None = None
                        ) -> JobRun | None:
        """Ask for one run (`/oke digest run`): recorded "queued", with no owner, lease or attempt, for any
        replica to claim with `claim_queued`. The run, or None when one with this key exists."""
        ...

    async def claim_queued(self, *, owner: str, lease_seconds: float, limit: int = 10) -> list[JobRun]:
        """Claim queued runs, oldest first, each for exactly one replica: returned "claimed" by `owner` with a
        lease, as their first attempt (attempts 1)."""
        ...

    async def mark_posting(
        self, run: JobRun, *, owner: str, message: str, snapshot: str | None, lease_seconds: float
    ) -> bool:
        """claimed → posting with the message about to be posted; False when `owner` no longer holds the lease."""
        ...

    async def finish_run(
        self, run: JobRun, *, owner: str, state: RunState, message_ts: str | None = None, error: str | None = None,
        snapshot: str | None = None,
    ) -> bool:
        """End a run held by `owner`: posted (with the message ts), failed (with the error), missed, skipped or
        done. False when `owner` no longer holds it."""
        ...

    async def last_run(self, job: str, *, states: Sequence[RunState]) -> JobRun | None:
        """The job's latest run (by scheduled_for) in one of these states."""
        ...

    async def last_posted_at(self, job_prefix: str) -> datetime | None:
        """When the newest posted run of any job whose name starts with `job_prefix` ("digest:") was recorded as
        posted (database clock), whichever replica posted it; None when none was."""
        ...

    async def list_runs(self, job: str, *, limit: int = 50) -> list[JobRun]:
        """The job's runs, newest first."""
        ...

    async def missed_since(self, job: str, after: datetime | None) -> tuple[list[datetime], int]:
        """Occurrences missed or failed after `after` (all when None): the newest 20 instants, oldest first, and
        the total they stand for."""
        ...

    async def failed_since(self, job: str, after: datetime | None) -> tuple[list[datetime], int]:
        """Of those, the runs that failed (they ran: Slack refused the post, the read failed): the newest 20
        instants, oldest first, and their total."""
        ...

    async def alert_states(self, scope: str) -> dict[SeriesKey, AlertState]:
        """The alert state of every series under `scope` (a channel id)."""
        ...

    async def put_alert_states(
        self, scope: str, states: dict[SeriesKey, AlertState], *, posts: Sequence[JobRun] = (), owner: str = "",
        lease_seconds: float = 0.0,
    ) -> list[JobRun]:
        """Store alert states under `scope` (replacing those of the same series) and, in the same transaction,
        claim the alert posts they decided for `owner`: an alert is claimed exactly when its state is saved. Returns
        the posts claimed (a post whose key exists already is not claimed again)."""
        ...


class StateStore(HistoryStore, DigestStore, Protocol):
    """Keeps what the bot must remember: the audit trail, runtime channel bindings and role grants, and
    idempotency claims shared by every replica, plus capacity history, digests and job runs. SQLite or
    PostgreSQL; both behave the same.

    Every method raises `SourceError` when the database cannot be reached; a failed write changes nothing.
    """

    async def record_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit trail."""
        ...

    async def list_audit(
        self, *, limit: int = 50, user: str | None = None, channel: str | None = None, kind: AuditKind | None = None
    ) -> list[AuditEntry]:
        """The newest `limit` entries, newest first, optionally only one user's or one channel's, and only
        people's ("people") or scheduled jobs' ("jobs": commands starting with engine.audit.JOB_COMMAND_PREFIX)."""
        ...

    async def put_binding(self, binding: ChannelBinding) -> None:
        """Create or replace the binding of `binding.channel`."""
        ...

    async def get_binding(self, channel: str) -> ChannelBinding | None:
        """The stored binding of a channel, if any."""
        ...

    async def list_bindings(self) -> list[ChannelBinding]:
        """Every stored binding, ordered by channel."""
        ...

    async def delete_binding(self, channel: str) -> bool:
        """Remove a channel's binding; False when there was none."""
        ...

    async def put_role_grant(self, grant: RoleGrant) -> None:
        """Create or replace the grant of `grant.subject` (a user id or a group id/handle)."""
        ...

    async def get_role_grant(self, kind: GrantKind, subject: str) -> RoleGrant | None:
        """The stored grant of one user or group, if any."""
        ...

    async def list_role_grants(self) -> list[RoleGrant]:
        """Every stored grant, ordered by kind then subject."""
        ...

    async def delete_role_grant(self, kind: GrantKind, subject: str) -> bool:
        """Remove a grant; False when there was none."""
        ...

    async def claim_once(self, key: str, *, ttl_seconds: int) -> bool:
        """Claim `key` for `ttl_seconds`: True for exactly one caller across all replicas until it expires.

        Used to drop Slack retries (key on the event id) and to post each scheduled digest slot once
        (key on job and slot). An expired key can be claimed again.
        """
        ...

    async def close(self) -> None:
        """Release the connection(s). The store cannot be used afterwards."""
        ...

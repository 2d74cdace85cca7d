"""The StateStore written once for every database: each query appears here, once, in the neutral form
adapters/store/dialect.py describes; SqliteStore and PostgresStore differ only in their `Dialect` and in
how they open.

A new query is a method here (SQL once, rows mapped in rows.py) plus a contract test that runs on both
databases; a new table is a migration appended in migrations.py.

A `StoreObserver` given at open hears of every operation that failed (the method's name), for metrics:
`@_observed_methods` wraps each public coroutine of the class, so a new query is counted without more code.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from adapters.store import rows
from adapters.store.dialect import Dialect, Row, Session
from adapters.store.migrations import SCHEMA_VERSION_TABLE, Migration, pending
from engine.access import ChannelBinding, GrantKind, RoleGrant
from engine.audit import AuditEntry
from engine.digest.alerts import AlertState
from engine.digest.definition import DigestDefinition, JobRun, RunState, ScheduledClaim, slot_for
from engine.digest.history import Sample, SeriesKey
from engine.digest.schedule import Schedule, plan_run
from engine.errors import SourceError

_AUDIT_COLUMNS = "at_us, user_id, channel, command, arguments, outcome, error_id, duration_ms"
_BINDING_COLUMNS = "channel, clusters, compartments, default_cluster"

Prepare = Callable[[Session], Awaitable[None]]
# Told the name of each store operation that failed with SourceError ("record_audit", "migrate"; "open" when
# the database could not be reached at all).
StoreObserver = Callable[[str], None]
_Class = TypeVar("_Class", bound=type)


def _observed_methods(cls: _Class) -> _Class:
    """Wrap every public coroutine method (but close) so a SourceError it raises is reported by name."""

    def observed(name: str, method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(method)
        async def run(self: SqlStore, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except SourceError:
                if self.observer is not None:
                    self.observer(name)
                raise

        return run

    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and name != "close" and inspect.iscoroutinefunction(member):
            setattr(cls, name, observed(name, member))
    return cls


@_observed_methods
class SqlStore:
    """The StateStore on a `Dialect`. Open it through a backend: SqliteStore.open, PostgresStore.open.

    Args:
        observer: told the name of every operation that fails (see StoreObserver).
    """

    def __init__(self, dialect: Dialect, *, observer: StoreObserver | None = None) -> None:
        self._dialect: Dialect | None = dialect
        self._name = dialect.name
        self.observer = observer

    async def migrate(self, migrations: Sequence[Migration], *, prepare: Prepare | None = None) -> None:
        """Apply the migrations the database lacks, in one transaction, after `prepare` (a lock, a schema)."""
        dialect = self._live()
        with self._translated():
            async with dialect.transaction() as tx:
                if prepare is not None:
                    await prepare(tx)
                await tx.execute(SCHEMA_VERSION_TABLE)
                (found,) = await tx.fetch("SELECT COALESCE(MAX(version), 0) FROM schema_version")
                for migration in pending(int(found[0]), migrations):
                    for statement in dialect.statements(migration):
                        await tx.execute(statement)
                    await tx.execute(
                        "INSERT INTO schema_version (version, name, applied_at_us)"
                        " VALUES (?, ?, CAST({now} * 1000000 AS BIGINT))",
                        (migration.version, migration.name),
                    )

    async def schema_version(self) -> int:
        """The schema version the database is at."""
        (found,) = await self._fetch("SELECT MAX(version) FROM schema_version")
        return int(found[0])

    async def record_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit trail."""
        await self._execute(
            f"INSERT INTO audit_log ({_AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.audit_row(entry)
        )

    async def list_audit(
        self, *, limit: int = 50, user: str | None = None, channel: str | None = None
    ) -> list[AuditEntry]:
        """The newest `limit` entries, newest first, optionally only one user's or one channel's."""
        rows.check_limit(limit)
        where, params = _audit_filter(user, channel)
        found = await self._fetch(
            f"SELECT {_AUDIT_COLUMNS} FROM audit_log{where} ORDER BY at_us DESC, id DESC LIMIT ?", (*params, limit)
        )
        return [rows.audit_entry(row) for row in found]

    async def put_binding(self, binding: ChannelBinding) -> None:
        """Create or replace the binding of `binding.channel`."""
        await self._execute(
            f"INSERT INTO channel_bindings ({_BINDING_COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT (channel)"
            " DO UPDATE SET clusters = excluded.clusters, compartments = excluded.compartments,"
            " default_cluster = excluded.default_cluster",
            rows.binding_row(binding),
        )

    async def get_binding(self, channel: str) -> ChannelBinding | None:
        """The stored binding of a channel, if any."""
        found = await self._fetch(
            f"SELECT {_BINDING_COLUMNS} FROM channel_bindings WHERE channel = ?", (rows.binding_key(channel),)
        )
        return rows.channel_binding(found[0]) if found else None

    async def list_bindings(self) -> list[ChannelBinding]:
        """Every stored binding, ordered by channel."""
        found = await self._fetch(f"SELECT {_BINDING_COLUMNS} FROM channel_bindings ORDER BY channel{{binary}}")
        return [rows.channel_binding(row) for row in found]

    async def delete_binding(self, channel: str) -> bool:
        """Remove a channel's binding; False when there was none."""
        return await self._execute("DELETE FROM channel_bindings WHERE channel = ?", (rows.binding_key(channel),)) > 0

    async def put_role_grant(self, grant: RoleGrant) -> None:
        """Create or replace the grant of one user or group."""
        await self._execute(
            "INSERT INTO role_grants (kind, subject_key, subject, role) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, subject_key) DO UPDATE SET subject = excluded.subject, role = excluded.role",
            rows.grant_row(grant),
        )

    async def get_role_grant(self, kind: GrantKind, subject: str) -> RoleGrant | None:
        """The stored grant of one user or group, if any."""
        found = await self._fetch(
            "SELECT kind, subject, role FROM role_grants WHERE kind = ? AND subject_key = ?",
            rows.grant_key(kind, subject),
        )
        return rows.role_grant(found[0]) if found else None

    async def list_role_grants(self) -> list[RoleGrant]:
        """Every stored grant, ordered by kind then subject."""
        found = await self._fetch(
            "SELECT kind, subject, role FROM role_grants ORDER BY kind{binary}, subject_key{binary}"
        )
        return [rows.role_grant(row) for row in found]

    async def delete_role_grant(self, kind: GrantKind, subject: str) -> bool:
        """Remove a grant; False when there was none."""
        sql = "DELETE FROM role_grants WHERE kind = ? AND subject_key = ?"
        return await self._execute(sql, rows.grant_key(kind, subject)) > 0

    async def claim_once(self, key: str, *, ttl_seconds: int) -> bool:
        """Claim `key` for `ttl_seconds`: True for exactly one caller, across replicas, until it expires."""
        rows.check_ttl(ttl_seconds)
        # One statement, so the check and the write are atomic across processes; the database's clock, not
        # each replica's, decides expiry.
        claimed = await self._execute(
            "INSERT INTO claims (claim_key, expires_at) VALUES (?, {now} + ?) ON CONFLICT (claim_key)"
            " DO UPDATE SET expires_at = excluded.expires_at WHERE claims.expires_at <= {now}",
            (rows.text(key), float(ttl_seconds)),
        )
        if claimed:
            await self._execute("DELETE FROM claims WHERE expires_at < {now}")
        return claimed > 0

    # --- capacity history ---------------------------------------------------------------------------------------

    async def record_samples(self, samples: Sequence[Sample]) -> int:
        """Store samples (to the whole second); one already stored for the same series and second is replaced."""
        if not samples:
            return 0
        series = {s.series: (s.cluster_name, s.name) for s in samples}
        async with self._transaction() as tx:
            await tx.execute_many(
                "INSERT INTO capacity_series (cluster_id, kind, series_key, cluster_name, name) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (cluster_id, kind, series_key) DO UPDATE SET cluster_name = excluded.cluster_name,"
                " name = excluded.name",
                [(rows.text(c), k, rows.text(key), rows.text(cn), rows.text(n)) for (c, k, key), (cn, n) in
                 series.items()],
            )
            ids = {
                (c, k, key): int(i)
                for i, c, k, key in await tx.fetch("SELECT id, cluster_id, kind, series_key FROM capacity_series")
            }
            await tx.execute_many(
                "INSERT INTO capacity_samples (series_id, at, usable, used, reserved, nodes, max_pods)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, at) DO UPDATE SET usable = excluded.usable,"
                " used = excluded.used, reserved = excluded.reserved, nodes = excluded.nodes,"
                " max_pods = excluded.max_pods",
                [rows.sample_row(ids[(rows.text(s.cluster_id), s.kind, rows.text(s.key))], s) for s in samples],
            )
        return len(samples)

    async def read_samples(
        self, *, since: datetime | None = None, cluster_ids: Sequence[str] | None = None
    ) -> list[Sample]:
        """Samples at or after `since` (all when None), of these clusters (all when None); grouped by series,
        oldest first within each. Series names are read once, not once per sample (a month of 15-minute
        samples of 100 clusters is 600,000 rows)."""
        series_where = ""
        params: list[str] = []
        if cluster_ids is not None:
            if not cluster_ids:
                return []
            series_where = " WHERE cluster_id IN (" + ", ".join("?" for _ in cluster_ids) + ")"
            params = [rows.text(c) for c in cluster_ids]
        async with self._transaction() as tx:
            series = {
                int(found[0]): found[1:]
                for found in await tx.fetch(
                    f"SELECT id, cluster_id, cluster_name, kind, series_key, name FROM capacity_series{series_where}",
                    params)
            }
            if not series:
                return []
            chosen = f" AND series_id IN (SELECT id FROM capacity_series{series_where})" if series_where else ""
            found = await tx.fetch(
                "SELECT series_id, at, usable, used, reserved, nodes, max_pods FROM capacity_samples"
                f" WHERE at >= ?{chosen} ORDER BY series_id, at",
                [int(rows.seconds(since) // 1) if since is not None else 0, *params],
            )
        return await asyncio.to_thread(rows.samples, series, found)

    async def prune_samples(self, *, keep_days: int, full_resolution_days: int) -> int:
        """The retention rule of engine.digest.history.retained, in SQL, at the database's now."""
        if not 0 <= full_resolution_days <= keep_days:
            raise ValueError(f"full_resolution_days ({full_resolution_days}) must be between 0 and keep_days "
                             f"({keep_days})")
        async with self._transaction() as tx:
            deleted = await tx.execute(
                "DELETE FROM capacity_samples WHERE at < CAST({now} AS BIGINT) - ?"
                " OR (at < CAST({now} AS BIGINT) - ? AND EXISTS (SELECT 1 FROM capacity_samples t"
                " WHERE t.series_id = capacity_samples.series_id AND t.at > capacity_samples.at"
                " AND t.at < (capacity_samples.at / 86400 + 1) * 86400))",
                (keep_days * 86_400, full_resolution_days * 86_400),
            )
            await tx.execute("DELETE FROM capacity_series WHERE NOT EXISTS"
                             " (SELECT 1 FROM capacity_samples p WHERE p.series_id = capacity_series.id)")
        return deleted

    # --- digests, job runs, alert states --------------------------------------------------------------------------

    async def database_now(self) -> datetime:
        """The database's clock."""
        (found,) = await self._fetch("SELECT {now}")
        return rows.instant(found[0])

    async def put_digest(self, digest: DigestDefinition) -> None:
        """Create or replace a stored digest."""
        await self._execute("INSERT INTO digests (name, definition) VALUES (?, ?) ON CONFLICT (name)"
                            " DO UPDATE SET definition = excluded.definition", rows.digest_row(digest))

    async def list_digests(self) -> list[DigestDefinition]:
        """Every stored digest, by name."""
        found = await self._fetch("SELECT name, definition FROM digests ORDER BY name{binary}")
        return [rows.digest(row) for row in found]

    async def delete_digest(self, name: str) -> bool:
        """Remove a stored digest; False when there was none."""
        return await self._execute("DELETE FROM digests WHERE name = ?", (rows.text(name),)) > 0

    async def start_schedule(self, job: str, *, since: datetime | None = None) -> None:
        """Count the job's occurrences from `since` (default: the database's now)."""
        if since is None:
            await self._execute("INSERT INTO job_schedules (job, since) VALUES (?, {now}) ON CONFLICT (job)"
                                " DO UPDATE SET since = excluded.since", (rows.text(job),))
        else:
            await self._execute("INSERT INTO job_schedules (job, since) VALUES (?, ?) ON CONFLICT (job)"
                                " DO UPDATE SET since = excluded.since", (rows.text(job), rows.seconds(since)))

    async def claim_scheduled(
        self, job: str, schedule: Schedule, *, grace: timedelta, owner: str, lease_seconds: float,
        channel: str | None = None,
    ) -> ScheduledClaim:
        """Plan the job at the database's now, record what was missed and claim what is due, in one transaction."""
        key = rows.text(job)
        async with self._transaction() as tx:
            found = await tx.fetch("SELECT since, {now} FROM job_schedules WHERE job = ?{lock_rows}", (key,))
            if not found:
                if await tx.fetch("SELECT 1 FROM job_schedules WHERE job = ?", (key,)):
                    return ScheduledClaim(run=None)  # another replica is planning it right now
                await tx.execute("INSERT INTO job_schedules (job, since) VALUES (?, {now}) ON CONFLICT (job)"
                                 " DO NOTHING", (key,))
                found = await tx.fetch("SELECT since, {now} FROM job_schedules WHERE job = ?{lock_rows}", (key,))
                if not found:
                    return ScheduledClaim(run=None)
            since, now = rows.instant(found[0][0]), rows.instant(found[0][1])
            (last,) = await tx.fetch("SELECT MAX(scheduled_for) FROM job_runs WHERE job = ?", (key,))
            start = max(since, rows.instant(last[0])) if last[0] is not None else since
            plan = plan_run(schedule, last_scheduled_for=None, created_at=start, now=now, grace=grace)
            extra = plan.missed_total - len(plan.missed)
            for index, missed in enumerate(plan.missed):
                await tx.execute(
                    f"INSERT INTO job_runs ({rows.RUN_COLUMNS}, updated_at) VALUES (?, ?, 'missed', ?, NULL, NULL, 0,"
                    " ?, NULL, NULL, NULL, NULL, ?, {now}) ON CONFLICT (job, slot) DO NOTHING",
                    (key, slot_for(missed), rows.seconds(missed), channel, 1 + (extra if index == 0 else 0)),
                )
            run = None
            if plan.due is not None:
                claimed = await tx.execute(
                    f"INSERT INTO job_runs ({rows.RUN_COLUMNS}, updated_at) VALUES (?, ?, 'claimed', ?, ?, {{now}} + ?,"
                    " 1, ?, NULL, NULL, NULL, NULL, 1, {now}) ON CONFLICT (job, slot) DO NOTHING",
                    (key, slot_for(plan.due), rows.seconds(plan.due), rows.text(owner), float(lease_seconds), channel),
                )
                if claimed:
                    run = await self._run(tx, key, slot_for(plan.due))
        return ScheduledClaim(run=run, missed=plan.missed, missed_total=plan.missed_total)

    async def claim_slot(
        self, job: str, slot: str, *, scheduled_for: datetime, owner: str, lease_seconds: float,
        channel: str | None = None, message: str | None = None,
    ) -> JobRun | None:
        """Claim one run by key, once: the run when this call created it, None when it existed."""
        async with self._transaction() as tx:
            return await self._insert_claim(tx, job, slot, scheduled_for=scheduled_for, owner=owner,
                                            lease_seconds=lease_seconds, channel=channel, message=message)

    async def claim_expired(self, *, owner: str, lease_seconds: float, limit: int = 10) -> list[JobRun]:
        """Take over claimed or posting runs whose lease expired."""
        async with self._transaction() as tx:
            found = await tx.fetch(
                "SELECT job, slot FROM job_runs WHERE state IN ('claimed', 'posting') AND lease_until < {now}"
                " ORDER BY scheduled_for LIMIT ?{lock_rows}",
                (limit,),
            )
            taken = []
            for job, slot in found:
                await tx.execute(
                    "UPDATE job_runs SET owner = ?, lease_until = {now} + ?, attempts = attempts + 1,"
                    " updated_at = {now} WHERE job = ? AND slot = ?",
                    (rows.text(owner), float(lease_seconds), job, slot),
                )
                taken.append(await self._run(tx, job, slot))
        return [run for run in taken if run is not None]

    async def mark_posting(
        self, run: JobRun, *, owner: str, message: str, snapshot: str | None, lease_seconds: float
    ) -> bool:
        """claimed → posting with the message about to go out; False when `owner` lost the run."""
        return await self._execute(
            "UPDATE job_runs SET state = 'posting', message = ?, snapshot = COALESCE(?, snapshot),"
            " lease_until = {now} + ?, updated_at = {now}"
            " WHERE job = ? AND slot = ? AND owner = ? AND state IN ('claimed', 'posting')",
            (rows.text(message), snapshot, float(lease_seconds), run.job, run.slot, rows.text(owner)),
        ) > 0

    async def finish_run(
        self, run: JobRun, *, owner: str, state: RunState, message_ts: str | None = None, error: str | None = None,
        snapshot: str | None = None,
    ) -> bool:
        """End a run `owner` holds; False when it no longer does."""
        return await self._execute(
            "UPDATE job_runs SET state = ?, message_ts = ?, error = ?, snapshot = COALESCE(?, snapshot),"
            " lease_until = NULL, updated_at = {now}"
            " WHERE job = ? AND slot = ? AND owner = ? AND state IN ('claimed', 'posting')",
            (state, message_ts, rows.text(error) if error is not None else None, snapshot, run.job, run.slot,
             rows.text(owner)),
        ) > 0

    async def last_run(self, job: str, *, states: Sequence[RunState]) -> JobRun | None:
        """The job's latest run in one of `states`."""
        if not states:
            return None
        marks = ", ".join("?" for _ in states)
        found = await self._fetch(
            f"SELECT {rows.RUN_COLUMNS} FROM job_runs WHERE job = ? AND state IN ({marks})"
            " ORDER BY scheduled_for DESC LIMIT 1",
            (rows.text(job), *states),
        )
        return rows.job_run(found[0]) if found else None

    async def list_runs(self, job: str, *, limit: int = 50) -> list[JobRun]:
        """The job's runs, newest first."""
        rows.check_limit(limit)
        found = await self._fetch(
            f"SELECT {rows.RUN_COLUMNS} FROM job_runs WHERE job = ? ORDER BY scheduled_for DESC LIMIT ?",
            (rows.text(job), limit),
        )
        return [rows.job_run(row) for row in found]

    async def missed_since(self, job: str, after: datetime | None) -> tuple[list[datetime], int]:
        """Missed or failed occurrences after `after`: the newest 20 instants (oldest first) and their total."""
        found = await self._fetch(
            "SELECT scheduled_for, represents FROM job_runs WHERE job = ? AND state IN ('missed', 'failed')"
            " AND scheduled_for > ? ORDER BY scheduled_for",
            (rows.text(job), rows.seconds(after) if after is not None else -1.0),
        )
        instants = [rows.instant(at) for at, _ in found]
        return instants[-20:], sum(int(count) for _, count in found)

    async def alert_states(self, scope: str) -> dict[SeriesKey, AlertState]:
        """The alert state of every series under `scope`."""
        found = await self._fetch(
            "SELECT cluster_id, kind, series_key, state FROM alert_states WHERE scope = ?", (rows.text(scope),)
        )
        return {(c, k, key): rows.alert_state(state) for c, k, key, state in found}

    async def put_alert_states(
        self, scope: str, states: dict[SeriesKey, AlertState], *, posts: Sequence[JobRun] = (), owner: str = "",
        lease_seconds: float = 0.0,
    ) -> list[JobRun]:
        """Store alert states and claim the posts they decided, in one transaction."""
        claimed = []
        async with self._transaction() as tx:
            await tx.execute_many(
                "INSERT INTO alert_states (scope, cluster_id, kind, series_key, state) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (scope, cluster_id, kind, series_key) DO UPDATE SET state = excluded.state",
                [(rows.text(scope), rows.text(c), k, rows.text(key), json.dumps(state.model_dump(mode="json")))
                 for (c, k, key), state in states.items()],
            )
            for post in posts:
                run = await self._insert_claim(tx, post.job, post.slot, scheduled_for=post.scheduled_for, owner=owner,
                                               lease_seconds=lease_seconds, channel=post.channel, message=post.message)
                if run is not None:
                    claimed.append(run)
        return claimed

    async def _insert_claim(
        self, tx: Session, job: str, slot: str, *, scheduled_for: datetime, owner: str, lease_seconds: float,
        channel: str | None, message: str | None,
    ) -> JobRun | None:
        created = await tx.execute(
            f"INSERT INTO job_runs ({rows.RUN_COLUMNS}, updated_at) VALUES (?, ?, 'claimed', ?, ?, {{now}} + ?, 1, ?,"
            " NULL, NULL, ?, NULL, 1, {now}) ON CONFLICT (job, slot) DO NOTHING",
            (rows.text(job), rows.text(slot), rows.seconds(scheduled_for), rows.text(owner), float(lease_seconds),
             channel, message),
        )
        return await self._run(tx, rows.text(job), rows.text(slot)) if created else None

    async def _run(self, tx: Session, job: str, slot: str) -> JobRun | None:
        found = await tx.fetch(f"SELECT {rows.RUN_COLUMNS} FROM job_runs WHERE job = ? AND slot = ?", (job, slot))
        return rows.job_run(found[0]) if found else None

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Session]:
        dialect = self._live()
        with self._translated():
            async with dialect.transaction() as tx:
                yield tx

    async def close(self) -> None:
        """Release the connection(s). The store cannot be used afterwards."""
        dialect, self._dialect = self._dialect, None
        if dialect is not None:
            await dialect.close()

    async def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        dialect = self._live()
        with self._translated():
            return await dialect.fetch(sql, params)

    async def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        dialect = self._live()
        with self._translated():
            return await dialect.execute(sql, params)

    def _live(self) -> Dialect:
        if self._dialect is None:
            raise SourceError(f"the {self._name} state store is closed")
        return self._dialect

    @contextmanager
    def _translated(self) -> Iterator[None]:
        with rows.translated(self._name, self._live().errors):
            yield


def _audit_filter(user: str | None, channel: str | None) -> tuple[str, list[str]]:
    chosen = (("user_id", user), ("channel", channel))
    filters = [(column, rows.text(value)) for column, value in chosen if value is not None]
    where = " WHERE " + " AND ".join(f"{column} = ?" for column, _ in filters) if filters else ""
    return where, [value for _, value in filters]


"""Digests and scheduled jobs, in SQL written once for both databases: stored digest definitions, each job's
occurrences (claimed once across replicas, leased, posted, missed) and the alert states that decide threshold
posts (the DigestStore of engine/ports.py; docs/digests.md, "The runner").

A run is created by one INSERT ... ON CONFLICT (job, slot) DO NOTHING, so exactly one replica claims each
occurrence; leases and due-ness are judged by the database's clock ({now}), never by one replica's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from adapters.store import rows
from adapters.store.base import SqlBase
from adapters.store.dialect import Session
from engine.digest.alerts import AlertState
from engine.digest.definition import (
    REQUESTED_SLOT_PREFIX,
    DigestDefinition,
    JobRun,
    RunState,
    ScheduledClaim,
    slot_for,
)
from engine.digest.history import SeriesKey
from engine.digest.schedule import Schedule, plan_run


class DigestQueries(SqlBase):
    """Digest definitions, job schedules and runs, alert states; part of `SqlStore`."""

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
            # Scheduled occurrences only: a run someone asked for (`/oke digest run`) is no occurrence, and
            # planning from it would skip one that was due but not yet claimed.
            (last,) = await tx.fetch("SELECT MAX(scheduled_for) FROM job_runs WHERE job = ? AND slot NOT LIKE ?",
                                     (key, REQUESTED_SLOT_PREFIX + "%"))
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
        return await self._take(
            "SELECT job, slot FROM job_runs WHERE state IN ('claimed', 'posting') AND lease_until < {now}"
            " ORDER BY scheduled_for LIMIT ?{lock_rows}",
            "UPDATE job_runs SET owner = ?, lease_until = {now} + ?, attempts = attempts + 1,"
            " updated_at = {now} WHERE job = ? AND slot = ?",
            owner=owner, lease_seconds=lease_seconds, limit=limit)

    async def queue_run(self, job: str, slot: str, *, scheduled_for: datetime, channel: str | None = None
                        ) -> JobRun | None:
        """A run asked for, "queued" with no owner, lease or attempt; None when its key exists."""
        async with self._transaction() as tx:
            created = await tx.execute(
                f"INSERT INTO job_runs ({rows.RUN_COLUMNS}, updated_at) VALUES (?, ?, 'queued', ?, NULL, NULL, 0, ?,"
                " NULL, NULL, NULL, NULL, 1, {now}) ON CONFLICT (job, slot) DO NOTHING",
                (rows.text(job), rows.text(slot), rows.seconds(scheduled_for), channel),
            )
            return await self._run(tx, rows.text(job), rows.text(slot)) if created else None

    async def claim_queued(self, *, owner: str, lease_seconds: float, limit: int = 10) -> list[JobRun]:
        """Claim queued runs, oldest first: "claimed" by `owner`, leased, attempt 1."""
        return await self._take(
            "SELECT job, slot FROM job_runs WHERE state = 'queued' ORDER BY scheduled_for LIMIT ?{lock_rows}",
            "UPDATE job_runs SET state = 'claimed', owner = ?, lease_until = {now} + ?, attempts = 1,"
            " updated_at = {now} WHERE job = ? AND slot = ?",
            owner=owner, lease_seconds=lease_seconds, limit=limit)

    async def _take(self, select: str, update: str, *, owner: str, lease_seconds: float, limit: int
                    ) -> list[JobRun]:
        """In one transaction: the runs `select` finds (at most `limit`, rows locked where the dialect can),
        each given to `owner` for `lease_seconds` by `update`; the runs as they are then."""
        async with self._transaction() as tx:
            found = await tx.fetch(select, (limit,))
            taken = []
            for job, slot in found:
                await tx.execute(update, (rows.text(owner), float(lease_seconds), job, slot))
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

    async def last_posted_at(self, job_prefix: str) -> datetime | None:
        """When the newest posted run of any job whose name starts with `job_prefix` was recorded as posted."""
        # state = 'posted' leads the job_runs_leases index, so only posted rows are read.
        (found,) = await self._fetch("SELECT MAX(updated_at) FROM job_runs WHERE state = 'posted' AND job LIKE ?",
                                     (_like_prefix(job_prefix),))
        return rows.instant(found[0]) if found[0] is not None else None

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

    async def failed_since(self, job: str, after: datetime | None) -> tuple[list[datetime], int]:
        """Failed runs after `after`: the newest 20 instants (oldest first) and their total."""
        found = await self._fetch(
            "SELECT scheduled_for FROM job_runs WHERE job = ? AND state = 'failed' AND scheduled_for > ?"
            " ORDER BY scheduled_for",
            (rows.text(job), rows.seconds(after) if after is not None else -1.0),
        )
        instants = [rows.instant(at) for (at,) in found]
        return instants[-20:], len(instants)

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


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern for the names that start with `prefix`, which may hold no wildcard (okebot's job prefixes,
    "digest:" and "alert:", hold none)."""
    if "%" in prefix or "_" in prefix or "\\" in prefix:
        raise ValueError(f"a job prefix with a LIKE wildcard: {prefix!r}")
    return prefix + "%"

"""The state store on SQLite (aiosqlite): one file, or memory, for a single host."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import aiosqlite

from adapters.store import rows
from adapters.store.migrations import MIGRATIONS, SCHEMA_VERSION_TABLE, Migration, pending
from engine.access import ChannelBinding, GrantKind, RoleGrant
from engine.audit import AuditEntry
from engine.errors import SourceError

_ERRORS = (sqlite3.Error, OSError)


class SqliteStore:
    """The StateStore on SQLite. Open it with `await SqliteStore.open(path)`."""

    def __init__(self, conn: aiosqlite.Connection, *, clock: Callable[[], float]) -> None:
        self._conn: aiosqlite.Connection | None = conn
        self._clock = clock

    @classmethod
    async def open(
        cls,
        path: str,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        clock: Callable[[], float] = time.time,
    ) -> SqliteStore:
        """Open (creating if needed) the database at `path` or ":memory:", and migrate it."""
        remedy = "check that the directory exists and okebot may write to it"
        if path != ":memory:" and not await asyncio.to_thread(_parent_is_directory, path):
            raise SourceError(f"cannot open the SQLite state database {path}: no such directory", remedy=remedy)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except _ERRORS as exc:
            # aiosqlite stops its worker thread without awaiting it; let it finish while the loop still runs.
            await asyncio.sleep(0.05)
            raise SourceError(f"cannot open the SQLite state database {path}: {exc}", remedy=remedy) from exc
        store = cls(conn, clock=clock)
        try:
            await store._prepare(path, migrations)
        except BaseException:
            await conn.close()
            raise
        return store

    async def _prepare(self, path: str, migrations: Sequence[Migration]) -> None:
        with self._translated():
            conn = self._live()
            # Other replicas on the same file wait for the lock instead of failing at once.
            await conn.execute("PRAGMA busy_timeout = 10000")
            if path != ":memory:":
                await _while_locked(conn, "PRAGMA journal_mode = WAL")
            await self._migrate(migrations)

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        conn = self._live()
        # IMMEDIATE takes the write lock first, so two processes opening the file migrate one after the other.
        await _while_locked(conn, "BEGIN IMMEDIATE")
        try:
            await conn.execute(SCHEMA_VERSION_TABLE)
            found = await conn.execute_fetchall("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            for migration in pending(int(next(iter(found))[0]), migrations):
                for statement in migration.sqlite:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at_us) VALUES (?, ?, ?)",
                    (migration.version, migration.name, int(self._clock() * 1_000_000)),
                )
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise

    async def schema_version(self) -> int:
        """The schema version the database is at."""
        with self._translated():
            found = await self._live().execute_fetchall("SELECT MAX(version) FROM schema_version")
            return int(next(iter(found))[0])

    async def record_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit trail."""
        with self._translated():
            await self._live().execute(
                "INSERT INTO audit_log (at_us, user_id, channel, command, arguments, outcome, error_id,"
                " duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows.audit_row(entry),
            )

    async def list_audit(
        self, *, limit: int = 50, user: str | None = None, channel: str | None = None
    ) -> list[AuditEntry]:
        """The newest `limit` entries, newest first, optionally only one user's or one channel's."""
        rows.check_limit(limit)
        where, params = _audit_filter(user, channel)
        sql = (
            "SELECT at_us, user_id, channel, command, arguments, outcome, error_id, duration_ms"
            f" FROM audit_log{where} ORDER BY at_us DESC, id DESC LIMIT ?"
        )
        with self._translated():
            found = await self._live().execute_fetchall(sql, (*params, limit))
        return [rows.audit_entry(row) for row in found]

    async def put_binding(self, binding: ChannelBinding) -> None:
        """Create or replace the binding of `binding.channel`."""
        with self._translated():
            await self._live().execute(
                "INSERT INTO channel_bindings (channel, clusters, compartments, default_cluster)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (channel) DO UPDATE SET clusters = excluded.clusters,"
                " compartments = excluded.compartments, default_cluster = excluded.default_cluster",
                rows.binding_row(binding),
            )

    async def get_binding(self, channel: str) -> ChannelBinding | None:
        """The stored binding of a channel, if any."""
        key = rows.binding_key(channel)
        found = await self._fetch(
            "SELECT channel, clusters, compartments, default_cluster FROM channel_bindings WHERE channel = ?",
            (key,),
        )
        return rows.channel_binding(found[0]) if found else None

    async def list_bindings(self) -> list[ChannelBinding]:
        """Every stored binding, ordered by channel."""
        found = await self._fetch(
            "SELECT channel, clusters, compartments, default_cluster FROM channel_bindings ORDER BY channel",
            (),
        )
        return [rows.channel_binding(row) for row in found]

    async def delete_binding(self, channel: str) -> bool:
        """Remove a channel's binding; False when there was none."""
        key = rows.binding_key(channel)
        return await self._change("DELETE FROM channel_bindings WHERE channel = ?", (key,)) > 0

    async def put_role_grant(self, grant: RoleGrant) -> None:
        """Create or replace the grant of one user or group."""
        with self._translated():
            await self._live().execute(
                "INSERT INTO role_grants (kind, subject_key, subject, role) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (kind, subject_key)"
                " DO UPDATE SET subject = excluded.subject, role = excluded.role",
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
        sql = "SELECT kind, subject, role FROM role_grants ORDER BY kind, subject_key"
        found = await self._fetch(sql, ())
        return [rows.role_grant(row) for row in found]

    async def delete_role_grant(self, kind: GrantKind, subject: str) -> bool:
        """Remove a grant; False when there was none."""
        sql = "DELETE FROM role_grants WHERE kind = ? AND subject_key = ?"
        return await self._change(sql, rows.grant_key(kind, subject)) > 0

    async def claim_once(self, key: str, *, ttl_seconds: int) -> bool:
        """Claim `key` for `ttl_seconds`: True for exactly one caller until it expires."""
        rows.check_ttl(ttl_seconds)
        now = self._clock()
        # One statement, so the check and the write are atomic even across processes sharing the file.
        claimed = await self._change(
            "INSERT INTO claims (claim_key, expires_at) VALUES (?, ?) ON CONFLICT (claim_key)"
            " DO UPDATE SET expires_at = excluded.expires_at WHERE claims.expires_at <= ?",
            (rows.text(key), now + ttl_seconds, now),
        )
        if claimed:
            await self._change("DELETE FROM claims WHERE expires_at < ?", (now,))
        return claimed > 0

    async def close(self) -> None:
        """Close the connection. The store cannot be used afterwards."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self._translated():
            return list(await self._live().execute_fetchall(sql, params))

    async def _change(self, sql: str, params: Sequence[Any]) -> int:
        with self._translated():
            cursor = await self._live().execute(sql, params)
            changed = cursor.rowcount
            await cursor.close()
            return int(changed)

    def _live(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise SourceError("the SQLite state store is closed")
        return self._conn

    @contextmanager
    def _translated(self) -> Iterator[None]:
        with rows.translated("SQLite", _ERRORS):
            yield


def _parent_is_directory(path: str) -> bool:
    return os.path.isdir(os.path.dirname(os.path.abspath(path)))


async def _while_locked(conn: aiosqlite.Connection, sql: str, *, patience: float = 10.0) -> None:
    # SQLite answers "database is locked" at once, ignoring busy_timeout, while another connection is
    # switching a fresh file to WAL; replicas starting together must wait their turn, not fail.
    deadline = time.monotonic() + patience
    while True:
        try:
            await conn.execute(sql)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.02)


def _audit_filter(user: str | None, channel: str | None) -> tuple[str, list[str]]:
    clauses, params = [], []
    if user is not None:
        clauses.append("user_id = ?")
        params.append(rows.text(user))
    if channel is not None:
        clauses.append("channel = ?")
        params.append(rows.text(channel))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

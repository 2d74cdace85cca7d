"""The state store on PostgreSQL (asyncpg): shared by every replica of the bot."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import asyncpg

from adapters.store import rows
from adapters.store.dsn import redact_dsn, scrub
from adapters.store.migrations import MIGRATIONS, SCHEMA_VERSION_TABLE, Migration, pending
from engine.access import ChannelBinding, GrantKind, RoleGrant
from engine.audit import AuditEntry
from engine.errors import SourceError

_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)
_NOW = "extract(epoch from clock_timestamp())::double precision"


class PostgresStore:
    """The StateStore on PostgreSQL. Open it with `await PostgresStore.open(dsn, schema=...)`."""

    def __init__(self, pool: Any) -> None:
        self._pool: Any | None = pool

    @classmethod
    async def open(
        cls,
        dsn: str,
        *,
        schema: str | None = None,
        migrations: Sequence[Migration] = MIGRATIONS,
        connect_timeout: float = 10.0,
        max_connections: int = 5,
    ) -> PostgresStore:
        """Connect, keep tables in `schema` (created if needed; default: the server's), and migrate."""
        settings = {"search_path": schema} if schema else None
        try:
            pool = await asyncpg.create_pool(
                dsn, min_size=1, max_size=max_connections, timeout=connect_timeout, server_settings=settings
            )
        except (*_ERRORS, ValueError) as exc:
            raise SourceError(
                f"cannot connect to the PostgreSQL state database {redact_dsn(dsn)}: {scrub(str(exc), dsn)}",
                remedy="check the host, port, database name and credentials, and that the server is up",
            ) from exc
        store = cls(pool)
        try:
            with store._translated():
                await store._migrate(schema, migrations)
        except BaseException:
            await pool.close()
            raise
        return store

    async def _migrate(self, schema: str | None, migrations: Sequence[Migration]) -> None:
        async with self._live().acquire() as conn, conn.transaction():
            # Replicas starting together queue here; the first migrates, the rest find nothing to do.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _lock_id(schema))
            if schema:
                await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
            await conn.execute(SCHEMA_VERSION_TABLE)
            current = await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            for migration in pending(int(current), migrations):
                for statement in migration.postgres:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at_us)"
                    f" VALUES ($1, $2, ({_NOW} * 1000000)::bigint)",
                    migration.version,
                    migration.name,
                )

    async def schema_version(self) -> int:
        """The schema version the database is at."""
        with self._translated():
            return int(await self._live().fetchval("SELECT MAX(version) FROM schema_version"))

    async def record_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit trail."""
        with self._translated():
            await self._live().execute(
                "INSERT INTO audit_log (at_us, user_id, channel, command, arguments, outcome, error_id,"
                " duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                *rows.audit_row(entry),
            )

    async def list_audit(
        self, *, limit: int = 50, user: str | None = None, channel: str | None = None
    ) -> list[AuditEntry]:
        """The newest `limit` entries, newest first, optionally only one user's or one channel's."""
        rows.check_limit(limit)
        where, params = _audit_filter(user, channel)
        sql = (
            "SELECT at_us, user_id, channel, command, arguments, outcome, error_id, duration_ms"
            f" FROM audit_log{where} ORDER BY at_us DESC, id DESC LIMIT ${len(params) + 1}"
        )
        found = await self._fetch(sql, (*params, limit))
        return [rows.audit_entry(tuple(row)) for row in found]

    async def put_binding(self, binding: ChannelBinding) -> None:
        """Create or replace the binding of `binding.channel`."""
        with self._translated():
            await self._live().execute(
                "INSERT INTO channel_bindings (channel, clusters, compartments, default_cluster)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (channel) DO UPDATE SET clusters = excluded.clusters,"
                " compartments = excluded.compartments, default_cluster = excluded.default_cluster",
                *rows.binding_row(binding),
            )

    async def get_binding(self, channel: str) -> ChannelBinding | None:
        """The stored binding of a channel, if any."""
        found = await self._fetch(
            "SELECT channel, clusters, compartments, default_cluster FROM channel_bindings"
            " WHERE channel = $1",
            (rows.binding_key(channel),),
        )
        return rows.channel_binding(tuple(found[0])) if found else None

    async def list_bindings(self) -> list[ChannelBinding]:
        """Every stored binding, ordered by channel."""
        found = await self._fetch(
            "SELECT channel, clusters, compartments, default_cluster FROM channel_bindings"
            ' ORDER BY channel COLLATE "C"',
            (),
        )
        return [rows.channel_binding(tuple(row)) for row in found]

    async def delete_binding(self, channel: str) -> bool:
        """Remove a channel's binding; False when there was none."""
        found = await self._fetch(
            "DELETE FROM channel_bindings WHERE channel = $1 RETURNING channel", (rows.binding_key(channel),)
        )
        return bool(found)

    async def put_role_grant(self, grant: RoleGrant) -> None:
        """Create or replace the grant of one user or group."""
        with self._translated():
            await self._live().execute(
                "INSERT INTO role_grants (kind, subject_key, subject, role) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (kind, subject_key)"
                " DO UPDATE SET subject = excluded.subject, role = excluded.role",
                *rows.grant_row(grant),
            )

    async def get_role_grant(self, kind: GrantKind, subject: str) -> RoleGrant | None:
        """The stored grant of one user or group, if any."""
        found = await self._fetch(
            "SELECT kind, subject, role FROM role_grants WHERE kind = $1 AND subject_key = $2",
            rows.grant_key(kind, subject),
        )
        return rows.role_grant(tuple(found[0])) if found else None

    async def list_role_grants(self) -> list[RoleGrant]:
        """Every stored grant, ordered by kind then subject."""
        found = await self._fetch(
            'SELECT kind, subject, role FROM role_grants ORDER BY kind COLLATE "C", subject_key COLLATE "C"',
            (),
        )
        return [rows.role_grant(tuple(row)) for row in found]

    async def delete_role_grant(self, kind: GrantKind, subject: str) -> bool:
        """Remove a grant; False when there was none."""
        found = await self._fetch(
            "DELETE FROM role_grants WHERE kind = $1 AND subject_key = $2 RETURNING kind",
            rows.grant_key(kind, subject),
        )
        return bool(found)

    async def claim_once(self, key: str, *, ttl_seconds: int) -> bool:
        """Claim `key` for `ttl_seconds`: True for exactly one caller, across replicas, until it expires."""
        rows.check_ttl(ttl_seconds)
        # The database's clock, not each replica's, decides expiry; ON CONFLICT makes check-and-write atomic.
        found = await self._fetch(
            f"INSERT INTO claims (claim_key, expires_at) VALUES ($1, {_NOW} + $2)"
            " ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at"
            f" WHERE claims.expires_at <= {_NOW} RETURNING claim_key",
            (rows.text(key), float(ttl_seconds)),
        )
        if found:
            await self._fetch(f"DELETE FROM claims WHERE expires_at < {_NOW} RETURNING claim_key", ())
        return bool(found)

    async def close(self) -> None:
        """Close the connection pool. The store cannot be used afterwards."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self._translated():
            return list(await self._live().fetch(sql, *params))

    def _live(self) -> Any:
        if self._pool is None:
            raise SourceError("the PostgreSQL state store is closed")
        return self._pool

    @contextmanager
    def _translated(self) -> Iterator[None]:
        with rows.translated("PostgreSQL", _ERRORS):
            yield


def _audit_filter(user: str | None, channel: str | None) -> tuple[str, list[str]]:
    clauses: list[str] = []
    params: list[str] = []
    for column, value in (("user_id", user), ("channel", channel)):
        if value is not None:
            params.append(rows.text(value))
            clauses.append(f"{column} = ${len(params)}")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _lock_id(schema: str | None) -> int:
    digest = hashlib.sha256(f"okebot-migrations:{schema or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'

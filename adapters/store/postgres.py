"""The state store on PostgreSQL (asyncpg): shared by every replica of the bot."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from adapters.store.dialect import Row, Session, render
from adapters.store.dsn import redact_dsn, scrub
from adapters.store.migrations import MIGRATIONS, Migration
from adapters.store.sql import SqlStore
from engine.errors import SourceError

_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)
SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def _sql(text: str) -> str:
    return render(text, now="extract(epoch from clock_timestamp())::double precision", binary=' COLLATE "C"',
                  lock_rows=" FOR UPDATE SKIP LOCKED", numbered=True)


class _Connection:
    """Statements on the pool (each on any free connection) or on the one connection of a transaction."""

    def __init__(self, target: Any) -> None:
        self._target = target  # an asyncpg Pool or Connection: both fetch, execute and executemany

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [tuple(row) for row in await self._target.fetch(_sql(sql), *params)]

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        status = await self._target.execute(_sql(sql), *params)
        # The command tag ends with the row count: "INSERT 0 1", "DELETE 3"; "CREATE TABLE" has none.
        count = str(status).rsplit(" ", 1)[-1]
        return int(count) if count.isdigit() else 0

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._target.executemany(_sql(sql), rows)  # atomic since asyncpg 0.22


class PostgresDialect(_Connection):
    """PostgreSQL's side of the store: a connection pool, and transactions on one of its connections."""

    name: str = "PostgreSQL"
    errors: tuple[type[BaseException], ...] = _ERRORS

    def __init__(self, pool: Any) -> None:
        super().__init__(pool)
        self._pool = pool

    def statements(self, migration: Migration) -> tuple[str, ...]:
        return migration.postgres

    async def has_table(self, name: str) -> bool:
        rows = await self.fetch("SELECT to_regclass(?) IS NOT NULL", (name,))
        return bool(rows[0][0])

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield _Connection(conn)

    async def close(self) -> None:
        await self._pool.close()


class PostgresStore(SqlStore):
    """The StateStore on PostgreSQL. Open it with `await PostgresStore.open(dsn, schema=...)`."""

    @classmethod
    async def open(
        cls,
        dsn: str,
        *,
        schema: str | None = None,
        migrations: Sequence[Migration] = MIGRATIONS,
        connect_timeout: float = 10.0,
        max_connections: int = 5,
        migrate: bool = True,
    ) -> PostgresStore:
        """Connect, keep tables in `schema` (created if needed; default: the server's), and migrate unless
        `migrate` is False (a check that must change nothing).

        `schema` is one plain identifier (SCHEMA_NAME); SourceError when it is not or the server cannot be reached.
        """
        if schema is not None and not SCHEMA_NAME.fullmatch(schema):
            raise SourceError(f"the PostgreSQL schema {schema!r} must be one plain identifier (letters, digits, _)")
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
        store = cls(PostgresDialect(pool))
        try:
            if migrate:
                await store.migrate(migrations, prepare=functools.partial(_prepare, schema=schema))
        except BaseException:
            await pool.close()
            raise
        return store

    async def may_create_tables(self) -> bool:
        """Whether the connected user may create okebot's tables where migrations put them: CREATE on the first
        schema of the search path that exists, or, when none does (a `schema` not created yet), CREATE on the
        database, which creating that schema needs. PostgreSQL 15 and later grant no CREATE on `public` to
        other users by default."""
        rows = await self._fetch(
            "SELECT CASE WHEN current_schema() IS NULL THEN has_database_privilege(current_database(), 'CREATE')"
            " ELSE has_schema_privilege(current_schema(), 'CREATE') END"
        )
        return bool(rows[0][0])


async def _prepare(tx: Session, *, schema: str | None) -> None:
    # Replicas starting together queue here; the first migrates, the rest find nothing to do.
    await tx.execute("SELECT pg_advisory_xact_lock(?)", (_lock_id(schema),))
    if schema:
        await tx.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')  # a plain identifier: nothing to escape


def _lock_id(schema: str | None) -> int:
    digest = hashlib.sha256(f"okebot-migrations:{schema or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)

"""The state store on SQLite (aiosqlite): one file, or memory, for a single host."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from adapters.store.dialect import Row, Session, render
from adapters.store.migrations import MIGRATIONS, Migration
from adapters.store.sql import SqlStore
from engine.errors import SourceError

_ERRORS = (sqlite3.Error, OSError)
# Seconds since the epoch from SQLite's own clock; julianday keeps milliseconds (unixepoch('subsec') needs 3.42).
_NOW = "((julianday('now') - 2440587.5) * 86400.0)"


def _sql(text: str) -> str:
    # Transactions are BEGIN IMMEDIATE, one at a time, so rows read in one need no lock of their own.
    return render(text, now=_NOW, binary="", lock_rows="", numbered=False)


class _Connection:
    """Statements on the one connection, each in its own transaction unless inside `transaction()`."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [tuple(row) for row in await self._conn.execute_fetchall(_sql(sql), params)]

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self._conn.execute(_sql(sql), params)
        changed = cursor.rowcount
        await cursor.close()
        return int(changed)

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(_sql(sql), rows)


class SqliteDialect(_Connection):
    """SQLite's side of the store: one connection, shared by the bot's coroutines one statement at a time."""

    name: str = "SQLite"
    errors: tuple[type[BaseException], ...] = _ERRORS

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__(conn)
        # A transaction holds the connection: another coroutine's statement would otherwise run inside it.
        self._turn = asyncio.Lock()

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._turn:
            return await super().fetch(sql, params)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._turn:
            return await super().execute(sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as tx:
            await tx.execute_many(sql, rows)

    def statements(self, migration: Migration) -> tuple[str, ...]:
        return migration.sqlite

    async def has_table(self, name: str) -> bool:
        rows = await self.fetch("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return bool(rows[0][0])

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self._turn:
            # IMMEDIATE takes the write lock first, so two processes sharing the file run one after the other.
            await _while_locked(self._conn, "BEGIN IMMEDIATE")
            try:
                yield _Connection(self._conn)
                await self._conn.execute("COMMIT")
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        # After the statement or transaction in flight, as asyncpg's pool.close() waits for its connections:
        # a shutdown must not cut an audit entry, or a transaction, in half.
        async with self._turn:
            await self._conn.close()


class SqliteStore(SqlStore):
    """The StateStore on SQLite. Open it with `await SqliteStore.open(path)`."""

    @classmethod
    async def open(
        cls, path: str, *, migrations: Sequence[Migration] = MIGRATIONS, migrate: bool = True
    ) -> SqliteStore:
        """Open (creating if needed) the database at `path` or ":memory:", and migrate it unless `migrate` is
        False (a check that must change nothing)."""
        remedy = "check that the directory exists and okebot may write to it"
        if path != ":memory:" and not await asyncio.to_thread(_parent_is_directory, path):
            raise SourceError(f"cannot open the SQLite state database {path}: no such directory", remedy=remedy)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except _ERRORS as exc:
            # aiosqlite stops its worker thread without awaiting it; let it finish while the loop still runs.
            await asyncio.sleep(0.05)
            raise SourceError(f"cannot open the SQLite state database {path}: {exc}", remedy=remedy) from exc
        store = cls(SqliteDialect(conn))
        try:
            with store._translated():
                # Other replicas on the same file wait for the lock instead of failing at once.
                await conn.execute("PRAGMA busy_timeout = 10000")
                if path != ":memory:" and migrate:  # a check that does not migrate writes nothing either
                    await _while_locked(conn, "PRAGMA journal_mode = WAL")
            if migrate:
                await store.migrate(migrations)
        except BaseException:
            await conn.close()
            raise
        return store


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

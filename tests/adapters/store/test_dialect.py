"""The dialects under the store: one neutral statement, rendered for each database, behaves the same on both.
These are the pieces a new query builds on: parameters, the database clock, bulk writes, transactions and
claiming rows that another transaction may be claiming at the same moment."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiosqlite
import asyncpg
import pytest

from adapters.store.dialect import Dialect, render
from adapters.store.postgres import PostgresDialect
from adapters.store.sqlite import SqliteDialect
from tests.adapters.store.conftest import drop_schema

Connect = Callable[[], Awaitable[Dialect]]


@pytest.fixture(params=["sqlite", "postgres"])
async def connect(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Connect]:
    """Opens dialects on one fresh database per test: each call is another replica's connection(s)."""
    opened: list[Dialect] = []
    schema = f"okebot_test_{uuid.uuid4().hex[:16]}"
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgres" else ""
    if dsn:
        conn = await asyncpg.connect(dsn, timeout=5)
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        await conn.close()

    async def open_dialect() -> Dialect:
        dialect: Dialect
        if dsn:
            dialect = PostgresDialect(await asyncpg.create_pool(dsn, server_settings={"search_path": schema}))
        else:
            conn = await aiosqlite.connect(str(tmp_path / "dialect.db"), isolation_level=None)
            await conn.execute("PRAGMA busy_timeout = 10000")
            dialect = SqliteDialect(conn)
        opened.append(dialect)
        return dialect

    yield open_dialect
    for dialect in opened:
        await dialect.close()
    if dsn:
        await drop_schema(dsn, schema)


@pytest.mark.parametrize(("numbered", "expected"), [
    (False, "SELECT a FROM t WHERE b = ? AND c < NOW ORDER BY a BIN LIMIT ?"),
    (True, "SELECT a FROM t WHERE b = $1 AND c < NOW ORDER BY a BIN LIMIT $2"),
])
def test_a_neutral_statement_gets_the_dialects_fragments_and_placeholders(numbered: bool, expected: str):
    neutral = "SELECT a FROM t WHERE b = ? AND c < {now} ORDER BY a{binary} LIMIT ?{lock_rows}"
    assert render(neutral, now="NOW", binary=" BIN", lock_rows="", numbered=numbered) == expected


async def test_now_is_the_database_clock_in_seconds_since_the_epoch(connect: Connect):
    dialect = await connect()
    before = time.time()
    ((now,),) = await dialect.fetch("SELECT {now}")
    assert before - 1 <= float(now) <= time.time() + 1


async def test_parameters_and_changed_row_counts_are_the_same_on_both(connect: Connect):
    dialect = await connect()
    await dialect.execute("CREATE TABLE samples (cluster TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)")
    await dialect.execute_many("INSERT INTO samples (cluster, at) VALUES (?, ?)",
                               [("a", 1.0), ("a", 2.0), ("b", 3.0)])
    found = await dialect.fetch("SELECT at FROM samples WHERE cluster = ? AND at >= ? ORDER BY at", ("a", 1.5))
    assert found == [(2.0,)]
    assert await dialect.execute("DELETE FROM samples WHERE cluster = ?", ("a",)) == 2
    assert await dialect.execute("DELETE FROM samples WHERE cluster = ?", ("zz",)) == 0


async def test_a_bulk_write_with_one_bad_row_writes_none(connect: Connect):
    dialect = await connect()
    await dialect.execute("CREATE TABLE samples (id INTEGER PRIMARY KEY)")
    with pytest.raises(dialect.errors):
        await dialect.execute_many("INSERT INTO samples (id) VALUES (?)", [(1,), (2,), (1,)])
    assert await dialect.fetch("SELECT COUNT(*) FROM samples") == [(0,)]


async def test_a_transaction_that_raises_leaves_nothing_behind(connect: Connect):
    dialect = await connect()
    await dialect.execute("CREATE TABLE samples (id INTEGER PRIMARY KEY)")

    async def fail_midway() -> None:
        async with dialect.transaction() as tx:
            await tx.execute("INSERT INTO samples (id) VALUES (?)", (1,))
            raise RuntimeError("midway")

    with pytest.raises(RuntimeError, match="midway"):
        await fail_midway()
    assert await dialect.fetch("SELECT COUNT(*) FROM samples") == [(0,)]


async def test_rows_claimed_with_lock_rows_go_to_exactly_one_transaction_across_replicas(connect: Connect):
    one, two = await connect(), await connect()
    await one.execute("CREATE TABLE due (id INTEGER PRIMARY KEY, owner TEXT)")
    await one.execute_many("INSERT INTO due (id) VALUES (?)", [(n,) for n in range(12)])

    async def claim(dialect: Dialect, owner: str) -> None:
        async with dialect.transaction() as tx:
            found = await tx.fetch("SELECT id FROM due WHERE owner IS NULL ORDER BY id LIMIT 1{lock_rows}")
            if found:
                await asyncio.sleep(0.01)  # hold the claim while the other replica looks
                await tx.execute("UPDATE due SET owner = ? WHERE id = ? AND owner IS NULL", (owner, found[0][0]))

    await asyncio.gather(*(claim(d, f"{name}{n}") for n in range(6) for name, d in (("one", one), ("two", two))))
    owners = await one.fetch("SELECT owner FROM due ORDER BY id")
    assert None not in {owner for (owner,) in owners}
    assert len({owner for (owner,) in owners}) == 12

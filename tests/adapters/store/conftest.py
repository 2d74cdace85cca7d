"""One contract suite, two backends: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from OKEBOT_TEST_POSTGRES_DSN (default postgresql://postgres@127.0.0.1:5432/test). Each test
gets its own schema, dropped afterwards, so parallel runs do not collide. When the server cannot be reached
the PostgreSQL half is skipped on a workstation, but fails when CI is set (any value but 0/false): CI must
never pass by skipping.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from adapters.store import open_store
from adapters.store.dsn import redact_dsn, scrub
from adapters.store.migrations import MIGRATIONS, Migration
from adapters.store.postgres import PostgresStore
from adapters.store.sqlite import SqliteStore
from engine.ports import StateStore

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"

Opener = Callable[[Sequence[Migration]], Awaitable[SqliteStore | PostgresStore]]


@dataclass
class Backend:
    """Where one test's store lives: a URL for `open_store`, and a way to open it with other migrations."""

    name: str
    url: str
    open_with: Opener


def _with_user(dsn: str, user: str) -> str:
    parts = urlsplit(dsn)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


async def _first_reachable(candidates: Sequence[str]) -> tuple[str | None, str]:
    problems = []
    for dsn in candidates:
        try:
            conn = await asyncpg.connect(dsn, timeout=5)
        except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
            problems.append(f"{redact_dsn(dsn)}: {type(exc).__name__}: {scrub(str(exc), dsn)}")
            continue
        await conn.close()
        return dsn, ""
    return None, "; ".join(problems)


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """A reachable PostgreSQL DSN, or a skip (a failure when CI=true)."""
    configured = os.environ.get("OKEBOT_TEST_POSTGRES_DSN")
    candidates = [configured] if configured else [DEFAULT_DSN, _with_user(DEFAULT_DSN, "root")]
    # Probed on its own thread: this fixture may be first requested from inside a running event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        dsn, problems = pool.submit(asyncio.run, _first_reachable(candidates)).result()
    if dsn is not None:
        return dsn
    message = (
        f"PostgreSQL for the store contract tests is unreachable ({problems}); "
        "set OKEBOT_TEST_POSTGRES_DSN to a reachable server"
    )
    if os.environ.get("CI", "").strip().casefold() not in ("", "0", "false", "no"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


async def drop_schema(dsn: str, schema: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """A fresh, empty place for a store on each backend."""
    if request.param == "sqlite":
        path = str(tmp_path / "state.db")

        async def open_sqlite(migrations: Sequence[Migration] = MIGRATIONS) -> SqliteStore:
            return await SqliteStore.open(path, migrations=migrations)

        yield Backend("sqlite", f"sqlite:///{path}", open_sqlite)
        return
    dsn = request.getfixturevalue("postgres_dsn")
    schema = f"okebot_test_{uuid.uuid4().hex[:16]}"

    async def open_postgres(migrations: Sequence[Migration] = MIGRATIONS) -> PostgresStore:
        return await PostgresStore.open(dsn, schema=schema, migrations=migrations)

    separator = "&" if "?" in dsn else "?"
    yield Backend("postgres", f"{dsn}{separator}schema={schema}", open_postgres)
    await drop_schema(dsn, schema)


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[StateStore]:
    """An open store on each backend, closed after the test."""
    opened = await open_store(backend.url)
    yield opened
    await opened.close()

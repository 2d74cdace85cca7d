"""Opening a store by URL: what each URL form means; every failure is a SourceError without secrets."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from adapters.store import open_store
from adapters.store.dsn import redact_dsn, scrub
from adapters.store.postgres import PostgresStore
from adapters.store.sqlite import SqliteStore
from engine.errors import SourceError


def closed_port() -> int:
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("dsn", "shown"),
    [
        ("postgresql://okebot:s3cret@db:5432/okebot", "postgresql://okebot:***@db:5432/okebot"),
        ("postgresql://okebot@db/okebot", "postgresql://okebot@db/okebot"),
        ("postgresql://db/okebot?password=s3cret&sslmode=require", "postgresql://db/okebot?password=***&sslmode=require"),
        ("postgresql://u:p%40ss@db/x", "postgresql://u:***@db/x"),
        ("mysql://root:hunter2@db/x", "mysql://root:***@db/x"),
    ],
)
def test_a_dsn_is_shown_without_its_password(dsn, shown):
    assert redact_dsn(dsn) == shown


def test_scrub_removes_raw_and_decoded_passwords_from_any_text():
    text = "failed for p%40ss and p@ss and s3cret"
    assert scrub(text, "postgresql://u:p%40ss@db/x?password=s3cret") == "failed for *** and *** and ***"


async def test_memory_url_opens_a_private_sqlite_store():
    store = await open_store("sqlite:///:memory:")
    try:
        assert isinstance(store, SqliteStore)
        assert await store.claim_once("k", ttl_seconds=60) is True
    finally:
        await store.close()


async def test_four_slashes_mean_an_absolute_sqlite_path(tmp_path: Path):
    store = await open_store(f"sqlite:///{tmp_path}/okebot.db")
    await store.close()
    assert (tmp_path / "okebot.db").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root:hunter2@db/okebot", "unsupported state store URL 'mysql://root:***@db/okebot'"),
        ("okebot.db", "unsupported state store URL"),
        ("", "unsupported state store URL"),
        ("sqlite://", "needs a path"),
        ("sqlite:///", "needs a path"),
        ("sqlite://host/okebot.db", "needs a path"),
        ("sqlite:///okebot.db?mode=ro", "no query"),
        ("postgresql://u:hunter2@db/x?schema=a;drop", "must be one plain identifier"),
        ("postgresql://u:hunter2@db/x?schema=a&schema=b", "must be one plain identifier"),
    ],
)
async def test_a_bad_url_is_a_source_error_that_never_shows_the_password(url, message):
    with pytest.raises(SourceError) as caught:
        await open_store(url)
    assert message in caught.value.message
    assert "hunter2" not in str(caught.value)
    assert caught.value.remedy is not None


async def test_a_sqlite_file_in_a_missing_directory_is_a_source_error(tmp_path: Path):
    with pytest.raises(SourceError, match="cannot open the SQLite state database") as caught:
        await open_store(f"sqlite:///{tmp_path}/no/such/dir/okebot.db")
    assert "directory" in (caught.value.remedy or "")


async def test_an_unreachable_postgres_is_a_source_error_without_the_password():
    url = f"postgresql://okebot:hunter2@127.0.0.1:{closed_port()}/okebot"
    with pytest.raises(SourceError, match="cannot connect to the PostgreSQL state database") as caught:
        await PostgresStore.open(url, connect_timeout=2)
    assert "okebot:***@127.0.0.1" in caught.value.message
    assert "hunter2" not in str(caught.value)


async def test_a_sqlite_path_that_is_a_directory_is_a_source_error(tmp_path: Path):
    with pytest.raises(SourceError, match="cannot open the SQLite state database"):
        await open_store(f"sqlite:///{tmp_path}")

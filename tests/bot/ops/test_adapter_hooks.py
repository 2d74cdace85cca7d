"""The adapters report into metrics through plain callbacks: OCI requests by operation and status (the real SDK
against the fake OCI server), failed store operations by name, and each read's duration in the composition root."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.fakes.oci_server import FakeOciServer
from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.oci.reader import OciTenancyReader
from adapters.store.factory import open_store
from adapters.store.migrations import MIGRATIONS
from bot.compose import TimedReader, build_reader
from bot.metrics import Metrics
from engine.errors import InputError, SourceError
from tests.adapters.oci import conftest as oci_conftest
from tests.adapters.oci.conftest import make_settings

oci_config_file = oci_conftest.oci_config_file


async def test_every_oci_request_is_reported_with_its_operation_and_status(oci_config_file: Path):
    seen: list[tuple[str, str]] = []
    async with FakeOciServer(generate_tenancy(clusters=1, pools_per_cluster=1, nodes_per_pool=1)) as server:
        server.inject(r"/vcns$", "status", status=404, code="NotAuthorizedOrNotFound")
        settings = make_settings(oci_config_file, server.url, retry_max_attempts=1)
        reader = OciTenancyReader(settings, observer=lambda op, status: seen.append((op, status)))
        try:
            await reader.read()
        finally:
            await reader.close()
        requests = server.total_calls
    assert ("list_vcns", "404") in seen
    assert ("list_clusters", "200") in seen
    assert len(seen) == requests  # one report per HTTP request the server answered


async def test_an_oci_request_that_gets_no_answer_is_reported_as_a_connection_failure(oci_config_file: Path):
    seen: list[tuple[str, str]] = []
    server = FakeOciServer(generate_tenancy(clusters=1, pools_per_cluster=1, nodes_per_pool=1))
    url = await server.start()
    await server.close()  # nothing listens there any more
    settings = make_settings(oci_config_file, url, retry_max_attempts=1, connect_timeout=0.5)
    reader = OciTenancyReader(settings, observer=lambda op, status: seen.append((op, status)))
    try:
        with pytest.raises(SourceError):
            await reader.read()
    finally:
        await reader.close()
    assert seen
    assert {status for _, status in seen} == {"connection"}


async def test_a_failed_store_operation_is_reported_by_its_name():
    failed: list[str] = []
    store = await open_store("sqlite:///:memory:", observer=failed.append)
    await store.list_bindings()
    assert failed == []
    await store.close()
    with pytest.raises(SourceError, match="closed"):
        await store.list_role_grants()
    assert failed == ["list_role_grants"]


async def test_a_store_that_cannot_be_opened_is_reported_as_open(tmp_path: Path):
    failed: list[str] = []
    with pytest.raises(SourceError, match="no such directory"):
        await open_store(f"sqlite:///{tmp_path}/missing/dir/okebot.db", observer=failed.append)
    assert failed == ["open"]


async def test_a_store_opened_without_migrating_says_it_is_behind(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/okebot.db"
    fresh = await open_store(url, migrate=False)
    try:
        assert await fresh.schema_version() == 0  # type: ignore[attr-defined]
    finally:
        await fresh.close()
    migrated = await open_store(url)
    await migrated.close()
    again = await open_store(url, migrate=False)
    try:
        assert await again.schema_version() == MIGRATIONS[-1].version  # type: ignore[attr-defined]
    finally:
        await again.close()


async def test_reads_are_timed_by_source_kind():
    metrics = Metrics()
    reader = build_reader("demo", metrics=metrics)
    assert isinstance(reader, TimedReader)
    await reader.read()
    await reader.read(clusters=["payments-native"])
    assert metrics.registry.get_sample_value("okebot_read_seconds_count", {"source": "demo"}) == 2
    assert reader.description == reader.inner.description
    await reader.close()  # the demo reader holds nothing; closing is still safe


async def test_a_failed_read_is_timed_too(tmp_path: Path):
    metrics = Metrics()
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    reader = build_reader(f"snapshot:{broken}", metrics=metrics)
    with pytest.raises(InputError, match=r"broken\.json"):
        await reader.read()
    assert metrics.registry.get_sample_value("okebot_read_seconds_count", {"source": "snapshot"}) == 1

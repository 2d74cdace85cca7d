"""OciTenancyReader: a live read converted through the snapshot format, with a short cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.fakes.oci_server import FakeOciServer
from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.oci.reader import OciTenancyReader
from engine.errors import NotFoundError
from engine.model import Cni
from engine.ports import TenancyReader
from tests.adapters.oci.conftest import make_settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def reader_for(server: FakeOciServer, config: Path, clock: FakeClock, **settings: object) -> OciTenancyReader:
    return OciTenancyReader(make_settings(config, server.url, cache_ttl=60.0, **settings), clock=clock)


async def test_the_reader_satisfies_the_tenancy_reader_port(oci_config_file: Path) -> None:
    async with FakeOciServer(generate_tenancy(clusters=1, pools_per_cluster=1, nodes_per_pool=2)) as server:
        reader: TenancyReader = reader_for(server, oci_config_file, FakeClock())
        tenancy = await reader.read()
    assert [c.cni for c in tenancy.clusters] == [Cni.VCN_NATIVE]
    assert [n.max_vnics for n in tenancy.clusters[0].node_pools[0].nodes or ()] == [2, None]
    assert "OCI" in reader.description


async def test_a_second_read_within_the_ttl_is_served_from_the_cache(oci_config_file: Path) -> None:
    clock = FakeClock()
    async with FakeOciServer(generate_tenancy(clusters=1, pools_per_cluster=1, nodes_per_pool=1)) as server:
        reader = reader_for(server, oci_config_file, clock)
        first = await reader.read()
        calls = server.total_calls
        clock.now += 30
        assert await reader.read() is first
        assert server.total_calls == calls
        clock.now += 31
        await reader.read()
        assert server.total_calls == 2 * calls


async def test_fresh_bypasses_the_cache(oci_config_file: Path) -> None:
    async with FakeOciServer(generate_tenancy(clusters=1, pools_per_cluster=1, nodes_per_pool=1)) as server:
        reader = reader_for(server, oci_config_file, FakeClock())
        await reader.read()
        calls = server.total_calls
        await reader.read(fresh=True)
        assert server.total_calls == 2 * calls


async def test_named_clusters_are_read_alone_and_unknown_names_are_not_found(oci_config_file: Path) -> None:
    async with FakeOciServer(generate_tenancy(clusters=3, pools_per_cluster=1, nodes_per_pool=1)) as server:
        reader = reader_for(server, oci_config_file, FakeClock())
        tenancy = await reader.read(clusters=["cluster-2"])
        assert [c.name for c in tenancy.clusters] == ["cluster-2"]
        with pytest.raises(NotFoundError):
            await reader.read(clusters=["nope"])

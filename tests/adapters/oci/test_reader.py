"""OciTenancyReader: a live read converted through the snapshot format, with a short cache."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
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
    assert tenancy.source_kind == "live"  # so "not read" findings say "could not be read from the tenancy"


async def test_a_second_read_within_the_ttl_is_served_from_the_cache_and_says_so(oci_config_file: Path) -> None:
    clock = FakeClock()
    async with FakeOciServer(generate_tenancy(clusters=1, pools_per_cluster=1, nodes_per_pool=1)) as server:
        reader = reader_for(server, oci_config_file, clock)
        first = await reader.read()
        calls = server.total_calls
        clock.now += 30
        cached = await reader.read()
        assert (first.cached, cached.cached) == (False, True)
        assert cached.captured_at == first.captured_at  # when it was read, which the answer states
        assert cached.clusters == first.clusters
        assert await reader.read() is cached  # one object per read, so what is derived from it is reused
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


async def wait_until(condition: Callable[[], bool], *, seconds: float = 5.0) -> bool:
    """Poll the fake server's state (it has no event to wait on) until `condition` holds or time runs out."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return True
        await asyncio.sleep(0.01)
    return condition()


async def test_a_slow_read_does_not_hold_up_a_read_of_other_clusters(oci_config_file: Path) -> None:
    source = generate_tenancy(clusters=2, pools_per_cluster=1, nodes_per_pool=1)
    slow = source["clusters"][0]["id"]
    async with FakeOciServer(source) as server:
        # The first read hangs for good on its cluster: the second must finish while it still waits.
        server.inject(f"/clusters/{slow}$", "hang", seconds=3600.0)
        reader = reader_for(server, oci_config_file, FakeClock())
        first = asyncio.ensure_future(reader.read(clusters=["cluster-0"]))
        assert await wait_until(lambda: server.calls[f"/20180222/clusters/{slow}"] > 0)
        second = await asyncio.wait_for(reader.read(clusters=["cluster-1"]), timeout=60)
        assert not first.done()
        assert [c.name for c in second.clusters] == ["cluster-1"]
        first.cancel()
        await reader.close()


async def test_fresh_reads_of_the_same_clusters_at_once_share_one_set_of_calls(oci_config_file: Path) -> None:
    async with FakeOciServer(generate_tenancy(clusters=2, pools_per_cluster=1, nodes_per_pool=1)) as server:
        reader = reader_for(server, oci_config_file, FakeClock())
        await reader.read(clusters=["cluster-1"])
        one_read = server.total_calls
        server.latency = 0.02
        first, second = await asyncio.gather(
            reader.read(clusters=["cluster-1"], fresh=True), reader.read(clusters=["cluster-1"], fresh=True)
        )
        assert first is second
        assert server.total_calls == 2 * one_read


async def test_a_caller_giving_up_does_not_cancel_the_read_others_wait_for(oci_config_file: Path) -> None:
    async with FakeOciServer(generate_tenancy(clusters=1, pools_per_cluster=1, nodes_per_pool=1)) as server:
        server.latency = 0.05
        reader = reader_for(server, oci_config_file, FakeClock())
        impatient = asyncio.ensure_future(reader.read())
        patient = asyncio.ensure_future(reader.read())
        await asyncio.sleep(0.1)
        impatient.cancel()
        tenancy = await patient
    assert [c.name for c in tenancy.clusters] == ["cluster-0"]


async def test_close_closes_the_sdk_connections_and_a_later_read_opens_new_ones(oci_config_file: Path) -> None:
    async with FakeOciServer(generate_tenancy(clusters=1, pools_per_cluster=1, nodes_per_pool=1)) as server:
        reader = reader_for(server, oci_config_file, FakeClock())
        await reader.read()
        assert server.open_connections > 0
        await reader.close()
        assert await wait_until(lambda: server.open_connections == 0)
        tenancy = await reader.read(fresh=True)
        await reader.close()
    assert [c.name for c in tenancy.clusters] == ["cluster-0"]


async def test_with_an_offload_the_recording_is_packed_and_converted_there_to_the_same_model(
    oci_config_file: Path,
) -> None:
    sent: list[str] = []

    async def offload(fn, /, *args, **kwargs):  # what the bot's work service does, minus the other process
        sent.append(fn.__name__)
        packed = args[0]
        assert all(isinstance(data, bytes) for _, _, data in packed)  # picklable slices, not the live document
        return await asyncio.to_thread(fn, *args, **kwargs)

    document = generate_tenancy(clusters=2, pools_per_cluster=2, nodes_per_pool=3, pod_ips_per_node=3)
    async with FakeOciServer(document) as server:
        plain = await reader_for(server, oci_config_file, FakeClock()).read()
        settings = make_settings(oci_config_file, server.url, cache_ttl=60.0)
        offloaded = await OciTenancyReader(settings, clock=FakeClock(), offload=offload).read()
    assert sent == ["tenancy_from_packed"]
    assert offloaded.model_copy(update={"captured_at": None}) == plain.model_copy(update={"captured_at": None})

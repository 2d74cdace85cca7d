"""Partial reads: what failed stays unknown, and a live read and the replay of its snapshot fail alike."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from adapters.fakes.oci_server import FakeOciServer
from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.oci.clients import build_clients
from adapters.oci.executor import OciExecutor
from adapters.oci.reader import OciTenancyReader
from adapters.oci.recorder import Recording, record_snapshot
from adapters.snapshot import SnapshotTenancyReader, tenancy_from_document
from engine.errors import EngineError, InputError, NotFoundError, SourceError
from tests.adapters.oci.conftest import make_settings

COMPARTMENTS = ["ocid1.compartment.oc1..gen0", "ocid1.compartment.oc1..gen1"]


def two_compartments() -> dict[str, Any]:
    return generate_tenancy(clusters=2, pools_per_cluster=1, nodes_per_pool=2, compartments=2)


async def recorded(server: FakeOciServer, config: Path, clusters: list[str] | None = None) -> dict[str, Any]:
    """The document a read records, even when the read itself would refuse it."""
    settings = make_settings(config, server.url, compartment_ids=COMPARTMENTS, retry_max_attempts=1)
    executor = OciExecutor(settings.concurrency)
    try:
        return await Recording(build_clients(settings), executor, settings=settings).record(clusters)
    finally:
        executor.close()


@pytest.mark.parametrize("kind", ["nodePools", "virtualNodePools"])
async def test_a_pool_list_failed_in_one_compartment_leaves_only_its_clusters_pools_unknown(
    oci_config_file: Path, kind: str
) -> None:
    async with FakeOciServer(two_compartments()) as server:
        server.inject(f"/20180222/{kind}$", "status", status=403, code="NotAuthorizedOrNotFound",
                      query={"compartmentId": COMPARTMENTS[1]})
        doc = await recorded(server, oci_config_file)
    assert [(e["kind"], e["id"]) for e in doc["errors"]] == [(kind, COMPARTMENTS[1])]
    tenancy = tenancy_from_document(doc, source="test")
    complete = {c.compartment_id: c.node_pools_complete for c in tenancy.clusters}
    assert complete == {COMPARTMENTS[0]: True, COMPARTMENTS[1]: False}


def test_a_snapshot_without_virtual_node_pools_leaves_every_clusters_pools_unknown() -> None:
    doc = two_compartments()
    del doc["virtualNodePools"]
    tenancy = tenancy_from_document(doc, source="test")
    assert [c.node_pools_complete for c in tenancy.clusters] == [False, False]
    assert "virtualNodePools" in {u.kind for u in tenancy.unreadable}


async def test_no_cluster_list_at_all_is_a_source_error_live_in_snapshot_and_in_replay(
    oci_config_file: Path,
) -> None:
    async with FakeOciServer(two_compartments()) as server:
        server.inject("/20180222/clusters$", "status", status=503, code="ServiceUnavailable")
        settings = make_settings(oci_config_file, server.url, compartment_ids=COMPARTMENTS, retry_max_attempts=1)
        with pytest.raises(SourceError, match="could not list the clusters of any compartment"):
            await OciTenancyReader(settings).read()
        with pytest.raises(SourceError, match="could not list the clusters of any compartment"):
            await record_snapshot(settings)
        doc = await recorded(server, oci_config_file)
    assert "clusters" not in doc
    with pytest.raises(SourceError, match="could not list the clusters of any compartment"):
        await SnapshotTenancyReader(doc).read()


async def test_an_unknown_name_with_a_failed_cluster_list_is_the_same_source_error_live_and_replayed(
    oci_config_file: Path,
) -> None:
    async with FakeOciServer(two_compartments()) as server:
        server.inject("/20180222/clusters$", "status", status=503, code="ServiceUnavailable",
                      query={"compartmentId": COMPARTMENTS[1]})
        settings = make_settings(oci_config_file, server.url, compartment_ids=COMPARTMENTS, retry_max_attempts=1)
        with pytest.raises(SourceError) as live:
            await OciTenancyReader(settings).read(clusters=["cluster-1"])
        doc = await recorded(server, oci_config_file)
    with pytest.raises(SourceError) as replayed:
        await SnapshotTenancyReader(doc).read(clusters=["cluster-1"])
    assert live.value.message == replayed.value.message
    assert COMPARTMENTS[1] in live.value.message


async def test_a_name_two_clusters_share_is_an_input_error_naming_both_live_and_replayed(
    oci_config_file: Path,
) -> None:
    source = two_compartments()
    twins = copy.deepcopy(source)
    twins["clusters"][1]["name"] = "cluster-0"
    ids = [c["id"] for c in twins["clusters"]]
    errors: list[EngineError] = []
    async with FakeOciServer(twins) as server:
        settings = make_settings(oci_config_file, server.url, compartment_ids=COMPARTMENTS)
        with pytest.raises(InputError) as live:
            await OciTenancyReader(settings).read(clusters=["cluster-0"])
        errors.append(live.value)
        doc = await recorded(server, oci_config_file)
    with pytest.raises(InputError) as replayed:
        await SnapshotTenancyReader(doc).read(clusters=["cluster-0"])
    errors.append(replayed.value)
    for error in errors:
        assert "2 clusters are named 'cluster-0'" in error.message
        assert all(cluster_id in error.message for cluster_id in ids)
        assert "by OCID" in error.message


async def test_a_shared_name_is_still_chosen_by_ocid(oci_config_file: Path) -> None:
    twins = two_compartments()
    twins["clusters"][1]["name"] = "cluster-0"
    wanted = twins["clusters"][1]["id"]
    async with FakeOciServer(twins) as server:
        settings = make_settings(oci_config_file, server.url, compartment_ids=COMPARTMENTS)
        tenancy = await OciTenancyReader(settings).read(clusters=[wanted])
    assert [c.id for c in tenancy.clusters] == [wanted]


async def test_an_unknown_name_with_every_list_read_is_not_found_live_and_replayed(oci_config_file: Path) -> None:
    async with FakeOciServer(two_compartments()) as server:
        settings = make_settings(oci_config_file, server.url, compartment_ids=COMPARTMENTS)
        with pytest.raises(NotFoundError):
            await OciTenancyReader(settings).read(clusters=["nope"])
        doc = await recorded(server, oci_config_file)
    with pytest.raises(NotFoundError):
        await SnapshotTenancyReader(doc).read(clusters=["nope"])

"""The fake OCI server answers the real SDK on OCI's paths, pages, stamps request ids and injects faults."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import oci
import pytest

from adapters.fakes.oci_server import FakeOciServer
from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.oci.clients import build_clients
from tests.adapters.oci.conftest import make_settings

DOC = generate_tenancy(clusters=2, pools_per_cluster=1, nodes_per_pool=2, compartments=2)


async def test_gets_by_id_and_filtered_lists_answer_like_oci(oci_config_file: Path) -> None:
    async with FakeOciServer(DOC, page_size=1) as server:
        clients = build_clients(make_settings(oci_config_file, server.url))
        subnet_id = DOC["subnets"][0]["id"]
        subnet = await asyncio.to_thread(clients.network.get_subnet, subnet_id)
        table = await asyncio.to_thread(clients.network.get_route_table, DOC["routeTables"][0]["id"])
        attachments = await asyncio.to_thread(
            oci.pagination.list_call_get_all_results, clients.compute.list_vnic_attachments,
            compartment_id=DOC["instances"][0]["compartmentId"], instance_id=DOC["instances"][0]["id"],
        )
        children = await asyncio.to_thread(
            clients.identity.list_compartments, DOC["compartments"][0]["compartmentId"]
        )
    assert subnet.data.cidr_block == DOC["subnets"][0]["cidrBlock"]
    assert subnet.headers["opc-request-id"].startswith("fake-")
    assert table.data.route_rules[0].network_entity_id == DOC["natGateways"][0]["id"]
    assert [a.subnet_id for a in attachments.data] == [DOC["subnets"][0]["id"], DOC["subnets"][1]["id"]]
    assert len(children.data) == 1
    assert children.has_next_page
    assert server.routes["/20160918/vnicAttachments"] == 2


async def test_an_unknown_id_is_404_not_authorized_or_not_found(oci_config_file: Path) -> None:
    async with FakeOciServer(DOC) as server:
        clients = build_clients(make_settings(oci_config_file, server.url, retry_max_attempts=1))
        with pytest.raises(oci.exceptions.ServiceError) as caught:
            await asyncio.to_thread(clients.container_engine.get_cluster, "ocid1.cluster.oc1..missing")
    assert (caught.value.status, caught.value.code) == (404, "NotAuthorizedOrNotFound")
    assert caught.value.request_id.startswith("fake-")


async def test_injected_latency_applies_to_matching_paths_only(oci_config_file: Path) -> None:
    async with FakeOciServer(DOC) as server:
        fault = server.inject("/vcns$", "latency", seconds=0.3)
        clients = build_clients(make_settings(oci_config_file, server.url))
        compartment = DOC["vcns"][0]["compartmentId"]
        await asyncio.to_thread(clients.network.list_subnets, compartment_id=compartment)
        assert fault.hits == 0
        started = time.monotonic()
        await asyncio.to_thread(clients.network.list_vcns, compartment_id=compartment)
        # A lower bound only: the injected sleep cannot be skipped, however loaded the machine is.
        assert time.monotonic() - started >= 0.3
    assert fault.hits == 1


async def test_a_fault_can_be_narrowed_to_one_compartment_by_query(oci_config_file: Path) -> None:
    first, second = (c["id"] for c in DOC["compartments"])
    async with FakeOciServer(DOC) as server:
        server.inject("/clusters$", "status", status=403, code="NotAuthorizedOrNotFound",
                      query={"compartmentId": second})
        clients = build_clients(make_settings(oci_config_file, server.url, retry_max_attempts=1))
        listed = await asyncio.to_thread(clients.container_engine.list_clusters, first)
        with pytest.raises(oci.exceptions.ServiceError) as caught:
            await asyncio.to_thread(clients.container_engine.list_clusters, second)
    assert [c.compartment_id for c in listed.data] == [first]
    assert caught.value.status == 403

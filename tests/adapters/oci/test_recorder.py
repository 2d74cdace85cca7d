"""The recorder reads a tenancy through the real OCI SDK, over HTTP, from the fake OCI server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.fakes.oci_server import FakeOciServer
from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.oci.recorder import record_snapshot
from adapters.snapshot.convert import tenancy_from_document
from engine.errors import NotFoundError
from engine.model import Tenancy
from tests.adapters.oci.conftest import make_settings

READ_KINDS = (
    "clusters", "nodePools", "vcns", "subnets", "securityLists", "networkSecurityGroups", "routeTables",
    "natGateways", "serviceGateways", "internetGateways", "shapes", "instances", "privateIps",
    "images", "vnicAttachments",
)


def small_tenancy(**overrides: int) -> dict[str, Any]:
    sizes = {"clusters": 2, "pools_per_cluster": 2, "nodes_per_pool": 3, "pod_ips_per_node": 2, **overrides}
    return generate_tenancy(**sizes)


def model(doc: dict[str, Any]) -> Tenancy:
    return tenancy_from_document(doc, source="test").model_copy(update={"captured_at": None})


def in_id_order(tenancy: Tenancy) -> Tenancy:
    """The tenancy with its lists sorted by id: compartments are read in their own order."""
    kinds = ("clusters", "vcns", "subnets")
    return tenancy.model_copy(update={k: tuple(sorted(getattr(tenancy, k), key=lambda o: o.id)) for k in kinds})


async def record(server: FakeOciServer, config: Path, **settings: Any) -> dict[str, Any]:
    clusters = settings.pop("clusters", None)
    return await record_snapshot(make_settings(config, server.url, **settings), clusters=clusters)


async def test_every_read_kind_is_recorded_as_the_rest_api_returns_it(oci_config_file: Path) -> None:
    source = small_tenancy()
    async with FakeOciServer(source) as server:
        doc = await record(server, oci_config_file)
    for kind in READ_KINDS:
        assert doc[kind], kind
    assert doc["nsgSecurityRules"] == source["nsgSecurityRules"]
    assert doc["addons"] == source["addons"]
    assert doc["addonOptions"] == source["addonOptions"]
    assert sorted(doc["privateIpSubnetIds"]) == sorted(s["id"] for s in source["subnets"])
    assert doc["subnets"] == source["subnets"]
    assert doc["errors"] == []
    assert model(doc) == model(source)


async def test_small_pages_give_the_same_snapshot_as_one_page(oci_config_file: Path) -> None:
    source = small_tenancy()
    async with FakeOciServer(source, page_size=1000) as server:
        whole = await record(server, oci_config_file)
    async with FakeOciServer(source, page_size=2) as server:
        paged = await record(server, oci_config_file)
        assert server.routes["/20160918/privateIps"] > len(source["subnets"])
    assert model(paged) == model(whole)


@pytest.mark.parametrize(("status", "code"), [(429, "TooManyRequests"), (500, "InternalServerError")])
async def test_a_retryable_error_then_success_gives_the_same_answers(
    oci_config_file: Path, status: int, code: str
) -> None:
    source = small_tenancy()
    async with FakeOciServer(source) as server:
        for pattern in ("/nodePools/", "/subnets$", "/privateIps$", "/securityRules$", "/instances/"):
            server.inject(pattern, "status", status=status, code=code, times=2)
        doc = await record(server, oci_config_file)
    assert doc["errors"] == []
    assert model(doc) == model(source)


async def test_a_forbidden_cluster_is_named_with_its_request_id_and_the_rest_is_read(oci_config_file: Path) -> None:
    source = small_tenancy()
    denied = source["clusters"][1]["id"]
    async with FakeOciServer(source) as server:
        server.inject(f"/clusters/{denied}$", "status", status=403, code="NotAuthorizedOrNotFound")
        doc = await record(server, oci_config_file)
    [error] = doc["errors"]
    assert (error["kind"], error["id"], error["status"]) == ("clusters", denied, 403)
    assert error["code"] == "NotAuthorizedOrNotFound"
    assert error["opcRequestId"].startswith("fake-")
    tenancy = model(doc)
    assert [u.id for u in tenancy.unreadable] == [denied]
    assert {c.id for c in tenancy.clusters} == {c["id"] for c in source["clusters"]}


async def test_a_list_that_fails_past_retries_leaves_that_kind_unknown_not_empty(oci_config_file: Path) -> None:
    source = small_tenancy()
    async with FakeOciServer(source) as server:
        server.inject("/securityLists$", "status", status=503, code="ServiceUnavailable")
        doc = await record(server, oci_config_file)
    assert "securityLists" not in doc
    assert [(e["kind"], e["status"]) for e in doc["errors"]] == [("securityLists", 503)]


async def test_a_private_ip_read_that_fails_leaves_that_subnet_unknown(oci_config_file: Path) -> None:
    source = small_tenancy()
    async with FakeOciServer(source) as server:
        server.inject("/privateIps$", "status", status=404, code="NotAuthorizedOrNotFound")
        doc = await record(server, oci_config_file)
    assert doc["privateIpSubnetIds"] == []
    assert model(doc).ip_usage == {}
    assert {e["kind"] for e in doc["errors"]} == {"privateIps"}


async def test_a_hanging_call_is_bounded_by_the_read_timeout(oci_config_file: Path) -> None:
    source = small_tenancy()
    async with FakeOciServer(source) as server:
        server.inject("/natGateways$", "hang", seconds=30.0)
        doc = await record(server, oci_config_file, read_timeout=0.5, retry_max_attempts=2)
    assert [e["kind"] for e in doc["errors"]] == ["natGateways"]
    assert "natGateways" not in doc
    assert doc["clusters"]


@pytest.mark.parametrize("fault", ["malformed", "reset"])
async def test_a_broken_answer_becomes_a_named_error_not_a_traceback(oci_config_file: Path, fault: str) -> None:
    source = small_tenancy()
    async with FakeOciServer(source) as server:
        server.inject("/internetGateways$", fault)  # type: ignore[arg-type]
        doc = await record(server, oci_config_file, retry_max_attempts=2)
    [error] = doc["errors"]
    assert error["kind"] == "internetGateways"
    assert error["message"]
    assert model(doc).clusters


async def test_a_retryable_reset_then_success_reads_everything(oci_config_file: Path) -> None:
    source = small_tenancy()
    async with FakeOciServer(source) as server:
        server.inject("/vcns$", "reset", times=1)
        doc = await record(server, oci_config_file)
    assert doc["errors"] == []
    assert doc["vcns"] == source["vcns"]


async def test_call_count_does_not_grow_with_nodes(oci_config_file: Path) -> None:
    counts = []
    for nodes in (2, 20):
        source = generate_tenancy(clusters=3, pools_per_cluster=2, nodes_per_pool=nodes)
        async with FakeOciServer(source) as server:
            await record(server, oci_config_file)
            counts.append(dict(server.routes))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(("clusters", "pools"), [(1, 1), (2, 3), (4, 3)])
async def test_call_count_is_linear_in_clusters_pools_and_subnets(
    oci_config_file: Path, clusters: int, pools: int
) -> None:
    source = generate_tenancy(clusters=clusters, pools_per_cluster=pools, nodes_per_pool=2)
    async with FakeOciServer(source) as server:
        await record(server, oci_config_file)
    subnets = 2 * clusters
    # 12 lists (VNIC attachments included) + shapes per compartment, 1 addon options per Kubernetes version,
    # 1 image; per cluster a get, its add-ons and its NSG's rules; per pool a get and (flex, VCN-native) one
    # instance; per subnet its private IPs.
    expected = 13 + 1 + 1 + 3 * clusters + 2 * clusters * pools + subnets
    assert server.total_calls == expected


async def test_reading_named_clusters_reads_only_their_pools(oci_config_file: Path) -> None:
    source = small_tenancy(clusters=3)
    async with FakeOciServer(source) as server:
        doc = await record(server, oci_config_file, clusters=["CLUSTER-1"])
    assert [c["name"] for c in doc["clusters"]] == ["cluster-1"]
    assert {p["clusterId"] for p in doc["nodePools"]} == {source["clusters"][1]["id"]}
    assert set(doc["addons"]) == {source["clusters"][1]["id"]}


async def test_an_unknown_cluster_name_is_not_found(oci_config_file: Path) -> None:
    async with FakeOciServer(small_tenancy()) as server:
        with pytest.raises(NotFoundError, match="no-such"):
            await record(server, oci_config_file, clusters=["no-such"])


async def test_recursive_compartments_are_listed_then_each_read(oci_config_file: Path) -> None:
    source = generate_tenancy(clusters=4, pools_per_cluster=1, nodes_per_pool=1, compartments=2)
    root = source["compartments"][0]["compartmentId"]
    async with FakeOciServer(source) as server:
        doc = await record(server, oci_config_file, compartment_ids=[root], recursive=True)
        assert server.routes["/20160918/compartments"] == 1
    assert [c["id"] for c in doc["compartments"]] == [c["id"] for c in source["compartments"]]
    assert in_id_order(model(doc)) == in_id_order(model(source))


async def test_an_open_circuit_breaker_is_reported_per_read_not_raised(oci_config_file: Path) -> None:
    source = small_tenancy()
    async with FakeOciServer(source) as server:
        server.inject("/subnets$", "status", status=500, code="InternalServerError")
        doc = await record(server, oci_config_file, breaker_failure_threshold=2, retry_max_attempts=3, concurrency=1)
    codes = {e["code"] for e in doc["errors"]}
    assert "CircuitBreakerOpen" in codes
    assert all(e["message"] for e in doc["errors"])
    assert doc["clusters"]

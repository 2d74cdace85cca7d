"""Subnet rules: named subnets exist; the API endpoint, worker and pod subnets have the right shape."""

from __future__ import annotations

import pytest

from engine.check import Check
from engine.findings import Severity
from engine.model import Cni, Vcn
from engine.rules.subnets import (
    endpoint_subnet_findings,
    missing_subnet_findings,
    pod_subnet_findings,
    worker_subnet_findings,
)
from tests.engine.builders import codes, net, replace_subnet
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_pool as pool
from tests.engine.builders import valid_tenancy as tenancy


@pytest.mark.parametrize(
    ("cidr", "severity"),
    [("10.0.0.0/28", None), ("10.0.0.0/29", None), ("10.0.0.0/30", Severity.INFO), ("10.0.0.0/31", Severity.ERROR)],
)
def test_the_api_endpoint_subnet_should_be_a_29_or_larger(cidr: str, severity: Severity | None) -> None:
    the_tenancy = replace_subnet(tenancy(), "api", cidrs=net(cidr))
    found = endpoint_subnet_findings(Check(the_tenancy, cluster()))
    assert [f.severity for f in found] == ([severity] if severity else [])
    if found:
        assert found[0].code == "API_ENDPOINT_SUBNET_TOO_SMALL"
        assert "/29 is usually sufficient" in found[0].message


def test_a_30_endpoint_subnet_shared_by_two_clusters_is_a_warning() -> None:
    mine, theirs = cluster(), cluster(id="c2", name="staging")
    the_tenancy = replace_subnet(
        tenancy(mine).model_copy(update={"clusters": (mine, theirs)}), "api", cidrs=net("10.0.0.0/30")
    )
    (found,) = endpoint_subnet_findings(Check(the_tenancy, mine))
    assert found.severity is Severity.WARNING
    assert "staging" in found.message


def test_the_api_endpoint_subnet_must_be_regional() -> None:
    the_tenancy = replace_subnet(tenancy(), "api", regional=False)
    (found,) = endpoint_subnet_findings(Check(the_tenancy, cluster()))
    assert (found.code, found.subject) == ("API_ENDPOINT_SUBNET_NOT_REGIONAL", "subnet:api")


def test_subnets_named_but_absent_are_reported_for_the_cluster_and_the_pool() -> None:
    the_cluster = cluster(lb_subnet_ids=("lb", "lb-gone"), node_pools=(pool(worker_subnet_ids=("w-gone",)),))
    found = missing_subnet_findings(Check(tenancy(the_cluster), the_cluster))
    assert [(f.code, f.subject) for f in found] == [
        ("CLUSTER_SUBNET_MISSING", "cluster:prod"),
        ("NODE_POOL_SUBNET_MISSING", "nodePool:np1"),
    ]
    assert "lb-gone" in found[0].message
    assert "w-gone" in found[1].message


def test_an_ad_specific_worker_subnet_is_a_warning_named_once_for_all_its_pools() -> None:
    the_cluster = cluster(node_pools=(pool("a"), pool("b")))
    the_tenancy = replace_subnet(tenancy(the_cluster), "workers", regional=False)
    (found,) = worker_subnet_findings(Check(the_tenancy, the_cluster))
    assert found.severity is Severity.WARNING
    assert "a, b" in found.message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"regional": False}, ["POD_SUBNET_NOT_REGIONAL"]),
        ({"public": True}, ["POD_SUBNET_PUBLIC"]),
        ({"public": True, "regional": False}, ["POD_SUBNET_NOT_REGIONAL", "POD_SUBNET_PUBLIC"]),
    ],
)
def test_a_pod_subnet_must_be_private_and_regional(changes: dict[str, bool], expected: list[str]) -> None:
    the_tenancy = replace_subnet(tenancy(), "pods", **changes)
    assert codes(pod_subnet_findings(Check(the_tenancy, cluster()))) == expected


def test_pod_subnet_shape_is_not_checked_for_flannel() -> None:
    the_cluster = cluster(Cni.FLANNEL, node_pools=(pool(),))
    the_tenancy = replace_subnet(tenancy(the_cluster), "pods", public=True)
    assert pod_subnet_findings(Check(the_tenancy, the_cluster)) == []


@pytest.mark.parametrize(("pod_subnets", "says"), [((), "has no pod subnet"), (("ghost",), "ghost")])
def test_a_vcn_native_pool_needs_an_existing_pod_subnet(pod_subnets: tuple[str, ...], says: str) -> None:
    the_cluster = cluster(node_pools=(pool(pod_subnet_ids=pod_subnets),))
    (found,) = pod_subnet_findings(Check(tenancy(the_cluster), the_cluster))
    assert (found.code, found.subject) == ("POD_SUBNET_MISSING", "nodePool:np1")
    assert says in found.message


def test_worker_and_pod_subnets_must_share_a_vcn() -> None:
    base = replace_subnet(tenancy(), "pods", vcn_id="vcn2")
    the_tenancy = base.model_copy(update={"vcns": (*base.vcns, Vcn(id="vcn2", name="b", cidrs=net("10.0.0.0/16")))})
    (found,) = pod_subnet_findings(Check(the_tenancy, cluster()))
    assert found.code == "WORKER_POD_SUBNET_DIFFERENT_VCN"
    assert found.details == {"nodePool": "np1", "workerSubnet": "workers", "podSubnet": "pods"}

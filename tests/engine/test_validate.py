"""validate_cluster: every code fires on a minimal bad network and stays quiet on a good one."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Network
from typing import Any

import pytest

from engine.check import Check
from engine.codes import Code
from engine.findings import Finding, Severity
from engine.model import Cluster, Cni, NodeImage, NodePoolType, RouteRule, Tenancy, Vcn
from engine.usecases.validate import validate_cluster, validation_report
from tests.engine.builders import GOOD_ROUTES, codes, net, replace_subnet
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_pool as pool
from tests.engine.builders import valid_tenancy as tenancy

Case = Callable[[], tuple[Tenancy, Cluster]]


def _with_cluster(the_cluster: Cluster) -> tuple[Tenancy, Cluster]:
    return tenancy(the_cluster), the_cluster


def _with_subnet(name: str, **changes: object) -> tuple[Tenancy, Cluster]:
    the_cluster = cluster()
    return replace_subnet(tenancy(the_cluster), name, **changes), the_cluster


def _with_pool(cni: Cni = Cni.VCN_NATIVE, **changes: Any) -> tuple[Tenancy, Cluster]:
    pods = ("pods",) if cni is Cni.VCN_NATIVE else ()
    return _with_cluster(cluster(cni, node_pools=(pool(pod_subnet_ids=pods, **changes),)))


def _pods_in_other_vcn() -> tuple[Tenancy, Cluster]:
    base, the_cluster = _with_subnet("pods", vcn_id="vcn2")
    vcns = (*base.vcns, Vcn(id="vcn2", name="other", cidrs=net("10.0.64.0/18")))
    return base.model_copy(update={"vcns": vcns}), the_cluster


BAD_CASES: list[tuple[str, Case]] = [
    ("SUBNET_OUTSIDE_VCN", lambda: _with_subnet("workers", cidrs=net("10.1.1.0/24"))),
    ("SUBNET_OVERLAP", lambda: _with_subnet("lb", cidrs=net("10.0.1.0/25"))),
    ("PODS_CIDR_OVERLAP", lambda: _with_cluster(cluster(Cni.FLANNEL, pods_cidr=IPv4Network("10.0.128.0/17")))),
    ("SERVICES_CIDR_OVERLAP", lambda: _with_cluster(cluster(services_cidr=IPv4Network("10.0.200.0/24")))),
    ("API_ENDPOINT_SUBNET_TOO_SMALL", lambda: _with_subnet("api", cidrs=net("10.0.0.0/31"))),
    ("API_ENDPOINT_SUBNET_NOT_REGIONAL", lambda: _with_subnet("api", regional=False)),
    ("CLUSTER_SUBNET_MISSING", lambda: _with_cluster(cluster(endpoint_subnet_id="gone"))),
    ("NODE_POOL_SUBNET_MISSING", lambda: _with_pool(worker_subnet_ids=("gone",))),
    ("POD_SUBNET_MISSING", lambda: _with_cluster(cluster(node_pools=(pool(pod_subnet_ids=()),)))),
    ("POD_SUBNET_NOT_REGIONAL", lambda: _with_subnet("pods", regional=False)),
    ("POD_SUBNET_PUBLIC", lambda: _with_subnet("pods", public=True)),
    ("WORKER_SUBNET_NOT_REGIONAL", lambda: _with_subnet("workers", regional=False)),
    ("WORKER_POD_SUBNET_DIFFERENT_VCN", _pods_in_other_vcn),
    ("FLANNEL_VIRTUAL_NODE_POOL", lambda: _with_pool(Cni.FLANNEL, type=NodePoolType.VIRTUAL)),
    ("FLANNEL_POD_SUBNET_IGNORED", lambda: _with_cluster(cluster(Cni.FLANNEL, node_pools=(pool(),)))),
    ("K8S_VERSION_TOO_OLD_FOR_VCN_NATIVE", lambda: _with_cluster(cluster(kubernetes_version="v1.21.5"))),
    ("K8S_VERSION_UNPARSABLE", lambda: _with_cluster(cluster(kubernetes_version="latest"))),
    ("NODE_IMAGE_TOO_OLD", lambda: _with_pool(image=NodeImage(name="Oracle-Linux-7.9-2022.05.10-0-OKE-1.22.5"))),
    ("SERVICE_MESH_K8S_VERSION", lambda: _with_cluster(cluster(service_mesh=True, kubernetes_version="1.25"))),
    ("POD_SUBNET_NO_NAT_ROUTE", lambda: _with_subnet("pods", route_rules=GOOD_ROUTES[1:])),
    ("POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE", lambda: _with_subnet("pods", route_rules=GOOD_ROUTES[:1])),
    ("ROUTES_NOT_READ", lambda: _with_subnet("pods", route_rules=None)),
    ("SECURITY_RULE_MISSING", lambda: _with_subnet("workers", security_rules=())),
    ("SECURITY_RULES_NOT_READ", lambda: _with_subnet("api", security_rules=None)),
    ("PODS_CIDR_TOO_SMALL", lambda: _with_cluster(cluster(Cni.FLANNEL, pods_cidr=IPv4Network("10.244.0.0/24")))),
    ("POD_SUBNET_TOO_SMALL", lambda: _with_subnet("pods", cidrs=net("10.0.64.0/28"))),
    ("WORKER_SUBNET_TOO_SMALL", lambda: _with_subnet("workers", cidrs=net("10.0.1.0/30"))),
    ("SHAPE_UNKNOWN", lambda: _with_pool(shape="VM.Imaginary.Flex")),
    ("SHAPE_SINGLE_VNIC", lambda: _with_pool(shape="VM.Standard.E2.1.Micro", ocpus=None)),
    ("MAX_PODS_EXCEEDS_SHAPE", lambda: _with_pool(ocpus=2, max_pods_per_node=64)),
    ("MAX_PODS_OVER_LIMIT", lambda: _with_pool(max_pods_per_node=200)),
]


@pytest.mark.parametrize("cni", list(Cni))
def test_a_good_network_has_no_findings(cni: Cni) -> None:
    good = cluster(cni)
    assert validate_cluster(tenancy(good), good) == ()


@pytest.mark.parametrize(("code", "case"), BAD_CASES, ids=[code for code, _ in BAD_CASES])
def test_each_code_fires_on_its_minimal_bad_network(code: str, case: Case) -> None:
    the_tenancy, the_cluster = case()
    found = validate_cluster(the_tenancy, the_cluster)
    assert code in codes(found)


def test_findings_come_sorted_worst_first_and_without_duplicates() -> None:
    the_tenancy, the_cluster = _with_subnet("pods", public=True, regional=False, route_rules=None)
    found = validate_cluster(the_tenancy, the_cluster)
    ranks = [f.severity.rank for f in found]
    assert ranks == sorted(ranks)
    keys = [(f.code, f.subject, f.message) for f in found]
    assert len(keys) == len(set(keys))


def test_routes_not_read_never_claims_routes_are_missing() -> None:
    the_tenancy, the_cluster = _with_subnet("pods", route_rules=None)
    assert codes(validate_cluster(the_tenancy, the_cluster)) == ["ROUTES_NOT_READ"]


def test_a_pod_subnet_without_any_route_gets_both_route_errors() -> None:
    the_tenancy, the_cluster = _with_subnet("pods", route_rules=(RouteRule(destination="10.1.0.0/16", target="drg"),))
    assert codes(validate_cluster(the_tenancy, the_cluster)) == [
        "POD_SUBNET_NO_NAT_ROUTE",
        "POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE",
    ]


def test_capacity_is_counted_at_the_requested_size() -> None:
    small = pool(size=1, max_size=50)
    the_cluster = cluster(node_pools=(small,))
    the_tenancy = replace_subnet(tenancy(the_cluster), "workers", cidrs=net("10.0.1.0/28"))
    assert "WORKER_SUBNET_TOO_SMALL" not in codes(validate_cluster(the_tenancy, the_cluster, at="current"))
    assert "WORKER_SUBNET_TOO_SMALL" in codes(validate_cluster(the_tenancy, the_cluster, at="planned"))


def _finding(severity: Severity) -> Finding:
    return Finding(code=Code.CIDR_INVALID, severity=severity, message="m", remedy="r", subject="cluster:prod")


@pytest.mark.parametrize(
    ("severities", "valid"),
    [([], True), ([Severity.INFO, Severity.WARNING], True), ([Severity.INFO, Severity.ERROR], False)],
)
def test_a_plan_is_valid_exactly_when_no_finding_is_an_error(severities: list[Severity], valid: bool) -> None:
    report = validation_report("plan.yaml", [_finding(s) for s in severities])
    assert report.valid is valid
    assert report.plan == "plan.yaml"
    assert report.counts.error == severities.count(Severity.ERROR)
    assert report.model_dump(mode="json", by_alias=True)["valid"] is valid


def test_the_benchmark_plan_has_exactly_its_ten_planted_overlaps() -> None:
    from bench.bench_validate import build_tenancy
    from engine.rules import RULES

    the_tenancy, the_cluster = build_tenancy()
    found = [f for rule in RULES for f in rule(Check(the_tenancy, the_cluster))]
    assert codes(found) == ["SUBNET_OVERLAP"] * 10

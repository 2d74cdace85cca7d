from __future__ import annotations

from typing import Any

import pytest

from engine.capacity.rules import CAPACITY_WARNING_RATIO, capacity_findings
from engine.check import Check
from engine.findings import Finding
from engine.model import Cluster, Cni, Tenancy
from engine.shapes import ShapeCatalogue
from tests.engine.builders import cluster, pool, subnet, tenancy


def findings_for(t: Tenancy, c: Cluster, *, at: str = "current", **kwargs: float) -> list[Finding]:
    return capacity_findings(Check(t, c, at=at, catalogue=ShapeCatalogue(t.shapes)), **kwargs)  # type: ignore[arg-type]


def codes(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.code, f.severity.value, f.subject) for f in findings}


def flannel(pods_cidr: str, **pool_args: Any) -> tuple[Tenancy, Cluster]:
    c = cluster("prod", cni=Cni.FLANNEL, pods_cidr=pods_cidr, pools=[pool("np1", **pool_args)])
    return tenancy(c), c


CIDR_WARNING = {("PODS_CIDR_TOO_SMALL", "warning", "cluster:prod")}
CIDR_ERROR = {("PODS_CIDR_TOO_SMALL", "error", "cluster:prod")}
SHAPE_UNKNOWN = {("SHAPE_UNKNOWN", "warning", "nodePool:np1")}
SHAPE_SINGLE_VNIC = {("SHAPE_SINGLE_VNIC", "error", "nodePool:np1")}
PODS_UNKNOWN = {("PODS_PER_NODE_UNKNOWN", "warning", "nodePool:np1")}
PROFILES_OVER = {("VNIC_PROFILES_OVER_LIMIT", "error", "nodePool:np1")}
MAX_PODS_EXCEEDS_SHAPE = {("MAX_PODS_EXCEEDS_SHAPE", "error", "nodePool:np1")}
MAX_PODS_OVER_LIMIT = {("MAX_PODS_OVER_LIMIT", "error", "nodePool:np1")}


def test_the_warning_threshold_is_eighty_percent():
    assert CAPACITY_WARNING_RATIO == 0.8


@pytest.mark.parametrize(
    ("pods_cidr", "pool_args", "at", "expected"),
    [
        ("10.244.0.0/16", {"nodes": 100}, "current", set()),
        ("10.244.0.0/16", {"nodes": 409}, "current", set()),
        ("10.244.0.0/16", {"nodes": 410}, "current", CIDR_WARNING),
        ("10.244.0.0/16", {"nodes": 512}, "current", CIDR_WARNING),
        ("10.244.0.0/16", {"nodes": 513}, "current", CIDR_ERROR),
        ("10.244.0.0/16", {"nodes": 3, "max_size": 600}, "current", set()),
        ("10.244.0.0/16", {"nodes": 3, "max_size": 600}, "planned", CIDR_ERROR),
        ("10.244.0.0/24", {"size": 3}, "planned", CIDR_ERROR),
        ("10.244.0.0/26", {"nodes": 0}, "current", CIDR_ERROR),
    ],
)
def test_flannel_pods_cidr_warns_at_80_percent_of_its_slots_and_fails_beyond_them(pods_cidr, pool_args, at,
                                                                                    expected):
    t, c = flannel(pods_cidr, **pool_args)
    assert codes(findings_for(t, c, at=at)) == expected


def test_pods_cidr_finding_gives_the_figures_and_a_remedy():
    t, c = flannel("10.244.0.0/16", nodes=513)
    [finding] = findings_for(t, c)
    assert "513 nodes" in finding.message
    assert "512 /25 node slots" in finding.message
    assert "10.244.0.0/16" in finding.message
    assert "cannot change" in finding.remedy
    assert finding.details["nodeSlots"] == 512


def test_pods_cidr_threshold_is_a_keyword():
    t, c = flannel("10.244.0.0/16", nodes=300)
    assert findings_for(t, c) == []
    assert codes(findings_for(t, c, warn_at=0.5)) == CIDR_WARNING


def test_pods_cidr_finding_does_not_apply_to_vcn_native_clusters():
    c = cluster("prod", pods_cidr="10.244.0.0/24", pools=[pool("np1", nodes=10)])
    assert findings_for(tenancy(c), c) == []


def pod_subnet_case(
    cidr: str, *pools_args: dict[str, Any], used: int | None = None
) -> tuple[Tenancy, Cluster]:
    c = cluster("prod", pools=[pool(f"np{i}", pod_subnets=["pods"], ocpus=2, **args)
                               for i, args in enumerate(pools_args)])
    return tenancy(c, subnets=[subnet("pods", cidr)], used={"pods": used} if used is not None else None), c


POD_WARNING = {("POD_SUBNET_TOO_SMALL", "warning", "subnet:pods")}
POD_ERROR = {("POD_SUBNET_TOO_SMALL", "error", "subnet:pods")}


@pytest.mark.parametrize(
    ("case", "at", "expected"),
    [
        # a /24 holds 253 IPs; each 2-OCPU node pre-allocates 32
        (pod_subnet_case("10.0.64.0/24", {"nodes": 6}), "current", set()),
        (pod_subnet_case("10.0.64.0/24", {"nodes": 7}), "current", POD_WARNING),
        (pod_subnet_case("10.0.64.0/24", {"nodes": 8}), "current", POD_ERROR),
        (pod_subnet_case("10.0.64.0/24", {"nodes": 4}, {"nodes": 4}), "current", POD_ERROR),
        (pod_subnet_case("10.0.64.0/24", {"nodes": 2, "max_size": 10}), "current", set()),
        (pod_subnet_case("10.0.64.0/24", {"nodes": 2, "max_size": 10}), "planned", POD_ERROR),
        (pod_subnet_case("10.0.64.0/24", {"size": 8}), "planned", POD_ERROR),
        (pod_subnet_case("10.0.64.0/24", {"nodes": 2}, used=230), "current", POD_WARNING),
        (pod_subnet_case("10.0.64.0/24", {"nodes": 2, "max_size": 6}, used=100), "planned", POD_WARNING),
        (pod_subnet_case("10.0.64.0/24", {"nodes": 2, "max_size": 6}, used=130), "planned", POD_ERROR),
        (pod_subnet_case("10.0.64.0/24", {}), "current", set()),
        (pod_subnet_case("10.0.64.0/19", {"nodes": 200}), "current", set()),
    ],
)
def test_pod_subnet_fits_every_pool_that_shares_it(case, at, expected):
    t, c = case
    # IPs in use beyond the pools' also get SUBNET_IPS_UNATTRIBUTED (test_capacity_unattributed.py).
    assert {f for f in codes(findings_for(t, c, at=at)) if f[0] != "SUBNET_IPS_UNATTRIBUTED"} == expected


def test_pod_subnet_adds_up_pools_of_other_clusters_sharing_it():
    prod = cluster("prod", pools=[pool("prod-a", nodes=4, ocpus=2, pod_subnets=["pods"])])
    dev = cluster("dev", pools=[pool("dev-a", nodes=4, ocpus=2, pod_subnets=["pods"])])
    t = tenancy(prod, dev, subnets=[subnet("pods", "10.0.64.0/24")])
    [finding] = findings_for(t, prod)
    assert (finding.code, finding.severity.value) == ("POD_SUBNET_TOO_SMALL", "error")
    assert "256 IPs" in finding.message
    assert "253 usable IPs" in finding.message
    assert "dev/dev-a" in finding.message
    assert "prod/prod-a" in finding.message
    assert findings_for(tenancy(prod, subnets=[subnet("pods", "10.0.64.0/24")]), prod) == []


def worker_case(cidr: str, *, used: int | None = None, **pool_args: Any) -> tuple[Tenancy, Cluster]:
    c = cluster("prod", cni=Cni.FLANNEL, pods_cidr="10.244.0.0/14",
                pools=[pool("np1", worker_subnets=["workers"], **pool_args)])
    usage = {"workers": used} if used is not None else None
    return tenancy(c, subnets=[subnet("workers", cidr)], used=usage), c


WORKER_WARNING = {("WORKER_SUBNET_TOO_SMALL", "warning", "subnet:workers")}
WORKER_ERROR = {("WORKER_SUBNET_TOO_SMALL", "error", "subnet:workers")}


@pytest.mark.parametrize(
    ("case", "at", "expected"),
    [
        # a /27 holds 29 IPs
        (worker_case("10.0.1.0/27", nodes=20), "current", set()),
        (worker_case("10.0.1.0/27", nodes=24), "current", WORKER_WARNING),
        (worker_case("10.0.1.0/27", nodes=30), "current", WORKER_ERROR),
        (worker_case("10.0.1.0/27", nodes=10, used=25), "current", WORKER_WARNING),
        (worker_case("10.0.1.0/27", nodes=10, max_size=20, used=15), "planned", WORKER_WARNING),
        (worker_case("10.0.1.0/27", nodes=10, max_size=20, used=20), "planned", WORKER_ERROR),
        (worker_case("10.0.1.0/27", nodes=10, max_size=15, used=10), "planned", set()),
        (worker_case("10.0.1.0/24", nodes=10, max_size=100), "planned", set()),
    ],
)
def test_worker_subnet_fits_one_ip_per_node_plus_what_else_is_in_use(case, at, expected):
    t, c = case
    # IPs in use beyond the pools' also get SUBNET_IPS_UNATTRIBUTED (test_capacity_unattributed.py).
    assert {f for f in codes(findings_for(t, c, at=at)) if f[0] != "SUBNET_IPS_UNATTRIBUTED"} == expected


def test_subnet_finding_names_the_figures_used_and_the_remedy():
    t, c = worker_case("10.0.1.0/27", nodes=10, max_size=20, used=15)
    [finding] = [f for f in findings_for(t, c, at="planned") if f.code == "WORKER_SUBNET_TOO_SMALL"]
    assert "25 IPs" in finding.message
    assert "already in use: 15" in finding.message
    assert "29 usable IPs" in finding.message
    assert "planned size (maxSize where set)" in finding.message
    assert "larger worker subnet" in finding.remedy
    assert finding.details == {"neededIps": 25, "usableIps": 29, "usedIps": 15, "nodePools": "prod/np1",
                               "inUseBeyondReservations": 5}


def one_pool_codes(cni: Cni = Cni.VCN_NATIVE, **pool_args: Any) -> set[tuple[str, str, str]]:
    c = cluster("prod", cni=cni, pods_cidr="10.244.0.0/16", pools=[pool("np1", **pool_args)])
    return codes(findings_for(tenancy(c), c))


@pytest.mark.parametrize(
    ("cni", "pool_args", "expected"),
    [
        (Cni.VCN_NATIVE, {"shape": "VM.Mystery.Flex"}, SHAPE_UNKNOWN),
        (Cni.VCN_NATIVE, {"shape": "VM.Standard.E4.Flex"}, set()),
        (Cni.VCN_NATIVE, {"shape": "VM.Standard.E4.Flex", "ocpus": None}, PODS_UNKNOWN),
        (Cni.VCN_NATIVE, {"vnic_ip_counts": [128, 128]}, set()),
        (Cni.VCN_NATIVE, {"vnic_ip_counts": [200, 200]}, PROFILES_OVER),
        (Cni.VCN_NATIVE, {"shape": None, "ocpus": None}, PODS_UNKNOWN),
        (Cni.FLANNEL, {"shape": "VM.Standard.E4.Flex", "ocpus": None}, set()),
        (Cni.VCN_NATIVE, {"shape": "VM.Mystery.Flex", "nodes": 2}, SHAPE_UNKNOWN),
        (Cni.FLANNEL, {"shape": "VM.Mystery.Flex"}, set()),
        (Cni.VCN_NATIVE, {"shape": "VM.Standard.E2.1.Micro"}, SHAPE_SINGLE_VNIC),
        (Cni.FLANNEL, {"shape": "VM.Standard.E2.1.Micro"}, set()),
        (Cni.VCN_NATIVE, {"ocpus": 2, "max_pods": 31}, set()),
        (Cni.VCN_NATIVE, {"ocpus": 2, "max_pods": 32}, MAX_PODS_EXCEEDS_SHAPE),
        (Cni.VCN_NATIVE, {"ocpus": 4, "max_pods": 100}, MAX_PODS_EXCEEDS_SHAPE),
        (Cni.VCN_NATIVE, {"ocpus": 5, "max_pods": 110}, set()),
        (Cni.VCN_NATIVE, {"ocpus": 5, "max_pods": 111}, MAX_PODS_OVER_LIMIT),
        (Cni.VCN_NATIVE, {"ocpus": 2, "max_pods": 200}, MAX_PODS_OVER_LIMIT),
        (Cni.VCN_NATIVE, {"max_pods": 0}, MAX_PODS_OVER_LIMIT),
        (Cni.VCN_NATIVE, {"max_pods": 200, "vnic_ip_counts": [128, 128]}, set()),
        (Cni.VCN_NATIVE, {"max_pods": 257, "vnic_ip_counts": [128, 128]},
         MAX_PODS_OVER_LIMIT),
        (Cni.FLANNEL, {"max_pods": 120}, MAX_PODS_OVER_LIMIT),
        (Cni.VCN_NATIVE, {"ocpus": 1, "max_pods": 93, "nodes": 2}, MAX_PODS_EXCEEDS_SHAPE),
    ],
)
def test_pool_settings_are_checked_against_the_shape_and_kubernetes(cni, pool_args, expected):
    assert one_pool_codes(cni, **pool_args) == expected


def test_an_observed_nodes_vnic_limit_silences_shape_unknown_and_sets_the_real_limit():
    from tests.engine.builders import nodes

    assert one_pool_codes(shape="VM.Mystery.Flex", nodes=nodes(2, max_vnics=4)) == set()
    assert one_pool_codes(shape="VM.Mystery.Flex", max_pods=100, nodes=nodes(2, max_vnics=4)) == {
        ("MAX_PODS_EXCEEDS_SHAPE", "error", "nodePool:np1")
    }


def test_max_pods_exceeds_shape_says_the_real_limit_and_how_many_vnics_would_do():
    c = cluster("prod", pools=[pool("np1", ocpus=3, max_pods=80)])
    [finding] = findings_for(tenancy(c), c)
    assert "maxPodsPerNode 80" in finding.message
    assert "3 VNICs" in finding.message
    assert "at most 62 pods" in finding.message
    assert "62 or less" in finding.remedy
    # E4.Flex attaches 1 VNIC per OCPU: 4 OCPUs give the 4 VNICs 80 pods need.
    assert "80 pods need 4 VNICs" in finding.message
    assert "set 4 OCPUs (VM.Standard.E4.Flex then attaches 4 VNICs)" in finding.remedy


def test_max_pods_exceeds_shape_on_a_plan_says_the_ocpus_to_write():
    c = cluster("prod", pools=[pool("np1", ocpus=3, max_pods=80)])
    t = tenancy(c).model_copy(update={"source_kind": "plan"})
    [finding] = findings_for(t, c)
    assert finding.remedy == ("Set maxPodsPerNode: 62 (or less) on this pool, or set ocpus: 4 "
                              "(VM.Standard.E4.Flex then attaches 4 VNICs).")


def test_max_pods_exceeds_a_fixed_shape_says_how_many_vnics_another_shape_needs():
    c = cluster("prod", pools=[pool("np1", shape="VM.Standard2.2", ocpus=None, max_pods=80)])
    [finding] = findings_for(tenancy(c), c)
    assert "at least 4 VNICs" in finding.remedy


def test_single_vnic_finding_says_the_pool_runs_zero_pods():
    c = cluster("prod", pools=[pool("np1", shape="VM.Standard.E2.1.Micro")])
    [finding] = findings_for(tenancy(c), c)
    assert "0 pods" in finding.message
    assert "at least 2 VNICs" in finding.remedy


def test_findings_of_every_kind_come_together_for_one_cluster():
    c = cluster("prod", pools=[
        pool("np1", ocpus=2, nodes=8, pod_subnets=["pods"], worker_subnets=["workers"]),
        pool("np2", shape="VM.Mystery"),
    ])
    t = tenancy(c, subnets=[subnet("pods", "10.0.64.0/24"), subnet("workers", "10.0.1.0/29")])
    assert codes(findings_for(t, c)) == {
        ("POD_SUBNET_TOO_SMALL", "error", "subnet:pods"),
        ("WORKER_SUBNET_TOO_SMALL", "error", "subnet:workers"),
        ("SHAPE_UNKNOWN", "warning", "nodePool:np2"),
    }

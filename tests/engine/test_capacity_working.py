"""Capacity findings show their working: each pool's share in `breakdown` and in the message.

The issue's case: pools of E5.Flex 4 OCPU at maxPods 93 (3 pod VNICs → 96 IPs per node) and 6 OCPU at 110
(4 → 128) need 4,128 pod-subnet IPs of a /20's 4,093, though nodes × maxPods (3,663) would fit.
"""

from __future__ import annotations

from typing import Any

from engine.capacity import assess_cluster_capacity
from engine.capacity.pods import PREALLOCATION_ASSUMPTION
from engine.capacity.rules import capacity_findings
from engine.check import Check
from engine.findings import Finding
from engine.model import Cni
from engine.plan import parse_plan, plan_to_tenancy
from engine.usecases.validate import validate_plan
from tests.engine.builders import cluster, pool, subnet, tenancy


def _plan(**pool_overrides: Any) -> dict[str, Any]:
    general = {"name": "general", "shape": "VM.Standard.E5.Flex", "ocpus": 4, "size": 11, "maxPodsPerNode": 93,
               "workerSubnet": "workers", "podSubnet": "pods"}
    memory = {"name": "memory", "shape": "VM.Standard.E5.Flex", "ocpus": 6, "size": 24, "maxPodsPerNode": 110,
              "workerSubnet": "workers", "podSubnet": "pods"}
    general.update(pool_overrides)
    return {
        "apiVersion": "okebot.plan/v1",
        "cluster": {"name": "prod", "cni": "vcn-native", "kubernetesVersion": "v1.31.1"},
        "vcn": {"name": "vcn", "cidrs": ["10.0.0.0/16"]},
        "subnets": [{"name": "workers", "roles": ["workers"], "cidr": "10.0.0.0/24"},
                    {"name": "pods", "roles": ["pods"], "cidr": "10.0.16.0/20"}],
        "nodePools": [general, memory],
    }


def _pod_subnet_finding(data: dict[str, Any]) -> Finding:
    report = validate_plan(parse_plan(data, source="plan.yaml"), plan_name="plan.yaml")
    (found,) = [f for f in report.findings if f.code == "POD_SUBNET_TOO_SMALL"]
    return found


def test_the_issue_case_says_how_4128_ips_come_about_pool_by_pool() -> None:
    found = _pod_subnet_finding(_plan())
    assert "needs 4,128 IPs" in found.message
    assert "cannot fit in its 4,093 usable IPs" in found.message
    assert "general: 11 nodes × 96 IPs (maxPods 93 → 3 pod VNICs × 32) = 1,056" in found.message
    assert "memory: 24 nodes × 128 IPs (maxPods 110 → 4 pod VNICs × 32) = 3,072" in found.message
    assert "IPs in use" not in found.message  # a plan has none to read
    assert "1 primary + 31 secondary" in found.message
    assert "differs from nodes × maxPodsPerNode" in found.message


def test_the_breakdown_holds_each_pool_s_figures_and_the_sum_is_the_need() -> None:
    found = _pod_subnet_finding(_plan())
    rows = [item.model_dump(by_alias=True) for item in found.breakdown]
    assert rows == [
        {"cluster": "prod", "nodePool": "general", "role": "pods", "nodes": 11, "maxPodsPerNode": 93, "podVnics": 3,
         "vnicProfiles": None, "ipsPerNode": 96, "ips": 1056},
        {"cluster": "prod", "nodePool": "memory", "role": "pods", "nodes": 24, "maxPodsPerNode": 110, "podVnics": 4,
         "vnicProfiles": None, "ipsPerNode": 128, "ips": 3072},
    ]
    assert sum(item.ips or 0 for item in found.breakdown) == found.details["neededIps"]
    assert found.details["nodePools"] == "prod/general, prod/memory"  # kept for older scripts


def test_the_breakdown_uses_the_planned_maximum_size() -> None:
    found = _pod_subnet_finding(_plan(maxSize=30))
    general = found.breakdown[0]
    assert (general.nodes, general.ips) == (30, 2880)


def test_vnic_profile_pools_show_their_profiles_not_pod_vnics() -> None:
    c = cluster("prod", pools=[pool("np1", shape="VM.Standard.E5.Flex", ocpus=4, nodes=10, pod_subnets=["pods"],
                                    vnic_ip_counts=[64, 32])])
    t = tenancy(c, subnets=[subnet("pods", "10.0.0.0/24")])
    (found,) = [f for f in capacity_findings(Check(t, c, at="current")) if f.code == "POD_SUBNET_TOO_SMALL"]
    assert "np1: 10 nodes × 98 IPs (2 VNIC profiles: ipCount 96 + 2 primary) = 980" in found.message
    assert found.breakdown[0].vnic_profiles == 2


def test_in_use_beyond_reservations_is_part_of_the_working_on_a_live_subnet() -> None:
    c = cluster("prod", pools=[pool("np1", shape="VM.Standard.E5.Flex", ocpus=2, nodes=7, pod_subnets=["pods"])])
    t = tenancy(c, subnets=[subnet("pods", "10.0.0.0/24")], used={"pods": 240})
    (found,) = [f for f in capacity_findings(Check(t, c, at="current")) if f.code == "POD_SUBNET_TOO_SMALL"]
    assert "np1: 7 nodes × 32 IPs (maxPods 31 → 1 pod VNIC × 32) = 224" in found.message
    assert "in use beyond reservations: 16" in found.message
    assert found.details["inUseBeyondReservations"] == 16
    assert found.details["neededIps"] == 240


def test_worker_subnet_findings_show_one_ip_per_node_and_other_clusters_by_name() -> None:
    mine = cluster("prod", pools=[pool("a", nodes=6, worker_subnets=["shared"])])
    theirs = cluster("dev", pools=[pool("b", nodes=5, worker_subnets=["shared"])])
    t = tenancy(mine, theirs, subnets=[subnet("shared", "10.0.0.0/28")])
    (found,) = [f for f in capacity_findings(Check(t, mine, at="current")) if f.code == "WORKER_SUBNET_TOO_SMALL"]
    assert "a: 6 nodes × 1 worker IP = 6; dev/b: 5 nodes × 1 worker IP = 5" in found.message
    assert [(b.cluster, b.node_pool, b.role, b.ips) for b in found.breakdown] == [
        ("prod", "a", "workers", 6), ("dev", "b", "workers", 5)]
    assert "32 pod-subnet IPs" not in found.message  # the per-VNIC note is about pod subnets only


def test_pods_cidr_findings_show_each_pool_s_node_slots() -> None:
    c = cluster("prod", cni=Cni.FLANNEL, pods_cidr="10.244.0.0/22",
                pools=[pool("web", nodes=5), pool("batch", nodes=3)])
    (found,) = capacity_findings(Check(tenancy(c), c, at="current"))
    assert found.code == "PODS_CIDR_TOO_SMALL"
    assert "web: 5 nodes × 1 /25 node slot = 5 slots; batch: 3 nodes × 1 /25 node slot = 3 slots" in found.message
    assert [(b.node_pool, b.nodes, b.role) for b in found.breakdown] == [("web", 5, "podsCidr"), ("batch", 3,
                                                                                                    "podsCidr")]
    assert found.details["nodePools"] == "web, batch"


def test_other_findings_have_an_empty_breakdown_and_json_keeps_the_old_keys() -> None:
    report = validate_plan(parse_plan(_plan(shape="VM.Nowhere"), source="p"), plan_name="p")
    unknown = next(f for f in report.findings if f.code == "SHAPE_UNKNOWN")
    dumped = unknown.model_dump(mode="json", by_alias=True)
    assert dumped["breakdown"] == []
    assert {"code", "severity", "message", "remedy", "subject", "details"} <= set(dumped)


def test_validate_states_the_capacity_assumptions_once_like_capacity_does() -> None:
    report = validate_plan(parse_plan(_plan(), source="p"), plan_name="p")
    assert report.assumptions.count(PREALLOCATION_ASSUMPTION) == 1
    assert len(report.assumptions) == len(set(report.assumptions))
    converted = plan_to_tenancy(parse_plan(_plan(), source="p"))
    capacity = assess_cluster_capacity(converted.tenancy, converted.cluster)
    assert report.assumptions == capacity.assumptions
    assert report.model_dump(mode="json", by_alias=True)["assumptions"] == report.assumptions


def test_a_pool_whose_last_pod_vnic_is_barely_used_is_told_what_two_fewer_pods_save() -> None:
    from engine.capacity.rules import subnet_size_findings
    from engine.check import Check
    from tests.engine.builders import cluster, pool, subnet, tenancy

    c = cluster("prod", pools=[pool("memory", ocpus=4, size=3, max_pods=64, pod_subnets=["p"], worker_subnets=["w"])])
    t = tenancy(c, subnets=[subnet("p", "10.0.4.0/24"), subnet("w", "10.0.0.0/24")])
    [found] = [f for f in subnet_size_findings(Check(t, c, at="planned")) if f.subject == "subnet:p"]
    assert "maxPodsPerNode 64 of memory needs 3 pod VNICs (96 IPs a node); 62 needs 2 (64 IPs)." in found.message
    c93 = cluster("prod", pools=[pool("memory", ocpus=4, size=3, max_pods=93, pod_subnets=["p"], worker_subnets=["w"])])
    t93 = tenancy(c93, subnets=[subnet("p", "10.0.4.0/24"), subnet("w", "10.0.0.0/24")])
    [full] = [f for f in subnet_size_findings(Check(t93, c93, at="planned")) if f.subject == "subnet:p"]
    assert "needs 3 pod VNICs" not in full.message  # 93 pods fill their 3 VNICs: nothing to save

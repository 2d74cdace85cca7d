"""VNIC_PROFILES_EXCEED_SHAPE: a node attaches one primary VNIC and at most VNICs - 1 VNIC profiles.

Flex shapes (E3/E4/E5/E6/A1/Standard3.Flex) attach 2 VNICs at 1 OCPU, then 1 per OCPU up to 24 (Oracle's
compute-shapes page); only the first VNICs - 1 profiles' ipCount give pods.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.capacity import assess_cluster_capacity
from engine.capacity.pods import pods_per_node
from engine.capacity.rules import capacity_findings
from engine.check import Check
from engine.findings import Finding, Severity
from engine.model import Cni
from engine.plan import parse_plan
from engine.shapes import ShapeCatalogue
from engine.usecases.validate import validate_plan
from tests.engine.builders import cluster, nodes, pool, subnet, tenancy

SHAPES = ShapeCatalogue()
EXCEEDS = "VNIC_PROFILES_EXCEED_SHAPE"


def _findings(**pool_args: Any) -> list[Finding]:
    c = cluster("prod", pools=[pool("np1", pod_subnets=["pods"], **pool_args)])
    t = tenancy(c, subnets=[subnet("pods", "10.0.0.0/16")])
    return capacity_findings(Check(t, c, at="current"))


def _exceeds(**pool_args: Any) -> list[Finding]:
    return [f for f in _findings(**pool_args) if f.code == EXCEEDS]


# (shape, ocpus, VNICs): the profiles that fit are VNICs - 1.
LIMITS = [
    ("VM.Standard.E5.Flex", 1, 2),
    ("VM.Standard.E5.Flex", 2, 2),
    ("VM.Standard.E5.Flex", 3, 3),
    ("VM.Standard.E5.Flex", 24, 24),
    ("VM.Standard.E5.Flex", 48, 24),
    ("VM.Standard.A1.Flex", 4, 4),
    ("VM.Optimized3.Flex", 2, 4),
    ("VM.Standard2.4", None, 4),
    ("VM.Standard.E2.8", None, 4),
]


@pytest.mark.parametrize(("shape", "ocpus", "vnics"), LIMITS)
def test_profiles_up_to_vnics_minus_one_fit_and_all_their_ips_count(shape: str, ocpus: int | None,
                                                                     vnics: int) -> None:
    profiles = [8] * (vnics - 1)
    assert _exceeds(shape=shape, ocpus=ocpus, vnic_ip_counts=profiles) == []
    per_node = pods_per_node(pool("np1", shape=shape, ocpus=ocpus, vnic_ip_counts=profiles), Cni.VCN_NATIVE, SHAPES)
    assert (per_node.vnics, per_node.max_pods, per_node.limited_by) == (vnics, 8 * (vnics - 1), "vnicProfiles")


@pytest.mark.parametrize(("shape", "ocpus", "vnics"), LIMITS)
def test_one_profile_past_vnics_minus_one_is_an_error_and_only_the_first_ones_count(shape: str, ocpus: int | None,
                                                                                     vnics: int) -> None:
    profiles = [8] * (vnics - 1) + [100]
    (found,) = _exceeds(shape=shape, ocpus=ocpus, vnic_ip_counts=profiles)
    assert found.severity is Severity.ERROR
    assert found.details["attachableProfiles"] == vnics - 1
    assert found.details["vnicsPerNode"] == vnics
    assert f"attaches {vnics} VNICs: one primary and {vnics - 1} for profiles" in found.message
    assert f"at most {vnics - 1} VNIC profile{'' if vnics == 2 else 's'} on" in found.remedy
    assert f"at least {vnics + 1} VNICs" in found.remedy
    per_node = pods_per_node(pool("np1", shape=shape, ocpus=ocpus, vnic_ip_counts=profiles), Cni.VCN_NATIVE, SHAPES)
    assert (per_node.max_pods, per_node.limited_by) == (8 * (vnics - 1), "vnics")


def test_the_issue_case_one_ocpu_with_two_profiles_attaches_only_the_first() -> None:
    (found,) = _exceeds(shape="VM.Standard.E5.Flex", ocpus=1, vnic_ip_counts=[64, 64])
    assert "2 secondary VNIC profiles" in found.message
    assert "(ipCount 64) cannot attach" in found.message
    assert "64 pod IPs from its profiles, not 128" in found.message


def test_an_unknown_shape_gives_no_profile_finding_and_an_unknown_figure() -> None:
    found = _findings(shape="VM.Mystery.Flex", ocpus=4, vnic_ip_counts=[32, 32, 32, 32, 32])
    assert EXCEEDS not in {f.code for f in found}
    assert "SHAPE_UNKNOWN" in {f.code for f in found}
    per_node = pods_per_node(pool("np1", shape="VM.Mystery.Flex", vnic_ip_counts=[32] * 5), Cni.VCN_NATIVE, SHAPES)
    assert (per_node.vnics, per_node.max_pods) == (None, None)


def test_a_flex_shape_without_ocpus_gives_no_profile_finding_and_says_pods_per_node_are_unknown() -> None:
    found = _findings(shape="VM.Standard.E5.Flex", ocpus=None, vnic_ip_counts=[32, 32, 32])
    assert {f.code for f in found} == {"PODS_PER_NODE_UNKNOWN"}


def test_an_observed_node_s_own_vnic_limit_wins_over_the_shape_rule() -> None:
    (found,) = _exceeds(shape="VM.Standard.E5.Flex", ocpus=24, nodes=nodes(2, max_vnics=3), vnic_ip_counts=[8] * 3)
    assert found.details["vnicsPerNode"] == 3


def test_the_pod_subnet_reserves_only_what_the_attachable_profiles_hold() -> None:
    c = cluster("prod", pools=[pool("np1", shape="VM.Standard.E5.Flex", ocpus=2, nodes=4, pod_subnets=["pods"],
                                    vnic_ip_counts=[32, 64])])
    report = assess_cluster_capacity(tenancy(c, subnets=[subnet("pods", "10.0.0.0/24")]), c)
    (capacity,) = report.node_pools
    assert (capacity.vnics_per_node, capacity.max_pods_per_node, capacity.pod_subnet_ips_per_node) == (2, 32, 33)
    (pods,) = [s for s in report.subnets if s.name == "pods"]
    assert pods.reserved_ips == 4 * 33


def test_a_classic_pool_never_gets_the_profile_finding() -> None:
    assert _exceeds(shape="VM.Standard.E5.Flex", ocpus=1, max_pods=31) == []


def test_a_plan_with_too_many_profiles_for_its_ocpus_is_invalid() -> None:
    data = {
        "apiVersion": "okebot.plan/v1",
        "cluster": {"name": "prod", "cni": "vcn-native", "kubernetesVersion": "v1.31.1"},
        "vcn": {"name": "vcn", "cidrs": ["10.0.0.0/16"]},
        "subnets": [{"name": "nodes", "roles": ["workers", "pods"], "cidr": "10.0.0.0/20"}],
        "nodePools": [{"name": "np", "shape": "VM.Standard.E5.Flex", "ocpus": 1, "size": 3, "workerSubnet": "nodes",
                       "podSubnet": "nodes", "vnicProfiles": [{"ipCount": 32}, {"ipCount": 32}]}],
    }
    report = validate_plan(parse_plan(data, source="p"), plan_name="p")
    assert not report.valid
    assert EXCEEDS in {f.code for f in report.findings}

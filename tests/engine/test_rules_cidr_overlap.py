"""CIDR overlap rules, and the sorted sweep that finds overlapping blocks without comparing every pair."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.check import Check
from engine.findings import Severity
from engine.model import Cni, Vcn
from engine.rules.cidr_overlap import (
    cluster_cidr_overlap_findings,
    overlapping_pairs,
    subnet_outside_vcn_findings,
    subnet_overlap_findings,
)
from tests.engine.builders import codes, net, replace_subnet
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_subnet as subnet
from tests.engine.builders import valid_tenancy as tenancy


def _naive(blocks: list[tuple[IPv4Network, int]]) -> set[frozenset[int]]:
    return {frozenset((a, b)) for i, (x, a) in enumerate(blocks) for y, b in blocks[i + 1 :] if x.overlaps(y)}


_blocks = st.lists(
    st.builds(
        lambda address, prefix: IPv4Network((address, prefix), strict=False),
        st.integers(min_value=0x0A000000, max_value=0x0A0003FF),
        st.integers(min_value=20, max_value=32),
    ),
    max_size=40,
)


@given(_blocks)
def test_the_sweep_finds_exactly_the_overlaps_a_pairwise_check_finds(cidrs: list[IPv4Network]) -> None:
    blocks = [(cidr, i) for i, cidr in enumerate(cidrs)]
    swept = overlapping_pairs(blocks)
    assert {frozenset(pair) for pair in swept} == _naive(blocks)
    assert len(swept) == len(_naive(blocks))


def test_the_sweep_names_the_containing_block_first() -> None:
    pairs = overlapping_pairs([(IPv4Network("10.0.1.0/24"), "small"), (IPv4Network("10.0.0.0/16"), "big")])
    assert pairs == [("big", "small")]


@pytest.mark.parametrize(
    ("cidr", "vcn_cidrs", "outside"),
    [
        ("10.0.1.0/24", ("10.0.0.0/16",), False),
        ("10.1.1.0/24", ("10.0.0.0/16",), True),
        ("10.1.1.0/24", ("10.0.0.0/16", "10.1.0.0/16"), False),
        ("10.0.0.0/15", ("10.0.0.0/16",), True),
    ],
)
def test_a_subnet_must_lie_inside_one_of_its_vcns_cidrs(cidr: str, vcn_cidrs: tuple[str, ...], outside: bool) -> None:
    base = tenancy(vcns=(Vcn(id="vcn1", name="prod-vcn", cidrs=net(*vcn_cidrs)),))
    the_tenancy = replace_subnet(base, "workers", cidrs=net(cidr))
    found = subnet_outside_vcn_findings(Check(the_tenancy, cluster()))
    assert codes(found) == (["SUBNET_OUTSIDE_VCN"] if outside else [])
    if outside:
        assert found[0].subject == "subnet:workers"
        assert cidr in found[0].message
        assert "prod-vcn" in found[0].message


def test_overlapping_subnets_of_one_vcn_are_reported_once_per_pair() -> None:
    extra = subnet("dup", "10.0.1.0/25", security_rules=None)
    base = tenancy()
    the_tenancy = base.model_copy(update={"subnets": (*base.subnets, extra)})
    found = subnet_overlap_findings(Check(the_tenancy, cluster()))
    assert codes(found) == ["SUBNET_OVERLAP"]
    assert "10.0.1.0/24" in found[0].message
    assert "10.0.1.0/25" in found[0].message
    assert {found[0].details["subnet"], found[0].details["otherSubnet"]} == {"dup", "workers"}


def test_subnets_of_different_vcns_may_overlap() -> None:
    other = subnet("elsewhere", "10.0.1.0/24", vcn_id="vcn2")
    base = tenancy()
    the_tenancy = base.model_copy(update={"subnets": (*base.subnets, other)})
    assert subnet_overlap_findings(Check(the_tenancy, cluster())) == []


@pytest.mark.parametrize(
    ("cni", "pods", "services", "expected"),
    [
        (Cni.FLANNEL, "10.244.0.0/16", "10.96.0.0/16", []),
        (Cni.FLANNEL, "10.0.0.0/15", "10.96.0.0/16", ["PODS_CIDR_OVERLAP"]),
        # Subnets inside a VCN block that is already reported are not named again.
        (Cni.FLANNEL, "10.244.0.0/16", "10.0.64.0/24", ["SERVICES_CIDR_OVERLAP"]),
        (Cni.FLANNEL, "10.0.0.0/8", "10.96.0.0/16", ["PODS_CIDR_OVERLAP", "PODS_CIDR_OVERLAP"]),
        (Cni.FLANNEL, "10.96.0.0/12", "10.96.0.0/16", ["PODS_CIDR_OVERLAP"]),
    ],
)
def test_pods_and_services_cidrs_must_clear_the_vcn_and_each_other(
    cni: Cni, pods: str, services: str, expected: list[str]
) -> None:
    the_cluster = cluster(cni, pods_cidr=IPv4Network(pods), services_cidr=IPv4Network(services))
    assert codes(cluster_cidr_overlap_findings(Check(tenancy(the_cluster), the_cluster))) == expected


def test_a_pods_cidr_overlap_is_an_error_for_flannel_and_a_warning_for_vcn_native() -> None:
    severities = {}
    for cni in Cni:
        the_cluster = cluster(cni, pods_cidr=IPv4Network("10.0.0.0/12"))
        (found,) = cluster_cidr_overlap_findings(Check(tenancy(the_cluster), the_cluster))
        assert found.subject == "vcn:prod-vcn"
        assert "10.0.0.0/12" in found.message
        severities[cni] = found.severity
    assert severities == {Cni.FLANNEL: Severity.ERROR, Cni.VCN_NATIVE: Severity.WARNING}


def test_a_cluster_subnet_outside_the_vcn_is_reported_by_name_when_the_pods_cidr_hits_it() -> None:
    the_cluster = cluster(Cni.FLANNEL, pods_cidr=IPv4Network("10.9.0.0/16"))
    the_tenancy = replace_subnet(tenancy(the_cluster), "lb", cidrs=net("10.9.1.0/24"))
    (found,) = cluster_cidr_overlap_findings(Check(the_tenancy, the_cluster))
    assert (found.code, found.subject) == ("PODS_CIDR_OVERLAP", "subnet:lb")

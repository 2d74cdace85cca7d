"""CIDR overlap rules, and the sorted sweep that finds overlapping blocks without comparing every pair."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.check import Check
from engine.cidr import vcn_block_size_allowed
from engine.findings import Severity
from engine.model import Cni, Vcn
from engine.rules.cidr_overlap import (
    cluster_cidr_overlap_findings,
    overlapping_pairs,
    subnet_cidr_overlap_findings,
    subnet_outside_vcn_findings,
    subnet_overlap_findings,
    vcn_cidr_overlap_findings,
)
from tests.engine.builders import VCN_ID, codes, net, replace_subnet
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


def test_an_overlap_names_the_vcn_block_or_cluster_field_it_is_about_for_its_plan_line() -> None:
    the_cluster = cluster(Cni.FLANNEL, pods_cidr=IPv4Network("10.96.0.0/12"),
                          services_cidr=IPv4Network("10.96.0.0/16"))
    vcn = Vcn(id=VCN_ID, name="prod-vcn", cidrs=net("10.0.0.0/16", "10.100.0.0/16"))
    found = cluster_cidr_overlap_findings(Check(tenancy(the_cluster, vcns=(vcn,)), the_cluster))
    about = sorted((f.subject, f.details.get("cidr"), f.details.get("field")) for f in found)
    assert about == [("cluster:prod", None, "cluster.podsCidr"), ("vcn:prod-vcn", "10.100.0.0/16", None)]


def test_a_cluster_subnet_outside_the_vcn_is_reported_by_name_when_the_pods_cidr_hits_it() -> None:
    the_cluster = cluster(Cni.FLANNEL, pods_cidr=IPv4Network("10.9.0.0/16"))
    the_tenancy = replace_subnet(tenancy(the_cluster), "lb", cidrs=net("10.9.1.0/24"))
    (found,) = cluster_cidr_overlap_findings(Check(the_tenancy, the_cluster))
    assert (found.code, found.subject) == ("PODS_CIDR_OVERLAP", "subnet:lb")


def _vcn_check(*cidrs: IPv4Network | str) -> Check:
    blocks = tuple(IPv4Network(c) for c in cidrs)
    return Check(tenancy(vcns=(Vcn(id=VCN_ID, name="prod-vcn", cidrs=blocks),)), cluster())


@pytest.mark.parametrize(
    ("cidrs", "expected"),
    [
        (("10.0.0.0/16",), []),
        (("10.0.0.0/16", "10.1.0.0/16"), []),  # adjacent blocks share no address
        (("10.0.0.0/17", "10.0.128.0/17"), []),
        (("10.0.0.0/16", "10.0.128.0/17"), ["10.0.128.0/17"]),  # one block inside another
        (("10.0.128.0/17", "10.0.0.0/16"), ["10.0.128.0/17"]),  # whichever is listed first
        (("10.0.0.0/16", "10.0.0.0/16"), ["10.0.0.0/16"]),  # the same block twice
    ],
)
def test_blocks_of_one_vcn_must_not_overlap(cidrs: tuple[str, ...], expected: list[str]) -> None:
    found = vcn_cidr_overlap_findings(_vcn_check(*cidrs))
    assert [f.details["cidr"] for f in found] == expected
    assert all((f.code, f.subject) == ("VCN_CIDR_OVERLAP", "vcn:prod-vcn") for f in found)


def test_a_block_inside_another_is_told_with_both_address_ranges() -> None:
    (found,) = vcn_cidr_overlap_findings(_vcn_check("10.0.0.0/16", "10.0.128.0/17"))
    assert "10.0.128.0/17 (10.0.128.0-10.0.255.255) lies inside 10.0.0.0/16 (10.0.0.0-10.0.255.255)" in found.message
    assert found.remedy == (
        "Remove 10.0.128.0/17 from the VCN's CIDR blocks: 10.0.0.0/16 already holds all its addresses."
    )


def test_a_block_inside_one_oci_refuses_is_kept_and_the_oversized_block_replaced() -> None:
    # Keeping the /8 would trade one refused block for another: VCN_CIDR_SIZE calls it invalid beside this.
    found = vcn_cidr_overlap_findings(_vcn_check("10.0.0.0/16", "10.1.0.0/16", "10.0.0.0/8"))
    assert [f.details["cidr"] for f in found] == ["10.0.0.0/16", "10.1.0.0/16"]
    assert found[0].remedy == (
        "Replace 10.0.0.0/8 with /16 to /30 blocks that do not overlap the VCN's other blocks (OCI refuses a /8 as "
        "a VCN block, VCN_CIDR_SIZE); 10.0.0.0/16 can stay."
    )
    assert found[1].remedy.endswith("; 10.1.0.0/16 can stay.")
    assert not [f for f in found if "Remove" in f.remedy]


def test_a_block_too_large_itself_inside_another_is_not_told_it_can_stay() -> None:
    (found,) = vcn_cidr_overlap_findings(_vcn_check("10.0.0.0/8", "10.0.0.0/12"))
    assert found.remedy.startswith("Replace 10.0.0.0/8 with /16 to /30 blocks")
    assert "can stay" not in found.remedy


def test_a_block_inside_both_an_oversized_and_an_allowed_block_is_removed_in_favour_of_the_allowed_one() -> None:
    found = vcn_cidr_overlap_findings(_vcn_check("10.0.0.0/8", "10.0.0.0/16", "10.0.1.0/24"))
    by_block = {str(f.details["cidr"]): f.remedy for f in found}
    assert by_block["10.0.1.0/24"] == (
        "Remove 10.0.1.0/24 from the VCN's CIDR blocks: 10.0.0.0/16 already holds all its addresses."
    )
    assert by_block["10.0.0.0/16"].startswith("Replace 10.0.0.0/8 ")


def test_a_subnet_block_inside_an_oversized_one_is_kept_and_the_oversized_one_replaced() -> None:
    vcn = Vcn(id=VCN_ID, name="prod-vcn", cidrs=net("10.0.0.0/8"))
    the_tenancy = replace_subnet(tenancy(vcns=(vcn,)), "lb", cidrs=net("10.16.0.0/12", "10.16.0.0/24"))
    (found,) = subnet_cidr_overlap_findings(Check(the_tenancy, cluster()))
    assert found.remedy == (
        "Replace 10.16.0.0/12 with /16 to /30 blocks that do not overlap the subnet's other blocks (OCI refuses a "
        "/12 as a subnet block, SUBNET_CIDR_SIZE); 10.16.0.0/24 can stay."
    )



def test_a_block_listed_twice_is_told_once_and_asked_to_be_listed_once() -> None:
    (found,) = vcn_cidr_overlap_findings(_vcn_check("10.0.0.0/16", "10.1.0.0/16", "10.0.0.0/16"))
    assert "10.0.0.0/16 (10.0.0.0-10.0.255.255) is listed twice" in found.message
    assert found.remedy == "List 10.0.0.0/16 once."


def test_a_block_listed_three_times_inside_a_larger_one_is_one_finding_for_it() -> None:
    found = vcn_cidr_overlap_findings(_vcn_check("10.0.0.0/17", "10.0.0.0/16", "10.0.0.0/17", "10.0.0.0/17"))
    (repeated,) = [f for f in found if f.details["cidr"] == "10.0.0.0/17"]
    assert "is listed 3 times and lies inside 10.0.0.0/16" in repeated.message
    assert len(found) == 1


def test_a_block_inside_two_others_names_both() -> None:
    found = vcn_cidr_overlap_findings(_vcn_check("10.0.0.0/8", "10.0.0.0/16", "10.0.1.0/24"))
    by_block = {str(f.details["cidr"]): f for f in found}
    assert sorted(by_block) == ["10.0.0.0/16", "10.0.1.0/24"]
    assert by_block["10.0.1.0/24"].details["overlaps"] == "10.0.0.0/8, 10.0.0.0/16"


def test_vcns_the_cluster_does_not_touch_are_not_judged() -> None:
    other = Vcn(id="vcn-other", name="other", cidrs=net("10.0.0.0/16", "10.0.0.0/16"))
    base = tenancy()
    the_tenancy = base.model_copy(update={"vcns": (*base.vcns, other)})
    assert vcn_cidr_overlap_findings(Check(the_tenancy, cluster())) == []


_vcn_blocks = st.builds(
    lambda address, prefix: IPv4Network((address, prefix), strict=False),
    st.integers(min_value=0x0A000000, max_value=0x0A03FFFF),
    st.integers(min_value=14, max_value=32),
)


@given(_vcn_blocks, _vcn_blocks)
def test_two_vcn_blocks_are_reported_exactly_when_their_address_ranges_intersect(
    first: IPv4Network, second: IPv4Network
) -> None:
    found = vcn_cidr_overlap_findings(_vcn_check(first, second))
    lo, hi = max(int(first[0]), int(second[0])), min(int(first[-1]), int(second[-1]))
    assert (len(found) == 1) is (lo <= hi)
    assert len(found) <= 1


@given(st.lists(_vcn_blocks, max_size=12))
def test_a_vcn_is_clean_exactly_when_no_two_of_its_blocks_share_an_address(cidrs: list[IPv4Network]) -> None:
    found = vcn_cidr_overlap_findings(_vcn_check(*cidrs))
    ranges = [(int(c[0]), int(c[-1])) for c in cidrs]
    clash = {j for i in range(len(ranges)) for j in range(i + 1, len(ranges))
             if max(ranges[i][0], ranges[j][0]) <= min(ranges[i][1], ranges[j][1])}
    assert (found == []) is (not clash)
    assert {f.details["cidr"] for f in found} <= {str(c) for c in cidrs}


@given(st.lists(_vcn_blocks, min_size=2, max_size=8))
def test_a_vcn_overlap_remedy_never_keeps_a_block_oci_refuses(cidrs: list[IPv4Network]) -> None:
    for found in vcn_cidr_overlap_findings(_vcn_check(*cidrs)):
        if found.remedy.startswith("Remove "):
            kept = IPv4Network(found.remedy.split(": ")[1].split(" ")[0])
            assert vcn_block_size_allowed(kept)

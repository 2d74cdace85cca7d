"""CIDR size rules: VCN blocks from /16 to /30, subnet blocks no smaller than /30, and no finding said twice."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.capacity.rules import subnet_size_findings
from engine.check import Check
from engine.cidr import usable_ips
from engine.model import Vcn
from engine.rules import RULES
from engine.rules.cidr_sizes import subnet_cidr_size_findings, vcn_cidr_size_findings
from tests.engine.builders import VCN_ID, codes, net, replace_subnet
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_pool as pool
from tests.engine.builders import valid_tenancy as tenancy


def _with_vcn(*cidrs: str) -> Check:
    the_tenancy = tenancy(vcns=(Vcn(id=VCN_ID, name="prod-vcn", cidrs=net(*cidrs)),))
    return Check(the_tenancy, cluster())


@pytest.mark.parametrize(
    ("cidr", "refused"),
    [
        ("10.0.0.0/16", False),
        ("10.0.0.0/24", False),
        ("10.0.0.0/30", False),
        ("10.0.0.0/15", True),
        ("10.0.0.0/8", True),
        ("0.0.0.0/0", True),
        ("10.0.0.0/31", True),
        ("10.0.0.0/32", True),
    ],
)
def test_a_vcn_block_is_taken_from_16_to_30_and_refused_outside(cidr: str, refused: bool) -> None:
    found = vcn_cidr_size_findings(_with_vcn(cidr))
    assert codes(found) == (["VCN_CIDR_SIZE"] if refused else [])
    if refused:
        assert (found[0].subject, found[0].details["cidr"]) == ("vcn:prod-vcn", cidr)
        assert f"is a /{IPv4Network(cidr).prefixlen}" in found[0].message
        assert "/16 (65,536 addresses) to /30 (4 addresses)" in found[0].message


def test_a_too_large_private_vcn_block_is_told_its_first_16_as_the_fix() -> None:
    (found,) = vcn_cidr_size_findings(_with_vcn("172.16.0.0/12"))
    assert "172.16.0.0/16" in found.remedy
    assert "1,048,576 addresses" in found.message


def test_the_whole_internet_as_a_vcn_block_is_told_a_private_16_instead() -> None:
    (found,) = vcn_cidr_size_findings(_with_vcn("0.0.0.0/0"))
    assert "such as 10.0.0.0/16;" in found.remedy


def test_each_refused_vcn_block_is_its_own_finding() -> None:
    found = vcn_cidr_size_findings(_with_vcn("10.0.0.0/16", "10.8.0.0/13", "192.168.0.0/31"))
    assert sorted(str(f.details["cidr"]) for f in found) == ["10.8.0.0/13", "192.168.0.0/31"]


@pytest.mark.parametrize(
    ("cidr", "refused"),
    [("10.0.1.0/24", False), ("10.0.1.0/29", False), ("10.0.1.0/30", False), ("10.0.1.0/31", True),
     ("10.0.1.1/32", True)],
)
def test_a_subnet_block_smaller_than_30_is_refused(cidr: str, refused: bool) -> None:
    the_tenancy = replace_subnet(tenancy(), "lb", cidrs=net(cidr))
    found = subnet_cidr_size_findings(Check(the_tenancy, cluster()))
    assert codes(found) == (["SUBNET_CIDR_SIZE"] if refused else [])
    if refused:
        assert (found[0].subject, found[0].details["cidr"], found[0].details["usableIps"]) == ("subnet:lb", cidr, 0)
        assert "so max(0, " in found[0].message
        assert "= 0 are usable" in found[0].message
        assert "assumed" in found[0].message or "taken to be" in found[0].message


def test_only_the_too_small_block_of_a_subnet_with_several_is_named() -> None:
    the_tenancy = replace_subnet(tenancy(), "lb", cidrs=net("10.0.2.0/24", "10.0.3.0/32"))
    (found,) = subnet_cidr_size_findings(Check(the_tenancy, cluster()))
    assert found.details["cidr"] == "10.0.3.0/32"


@pytest.mark.parametrize("cidr", ["10.0.0.0/31", "10.0.0.0/32"])
def test_a_too_small_api_endpoint_subnet_is_told_once_by_its_own_rule(cidr: str) -> None:
    the_tenancy = replace_subnet(tenancy(), "api", cidrs=net(cidr))
    found = [f for rule in RULES for f in rule(Check(the_tenancy, cluster())) if f.subject == "subnet:api"]
    assert codes(found) == ["API_ENDPOINT_SUBNET_TOO_SMALL"]


@pytest.mark.parametrize(("name", "code"), [("workers", "WORKER_SUBNET_TOO_SMALL"), ("pods", "POD_SUBNET_TOO_SMALL")])
def test_a_32_worker_or_pod_subnet_is_told_its_size_not_that_its_nodes_do_not_fit(name: str, code: str) -> None:
    the_tenancy = replace_subnet(tenancy(), name, cidrs=net("10.0.9.0/32"))
    check = Check(the_tenancy, cluster())
    assert code not in codes(subnet_size_findings(check))
    found = [f for rule in RULES for f in rule(check) if f.subject == f"subnet:{name}"]
    assert codes(found) == ["SUBNET_CIDR_SIZE"]


def test_a_worker_subnet_with_one_usable_block_still_gets_its_capacity_finding() -> None:
    the_tenancy = replace_subnet(tenancy(), "workers", cidrs=net("10.0.1.0/30", "10.0.9.0/32"))
    the_cluster = cluster(node_pools=(pool(size=3, max_size=3),))
    check = Check(the_tenancy.model_copy(update={"clusters": (the_cluster,)}), the_cluster)
    assert codes(subnet_size_findings(check)) == ["WORKER_SUBNET_TOO_SMALL"]
    assert codes(subnet_cidr_size_findings(check)) == ["SUBNET_CIDR_SIZE"]


def test_a_subnet_larger_than_16_inside_an_oversized_vcn_block_is_named() -> None:
    the_tenancy = tenancy(vcns=(Vcn(id=VCN_ID, name="prod-vcn", cidrs=net("10.0.0.0/8")),))
    the_tenancy = replace_subnet(the_tenancy, "workers", cidrs=net("10.16.0.0/12"))
    (found,) = subnet_cidr_size_findings(Check(the_tenancy, cluster()))
    assert (found.subject, found.details["cidr"], found.details["vcnCidr"]) == ("subnet:workers", "10.16.0.0/12",
                                                                               "10.0.0.0/8")
    assert "larger than any VCN block can be (/16" in found.message


def test_a_subnet_larger_than_16_outside_the_vcn_is_left_to_subnet_outside_vcn() -> None:
    the_tenancy = replace_subnet(tenancy(), "workers", cidrs=net("10.16.0.0/12"))
    check = Check(the_tenancy, cluster())
    assert subnet_cidr_size_findings(check) == []
    found = [f for rule in RULES for f in rule(check) if f.subject == "subnet:workers"]
    assert "SUBNET_OUTSIDE_VCN" in codes(found)


def test_subnets_of_a_vcn_the_cluster_does_not_touch_are_not_judged() -> None:
    base = tenancy()
    stray = base.subnets[0].model_copy(update={"id": "stray", "name": "stray", "vcn_id": "vcn-other",
                                               "cidrs": net("10.9.9.9/32")})
    the_tenancy = base.model_copy(update={"subnets": (*base.subnets, stray)})
    assert subnet_cidr_size_findings(Check(the_tenancy, cluster())) == []


@given(st.integers(min_value=0, max_value=32), st.integers(min_value=1, max_value=4))
def test_usable_ips_are_never_negative(prefix: int, blocks: int) -> None:
    cidrs = [IPv4Network((i << (32 - prefix) if prefix else 0, prefix)) for i in range(min(blocks, 1 << prefix))]
    assert usable_ips(cidrs) == sum(max(0, 2 ** (32 - prefix) - 3) for _ in cidrs)
    assert usable_ips(cidrs) >= 0


@pytest.mark.parametrize(("cidr", "usable"), [("10.0.0.0/30", 1), ("10.0.0.0/31", 0), ("10.0.0.1/32", 0)])
def test_the_smallest_blocks_have_one_usable_ip_or_none(cidr: str, usable: int) -> None:
    assert usable_ips(net(cidr)) == usable

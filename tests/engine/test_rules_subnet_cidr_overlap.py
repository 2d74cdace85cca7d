"""A subnet's own CIDR blocks: SUBNET_CIDR_OVERLAP when two of them overlap, and usable IPs that count each
address once, so a block listed twice cannot make a subnet look large enough."""

from __future__ import annotations

from ipaddress import IPv4Network, collapse_addresses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.capacity.rules import subnet_size_findings
from engine.check import Check
from engine.cidr import distinct_blocks, usable_ips
from engine.model import Vcn
from engine.rules import RULES
from engine.rules.cidr_overlap import subnet_cidr_overlap_findings
from tests.engine.builders import VCN_ID, codes, net, replace_subnet
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_pool as pool
from tests.engine.builders import valid_tenancy as tenancy


def _lb_check(*cidrs: IPv4Network | str) -> Check:
    """The valid tenancy with the load-balancer subnet given these blocks (in a second VCN block, 10.16.0.0/16)."""
    the_tenancy = tenancy(vcns=(Vcn(id=VCN_ID, name="prod-vcn", cidrs=net("10.0.0.0/16", "10.16.0.0/16")),))
    blocks = tuple(IPv4Network(c) for c in cidrs)
    return Check(replace_subnet(the_tenancy, "lb", cidrs=blocks), cluster())


@pytest.mark.parametrize(
    ("cidrs", "expected"),
    [
        (("10.16.0.0/24",), []),
        (("10.16.0.0/25", "10.16.0.128/25"), []),  # blocks that only touch share no address
        (("10.16.0.0/24", "10.16.0.0/25"), ["10.16.0.0/25"]),  # one block inside another
        (("10.16.0.0/25", "10.16.0.0/24"), ["10.16.0.0/25"]),  # whichever is listed first
        (("10.16.0.0/28", "10.16.0.0/28"), ["10.16.0.0/28"]),  # the same block twice
    ],
)
def test_blocks_of_one_subnet_must_not_overlap(cidrs: tuple[str, ...], expected: list[str]) -> None:
    found = subnet_cidr_overlap_findings(_lb_check(*cidrs))
    assert [f.details["cidr"] for f in found] == expected
    assert all((f.code, f.subject, f.details["subnet"]) == ("SUBNET_CIDR_OVERLAP", "subnet:lb", "lb") for f in found)


def test_a_block_listed_twice_is_told_with_its_addresses_and_asked_to_be_listed_once() -> None:
    (found,) = subnet_cidr_overlap_findings(_lb_check("10.16.0.0/28", "10.16.0.0/28"))
    assert found.message == (
        "Subnet lb CIDR block 10.16.0.0/28 (10.16.0.0-10.16.0.15) is listed twice; the subnet's blocks must not "
        "overlap."
    )
    assert found.remedy == "List 10.16.0.0/28 once."
    assert found.severity == "error"


def test_a_block_inside_another_is_told_with_both_ranges_and_asked_to_be_removed() -> None:
    (found,) = subnet_cidr_overlap_findings(_lb_check("10.16.0.0/24", "10.16.0.0/25"))
    assert "10.16.0.0/25 (10.16.0.0-10.16.0.127) lies inside 10.16.0.0/24 (10.16.0.0-10.16.0.255)" in found.message
    assert found.details["overlaps"] == "10.16.0.0/24"
    assert found.remedy == (
        "Remove 10.16.0.0/25 from the CIDR blocks of subnet lb: 10.16.0.0/24 already holds all its addresses."
    )


def test_overlapping_blocks_of_one_subnet_are_not_called_an_overlap_of_two_subnets() -> None:
    check = _lb_check("10.16.0.0/24", "10.16.0.0/24")
    found = [f for rule in RULES for f in rule(check) if f.subject == "subnet:lb"]
    assert codes(found) == ["SUBNET_CIDR_OVERLAP"]


def test_subnets_of_a_vcn_the_cluster_does_not_touch_are_not_judged() -> None:
    base = tenancy()
    stray = base.subnets[0].model_copy(update={"id": "stray", "name": "stray", "vcn_id": "vcn-other",
                                               "cidrs": net("10.9.9.0/24", "10.9.9.0/24")})
    the_tenancy = base.model_copy(update={"subnets": (*base.subnets, stray)})
    assert subnet_cidr_overlap_findings(Check(the_tenancy, cluster())) == []


def test_a_worker_block_listed_twice_does_not_double_its_ips() -> None:
    # The user's plan: 20 nodes in a /28 (13 usable IPs), the /28 written twice.
    the_cluster = cluster(node_pools=(pool(size=20, max_size=20),))
    base = tenancy(the_cluster)
    for cidrs in (net("10.0.1.0/28"), net("10.0.1.0/28", "10.0.1.0/28")):
        check = Check(replace_subnet(base, "workers", cidrs=cidrs), the_cluster)
        (found,) = [f for f in subnet_size_findings(check) if f.subject == "subnet:workers"]
        assert (found.code, found.details["usableIps"], found.details["neededIps"]) == (
            "WORKER_SUBNET_TOO_SMALL", 13, 20)


@pytest.mark.parametrize(
    ("cidrs", "usable"),
    [
        (("10.0.0.0/28", "10.0.0.0/28"), 13),
        (("10.16.0.0/24", "10.16.0.0/25"), 253),
        (("10.16.0.0/25", "10.16.0.0/24", "10.16.0.64/26"), 253),
        (("10.0.0.0/25", "10.0.0.128/25"), 250),  # two blocks, 3 reserved in each: not joined into one /24
    ],
)
def test_usable_ips_count_each_address_once_and_reserve_three_per_distinct_block(
    cidrs: tuple[str, ...], usable: int
) -> None:
    assert usable_ips(net(*cidrs)) == usable


_subnet_blocks = st.builds(
    lambda address, prefix: IPv4Network((address, prefix), strict=False),
    st.integers(min_value=0x0A100000, max_value=0x0A1003FF),
    st.integers(min_value=20, max_value=32),
)


@given(st.lists(_subnet_blocks, min_size=1, max_size=10))
def test_a_subnets_usable_ips_never_exceed_those_of_its_merged_address_set(cidrs: list[IPv4Network]) -> None:
    merged = list(collapse_addresses(cidrs))
    usable = usable_ips(cidrs)
    assert usable <= usable_ips(merged)
    assert usable <= sum(block.num_addresses for block in merged)  # never more than the distinct addresses
    assert usable == usable_ips(distinct_blocks(cidrs)) == usable_ips([*cidrs, *cidrs])
    # The merged blocks hold the same addresses as the written ones, each once.
    distinct = distinct_blocks(cidrs)
    assert sum(b.num_addresses for b in distinct) == sum(b.num_addresses for b in merged)
    assert list(collapse_addresses(distinct)) == merged


@given(st.lists(_subnet_blocks, min_size=1, max_size=10))
def test_subnet_cidr_overlap_appears_exactly_when_two_of_its_blocks_share_an_address(
    cidrs: list[IPv4Network],
) -> None:
    found = subnet_cidr_overlap_findings(_lb_check(*cidrs))
    ranges = [(int(c[0]), int(c[-1])) for c in cidrs]
    clash = any(max(ranges[i][0], ranges[j][0]) <= min(ranges[i][1], ranges[j][1])
                for i in range(len(ranges)) for j in range(i + 1, len(ranges)))
    assert (found != []) is clash
    assert all(f.code == "SUBNET_CIDR_OVERLAP" for f in found)
    # Once per block: each block that overlaps another is told once, and none is told twice.
    told = [str(f.details["cidr"]) for f in found]
    assert len(told) == len(set(told))
    assert set(told) <= {str(c) for c in cidrs}

"""CIDR size rules: blocks OCI will not take, for a VCN (outside /16 to /30) or a subnet (smaller than /30).

Sources: OCI Networking Overview, "The allowable VCN size range is /16 to /30"
(https://docs.oracle.com/iaas/Content/Network/Concepts/overview.htm; `oci network vcn create`: "The CIDR blocks
can range from /16 to /30"). "The first two IPv4 addresses and the last in the subnet's CIDR are reserved by the
Networking service" (https://docs.oracle.com/iaas/Content/Network/Tasks/managingVCNs.htm), so a /31 or /32
subnet has no usable IP. That OCI refuses a subnet smaller than /30 is an assumption (no Oracle text states the
minimum subnet size); the catalogue entry says so.
"""

from __future__ import annotations

from ipaddress import IPv4Network

from engine.catalogue import finding
from engine.check import Check
from engine.cidr import (
    OCI_RESERVED_PER_BLOCK,
    SUBNET_SMALLEST_PREFIX,
    VCN_LARGEST_PREFIX,
    VCN_SMALLEST_PREFIX,
    subnet_block_too_small,
    usable_ips,
    vcn_block_size_allowed,
)
from engine.codes import Code
from engine.findings import Finding
from engine.model import Subnet, Tenancy, Vcn
from engine.rules._common import subnets_in, touched_vcn_ids
from engine.words import plural

_SIZE_RANGE = (
    f"OCI takes VCN blocks from /{VCN_LARGEST_PREFIX} ({1 << (32 - VCN_LARGEST_PREFIX):,} addresses) "
    f"to /{VCN_SMALLEST_PREFIX} ({1 << (32 - VCN_SMALLEST_PREFIX)} addresses) only"
)


def _addresses(block: IPv4Network) -> str:
    return plural(block.num_addresses, "address", "addresses")


def vcn_cidr_size_findings(check: Check) -> list[Finding]:
    """VCN_CIDR_SIZE for each CIDR block of the cluster's VCNs whose prefix is outside /16 to /30.

    Source: OCI Networking Overview, "The allowable VCN size range is /16 to /30".
    """
    found: list[Finding] = []
    for vcn in _vcns(check):
        for block in vcn.cidrs:
            if vcn_block_size_allowed(block):
                continue
            too_large = block.prefixlen < VCN_LARGEST_PREFIX
            found.append(
                finding(
                    Code.VCN_CIDR_SIZE,
                    f"vcn:{vcn.name}",
                    f"VCN {vcn.name} CIDR block {block} is a /{block.prefixlen} ({_addresses(block)}): "
                    f"{_SIZE_RANGE}.",
                    details={"vcn": vcn.name, "cidr": str(block), "prefix": block.prefixlen},
                    fields={"fix": _vcn_fix(block, too_large=too_large)},
                )
            )
    return found


def _vcn_fix(block: IPv4Network, *, too_large: bool) -> str:
    if not too_large:
        return (
            f"Use a /{VCN_SMALLEST_PREFIX} or larger block in place of {block}, such as "
            f"{block.supernet(new_prefix=VCN_SMALLEST_PREFIX)}."
        )
    # Only a private block's first /16 is a sensible example; 0.0.0.0/0's would be public addresses.
    example = (
        IPv4Network((block.network_address, VCN_LARGEST_PREFIX)) if block.is_private else IPv4Network("10.0.0.0/16")
    )
    return (
        f"Use a /{VCN_LARGEST_PREFIX} or smaller block in place of {block}, such as {example}; for more room give "
        f"the VCN several non-overlapping /{VCN_LARGEST_PREFIX} blocks."
    )


def subnet_cidr_size_findings(check: Check) -> list[Finding]:
    """SUBNET_CIDR_SIZE for each block of a subnet of the cluster's VCNs that OCI cannot hold as a subnet.

    A block smaller than /30 (a /31 or /32) has no usable IP once OCI reserves 3 addresses per block; that OCI
    refuses it is assumed (the smallest VCN block is a /30). An API endpoint subnet whose every block is that
    small is left to API_ENDPOINT_SUBNET_TOO_SMALL, which names the size its role needs. A block larger than
    /16 is reported only while it lies inside a VCN block (itself too large, VCN_CIDR_SIZE): outside every
    block, SUBNET_OUTSIDE_VCN already reports it.
    """
    tenancy = check.tenancy
    endpoints = {cluster.endpoint_subnet_id for cluster in tenancy.clusters if cluster.endpoint_subnet_id}
    found: list[Finding] = []
    for subnet in subnets_in(tenancy, touched_vcn_ids(check)):
        endpoint_reported = subnet.id in endpoints and all(subnet_block_too_small(b) for b in subnet.cidrs)
        for block in subnet.cidrs:
            if subnet_block_too_small(block) and not endpoint_reported:
                found.append(_too_small(subnet, block))
            elif block.prefixlen < VCN_LARGEST_PREFIX:
                outer = _inside(tenancy, subnet, block)
                if outer is not None:
                    found.append(_too_large(subnet, block, outer))
    return found


def _too_small(subnet: Subnet, block: IPv4Network) -> Finding:
    smallest = IPv4Network(("0.0.0.0", SUBNET_SMALLEST_PREFIX))
    return finding(
        Code.SUBNET_CIDR_SIZE,
        f"subnet:{subnet.name}",
        f"Subnet {subnet.name} CIDR block {block} is a /{block.prefixlen}: {_addresses(block)}, and OCI reserves "
        f"{OCI_RESERVED_PER_BLOCK} in every block (the first two and the last), so max(0, "
        f"{block.num_addresses} - {OCI_RESERVED_PER_BLOCK}) = {usable_ips([block])} are usable; the smallest subnet "
        f"block is taken to be a /{SUBNET_SMALLEST_PREFIX} ({_addresses(smallest)}, {usable_ips([smallest])} "
        "usable).",
        details={"subnet": subnet.name, "cidr": str(block), "prefix": block.prefixlen, "usableIps": 0},
        fields={"fix": f"Give subnet {subnet.name} a /{SUBNET_SMALLEST_PREFIX} or larger block in place of {block}, "
                       "sized for what it holds (a /30 has 1 usable IP, a /24 253)."},
    )


def _too_large(subnet: Subnet, block: IPv4Network, outer: tuple[Vcn, IPv4Network]) -> Finding:
    vcn, vcn_block = outer
    return finding(
        Code.SUBNET_CIDR_SIZE,
        f"subnet:{subnet.name}",
        f"Subnet {subnet.name} CIDR block {block} is a /{block.prefixlen} ({_addresses(block)}), larger than any "
        f"VCN block can be (/{VCN_LARGEST_PREFIX}, {1 << (32 - VCN_LARGEST_PREFIX):,} addresses); it lies inside "
        f"VCN {vcn.name} block {vcn_block}, which is too large itself.",
        details={"subnet": subnet.name, "cidr": str(block), "prefix": block.prefixlen, "vcnCidr": str(vcn_block)},
        fields={"fix": f"Give subnet {subnet.name} a /{VCN_LARGEST_PREFIX} or smaller block in place of {block}, "
                       f"inside one of the VCN's /{VCN_LARGEST_PREFIX} to /{VCN_SMALLEST_PREFIX} blocks."},
    )


def _inside(tenancy: Tenancy, subnet: Subnet, block: IPv4Network) -> tuple[Vcn, IPv4Network] | None:
    """The VCN block that holds `block`, when one does."""
    vcn = tenancy.vcn(subnet.vcn_id)
    if vcn is None:
        return None
    outer = next((cidr for cidr in vcn.cidrs if block.subnet_of(cidr)), None)
    return None if outer is None else (vcn, outer)


def _vcns(check: Check) -> list[Vcn]:
    """The cluster's VCNs the tenancy holds, in the tenancy's order."""
    wanted = touched_vcn_ids(check)
    return [vcn for vcn in check.tenancy.vcns if vcn.id in wanted]


# The rules of this family, in the order `engine.rules.RULES` runs them.
RULES = (vcn_cidr_size_findings, subnet_cidr_size_findings)

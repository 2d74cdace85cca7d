"""CIDR arithmetic on `ipaddress` types, with OCI's reserved addresses."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network

# "The first two IPv4 addresses and the last in the subnet's CIDR are reserved by the Networking service."
OCI_RESERVED_PER_BLOCK = 3


def usable_ips(cidrs: Iterable[IPv4Network]) -> int:
    """Usable IPs across a subnet's CIDR blocks, each address counted once: overlapping blocks are merged first
    (`distinct_blocks`), then max(0, 2^(32-P) - 3) per block, so a /31 or /32 adds 0, never less.

    A block listed twice, or lying inside another block of the subnet, adds nothing (SUBNET_CIDR_OVERLAP says
    so). Blocks that only touch (10.0.0.0/25 and 10.0.0.128/25) stay two blocks with 3 reserved addresses each,
    as OCI reserves them per block: `ipaddress.collapse_addresses` would join them into one /24 and count 3
    more usable IPs than there are.
    """
    return sum(max(0, block.num_addresses - OCI_RESERVED_PER_BLOCK) for block in distinct_blocks(cidrs))


def distinct_blocks(cidrs: Iterable[IPv4Network]) -> list[IPv4Network]:
    """The blocks with overlaps merged: two CIDR blocks overlap only when one holds the other, so this is every
    block that no other block holds, each once, in address order."""
    merged: list[IPv4Network] = []
    for block in sorted(set(cidrs), key=lambda b: (int(b.network_address), b.prefixlen)):
        if merged and block.subnet_of(merged[-1]):
            continue  # sorted by start, larger first: a held block comes right after its holder
        merged.append(block)
    return merged


# "The allowable VCN size range is /16 to /30" (OCI Networking Overview; `oci network vcn create`: "The CIDR
# blocks can range from /16 to /30").
VCN_LARGEST_PREFIX = 16
VCN_SMALLEST_PREFIX = 30
# Assumed, not Oracle text: no subnet smaller than /30, the smallest VCN block (a /31 or /32 has no usable IP
# once OCI reserves 3 addresses). A subnet lies inside a VCN block, so none is larger than /16 either.
SUBNET_SMALLEST_PREFIX = 30


def vcn_block_size_allowed(block: IPv4Network) -> bool:
    """True when OCI takes `block` as a VCN CIDR block: a prefix from /16 to /30."""
    return VCN_LARGEST_PREFIX <= block.prefixlen <= VCN_SMALLEST_PREFIX


def subnet_block_too_small(block: IPv4Network) -> bool:
    """True for a subnet block smaller than /30 (a /31 or /32), which OCI is assumed to refuse."""
    return block.prefixlen > SUBNET_SMALLEST_PREFIX


# Flannel gives every node a /25 of the pods CIDR (Oracle's CIDR-blocks page).
FLANNEL_NODE_PREFIX = 25


def node_slots(pods_cidr: IPv4Network, node_prefix: int = FLANNEL_NODE_PREFIX) -> int:
    """Flannel: how many /node_prefix blocks a pods CIDR holds (2^(25-P)); 0 when it is smaller than one."""
    if pods_cidr.prefixlen > node_prefix:
        return 0
    return 1 << (node_prefix - pods_cidr.prefixlen)

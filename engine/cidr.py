"""CIDR arithmetic on `ipaddress` types, with OCI's reserved addresses."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network

# "The first two IPv4 addresses and the last in the subnet's CIDR are reserved by the Networking service."
OCI_RESERVED_PER_BLOCK = 3


def usable_ips(cidrs: Iterable[IPv4Network]) -> int:
    """Usable IPs across a subnet's CIDR blocks: 2^(32-P) - 3 each, never below zero."""
    return sum(max(0, block.num_addresses - OCI_RESERVED_PER_BLOCK) for block in cidrs)


# Flannel gives every node a /25 of the pods CIDR (Oracle's CIDR-blocks page).
FLANNEL_NODE_PREFIX = 25


def node_slots(pods_cidr: IPv4Network, node_prefix: int = FLANNEL_NODE_PREFIX) -> int:
    """Flannel: how many /node_prefix blocks a pods CIDR holds (2^(25-P)); 0 when it is smaller than one."""
    if pods_cidr.prefixlen > node_prefix:
        return 0
    return 1 << (node_prefix - pods_cidr.prefixlen)

"""Headroom in operator units: "≈ N more nodes of pool X" instead of a bare count of IPs.

Capacity already works out, per subnet, how many more nodes of each pool fit (`SubnetCapacity.headroom`,
`PoolHeadroom.more_nodes`, from the pool's pod-subnet IPs per node); this module only words it, and re-uses each
pool's IPs per node when the free IPs are some other figure (a forecast, a what-if). Azure's CNS dashboard shows
the same "Node Headroom" (facts, digests-and-deploy A1 and A8.4).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.reports import PodsCidrCapacity, PoolHeadroom

MAX_POOLS_NAMED = 3


def more_nodes(free_ips: int, headroom: PoolHeadroom) -> int:
    """How many more nodes of this pool fit in `free_ips` (whole nodes; never negative)."""
    return max(0, free_ips) // headroom.ips_per_node


def headroom_text(
    headroom: Sequence[PoolHeadroom], *, free_ips: int | None = None, at_most: bool = False
) -> str | None:
    """ "≈ 2 more nodes of payments-core, ≈ 2 of payments-edge" for a subnet's pools, at most 3 named.

    With `free_ips`, the counts are worked out from that many free IPs and each pool's IPs per node; otherwise
    capacity's own `more_nodes` is used. `at_most` words the counts as upper bounds ("≤ 16 more nodes of X"),
    for a subnet whose IPs in use were not read. None when no pool has a known figure (nothing to say).
    """
    counts = [
        (h.node_pool, more_nodes(free_ips, h) if free_ips is not None else h.more_nodes)
        for h in headroom
    ]
    known = [(pool, count) for pool, count in counts if count is not None]
    if not known:
        return None
    about = "≤" if at_most else "≈"
    parts = [f"{about} {_nodes(known[0][1])} of {known[0][0]}"]
    parts += [f"{about} {count:,} of {pool}" for pool, count in known[1:MAX_POOLS_NAMED]]
    if len(known) > MAX_POOLS_NAMED:
        parts.append(f"{len(known) - MAX_POOLS_NAMED} more pools")
    return ", ".join(parts)


def pods_cidr_headroom_text(pods_cidr: PodsCidrCapacity) -> str | None:
    """ "≈ 2 more nodes (any pool)" for a flannel pods CIDR: each node takes one /25 slot; None when not read."""
    if pods_cidr.node_slots_used is None:
        return None
    free = max(0, pods_cidr.node_slots - pods_cidr.node_slots_used)
    return f"≈ {_nodes(free)} (any pool)"


def _nodes(count: int) -> str:
    return f"{count:,} more node" + ("" if count == 1 else "s")

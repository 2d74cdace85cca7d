"""Subnet capacity: how full each subnet a cluster uses is, and how many more nodes of each pool fit."""

from __future__ import annotations

from collections.abc import Sequence

from engine.capacity.attribution import Attributor, occupied_ips
from engine.capacity.claims import ClaimIndex, SubnetClaim, demand, tenancy_clusters, total_ips
from engine.cidr import usable_ips
from engine.model import Cluster, Subnet, SubnetRole, Tenancy
from engine.reports import PoolHeadroom, SubnetCapacity
from engine.shapes import ShapeCatalogue
from engine.topology import cluster_subnets, sharing_clusters, tenancy_subnets


def used_ips(tenancy: Tenancy, subnet_id: str) -> int | None:
    """Private IPs observed in use, or None when the subnet's IPs were not read."""
    usage = tenancy.ip_usage.get(subnet_id)
    return usage.used_ips if usage is not None else None


def occupied(used: int | None, reserved: int | None) -> int | None:
    """What a subnet holds: the larger of observed and reserved IPs, whichever is known."""
    known = [value for value in (used, reserved) if value is not None]
    return max(known) if known else None


def pool_headroom(claims: Sequence[SubnetClaim], *, usable: int, taken: int | None) -> list[PoolHeadroom]:
    """For each pool with a claim on the subnet: how many more of its nodes still fit."""
    per_pool: dict[tuple[str, str], list[SubnetClaim]] = {}
    for claim in claims:
        per_pool.setdefault((claim.cluster_id, claim.pool_id), []).append(claim)
    headroom = []
    for pool_claims in per_pool.values():
        per_node = [claim.ips_per_node for claim in pool_claims]
        if any(ips is None for ips in per_node):
            continue  # pods per node unknown: SHAPE_UNKNOWN says so, there is no figure to give
        ips_per_node = sum(ips for ips in per_node if ips is not None)
        if ips_per_node == 0:
            continue
        more = None if taken is None else max(0, (usable - taken) // ips_per_node)
        first = pool_claims[0]
        headroom.append(
            PoolHeadroom(
                cluster=first.cluster_name, node_pool=first.pool_name, ips_per_node=ips_per_node, more_nodes=more
            )
        )
    return headroom


def assess_subnet(
    tenancy: Tenancy,
    cluster: Cluster,
    subnet: Subnet,
    *,
    roles: Sequence[SubnetRole],
    shapes: ShapeCatalogue,
    index: ClaimIndex | None = None,
    sharing: dict[str, list[str]] | None = None,
    attributor: Attributor | None = None,
    claims_now: Sequence[SubnetClaim] | None = None,
) -> SubnetCapacity:
    """Capacity of one subnet the cluster uses, counting every pool of every cluster that holds IPs in it.

    `claims_now` are today's claims on the subnet when `tenancy` is a what-if's change (the attribution of the
    IPs in use is a fact about today); by default the claims themselves. While the IPs in use were not read,
    `utilization` counts the reservations alone: a lower bound, which renderers say ("at least").
    """
    if index is None:
        index = ClaimIndex(tenancy_clusters(tenancy, cluster), shapes=shapes, at="current")
    claims = index.on(subnet.id)
    usable = usable_ips(subnet.cidrs)
    used = used_ips(tenancy, subnet.id)
    reserved = total_ips(claims)
    attributor = attributor or Attributor.of(tenancy, cluster)
    attribution = attributor.attribute(subnet, claims if claims_now is None else claims_now)
    # With no pool holding IPs here (an LB or API endpoint subnet), only observed usage says how full it is.
    taken = occupied_ips(used, reserved if claims else None, attribution) if claims else occupied(used, None)
    if claims_now is not None and claims and reserved is not None:
        # A what-if: today's IPs in use include what the changed pools hold today, so count the changed claims
        # plus what is in use beyond today's (as the capacity rules do); a shrunk pool frees its IPs.
        taken = demand(claims, claims_now, used, unattributed=attribution.unattributed)
    utilization = None if taken is None or usable == 0 else round(taken / usable, 4)
    return SubnetCapacity(
        id=subnet.id,
        name=subnet.name,
        role=roles[0].value,
        roles=[role.value for role in roles],
        cidrs=[str(cidr) for cidr in subnet.cidrs],
        usable_ips=usable,
        used_ips=used,
        reserved_ips=reserved,
        utilization=utilization,
        headroom=pool_headroom(claims, usable=usable, taken=taken),
        shared_with=(sharing if sharing is not None else sharing_clusters(tenancy, cluster)).get(subnet.id, []),
        unattributed_ips=attribution.unattributed,
        unattributed_holders=list(attribution.holders),
        utilization_at_least=bool(claims) and taken is not None and (used is None or reserved is None),
    )


def assess_subnets(
    tenancy: Tenancy, cluster: Cluster, *, shapes: ShapeCatalogue, baseline: Tenancy | None = None
) -> tuple[list[SubnetCapacity], list[str]]:
    """Capacity of every subnet the cluster uses, and a sentence for each one the source does not hold.

    With `baseline` (the tenancy as read, when `tenancy` is a what-if's change of it), the IPs in use are
    attributed as they are today.
    """
    found: list[SubnetCapacity] = []
    missing: list[str] = []
    used_subnets = cluster_subnets(cluster).roles()
    index = ClaimIndex.for_cluster(tenancy, cluster, shapes=shapes, at="current", subnet_ids=used_subnets,
                                   base=baseline)
    base = baseline if baseline is not None else tenancy
    # A what-if changes clusters, never subnets: the baseline's subnet index serves it.
    subnets = tenancy_subnets(base if base.subnets is tenancy.subnets else tenancy)
    sharing = sharing_clusters(tenancy, cluster)
    base_cluster = base.find_cluster(cluster.id) or cluster
    attributor = Attributor.of(base, base_cluster)
    now = index if base is tenancy else ClaimIndex.for_cluster(base, base_cluster, shapes=shapes, at="current",
                                                               subnet_ids=used_subnets)
    for subnet_id, roles in used_subnets.items():
        subnet = subnets.get(subnet_id)
        if subnet is None:
            names = ", ".join(role.value for role in roles)
            missing.append(f"Subnet {subnet_id} ({names}) is not in the source; its capacity is unknown.")
            continue
        found.append(assess_subnet(tenancy, cluster, subnet, roles=roles, shapes=shapes, index=index, sharing=sharing,
                                   attributor=attributor, claims_now=now.on(subnet.id)))
    return found, missing

"""Subnet claims: the IPs each node pool, of any cluster in the tenancy, holds in each subnet it uses.

A pod subnet may be shared by several pools and several clusters, so what a subnet holds is always the sum
over the whole tenancy, never over one cluster alone.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence

from engine.capacity.pods import pod_subnet_ips_per_node, pod_vnics_per_node, pods_per_node
from engine.check import At
from engine.memo import derived
from engine.model import Cluster, Cni, Frozen, NodePool, NodePoolType, SubnetRole, Tenancy
from engine.shapes import ShapeCatalogue


class SubnetClaim(Frozen):
    """One pool's hold on one subnet in one role.

    `ips_per_node` is None when the pool's pods per node are unknown; `nodes` is None when the pool's
    node count is unknown. Either makes `ips` unknown. Pod claims also say how the per-node figure comes
    about: `max_pods` per node and `pod_vnics` (each 1 primary + 31 secondary IPs), or, for pools with VNIC
    profiles, `vnic_profiles` attachable profiles (their ipCount plus one primary IP each).
    """

    cluster_id: str
    cluster_name: str
    pool_id: str
    pool_name: str
    subnet_id: str
    role: SubnetRole
    ips_per_node: int | None
    nodes: int | None
    max_pods: int | None = None
    pod_vnics: int | None = None
    vnic_profiles: int | None = None

    @property
    def ips(self) -> int | None:
        """IPs this claim holds, or None when unknown."""
        if self.ips_per_node is None or self.nodes is None:
            return None
        return self.ips_per_node * self.nodes


def pool_node_count(pool: NodePool, *, at: At) -> int | None:
    """Nodes a pool counts: "planned" takes max_size, size, then observed; "current" observed, then size."""
    observed = len(pool.nodes) if pool.nodes is not None else None
    if at == "planned":
        for count in (pool.max_size, pool.size, observed):
            if count is not None:
                return count
        return None
    return observed if observed is not None else pool.size


def _spread(count: int | None, subnets: int) -> int | None:
    # OKE spreads a pool's nodes over its placement subnets; rounding up keeps the estimate on the safe side.
    if count is None:
        return None
    return math.ceil(count / subnets) if subnets > 1 else count


def _worker_nodes_in(pool: NodePool, subnet_id: str, *, at: At) -> int | None:
    nodes = pool.nodes
    located = nodes is not None and all(node.subnet_id is not None for node in nodes)
    if at == "current" and nodes is not None and located:
        return sum(1 for node in nodes if node.subnet_id == subnet_id)
    return _spread(pool_node_count(pool, at=at), len(set(pool.worker_subnet_ids)))


def pod_ips_per_node(pool: NodePool, cni: Cni, shapes: ShapeCatalogue) -> int | None:
    """Pod-subnet IPs one node of the pool reserves; None when unknown, 0 under flannel."""
    if cni is Cni.FLANNEL:
        return 0
    per_node = pods_per_node(pool, cni, shapes)
    if per_node.max_pods is None:
        return None
    return pod_subnet_ips_per_node(pool, per_node.max_pods, vnics=per_node.vnics)


def pool_claims(cluster: Cluster, pool: NodePool, *, shapes: ShapeCatalogue, at: At) -> list[SubnetClaim]:
    """Every claim one pool makes: 1 IP per node in its worker subnet, the pod pre-allocation in pod ones."""
    if pool.type is NodePoolType.VIRTUAL:
        # A virtual pool's load on its subnets follows its pod count, which is not known ahead (see
        # VIRTUAL_POOL_ASSUMPTION); counting it as unknown would hide every other pool's figures.
        return []
    common = {
        "cluster_id": cluster.id, "cluster_name": cluster.name, "pool_id": pool.id, "pool_name": pool.name
    }
    claims = [
        SubnetClaim(**common, subnet_id=subnet_id, role=SubnetRole.WORKERS, ips_per_node=1,
                    nodes=_worker_nodes_in(pool, subnet_id, at=at))
        for subnet_id in dict.fromkeys(pool.worker_subnet_ids)
    ]
    if cluster.cni is Cni.VCN_NATIVE:
        pods = pods_per_node(pool, cluster.cni, shapes)
        per_node = None if pods.max_pods is None else pod_subnet_ips_per_node(pool, pods.max_pods, vnics=pods.vnics)
        pod_vnics = None if pods.max_pods is None else pod_vnics_per_node(pool, pods.max_pods, vnics=pods.vnics)
        nodes = _spread(pool_node_count(pool, at=at), len(set(pool.pod_subnet_ids)))
        claims.extend(
            SubnetClaim(**common, subnet_id=subnet_id, role=SubnetRole.PODS, ips_per_node=per_node,
                        nodes=nodes, max_pods=pods.max_pods, pod_vnics=pod_vnics,
                        vnic_profiles=pod_vnics if pool.secondary_vnic_ip_counts else None)
            for subnet_id in dict.fromkeys(pool.pod_subnet_ids)
        )
    return claims


def tenancy_clusters(tenancy: Tenancy, cluster: Cluster) -> tuple[Cluster, ...]:
    """The tenancy's clusters with `cluster` in place of its stored copy (a what-if may have changed it)."""
    others = tuple(c for c in tenancy.clusters if c.id != cluster.id)
    return (cluster, *others)


class ClaimIndex:
    """Every claim of the given clusters, grouped by subnet: built once, so a plan with thousands of subnets
    and hundreds of pools costs one pass over the pools, not one per subnet.

    With `subnet_ids`, only pools that use one of those subnets are looked at: a tenancy of a hundred
    clusters then costs one cluster's pools (plus its neighbours'), not all of them, per question.
    `for_cluster` shares one index of a whole tenancy between all its clusters and all questions on it.
    """

    def __init__(
        self,
        clusters: Iterable[Cluster],
        *,
        shapes: ShapeCatalogue,
        at: At,
        subnet_ids: Collection[str] | None = None,
    ) -> None:
        self._by_subnet: dict[str, list[SubnetClaim]] = {}
        self._by_pool: dict[str, list[SubnetClaim]] = {}
        self._first: str | None = None
        wanted = None if subnet_ids is None else set(subnet_ids)
        for cluster in clusters:
            for pool in cluster.node_pools:
                if wanted is not None and wanted.isdisjoint((*pool.worker_subnet_ids, *pool.pod_subnet_ids)):
                    continue
                claims = pool_claims(cluster, pool, shapes=shapes, at=at)
                self._by_pool[pool.id] = claims
                for claim in claims:
                    self._by_subnet.setdefault(claim.subnet_id, []).append(claim)

    @classmethod
    def for_cluster(
        cls, tenancy: Tenancy, cluster: Cluster, *, shapes: ShapeCatalogue, at: At, subnet_ids: Collection[str],
        base: Tenancy | None = None,
    ) -> ClaimIndex:
        """The claims on `subnet_ids` of `cluster` and every other cluster of the tenancy, `cluster`'s first.

        When `cluster` is one of the tenancy's own, this is a view of one index of the whole tenancy, built
        once per tenancy object, shapes and `at` (engine.memo). A changed cluster (a what-if, a pool resized to
        judge its room) of a `base` tenancy that differs from `tenancy` in that cluster alone gets the base's
        index with its own claims in place of the cluster's there: one pass over its own pools, not over every
        cluster's. Otherwise it gets an index of its own. Either way `on` answers the same claims in the same
        order.
        """
        stored = base.find_cluster(cluster.id) if base is not None and base is not tenancy else None
        if base is not None and stored is not None:
            whole = derived(base, ("claims", at, shapes.key), lambda: cls(base.clusters, shapes=shapes, at=at))
            own: dict[str, list[SubnetClaim]] = {}
            same_cluster = (stored.name, stored.cni) == (cluster.name, cluster.cni)
            kept = {id(pool) for pool in stored.node_pools} if same_cluster else set()
            for pool in cluster.node_pools:
                # A pool the change left as it was (the same object) keeps its claims from the base's index.
                claims = whole._by_pool.get(pool.id) if id(pool) in kept else None
                for claim in claims if claims is not None else pool_claims(cluster, pool, shapes=shapes, at=at):
                    own.setdefault(claim.subnet_id, []).append(claim)
            view = cls((), shapes=shapes, at=at)
            view._by_subnet = {
                subnet_id: [*own.get(subnet_id, []),
                            *(c for c in whole._by_subnet.get(subnet_id, []) if c.cluster_id != cluster.id)]
                for subnet_id in subnet_ids
            }
            return view
        if any(stored is cluster for stored in tenancy.clusters):
            whole = derived(tenancy, ("claims", at, shapes.key), lambda: cls(tenancy.clusters, shapes=shapes, at=at))
            view = cls((), shapes=shapes, at=at)
            view._by_subnet, view._first = whole._by_subnet, cluster.id
            return view
        return cls(tenancy_clusters(tenancy, cluster), shapes=shapes, at=at, subnet_ids=subnet_ids)

    def on(self, subnet_id: str) -> list[SubnetClaim]:
        """The claims on one subnet (do not modify the list)."""
        claims = self._by_subnet.get(subnet_id, [])
        if self._first is None or all(claim.cluster_id == self._first for claim in claims):
            return claims
        # The asking cluster first, the others in the tenancy's order: as tenancy_clusters() lists them.
        return [c for c in claims if c.cluster_id == self._first] + [c for c in claims if c.cluster_id != self._first]


def total_ips(claims: Sequence[SubnetClaim]) -> int | None:
    """IPs all claims hold together, or None when any of them is unknown."""
    total = 0
    for claim in claims:
        ips = claim.ips
        if ips is None:
            return None
        total += ips
    return total


def demand(
    claims_at: Sequence[SubnetClaim], claims_now: Sequence[SubnetClaim], used: int | None,
    *, unattributed: int | None = None,
) -> int | None:
    """IPs a subnet must hold: the claims at the chosen count, plus IPs in use by anything but a claim.

    Observed usage already includes today's claims, so only what it holds beyond them is added. With
    `unattributed` (IPs in use that no known pool's node holds, `engine.capacity.attribution`) that is those
    IPs plus whatever the pools' nodes hold beyond today's reservation.
    """
    at_total = total_ips(claims_at)
    if used is None:
        return at_total
    now_total = total_ips(claims_now)
    if at_total is None:
        return None
    if now_total is None:
        return max(used, at_total)
    if unattributed is not None:
        return at_total + unattributed + max(0, used - unattributed - now_total)
    return at_total + max(0, used - now_total)

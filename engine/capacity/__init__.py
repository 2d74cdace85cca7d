"""Pod-network capacity of OKE clusters: pods CIDR slots, pods per node and pool, and subnet headroom.

Every figure that rests on something not read stays None; every guess the answer rests on is stated in
`assumptions`.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.capacity.claims import pool_node_count
from engine.capacity.headroom import pool_room
from engine.capacity.pods import FLANNEL_PODS_PER_NODE, PREALLOCATION_ASSUMPTION, VIRTUAL_POOL_ASSUMPTION, pool_vnics
from engine.capacity.pools import assess_pool
from engine.capacity.rules import capacity_findings
from engine.capacity.subnets import assess_subnets
from engine.check import Check
from engine.cidr import node_slots
from engine.findings import sort_findings
from engine.model import Cluster, Cni, NodePool, NodePoolType, Tenancy
from engine.reports import ClusterCapacity, NodePoolCapacity, PodsCidrCapacity
from engine.shapes import ShapeCatalogue
from engine.topology import cluster_subnets
from engine.words import noun

MAX_PODS_UNSET_ASSUMPTION = (
    "maxPodsPerNode is not set on {node_pools} {pools}: assumed the most the shape allows, "
    "MIN((VNICs-1)*31, 110). terraform-oci-oke defaults it to 31 and OKE's own API default is not confirmed, "
    "so the real pods per node, and the pod-subnet IPs reserved, may be lower."
)
CLASSIC_FORMULA_ASSUMPTION = (
    "Assumed Oracle's MIN((VNICs-1)*31, 110) rule still applies to node pools without secondary VNIC "
    "profiles (the 2026 docs no longer print it)."
)


def assess_cluster_capacity(
    tenancy: Tenancy, cluster: Cluster, *, shapes: ShapeCatalogue | None = None, baseline: Tenancy | None = None
) -> ClusterCapacity:
    """Capacity of one cluster, its node pools (each with its headroom) and every subnet it uses (other
    clusters' share included).

    With `baseline` (the tenancy as read, when `tenancy` is a what-if's change of it) today's usage is taken
    from the baseline, and node counts are the planned ones.
    """
    catalogue = ShapeCatalogue(tenancy.shapes) if shapes is None else shapes
    subnets, missing = assess_subnets(tenancy, cluster, shapes=catalogue, baseline=baseline)
    pools = cluster.node_pools
    # A what-if's counts are its planned sizes; a live cluster's, the nodes observed (None: not read).
    observed = [
        pool_node_count(pool, at="current") if baseline is not None
        else len(pool.nodes) if pool.nodes is not None else None
        for pool in pools
    ]
    topology = cluster_subnets(cluster)
    pool_reports = [
        assess_pool(pool, cluster.cni, shapes=catalogue).model_copy(update={
            "headroom": pool_room(tenancy, cluster, pool, shapes=catalogue, baseline=baseline, topology=topology),
            **({"nodes": pool_node_count(pool, at="current")} if baseline is not None else {}),
        })
        for pool in pools
    ]
    pods_cidr = _pods_cidr_capacity(cluster)
    return ClusterCapacity(
        id=cluster.id,
        name=cluster.name,
        cni=cluster.cni.value,
        kubernetes_version=cluster.kubernetes_version,
        nodes=(
            None if None in observed or not cluster.node_pools_complete else sum(n for n in observed if n is not None)
        ),
        pods_cidr=pods_cidr,
        node_pools=pool_reports,
        subnets=subnets,
        findings=list(sort_findings(capacity_findings(Check(tenancy, cluster, at="current", catalogue=catalogue,
                                                            baseline=baseline)))),
        assumptions=[*capacity_assumptions(cluster, catalogue), *missing],
        pods_capacity=cluster_pods_capacity(pool_reports, pods_cidr),
    )


def cluster_pods_capacity(pools: Sequence[NodePoolCapacity], pods_cidr: PodsCidrCapacity | None) -> int | None:
    """The pods a cluster's nodes can run in all: its pools' figures added up (None when one is unknown), and
    under flannel at most the pods CIDR's slots × 110, since a node past the slots gets no pod range."""
    figures = [pool.pods_capacity for pool in pools if pool.type != NodePoolType.VIRTUAL.value]
    if any(figure is None for figure in figures):
        return None
    total = sum(figure for figure in figures if figure is not None)
    return total if pods_cidr is None else min(total, pods_cidr.pods_capacity)


def _pods_cidr_capacity(cluster: Cluster) -> PodsCidrCapacity | None:
    if cluster.cni is not Cni.FLANNEL or cluster.pods_cidr is None:
        return None
    slots = node_slots(cluster.pods_cidr)
    counts = [pool_node_count(pool, at="current") for pool in cluster.node_pools]
    return PodsCidrCapacity(
        cidr=str(cluster.pods_cidr),
        node_slots=slots,
        node_slots_used=(
            None if None in counts or not cluster.node_pools_complete else sum(c for c in counts if c is not None)
        ),
        pods_capacity=slots * FLANNEL_PODS_PER_NODE,
    )


def capacity_assumptions(cluster: Cluster, shapes: ShapeCatalogue) -> list[str]:
    """The assumptions a cluster's capacity figures rest on, each once: stated by `capacity` for a live cluster
    and by `validate` for a plan, so both verdicts say what they assume."""
    pools = cluster.node_pools
    if cluster.cni is Cni.FLANNEL:
        unread = ["The cluster's pods CIDR is unknown (not read, or not a valid CIDR), so its flannel node slots "
                  "are unknown."]
        return list(dict.fromkeys([*(unread if cluster.pods_cidr is None else []), *_spread_notes(pools)]))
    virtual = [pool.name for pool in pools if pool.type is NodePoolType.VIRTUAL]
    pools = tuple(pool for pool in pools if pool.type is not NodePoolType.VIRTUAL)
    classic = [pool for pool in pools if not pool.secondary_vnic_ip_counts]
    said = [PREALLOCATION_ASSUMPTION]
    if virtual:
        said.append(VIRTUAL_POOL_ASSUMPTION.format(pools=", ".join(virtual)))
    if classic:
        said.append(CLASSIC_FORMULA_ASSUMPTION)
    unset = [pool.name for pool in classic if pool.max_pods_per_node is None]
    if unset:
        said.append(MAX_PODS_UNSET_ASSUMPTION.format(pools=", ".join(unset), node_pools=noun(len(unset), "node pool")))
    said += _spread_notes(pools)
    said += [
        f"Node pool {pool.name} uses flex shape {pool.shape} without a stated OCPU count, so its VNICs and "
        "pods per node are unknown."
        for pool in pools
        if shapes.get(pool.shape) is not None and pool_vnics(pool, shapes) is None
    ]
    return list(dict.fromkeys(said))


def _spread_notes(pools: Sequence[NodePool]) -> list[str]:
    notes = []
    for pool in pools:
        for kind, ids in (("worker", pool.worker_subnet_ids), ("pod", pool.pod_subnet_ids)):
            if len(set(ids)) > 1:
                notes.append(f"Node pool {pool.name} spreads over {len(set(ids))} {kind} subnets: assumed "
                             "its nodes split evenly between them, rounded up.")
    return notes

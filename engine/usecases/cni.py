"""The CNI question: add-on versions and the nodes waiting for a CNI update, for one cluster or all.

Replacing a node means a new node first, and a new node needs room: the advice says how many of each pool's
pending nodes can be replaced at a time, from that pool's headroom (`nodePools[].headroom`).
"""

from __future__ import annotations

from engine.capacity import assess_cluster_capacity
from engine.cni import assess_cni
from engine.cni.pending import ACTION_REBOOT
from engine.model import Cluster, Tenancy
from engine.reports import ClusterCapacity, ClusterCniStatus, CniReport, PoolRoom
from engine.shapes import ShapeCatalogue
from engine.unreadable import CNI_KINDS, RULE_KINDS, unreadable_for

# What the CNI answer does not use: the network rules' objects.
CNI_IGNORES = RULE_KINDS - CNI_KINDS


def cni_status(tenancy: Tenancy, *, cluster: str | None = None) -> CniReport:
    """CNI status of every cluster, or of the one `cluster` names (ClusterNotFoundError if none)."""
    clusters = tenancy.select_clusters(cluster or None)
    shapes = ShapeCatalogue(tenancy.shapes)
    statuses: list[ClusterCniStatus] = []
    assumptions: list[str] = []
    for target in clusters:
        status = cluster_cni(tenancy, target)
        if needs_new_nodes(status):
            capacity = assess_cluster_capacity(tenancy, target, shapes=shapes)
            status = with_replacement_room(status, capacity)
            assumptions += capacity.assumptions
        statuses.append(status)
    return CniReport(clusters=statuses, unreadable=unreadable_for(tenancy, clusters, ignore=CNI_IGNORES),
                     assumptions=list(dict.fromkeys(assumptions)))


def cluster_cni(tenancy: Tenancy, cluster: Cluster) -> ClusterCniStatus:
    """One cluster's CNI status, told why its Kubernetes objects are missing when they are."""
    return assess_cni(cluster, unreadable=unreadable_for(tenancy, [cluster]), source_kind=tenancy.source_kind)


def needs_new_nodes(status: ClusterCniStatus) -> bool:
    """Whether applying the pending update means new nodes (replace or cycle), not a reboot in place."""
    return any(node.action != ACTION_REBOOT for node in status.pending_nodes)


def with_replacement_room(status: ClusterCniStatus, capacity: ClusterCapacity) -> ClusterCniStatus:
    """The status with its action saying, per node pool, how many pending nodes can be replaced at a time
    (new nodes first need room: the pool's headroom), or what to do when none can."""
    rooms = {pool.name: pool.headroom for pool in capacity.node_pools}
    counts: dict[str | None, int] = {}
    for node in status.pending_nodes:
        if node.action != ACTION_REBOOT:
            counts[node.node_pool] = counts.get(node.node_pool, 0) + 1
    advice = [_pool_advice(name, count, rooms.get(name)) for name, count in counts.items() if name is not None]
    if None in counts:
        advice.append(f"{_nodes(counts[None])} belong to no node pool okebot knows: check the room in their subnets "
                      "before adding nodes.")
    first, _, rest = status.action.partition(". ")
    action = " ".join([f"{first.rstrip('.')}.", *advice, *([rest] if rest else [])])
    return status.model_copy(update={"action": action})


def _nodes(count: int) -> str:
    return f"{count} node" if count == 1 else f"{count} nodes"


def _pool_advice(pool: str, count: int, room: PoolRoom | None) -> str:
    if room is None or room.more_nodes is None:
        where = f" ({room.limited_by} could not be judged)" if room is not None and room.limited_by else ""
        return (f"Room for new {pool} nodes is unknown{where}: replace one node at a time and watch its "
                "subnets.")
    limit = room.limited_by or "its subnets"
    if room.more_nodes == 0:
        return (f"{pool} has no room for even one more node ({limit} is full), so a new node cannot come first: "
                f"cordon, drain and delete one node at a time and let the pool replace it, recreate the CNI pods "
                "instead (see the notes), or give the pool room first.")
    if room.more_nodes < count:
        return (f"Cycle {pool} at most {room.more_nodes} at a time (maxSurge {room.more_nodes}): the {limit} has "
                f"room for {_nodes(room.more_nodes).replace('node', 'more node')}, not {count}.")
    return f"{pool}: all {_nodes(count)} can be replaced at once (the {limit} has room for {room.more_nodes:,} more)."


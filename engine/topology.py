"""Which subnets a cluster uses, in which roles, and which node pools stand behind each: worked out once.

Rules, capacity, plan export and the what-if all ask this question; this module is its only answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.memo import derived
from engine.model import Cluster, Subnet, SubnetRole, Tenancy

# Most capacity-relevant first: pod subnets fill fastest, API endpoint subnets hardly at all.
ROLE_PRIORITY = (SubnetRole.PODS, SubnetRole.WORKERS, SubnetRole.LOAD_BALANCERS, SubnetRole.API_ENDPOINT)


@dataclass(frozen=True)
class ClusterSubnets:
    """The subnet ids a cluster names, by role, with the node pools naming each worker or pod subnet.

    `pods` lists the pod subnets node pools name under any CNI; only VCN-native clusters put pods in them
    (a flannel pool's pod subnets are ignored by OKE: FLANNEL_POD_SUBNET_IGNORED).
    """

    endpoint: str | None = None
    load_balancers: tuple[str, ...] = ()
    workers: dict[str, list[str]] = field(default_factory=dict)
    pods: dict[str, list[str]] = field(default_factory=dict)
    order: tuple[str, ...] = ()

    def all_ids(self) -> list[str]:
        """Every subnet id the cluster names, each once: the endpoint, then each pool's, then load balancers'."""
        return list(self.order)

    def roles(self) -> dict[str, list[SubnetRole]]:
        """Each subnet id with its roles in this cluster, most capacity-relevant first."""
        found: dict[str, set[SubnetRole]] = {subnet_id: set() for subnet_id in self.order}
        if self.endpoint is not None:
            found[self.endpoint].add(SubnetRole.API_ENDPOINT)
        for subnet_id in self.workers:
            found[subnet_id].add(SubnetRole.WORKERS)
        for subnet_id in self.pods:
            found[subnet_id].add(SubnetRole.PODS)
        for subnet_id in self.load_balancers:
            found[subnet_id].add(SubnetRole.LOAD_BALANCERS)
        return {sid: [role for role in ROLE_PRIORITY if role in roles] for sid, roles in found.items()}


def cluster_subnets(cluster: Cluster) -> ClusterSubnets:
    """The subnets a cluster names, by role."""
    workers: dict[str, list[str]] = {}
    pods: dict[str, list[str]] = {}
    order: list[str] = [cluster.endpoint_subnet_id] if cluster.endpoint_subnet_id else []
    for pool in cluster.node_pools:
        for subnet_id in pool.worker_subnet_ids:
            workers.setdefault(subnet_id, []).append(pool.name)
            order.append(subnet_id)
        for subnet_id in pool.pod_subnet_ids:
            pods.setdefault(subnet_id, []).append(pool.name)
            order.append(subnet_id)
    order += cluster.lb_subnet_ids
    return ClusterSubnets(
        endpoint=cluster.endpoint_subnet_id,
        load_balancers=tuple(cluster.lb_subnet_ids),
        workers=workers,
        pods=pods,
        order=tuple(dict.fromkeys(order)),
    )


def subnet_index(subnets: Iterable[Subnet]) -> dict[str, Subnet]:
    """Subnets by id, built once so that checks stay linear in the number of subnets."""
    return {subnet.id: subnet for subnet in subnets}


def tenancy_subnets(tenancy: Tenancy) -> dict[str, Subnet]:
    """The tenancy's subnets by id, built once per tenancy object (engine.memo); do not modify it."""
    return derived(tenancy, "subnets-by-id", lambda: subnet_index(tenancy.subnets))


def subnet_users(tenancy: Tenancy) -> dict[str, list[tuple[str, str]]]:
    """For each subnet any cluster names: the (id, name) of every cluster naming it, in the tenancy's order.

    Built once per tenancy object (engine.memo), in one pass over the clusters; do not modify it.
    """

    def build() -> dict[str, list[tuple[str, str]]]:
        users: dict[str, list[tuple[str, str]]] = {}
        for other in tenancy.clusters:
            for subnet_id in cluster_subnets(other).all_ids():
                users.setdefault(subnet_id, []).append((other.id, other.name))
        return users

    return derived(tenancy, "subnet-users", build)


def sharing_clusters(tenancy: Tenancy, cluster: Cluster) -> dict[str, list[str]]:
    """For each subnet the cluster names, the names of the other clusters that name it too."""
    users = subnet_users(tenancy)
    sharing: dict[str, list[str]] = {}
    for subnet_id in cluster_subnets(cluster).all_ids():
        names = [name for other_id, name in users.get(subnet_id, ()) if other_id != cluster.id]
        if names:
            sharing[subnet_id] = sorted(names)
    return sharing

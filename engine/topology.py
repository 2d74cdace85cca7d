"""Which subnets a cluster uses, in which roles, and which node pools stand behind each: worked out once.

Rules, capacity, plan export and the what-if all ask this question; this module is its only answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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


def sharing_clusters(tenancy: Tenancy, cluster: Cluster) -> dict[str, list[str]]:
    """For each subnet the cluster names, the names of the other clusters that name it too (one pass)."""
    mine = set(cluster_subnets(cluster).all_ids())
    users: dict[str, list[str]] = {}
    for other in tenancy.clusters:
        if other.id != cluster.id:
            for subnet_id in set(cluster_subnets(other).all_ids()) & mine:
                users.setdefault(subnet_id, []).append(other.name)
    return {subnet_id: sorted(names) for subnet_id, names in users.items()}

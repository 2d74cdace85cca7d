"""Node pool and CNI compatibility: what each CNI supports for the pools on it."""

from __future__ import annotations

from engine.findings import Finding
from engine.model import Cluster, Cni, NodePoolType, Tenancy
from engine.rules._common import finding


def cni_compat_findings(tenancy: Tenancy, cluster: Cluster) -> list[Finding]:
    """FLANNEL_VIRTUAL_NODE_POOL and FLANNEL_POD_SUBNET_IGNORED for pools of a flannel cluster."""
    if cluster.cni is not Cni.FLANNEL:
        return []
    found: list[Finding] = []
    for pool in cluster.node_pools:
        subject = f"nodePool:{pool.name}"
        if pool.type is NodePoolType.VIRTUAL:
            found.append(
                finding(
                    "FLANNEL_VIRTUAL_NODE_POOL",
                    subject,
                    f"Node pool {pool.name} is a virtual node pool, but cluster {cluster.name} uses flannel, "
                    "which virtual nodes do not support.",
                    details={"nodePool": pool.name, "cluster": cluster.name},
                )
            )
        if pool.pod_subnet_ids:
            found.append(
                finding(
                    "FLANNEL_POD_SUBNET_IGNORED",
                    subject,
                    f"Node pool {pool.name} names pod subnet(s) {', '.join(pool.pod_subnet_ids)}, but "
                    f"cluster "
                    f"{cluster.name} uses flannel, which takes pod addresses from the pods CIDR instead.",
                    details={"nodePool": pool.name, "podSubnets": len(pool.pod_subnet_ids)},
                )
            )
    return found

"""Node pool compatibility: what each CNI, and each cluster type, supports for the pools on it."""

from __future__ import annotations

from engine.catalogue import finding
from engine.check import Check
from engine.codes import Code
from engine.findings import Finding
from engine.model import Cni, NodePoolType
from engine.words import noun


def cni_compat_findings(check: Check) -> list[Finding]:
    """FLANNEL_VIRTUAL_NODE_POOL and FLANNEL_POD_SUBNET_IGNORED for pools of a flannel cluster."""
    cluster = check.cluster
    if cluster.cni is not Cni.FLANNEL:
        return []
    found: list[Finding] = []
    for pool in cluster.node_pools:
        subject = f"nodePool:{pool.name}"
        if pool.type is NodePoolType.VIRTUAL:
            found.append(
                finding(
                    Code.FLANNEL_VIRTUAL_NODE_POOL,
                    subject,
                    f"Node pool {pool.name} is a virtual node pool, but cluster {cluster.name} uses flannel, "
                    "which virtual nodes do not support.",
                    details={"nodePool": pool.name, "cluster": cluster.name},
                )
            )
        if pool.pod_subnet_ids:
            found.append(
                finding(
                    Code.FLANNEL_POD_SUBNET_IGNORED,
                    subject,
                    f"Node pool {pool.name} names pod {noun(len(pool.pod_subnet_ids), 'subnet')} "
                    f"{', '.join(_subnet_name(check, sid) for sid in pool.pod_subnet_ids)}, but cluster "
                    f"{cluster.name} uses flannel, which takes pod addresses from the pods CIDR instead.",
                    details={"nodePool": pool.name, "podSubnets": len(pool.pod_subnet_ids)},
                )
            )
    return found


def _subnet_name(check: Check, subnet_id: str) -> str:
    """The subnet's name where the tenancy has it (a plan's ids are internal, "plan:subnet/pods"); else its id."""
    subnet = check.tenancy.subnet(subnet_id)
    return subnet.name if subnet is not None else subnet_id


def cluster_type_findings(check: Check) -> list[Finding]:
    """VIRTUAL_NODES_NEED_ENHANCED_CLUSTER: virtual node pools on a basic cluster.

    Oracle's comparison of virtual and managed nodes: "You can only create virtual nodes in enhanced clusters."
    A cluster whose type was not stated or read (None) is not guessed at.
    """
    cluster = check.cluster
    if cluster.type != "basic":
        return []
    return [
        finding(
            Code.VIRTUAL_NODES_NEED_ENHANCED_CLUSTER,
            f"nodePool:{pool.name}",
            f"Node pool {pool.name} is a virtual node pool, but cluster {cluster.name} is a basic cluster; virtual "
            "nodes can only be created in enhanced clusters.",
            details={"nodePool": pool.name, "cluster": cluster.name, "clusterType": cluster.type},
        )
        for pool in cluster.node_pools
        if pool.type is NodePoolType.VIRTUAL
    ]


# The rules of this family, in the order `engine.rules.RULES` runs them.
RULES = (cni_compat_findings, cluster_type_findings)

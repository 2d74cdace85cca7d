"""The working behind a capacity finding: each node pool's share of the figure, as data and as words.

POD_SUBNET_TOO_SMALL, WORKER_SUBNET_TOO_SMALL and PODS_CIDR_TOO_SMALL carry these figures in
`Finding.breakdown` and say them in their messages, so that a reader can redo the sum, e.g.
"general: 12 nodes × 96 IPs (maxPods 93 → 3 pod VNICs × 32) = 1,152".
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.capacity.claims import SubnetClaim
from engine.capacity.pods import IPS_PER_POD_VNIC
from engine.findings import PoolFigures
from engine.model import SubnetRole

FLANNEL_SLOT_ADDRESSES = 128  # a /25 per node
PER_VNIC_NOTE = (
    f"Each pod VNIC is counted as {IPS_PER_POD_VNIC + 1} pod-subnet IPs (1 primary + {IPS_PER_POD_VNIC} "
    "secondary, pre-allocated whatever pods run), which is why this figure differs from nodes × maxPodsPerNode."
)


def claim_figures(claims: Sequence[SubnetClaim]) -> list[PoolFigures]:
    """Each claim's share: nodes, IPs per node (and how they come about), and IPs."""
    return [
        PoolFigures(
            cluster=claim.cluster_name,
            node_pool=claim.pool_name,
            role=claim.role.value,
            nodes=claim.nodes,
            max_pods_per_node=claim.max_pods if claim.role is SubnetRole.PODS else None,
            pod_vnics=claim.pod_vnics if claim.role is SubnetRole.PODS else None,
            vnic_profiles=claim.vnic_profiles if claim.role is SubnetRole.PODS else None,
            ips_per_node=claim.ips_per_node,
            ips=claim.ips,
        )
        for claim in claims
    ]


def slot_figures(cluster: str, pools: Sequence[tuple[str, int | None]]) -> list[PoolFigures]:
    """Flannel: each pool's nodes, one /25 node slot each."""
    return [
        PoolFigures(cluster=cluster, node_pool=name, role="podsCidr", nodes=nodes,
                    ips_per_node=FLANNEL_SLOT_ADDRESSES,
                    ips=None if nodes is None else nodes * FLANNEL_SLOT_ADDRESSES)
        for name, nodes in pools
    ]


def _n(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _count(count: int | None, noun: str) -> str:
    """ "1 node", "12 nodes", "? nodes" (not read)."""
    return f"{_n(count)} {noun}" if count == 1 else f"{_n(count)} {noun}s"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _label(figures: PoolFigures, own_cluster: str) -> str:
    return figures.node_pool if figures.cluster == own_cluster else f"{figures.cluster}/{figures.node_pool}"


def figure_text(figures: PoolFigures, *, own_cluster: str) -> str:
    """One pool's share in words, e.g. "general: 12 nodes × 96 IPs (maxPods 93 → 3 pod VNICs × 32) = 1,152"."""
    head = f"{_label(figures, own_cluster)}: {_count(figures.nodes, 'node')}"
    if figures.role == "podsCidr":
        return f"{head} × 1 /25 node slot = {_count(figures.nodes, 'slot')}"
    if figures.role == "workers":
        return f"{head} × 1 worker IP = {_n(figures.ips)}"
    per_node = _count(figures.ips_per_node, "IP")
    if figures.vnic_profiles is not None and figures.ips_per_node is not None:
        ip_count = figures.ips_per_node - figures.vnic_profiles
        profiles = _plural(figures.vnic_profiles, "VNIC profile")
        how = f" ({profiles}: ipCount {ip_count:,} + {figures.vnic_profiles} primary)"
    elif figures.pod_vnics is not None:
        how = (f" (maxPods {_n(figures.max_pods_per_node)} → {_plural(figures.pod_vnics, 'pod VNIC')} × "
               f"{IPS_PER_POD_VNIC + 1})")
    else:
        how = " (pods per node unknown)"
    return f"{head} × {per_node}{how} = {_n(figures.ips)}"


def working_text(figures: Sequence[PoolFigures], *, own_cluster: str, extra: str | None = None) -> str:
    """Every pool's share, then what else the figure holds (e.g. "in use beyond reservations: 12")."""
    parts = [figure_text(item, own_cluster=own_cluster) for item in figures]
    if extra:
        parts.append(extra)
    return "; ".join(parts)

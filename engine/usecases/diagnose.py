"""Diagnose: every check on one live cluster, worst first — the on-call view."""

from __future__ import annotations

from engine.capacity import assess_cluster_capacity
from engine.catalogue import finding
from engine.cni.health import trouble
from engine.codes import Code
from engine.findings import Finding, count_findings, merge_findings
from engine.model import Cluster, Tenancy
from engine.reports import ClusterCniStatus, DiagnoseReport
from engine.shapes import ShapeCatalogue
from engine.unreadable import unreadable_for
from engine.usecases.cni import cluster_cni, needs_new_nodes, with_replacement_room
from engine.usecases.validate import validate_cluster


def cni_findings(cluster: Cluster, status: ClusterCniStatus) -> list[Finding]:
    """Turn a pending CNI update and CNI pods in trouble into findings, so they rank with the rest."""
    return [*_update_pending(cluster, status), *_pod_errors(cluster, status)]


def _update_pending(cluster: Cluster, status: ClusterCniStatus) -> list[Finding]:
    if not status.pending_update:
        return []
    by_pool: dict[str, set[str]] = {}
    for pending in status.pending_nodes:
        by_pool.setdefault(pending.node_pool or "node pool unknown", set()).add(pending.node or pending.pod)
    nodes = "; ".join(f"{pool}: {', '.join(sorted(names))}" for pool, names in by_pool.items()) or "some nodes"
    count = len(status.pending_nodes)
    verb = "waits" if count == 1 else "wait"
    return [
        finding(
            Code.CNI_UPDATE_PENDING,
            f"cluster:{cluster.name}",
            f"{_count(count, 'node')} {verb} for a CNI plugin update ({nodes})",
            details={"pendingNodes": len(status.pending_nodes)},
            fields={"action": status.action},
        )
    ]


def _count(count: int, noun: str) -> str:
    if count == 0:
        return f"some {noun}s"
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _pod_errors(cluster: Cluster, status: ClusterCniStatus) -> list[Finding]:
    """CNI_POD_ERRORS: one finding per cluster, naming each node's pod, its trouble and its first error line."""
    if not status.pod_errors:
        return []
    per_pod = []
    for item in status.pod_errors:
        first = f': "{item.errors[0].line}"' if item.errors else ""
        more = f" and {len(item.errors) - 1} more" if len(item.errors) > 1 else ""
        per_pod.append(f"{item.node or 'node unknown'} (pod {item.pod}: {trouble(item)}{first}{more})")
    nodes = {item.node or item.pod for item in status.pod_errors}
    return [
        finding(
            Code.CNI_POD_ERRORS,
            f"cluster:{cluster.name}",
            f"CNI pods on {_count(len(nodes), 'node')} of cluster {cluster.name} report trouble: {'; '.join(per_pod)}. "
            "The cni answer lists every error line with its count.",
            details={
                "nodes": len(nodes),
                "pods": len(status.pod_errors),
                "notReady": sum(1 for item in status.pod_errors if item.ready is False),
                "restarts": sum(item.restarts or 0 for item in status.pod_errors),
                "errorLines": sum(error.count for item in status.pod_errors for error in item.errors),
            },
        )
    ]


def diagnose_cluster(tenancy: Tenancy, cluster: Cluster) -> DiagnoseReport:
    """Capacity, every validation rule at current size, and CNI status (replacements sized to the pools'
    headroom), for one cluster."""
    shapes = ShapeCatalogue(tenancy.shapes)
    capacity = assess_cluster_capacity(tenancy, cluster, shapes=shapes)
    cni = cluster_cni(tenancy, cluster)
    if needs_new_nodes(cni):
        cni = with_replacement_room(cni, capacity)
    findings = merge_findings(
        capacity.findings,
        validate_cluster(tenancy, cluster, at="current", shapes=shapes),
        cni_findings(cluster, cni),
    )
    return DiagnoseReport(
        cluster=capacity,
        findings=list(findings),
        counts=count_findings(findings),
        cni=cni,
        unreadable=unreadable_for(tenancy, [cluster]),
        assumptions=list(capacity.assumptions),
    )


def diagnose(tenancy: Tenancy, *, cluster: str) -> DiagnoseReport:
    """Every check on the cluster `cluster` names, worst first (ClusterNotFoundError if none)."""
    return diagnose_cluster(tenancy, tenancy.require_cluster(cluster))

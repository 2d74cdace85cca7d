"""Diagnose: every check on one live cluster, worst first — the on-call view."""

from __future__ import annotations

from engine.capacity import assess_cluster_capacity
from engine.catalogue import finding
from engine.cni import assess_cni
from engine.cni.health import trouble
from engine.codes import Code
from engine.findings import Finding, count_findings, merge_findings
from engine.model import Cluster, Tenancy
from engine.reports import ClusterCniStatus, DiagnoseReport
from engine.shapes import ShapeCatalogue
from engine.usecases.validate import validate_cluster


def cni_findings(cluster: Cluster, status: ClusterCniStatus) -> list[Finding]:
    """Turn a pending CNI update and CNI pods in trouble into findings, so they rank with the rest."""
    return [*_update_pending(cluster, status), *_pod_errors(cluster, status)]


def _update_pending(cluster: Cluster, status: ClusterCniStatus) -> list[Finding]:
    if not status.pending_update:
        return []
    nodes = ", ".join(sorted({p.node or p.pod for p in status.pending_nodes})) or "some nodes"
    return [
        finding(
            Code.CNI_UPDATE_PENDING,
            f"cluster:{cluster.name}",
            f"{len(status.pending_nodes) or 'some'} node(s) wait for a CNI plugin update: {nodes}",
            details={"pendingNodes": len(status.pending_nodes)},
            fields={"action": status.action},
        )
    ]


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
            f"CNI pods on {len(nodes)} node(s) of cluster {cluster.name} report trouble: {'; '.join(per_pod)}. "
            "`okebot cni` lists every error line with its count.",
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
    """Capacity, every validation rule at current size, and CNI status, for one cluster."""
    shapes = ShapeCatalogue(tenancy.shapes)
    capacity = assess_cluster_capacity(tenancy, cluster, shapes=shapes)
    cni = assess_cni(cluster)
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
        unreadable=list(tenancy.unreadable_for([cluster])),
    )


def diagnose(tenancy: Tenancy, *, cluster: str) -> DiagnoseReport:
    """Every check on the cluster `cluster` names, worst first (ClusterNotFoundError if none)."""
    return diagnose_cluster(tenancy, tenancy.require_cluster(cluster))

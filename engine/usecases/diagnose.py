"""Diagnose: every check on one live cluster, worst first — the on-call view."""

from __future__ import annotations

from engine.capacity import assess_cluster_capacity
from engine.catalogue import finding
from engine.cni import assess_cni
from engine.codes import Code
from engine.findings import Finding, count_findings, merge_findings
from engine.model import Cluster, Tenancy
from engine.reports import ClusterCniStatus, DiagnoseReport
from engine.shapes import ShapeCatalogue
from engine.usecases.validate import validate_cluster


def cni_findings(cluster: Cluster, status: ClusterCniStatus) -> list[Finding]:
    """Turn a pending CNI update into a finding, so it ranks with the rest."""
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

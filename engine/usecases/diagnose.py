"""Diagnose: every check on one live cluster, worst first — the on-call view."""

from __future__ import annotations

from collections.abc import Iterable

from engine.capacity import assess_cluster_capacity
from engine.cni import assess_cni
from engine.findings import Finding, Severity, count_findings, sort_findings
from engine.model import Cluster, Tenancy
from engine.reports import ClusterCniStatus, DiagnoseReport
from engine.shapes import ShapeCatalogue
from engine.usecases.validate import validate_cluster


def merge_findings(*groups: Iterable[Finding]) -> tuple[Finding, ...]:
    """Merge finding lists, dropping repeats of the same code, subject and message; worst first."""
    seen: set[tuple[str, str, str]] = set()
    merged: list[Finding] = []
    for group in groups:
        for finding in group:
            key = (finding.code, finding.subject, finding.message)
            if key not in seen:
                seen.add(key)
                merged.append(finding)
    return sort_findings(merged)


def cni_findings(cluster: Cluster, status: ClusterCniStatus) -> list[Finding]:
    """Turn a pending CNI update into a finding, so it ranks with the rest."""
    if not status.pending_update:
        return []
    nodes = ", ".join(sorted({p.node or p.pod for p in status.pending_nodes})) or "some nodes"
    return [
        Finding(
            code="CNI_UPDATE_PENDING",
            severity=Severity.WARNING,
            message=f"{len(status.pending_nodes) or 'some'} node(s) wait for a CNI plugin update: {nodes}",
            remedy=status.action,
            subject=f"cluster:{cluster.name}",
            details={"pendingNodes": len(status.pending_nodes)},
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

"""The cluster list: each cluster with its size and worst finding."""

from __future__ import annotations

from engine.findings import worst
from engine.model import Tenancy
from engine.reports import ClusterListReport, ClusterSummary
from engine.unreadable import CNI_KINDS, unreadable_for
from engine.usecases.diagnose import diagnose_cluster


def list_clusters(tenancy: Tenancy, *, source: str) -> ClusterListReport:
    """Summarise every cluster of the tenancy, worst-off first; what could not be read is listed unless it is
    the CNI's (the list does not rest on it)."""
    summaries = []
    for cluster in tenancy.clusters:
        report = diagnose_cluster(tenancy, cluster)
        summaries.append(
            ClusterSummary(
                id=cluster.id,
                name=cluster.name,
                cni=cluster.cni.value,
                kubernetes_version=cluster.kubernetes_version,
                nodes=report.cluster.nodes,
                node_pools=len(cluster.node_pools),
                worst=worst(report.findings),
                counts=report.counts,
            )
        )
    summaries.sort(key=lambda s: (s.worst.severity.rank if s.worst else 9, -s.counts.error, s.name))
    return ClusterListReport(clusters=summaries, source=source,
                             unreadable=unreadable_for(tenancy, tenancy.clusters, ignore=CNI_KINDS))

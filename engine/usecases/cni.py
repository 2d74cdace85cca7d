"""The CNI question: add-on versions and the nodes waiting for a CNI update, for one cluster or all."""

from __future__ import annotations

from engine.cni import assess_cni
from engine.model import Tenancy
from engine.reports import CniReport


def cni_status(tenancy: Tenancy, *, cluster: str | None = None) -> CniReport:
    """CNI status of every cluster, or of the one `cluster` names (ClusterNotFoundError if none)."""
    clusters = tenancy.select_clusters(cluster or None)
    return CniReport(clusters=[assess_cni(c) for c in clusters], unreadable=list(tenancy.unreadable_for(clusters)))

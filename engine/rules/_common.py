"""What every rule family shares: building findings from the catalogue, and which subnets a cluster uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.catalogue import CATALOGUE
from engine.findings import Finding, Severity
from engine.model import Cluster, Cni, Subnet, Tenancy

Detail = str | int | float | bool | None


def finding(
    code: str,
    subject: str,
    message: str,
    *,
    details: Mapping[str, Detail] | None = None,
    severity: Severity | None = None,
    remedy: str | None = None,
) -> Finding:
    """A finding whose severity and remedy default to the catalogue's entry for its code."""
    info = CATALOGUE[code]
    return Finding(
        code=code,
        severity=severity or info.severity,
        message=message,
        remedy=remedy or info.remedy,
        subject=subject,
        details=dict(details or {}),
    )


def subnet_index(tenancy: Tenancy) -> dict[str, Subnet]:
    """Subnets by id, built once so rules stay linear in the number of subnets."""
    return {subnet.id: subnet for subnet in tenancy.subnets}


def unread_subnet_ids(tenancy: Tenancy) -> set[str] | None:
    """Subnet ids the source could not read; None when it read no subnet at all (a missing kind)."""
    unread = [item.id for item in tenancy.unreadable if item.kind == "subnets"]
    return None if None in unread else {subnet_id for subnet_id in unread if subnet_id is not None}


def cidr_text(subnet: Subnet) -> str:
    """A subnet's CIDR blocks as one string for messages."""
    return ", ".join(str(block) for block in subnet.cidrs)


def names(items: list[str], limit: int = 5) -> str:
    """A short list of names for a message: the first few and how many more."""
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


@dataclass
class ClusterSubnets:
    """The subnet ids a cluster uses, by role, with the node pools that use each worker or pod subnet.

    Pod subnets are only listed for VCN-native clusters, where they carry pod traffic.
    """

    endpoint: str | None = None
    load_balancers: list[str] = field(default_factory=list)
    workers: dict[str, list[str]] = field(default_factory=dict)
    pods: dict[str, list[str]] = field(default_factory=dict)

    def all_ids(self) -> list[str]:
        """Every subnet id the cluster uses, each once, in a stable order."""
        ids = [self.endpoint] if self.endpoint else []
        ids += self.load_balancers + list(self.workers) + list(self.pods)
        return list(dict.fromkeys(ids))


def cluster_subnets(cluster: Cluster) -> ClusterSubnets:
    """The subnets a cluster uses, by role."""
    used = ClusterSubnets(endpoint=cluster.endpoint_subnet_id, load_balancers=list(cluster.lb_subnet_ids))
    native = cluster.cni is Cni.VCN_NATIVE
    for pool in cluster.node_pools:
        for subnet_id in pool.worker_subnet_ids:
            used.workers.setdefault(subnet_id, []).append(pool.name)
        for subnet_id in pool.pod_subnet_ids if native else ():
            used.pods.setdefault(subnet_id, []).append(pool.name)
    return used


def is_all_services_label(label: str) -> bool:
    """True for an 'All <region> Services in Oracle Services Network' label, not an Object Storage one."""
    folded = label.casefold().replace(" ", "-")
    return "objectstorage" not in folded and "object-storage" not in folded

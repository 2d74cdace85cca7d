"""Subnet rules: named subnets exist; API endpoint, worker and pod subnets have the right shape."""

from __future__ import annotations

from engine.catalogue import finding
from engine.check import Check
from engine.codes import Code
from engine.findings import Detail, Finding, Severity
from engine.model import Cluster, Cni, Subnet
from engine.rules._common import cidr_text, names, unread_subnet_ids
from engine.words import noun

# The old docs called a /30 sufficient; the current docs say a /29 is usually sufficient.
ENDPOINT_MIN_PREFIX = 30
ENDPOINT_ADVISED_PREFIX = 29


def missing_subnet_findings(check: Check) -> list[Finding]:
    """CLUSTER_SUBNET_MISSING / NODE_POOL_SUBNET_MISSING for named subnets the tenancy does not hold.

    A subnet the source could not read is unknown, not missing: `unreadable` already says so.
    """
    tenancy, cluster = check.tenancy, check.cluster
    unread = unread_subnet_ids(tenancy)
    if unread is None:
        return []
    index = set(check.subnets) | unread
    found: list[Finding] = []
    cluster_named = [("API endpoint", cluster.endpoint_subnet_id)] if cluster.endpoint_subnet_id else []
    cluster_named += [("load-balancer", subnet_id) for subnet_id in cluster.lb_subnet_ids]
    for role, subnet_id in cluster_named:
        if subnet_id not in index:
            found.append(
                finding(
                    Code.CLUSTER_SUBNET_MISSING,
                    f"cluster:{cluster.name}",
                    f"Cluster {cluster.name} names {role} subnet {subnet_id}, which does not exist.",
                    details={"role": role, "subnet": subnet_id},
                )
            )
    for pool in cluster.node_pools:
        for subnet_id in pool.worker_subnet_ids:
            if subnet_id not in index:
                found.append(
                    finding(
                        Code.NODE_POOL_SUBNET_MISSING,
                        f"nodePool:{pool.name}",
                        f"Node pool {pool.name} places nodes in subnet {subnet_id}, which does not exist.",
                        details={"nodePool": pool.name, "subnet": subnet_id},
                    )
                )
    return found


def endpoint_subnet_findings(check: Check) -> list[Finding]:
    """API_ENDPOINT_SUBNET_TOO_SMALL and API_ENDPOINT_SUBNET_NOT_REGIONAL."""
    tenancy, cluster = check.tenancy, check.cluster
    subnet = check.subnets.get(cluster.endpoint_subnet_id or "")
    if subnet is None:
        return []
    found: list[Finding] = []
    if not subnet.regional:
        found.append(
            finding(
                Code.API_ENDPOINT_SUBNET_NOT_REGIONAL,
                f"subnet:{subnet.name}",
                f"API endpoint subnet {subnet.name} of cluster {cluster.name} is AD-specific; "
                "it must be regional.",
                details={"subnet": subnet.name, "cluster": cluster.name},
            )
        )
    sharing = [c.name for c in tenancy.clusters if c.endpoint_subnet_id == subnet.id and c.id != cluster.id]
    small = _endpoint_size(subnet, cluster, sharing)
    return [*found, small] if small is not None else found


def _endpoint_size(subnet: Subnet, cluster: Cluster, sharing: list[str]) -> Finding | None:
    if not subnet.cidrs:
        return None
    prefix = min(block.prefixlen for block in subnet.cidrs)
    if prefix <= ENDPOINT_ADVISED_PREFIX:
        return None
    details: dict[str, Detail] = {
        "subnet": subnet.name,
        "prefix": prefix,
        "sharedWith": ", ".join(sharing) or None,
    }
    advice = (
        "Oracle's docs now say a /29 is usually sufficient (unless several clusters share the subnet); "
        "older docs called a /30 sufficient."
    )
    if prefix > ENDPOINT_MIN_PREFIX:
        return finding(
            Code.API_ENDPOINT_SUBNET_TOO_SMALL,
            f"subnet:{subnet.name}",
            f"API endpoint subnet {subnet.name} ({cidr_text(subnet)}) is smaller than /30. {advice}",
            details=details,
        )
    shared = f" It is shared with {noun(len(sharing), 'cluster')} {names(sharing)}." if sharing else ""
    return finding(
        Code.API_ENDPOINT_SUBNET_TOO_SMALL,
        f"subnet:{subnet.name}",
        f"API endpoint subnet {subnet.name} ({cidr_text(subnet)}) is a /30. {advice}{shared}",
        severity=Severity.WARNING if sharing else Severity.INFO,
        details=details,
    )


def worker_subnet_findings(check: Check) -> list[Finding]:
    """WORKER_SUBNET_NOT_REGIONAL, once per AD-specific worker subnet."""
    index = check.subnets
    found: list[Finding] = []
    for subnet_id, pools in check.used.workers.items():
        subnet = index.get(subnet_id)
        if subnet is not None and not subnet.regional:
            found.append(
                finding(
                    Code.WORKER_SUBNET_NOT_REGIONAL,
                    f"subnet:{subnet.name}",
                    f"Worker subnet {subnet.name} (node pools {names(pools)}) is AD-specific; regional is "
                    "recommended.",
                    details={"subnet": subnet.name, "nodePools": len(pools)},
                )
            )
    return found


def pod_subnet_findings(check: Check) -> list[Finding]:
    """POD_SUBNET_MISSING, POD_SUBNET_NOT_REGIONAL, POD_SUBNET_PUBLIC, WORKER_POD_SUBNET_DIFFERENT_VCN."""
    tenancy, cluster = check.tenancy, check.cluster
    if cluster.cni is not Cni.VCN_NATIVE:
        return []
    index = check.subnets
    unread = unread_subnet_ids(tenancy)
    found = _missing_pod_subnets(None if unread is None else set(index) | unread, cluster)
    for subnet_id, pools in check.used.pods.items():
        subnet = index.get(subnet_id)
        if subnet is None:
            continue
        subject = f"subnet:{subnet.name}"
        details: dict[str, Detail] = {"subnet": subnet.name, "nodePools": len(pools)}
        if not subnet.regional:
            found.append(
                finding(
                    Code.POD_SUBNET_NOT_REGIONAL,
                    subject,
                    f"Pod subnet {subnet.name} (node pools {names(pools)}) is AD-specific; it must "
                    "be regional.",
                    details=details,
                )
            )
        if subnet.public:
            found.append(
                finding(
                    Code.POD_SUBNET_PUBLIC,
                    subject,
                    f"Pod subnet {subnet.name} (node pools {names(pools)}) is public; it must be private.",
                    details=details,
                )
            )
    return found + _vcn_mismatches(index, cluster)


def _missing_pod_subnets(known: set[str] | None, cluster: Cluster) -> list[Finding]:
    """`known` holds the subnet ids read or unreadable; None when no subnet was read (only an absent one counts)."""
    found: list[Finding] = []
    for pool in cluster.node_pools:
        absent = [s for s in pool.pod_subnet_ids if known is not None and s not in known]
        if not pool.pod_subnet_ids or absent:
            why = (
                f"names pod subnet {', '.join(absent)}, which does not exist"
                if absent
                else "has no pod subnet"
            )
            found.append(
                finding(
                    Code.POD_SUBNET_MISSING,
                    f"nodePool:{pool.name}",
                    f"VCN-native node pool {pool.name} {why}.",
                    details={"nodePool": pool.name, "missing": ", ".join(absent) or None},
                )
            )
    return found


def _vcn_mismatches(index: dict[str, Subnet], cluster: Cluster) -> list[Finding]:
    found: list[Finding] = []
    for pool in cluster.node_pools:
        workers = [index[i] for i in pool.worker_subnet_ids if i in index]
        pods = [index[i] for i in pool.pod_subnet_ids if i in index]
        for worker in workers:
            for pod in pods:
                if worker.vcn_id and pod.vcn_id and worker.vcn_id != pod.vcn_id:
                    found.append(
                        finding(
                            Code.WORKER_POD_SUBNET_DIFFERENT_VCN,
                            f"nodePool:{pool.name}",
                            f"Node pool {pool.name}: worker subnet {worker.name} (VCN {worker.vcn_id}) "
                            "and pod "
                            f"subnet {pod.name} (VCN {pod.vcn_id}) are in different VCNs.",
                            details={
                                "nodePool": pool.name,
                                "workerSubnet": worker.name,
                                "podSubnet": pod.name,
                            },
                        )
                    )
    return found


# The rules of this family, in the order `engine.rules.RULES` runs them.
RULES = (missing_subnet_findings, endpoint_subnet_findings, worker_subnet_findings, pod_subnet_findings)

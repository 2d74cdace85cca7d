"""Capacity findings: a cluster that cannot fit its nodes or pods, now or at its planned size.

Codes (a public contract): PODS_CIDR_TOO_SMALL, POD_SUBNET_TOO_SMALL, WORKER_SUBNET_TOO_SMALL, SHAPE_UNKNOWN,
SHAPE_SINGLE_VNIC, MAX_PODS_EXCEEDS_SHAPE, MAX_PODS_OVER_LIMIT.
"""

from __future__ import annotations

from engine.capacity.claims import At, ClaimIndex, SubnetClaim, demand, pool_node_count, tenancy_clusters
from engine.capacity.pools import pool_rule_findings
from engine.capacity.subnets import subnet_roles, used_ips
from engine.cidr import node_slots, usable_ips
from engine.findings import Finding, Severity
from engine.model import Cluster, Cni, Subnet, SubnetRole, Tenancy
from engine.shapes import ShapeCatalogue

# A subnet or pods CIDR this full leaves too little room for a scale-up or a node replacement.
CAPACITY_WARNING_RATIO = 0.8

_SIZE_WORDS = {"current": "at its current size", "planned": "at its planned maximum size"}


def capacity_findings(
    tenancy: Tenancy,
    cluster: Cluster,
    *,
    shapes: ShapeCatalogue,
    at: At,
    warn_at: float = CAPACITY_WARNING_RATIO,
) -> list[Finding]:
    """Every capacity finding for a cluster, counting nodes "current"ly there or at their "planned" size."""
    findings = [
        finding
        for pool in cluster.node_pools
        for finding in pool_rule_findings(pool, cluster.cni, shapes=shapes)
    ]
    pods_cidr = _pods_cidr_finding(cluster, at=at, warn_at=warn_at)
    if pods_cidr is not None:
        findings.append(pods_cidr)
    clusters = tenancy_clusters(tenancy, cluster)
    used_subnets = subnet_roles(cluster)
    claims_at = ClaimIndex(clusters, shapes=shapes, at=at, subnet_ids=used_subnets)
    claims_now = (
        claims_at if at == "current" else ClaimIndex(clusters, shapes=shapes, at="current", subnet_ids=used_subnets)
    )
    subnets = {subnet.id: subnet for subnet in tenancy.subnets}
    for subnet_id, roles in used_subnets.items():
        subnet = subnets.get(subnet_id)
        if subnet is None or not subnet.cidrs:
            continue  # not read, or no valid CIDR (CIDR_INVALID says so): there is no size to judge
        if SubnetRole.PODS in roles and cluster.cni is Cni.VCN_NATIVE:
            code = "POD_SUBNET_TOO_SMALL"
        elif SubnetRole.WORKERS in roles:
            code = "WORKER_SUBNET_TOO_SMALL"
        else:
            continue
        finding = _subnet_finding(
            tenancy, subnet, code=code, claims=(claims_at.on(subnet.id), claims_now.on(subnet.id)), at=at,
            warn_at=warn_at,
        )
        if finding is not None:
            findings.append(finding)
    return findings


def _severity(need: int, room: int, warn_at: float) -> Severity | None:
    if need > room:
        return Severity.ERROR
    if room > 0 and need >= warn_at * room:
        return Severity.WARNING
    return None


def _pods_cidr_finding(cluster: Cluster, *, at: At, warn_at: float) -> Finding | None:
    if cluster.cni is not Cni.FLANNEL or cluster.pods_cidr is None:
        return None
    counts = [pool_node_count(pool, at=at) for pool in cluster.node_pools]
    nodes = sum(count for count in counts if count is not None)
    slots = node_slots(cluster.pods_cidr)
    severity = Severity.ERROR if slots == 0 else _severity(nodes, slots, warn_at)
    if severity is None:
        return None
    least = "at least " if None in counts or not cluster.node_pools_complete else ""
    if slots == 0:
        message = (f"Cluster {cluster.name}'s pods CIDR {cluster.pods_cidr} is smaller than a /25, so it "
                   "holds no flannel node slot at all (flannel gives every node a /25).")
    else:
        full = "more than" if severity is Severity.ERROR else f"{nodes / slots:.0%} of"
        message = (f"Cluster {cluster.name} has {least}{nodes} nodes {_SIZE_WORDS[at]}, {full} the {slots} "
                   f"/25 node slots of its pods CIDR {cluster.pods_cidr} (flannel gives every node a /25).")
    return Finding(
        code="PODS_CIDR_TOO_SMALL",
        severity=severity,
        message=message,
        remedy=(
            "The pods CIDR cannot be changed after creation: keep the node count below the slots, or create "
            "a new cluster with a larger pods CIDR (a /14 holds 2,048 nodes) and move workloads to it."
        ),
        subject=f"cluster:{cluster.name}",
        details={"podsCidr": str(cluster.pods_cidr), "nodeSlots": slots, "nodes": nodes,
                 "countComplete": None not in counts and cluster.node_pools_complete},
    )


def _subnet_finding(
    tenancy: Tenancy, subnet: Subnet, *, code: str, claims: tuple[list[SubnetClaim], list[SubnetClaim]], at: At,
    warn_at: float,
) -> Finding | None:
    claims_at, claims_now = claims
    used = used_ips(tenancy, subnet.id)
    need = demand(claims_at, claims_now, used)
    usable = usable_ips(subnet.cidrs)
    if need is None:
        return None
    severity = _severity(need, usable, warn_at)
    if severity is None:
        return None
    pools = sorted({f"{c.cluster_name}/{c.pool_name}" for c in claims_at})
    what = "pod IPs pre-allocated" if code == "POD_SUBNET_TOO_SMALL" else "worker node IPs"
    verdict = "cannot fit in" if severity is Severity.ERROR else f"would fill {need / usable:.0%} of"
    used_words = f" (including IPs already in use: {used})" if used is not None else ""
    return Finding(
        code=code,
        severity=severity,
        message=(
            f"Subnet {subnet.name} needs {need} IPs for the {what} by node pools {', '.join(pools)} "
            f"{_SIZE_WORDS[at]}{used_words}, which {verdict} its {usable} usable IPs."
        ),
        remedy=_subnet_remedy(code),
        subject=f"subnet:{subnet.name}",
        details={"neededIps": need, "usableIps": usable, "usedIps": used, "nodePools": ", ".join(pools)},
    )


def _subnet_remedy(code: str) -> str:
    if code == "POD_SUBNET_TOO_SMALL":
        return (
            "Lower maxPodsPerNode to reduce the IPs pre-allocated per node, give the pools a larger pod "
            "subnet (a /19 is usually enough; large clusters need a /16), or spread pools over separate pod "
            "subnets."
        )
    return (
        "Use a larger worker subnet, move some node pools to another worker subnet, or keep the pools "
        "smaller."
    )

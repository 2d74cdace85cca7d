"""Capacity rules: a cluster that cannot fit its nodes or pods, now ("current") or at its planned size.

Codes (a public contract): PODS_CIDR_TOO_SMALL, POD_SUBNET_TOO_SMALL, WORKER_SUBNET_TOO_SMALL, and the pool
settings of `engine.capacity.pools` (SHAPE_UNKNOWN, SHAPE_SINGLE_VNIC, MAX_PODS_EXCEEDS_SHAPE, ...).
"""

from __future__ import annotations

from engine.capacity.claims import ClaimIndex, SubnetClaim, demand, pool_node_count
from engine.capacity.pools import pool_rule_findings
from engine.capacity.subnets import used_ips
from engine.catalogue import finding
from engine.check import At, Check
from engine.cidr import node_slots, usable_ips
from engine.codes import Code
from engine.findings import Finding, Severity
from engine.model import Cni, Subnet, SubnetRole, Tenancy

# A subnet or pods CIDR this full leaves too little room for a scale-up or a node replacement.
CAPACITY_WARNING_RATIO = 0.8

_SIZE_WORDS = {"current": "at its current size", "planned": "at its planned maximum size"}


def capacity_findings(check: Check, *, warn_at: float = CAPACITY_WARNING_RATIO) -> list[Finding]:
    """Every capacity finding for the checked cluster: its pools' settings, its pods CIDR, its subnets."""
    return [
        *pool_settings_findings(check),
        *pods_cidr_findings(check, warn_at=warn_at),
        *subnet_size_findings(check, warn_at=warn_at),
    ]


def pool_settings_findings(check: Check) -> list[Finding]:
    """Shape and maxPodsPerNode findings of every node pool of the cluster."""
    cluster = check.cluster
    return [f for pool in cluster.node_pools for f in pool_rule_findings(pool, cluster.cni, shapes=check.shapes)]


def _severity(need: int, room: int, warn_at: float) -> Severity | None:
    if need > room:
        return Severity.ERROR
    if room > 0 and need >= warn_at * room:
        return Severity.WARNING
    return None


def pods_cidr_findings(check: Check, *, warn_at: float = CAPACITY_WARNING_RATIO) -> list[Finding]:
    """PODS_CIDR_TOO_SMALL: a flannel cluster's nodes (at the checked size) against its pods CIDR's /25 slots."""
    cluster, at = check.cluster, check.at
    if cluster.cni is not Cni.FLANNEL or cluster.pods_cidr is None:
        return []
    counts = [pool_node_count(pool, at=at) for pool in cluster.node_pools]
    nodes = sum(count for count in counts if count is not None)
    slots = node_slots(cluster.pods_cidr)
    severity = Severity.ERROR if slots == 0 else _severity(nodes, slots, warn_at)
    if severity is None:
        return []
    least = "at least " if None in counts or not cluster.node_pools_complete else ""
    if slots == 0:
        message = (f"Cluster {cluster.name}'s pods CIDR {cluster.pods_cidr} is smaller than a /25, so it "
                   "holds no flannel node slot at all (flannel gives every node a /25).")
    else:
        full = "more than" if severity is Severity.ERROR else f"{nodes / slots:.0%} of"
        message = (f"Cluster {cluster.name} has {least}{nodes} nodes {_SIZE_WORDS[at]}, {full} the {slots} "
                   f"/25 node slots of its pods CIDR {cluster.pods_cidr} (flannel gives every node a /25).")
    return [
        finding(
            Code.PODS_CIDR_TOO_SMALL,
            f"cluster:{cluster.name}",
            message,
            severity=severity,
            details={"podsCidr": str(cluster.pods_cidr), "nodeSlots": slots, "nodes": nodes,
                     "countComplete": None not in counts and cluster.node_pools_complete},
        )
    ]


def subnet_size_findings(check: Check, *, warn_at: float = CAPACITY_WARNING_RATIO) -> list[Finding]:
    """POD_SUBNET_TOO_SMALL and WORKER_SUBNET_TOO_SMALL, counting every pool of every cluster in a subnet."""
    tenancy, cluster, at = check.tenancy, check.cluster, check.at
    used_subnets = check.used.roles()
    claims_at = ClaimIndex.for_cluster(tenancy, cluster, shapes=check.shapes, at=at, subnet_ids=used_subnets)
    claims_now = (
        claims_at
        if at == "current"
        else ClaimIndex.for_cluster(tenancy, cluster, shapes=check.shapes, at="current", subnet_ids=used_subnets)
    )
    findings: list[Finding] = []
    for subnet_id, roles in used_subnets.items():
        subnet = check.subnets.get(subnet_id)
        if subnet is None or not subnet.cidrs:
            continue  # not read, or no valid CIDR (CIDR_INVALID says so): there is no size to judge
        if SubnetRole.PODS in roles and cluster.cni is Cni.VCN_NATIVE:
            code = Code.POD_SUBNET_TOO_SMALL
        elif SubnetRole.WORKERS in roles:
            code = Code.WORKER_SUBNET_TOO_SMALL
        else:
            continue
        found = _subnet_finding(
            tenancy, subnet, code=code, claims=(claims_at.on(subnet.id), claims_now.on(subnet.id)), at=at,
            warn_at=warn_at,
        )
        if found is not None:
            findings.append(found)
    return findings


def _subnet_finding(
    tenancy: Tenancy, subnet: Subnet, *, code: Code, claims: tuple[list[SubnetClaim], list[SubnetClaim]], at: At,
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
    what = "pod IPs pre-allocated" if code is Code.POD_SUBNET_TOO_SMALL else "worker node IPs"
    verdict = "cannot fit in" if severity is Severity.ERROR else f"would fill {need / usable:.0%} of"
    used_words = f" (including IPs already in use: {used})" if used is not None else ""
    return finding(
        code,
        f"subnet:{subnet.name}",
        f"Subnet {subnet.name} needs {need} IPs for the {what} by node pools {', '.join(pools)} "
        f"{_SIZE_WORDS[at]}{used_words}, which {verdict} its {usable} usable IPs.",
        severity=severity,
        details={"neededIps": need, "usableIps": usable, "usedIps": used, "nodePools": ", ".join(pools)},
    )


# The capacity rules, in the order `engine.rules.RULES` runs them.
RULES = (pool_settings_findings, pods_cidr_findings, subnet_size_findings)

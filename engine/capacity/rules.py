"""Capacity rules: a cluster that cannot fit its nodes or pods, now ("current") or at its planned size.

Codes (a public contract): PODS_CIDR_TOO_SMALL, POD_SUBNET_TOO_SMALL, WORKER_SUBNET_TOO_SMALL,
SUBNET_IPS_UNATTRIBUTED, and the pool
settings of `engine.capacity.pools` (SHAPE_UNKNOWN, SHAPE_SINGLE_VNIC, MAX_PODS_EXCEEDS_SHAPE, ...).
"""

from __future__ import annotations

from collections.abc import Collection

from engine.capacity.attribution import Attribution, Attributor
from engine.capacity.claims import ClaimIndex, SubnetClaim, demand, pool_node_count, total_ips
from engine.capacity.pods import IPS_PER_POD_VNIC
from engine.capacity.pools import pool_rule_findings
from engine.capacity.subnets import used_ips
from engine.capacity.working import PER_VNIC_NOTE, claim_figures, slot_figures, working_text
from engine.catalogue import finding
from engine.check import Check
from engine.cidr import node_slots, subnet_block_too_small, usable_ips
from engine.codes import Code
from engine.findings import Finding, PoolFigures, Severity
from engine.model import Cni, Frozen, Subnet, SubnetRole, Tenancy
from engine.words import plural

# A subnet or pods CIDR this full leaves too little room for a scale-up or a node replacement.
CAPACITY_WARNING_RATIO = 0.8
# IPs held by no known node pool's nodes past this share of a subnet's usable IPs deserve more than a note.
UNATTRIBUTED_WARNING_RATIO = 0.2

_SIZE_WORDS = {"current": "at its current size", "planned": "at its planned size (maxSize where set)"}
_CHANGED_WORDS = "at its planned size"


def capacity_findings(check: Check, *, warn_at: float = CAPACITY_WARNING_RATIO) -> list[Finding]:
    """Every capacity finding for the checked cluster: its pools' settings, its pods CIDR, its subnets."""
    return [
        *pool_settings_findings(check),
        *pods_cidr_findings(check, warn_at=warn_at),
        *subnet_size_findings(check, warn_at=warn_at),
        *unattributed_findings(check),
    ]


def pool_settings_findings(check: Check) -> list[Finding]:
    """Shape and maxPodsPerNode findings of every node pool of the cluster."""
    cluster = check.cluster
    source = check.tenancy.source_kind
    return [f for pool in cluster.node_pools
            for f in pool_rule_findings(pool, cluster.cni, shapes=check.shapes, source=source)]


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
    figures = slot_figures(cluster.name, [(pool.name, count) for pool, count in zip(cluster.node_pools, counts,
                                                                                        strict=True)])
    working = working_text(figures, own_cluster=cluster.name)
    if slots == 0:
        message = (f"Cluster {cluster.name}'s pods CIDR {cluster.pods_cidr} is smaller than a /25, so it "
                   "holds no flannel node slot at all (flannel gives every node a /25).")
    else:
        full = "more than" if severity is Severity.ERROR else f"{nodes / slots:.0%} of"
        message = (f"Cluster {cluster.name} has {least}{plural(nodes, 'node')} {_size_words(check)}, {full} the "
                   f"{plural(slots, '/25 node slot')} of its pods CIDR {cluster.pods_cidr} (flannel gives every "
                   "node a /25).")
    if working:
        message += f" Working: {working}."
    return [
        finding(
            Code.PODS_CIDR_TOO_SMALL,
            f"cluster:{cluster.name}",
            message,
            severity=severity,
            details={"podsCidr": str(cluster.pods_cidr), "nodeSlots": slots, "nodes": nodes,
                     "countComplete": None not in counts and cluster.node_pools_complete,
                     "nodePools": ", ".join(pool.name for pool in cluster.node_pools), "field": "cluster.podsCidr"},
            breakdown=figures,
        )
    ]


class SubnetDemand(Frozen):
    """What one worker or pod subnet must hold (`need`, None when unknown) against its `usable` IPs, and what
    the figure rests on: the claims at the checked size and today, the IPs in use and their attribution."""

    subnet: Subnet
    code: Code
    need: int | None
    usable: int
    used: int | None
    claims_at: tuple[SubnetClaim, ...]
    claims_now: tuple[SubnetClaim, ...]
    attribution: Attribution


def subnet_demands(check: Check, *, subnet_ids: Collection[str] | None = None) -> list[SubnetDemand]:
    """The demand on every worker and pod subnet of the checked cluster (or only `subnet_ids`), counting every
    pool of every cluster in each subnet: the one figure POD_SUBNET_TOO_SMALL, WORKER_SUBNET_TOO_SMALL and the
    node pools' headroom judge. Subnets not read or without a valid CIDR are left out (nothing to judge).

    With `check.baseline` (a what-if), today's claims, IPs in use and attribution come from the baseline.
    """
    tenancy, cluster, at = check.tenancy, check.cluster, check.at
    used_subnets = check.used.roles() if subnet_ids is None else _roles_of(check, subnet_ids)
    claims_at = ClaimIndex.for_cluster(tenancy, cluster, shapes=check.shapes, at=at, subnet_ids=used_subnets,
                                       base=check.baseline)
    base = check.baseline if check.baseline is not None else tenancy
    base_cluster = (base.find_cluster(cluster.id) or cluster) if base is not tenancy else cluster
    claims_now = (
        claims_at
        if at == "current" and base is tenancy
        else ClaimIndex.for_cluster(base, base_cluster, shapes=check.shapes, at="current", subnet_ids=used_subnets)
    )
    attributor = Attributor.of(base, base_cluster)
    demands: list[SubnetDemand] = []
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
        now = claims_now.on(subnet.id)
        attribution = attributor.attribute(subnet, now)
        used = used_ips(base, subnet.id)
        at_claims = claims_at.on(subnet.id)
        demands.append(SubnetDemand(
            subnet=subnet, code=code, need=demand(at_claims, now, used, unattributed=attribution.unattributed),
            usable=usable_ips(subnet.cidrs), used=used, claims_at=tuple(at_claims), claims_now=tuple(now),
            attribution=attribution,
        ))
    return demands


def _roles_of(check: Check, subnet_ids: Collection[str]) -> dict[str, list[SubnetRole]]:
    """`check.used.roles()` for these subnets only (a pool's few, out of a cluster's thousands)."""
    used = check.used
    found: dict[str, list[SubnetRole]] = {}
    for subnet_id in dict.fromkeys(subnet_ids):
        roles = [role for role, here in ((SubnetRole.PODS, subnet_id in used.pods),
                                         (SubnetRole.WORKERS, subnet_id in used.workers),
                                         (SubnetRole.LOAD_BALANCERS, subnet_id in used.load_balancers),
                                         (SubnetRole.API_ENDPOINT, subnet_id == used.endpoint)) if here]
        if roles:
            found[subnet_id] = roles
    return found


def subnet_size_findings(
    check: Check, *, warn_at: float = CAPACITY_WARNING_RATIO, subnet_ids: Collection[str] | None = None
) -> list[Finding]:
    """POD_SUBNET_TOO_SMALL and WORKER_SUBNET_TOO_SMALL, counting every pool of every cluster in a subnet
    (`subnet_ids` narrows the subnets looked at).

    A subnet whose every block is smaller than /30 has no usable IP at all: SUBNET_CIDR_SIZE says so, and what
    to do, so it gets no capacity finding ("plan fewer nodes" cannot help). Headroom still counts it as full.
    """
    found = (
        demand_finding(item, check, warn_at=warn_at)
        for item in subnet_demands(check, subnet_ids=subnet_ids)
        if not all(subnet_block_too_small(block) for block in item.subnet.cidrs)
    )
    return [item for item in found if item is not None]


def _size_words(check: Check) -> str:
    return _CHANGED_WORDS if check.baseline is not None else _SIZE_WORDS[check.at]


def demand_finding(item: SubnetDemand, check: Check, *, warn_at: float = CAPACITY_WARNING_RATIO) -> Finding | None:
    """POD_SUBNET_TOO_SMALL or WORKER_SUBNET_TOO_SMALL for one subnet's demand (None below `warn_at` full, or
    when the need is unknown), with each pool's share (`breakdown`) and the working."""
    words, own_cluster = _size_words(check), check.cluster.name
    subnet, code, need, usable, used = item.subnet, item.code, item.need, item.usable, item.used
    attribution = item.attribution
    if need is None:
        return None
    severity = _severity(need, usable, warn_at)
    if severity is None:
        return None
    pools = sorted({f"{c.cluster_name}/{c.pool_name}" for c in item.claims_at})
    what = "pod IPs pre-allocated" if code is Code.POD_SUBNET_TOO_SMALL else "worker node IPs"
    verdict = "cannot fit in" if severity is Severity.ERROR else f"would fill {need / usable:.0%} of"
    used_words = f" (including IPs already in use: {used:,})" if used is not None else ""
    now_total = total_ips(item.claims_now)
    beyond = None if used is None or now_total is None else max(0, used - now_total)
    # A plan has no IPs in use to read: saying "not read" there would suggest something was missed.
    has_usage = (check.baseline or check.tenancy).source_kind in ("snapshot", "live")
    extra: str | None = f"in use beyond reservations: {_n(beyond)}" if used is not None else (
        "IPs in use: not read" if has_usage else None)
    if attribution.method == "instances" and attribution.attributed is not None and now_total is not None:
        over = max(0, attribution.attributed - now_total)
        extra = f"in use by no known node pool's nodes: {_n(attribution.unattributed)}" + (
            f"; pool nodes beyond their reservations: {_n(over)}" if over else "")
    figures = claim_figures(item.claims_at)
    note = f" {PER_VNIC_NOTE}" if any(f.pod_vnics is not None and f.vnic_profiles is None for f in figures) else ""
    note += "".join(f" {hint}" for hint in _vnic_hints(figures, own_cluster=own_cluster))
    return finding(
        code,
        f"subnet:{subnet.name}",
        f"Subnet {subnet.name} needs {plural(need, 'IP')} for the {what} by node pools {', '.join(pools)} "
        f"{words}{used_words}, which {verdict} its {plural(usable, 'usable IP')}. "
        f"Working: {working_text(figures, own_cluster=own_cluster, extra=extra)}.{note}",
        severity=severity,
        details={"neededIps": need, "usableIps": usable, "usedIps": used, "nodePools": ", ".join(pools),
                 "inUseBeyondReservations": beyond},
        breakdown=figures,
    )


def _vnic_hints(figures: list[PoolFigures], *, own_cluster: str) -> list[str]:
    """For a pool whose last pod VNIC is barely used, what a slightly lower maxPodsPerNode saves: "maxPodsPerNode
    64 of memory needs 3 pod VNICs (96 IPs a node); 62 needs 2 (64 IPs)"."""
    hints = []
    for figure in figures:
        vnics, pods = figure.pod_vnics, figure.max_pods_per_node
        if figure.vnic_profiles is not None or vnics is None or pods is None or vnics < 2:
            continue
        lower = (vnics - 1) * IPS_PER_POD_VNIC
        if pods - lower <= IPS_PER_POD_VNIC // 4:  # the last VNIC holds a few pods but costs 32 IPs a node
            pool = figure.node_pool if figure.cluster == own_cluster else f"{figure.cluster}/{figure.node_pool}"
            hints.append(f"maxPodsPerNode {pods} of {pool} needs {vnics} pod VNICs ({vnics * 32} IPs a node); "
                         f"{lower} needs {vnics - 1} ({(vnics - 1) * 32} IPs).")
    return hints


def _n(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def unattributed_findings(check: Check, *, warn_at: float = UNATTRIBUTED_WARNING_RATIO) -> list[Finding]:
    """SUBNET_IPS_UNATTRIBUTED: worker and pod subnets of the cluster with IPs in use that no known node pool's
    nodes hold (`engine.capacity.attribution`); info, a warning above `warn_at` of the usable IPs."""
    # IPs of nobody are a fact about today: a what-if judges them on the tenancy as read.
    tenancy = check.baseline if check.baseline is not None else check.tenancy
    cluster = tenancy.find_cluster(check.cluster.id) or check.cluster
    used_subnets = check.used.roles()
    claims = ClaimIndex.for_cluster(tenancy, cluster, shapes=check.shapes, at="current", subnet_ids=used_subnets)
    attributor = Attributor.of(tenancy, cluster)
    found: list[Finding] = []
    for subnet_id, roles in used_subnets.items():
        pools_here = SubnetRole.WORKERS in roles or (SubnetRole.PODS in roles and cluster.cni is Cni.VCN_NATIVE)
        subnet = check.subnets.get(subnet_id) or tenancy.subnet(subnet_id)
        if not pools_here or subnet is None or not subnet.cidrs:
            continue
        attribution = attributor.attribute(subnet, claims.on(subnet_id))
        if attribution.unattributed:
            found.append(_unattributed(tenancy, subnet, attribution, claims.on(subnet_id), warn_at=warn_at))
    return found


def _unattributed(tenancy: Tenancy, subnet: Subnet, attribution: Attribution, claims: list[SubnetClaim], *,
                  warn_at: float) -> Finding:
    unattributed = attribution.unattributed or 0
    usable = usable_ips(subnet.cidrs)
    used = used_ips(tenancy, subnet.id)
    reserved = total_ips(claims)
    share = unattributed / usable if usable else 1.0
    named = ", ".join(f"{h.kind} {h.holder} ({h.ips})" for h in attribution.holders[:5])
    more = f" and {len(attribution.holders) - 5} more" if len(attribution.holders) > 5 else ""
    how = (f"held by {named}{more}" if attribution.method == "instances"
           else f"beyond the {_n(reserved)} the node pools reserve (counted, as the source does not say which "
                "instance holds each IP)")
    return finding(
        Code.SUBNET_IPS_UNATTRIBUTED,
        f"subnet:{subnet.name}",
        f"Subnet {subnet.name} has {unattributed:,} of its {_n(used)} IPs in use held by no known node pool's "
        f"nodes ({share:.0%} of its {usable:,} usable IPs): {how}. Karpenter or self-managed nodes, load "
        "balancers or other VNICs take them; headroom counts them as taken.",
        severity=Severity.WARNING if share > warn_at else Severity.INFO,
        details={"unattributedIps": unattributed, "usedIps": used, "reservedIps": reserved, "usableIps": usable,
                 "method": attribution.method, "holders": len(attribution.holders) or None},
    )


# The capacity rules, in the order `engine.rules.RULES` runs them.
RULES = (pool_settings_findings, pods_cidr_findings, subnet_size_findings, unattributed_findings)

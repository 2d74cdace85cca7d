"""How many more nodes of a pool fit, and whether a changed cluster still fits: one judgement for both.

A pool's nodes count against limits: each worker subnet it places nodes in, each pod subnet (VCN-native) and
the pods CIDR's /25 node slots (flannel). The capacity rules (`engine.capacity.rules`) judge each limit; only
an error ("needs more than there is") makes a size not fit, a warning (from 80%) does not. `judge_limits`
runs those rules on the limits of a changed cluster, and `change_verdict` turns the findings into
"fits" / "does not fit" / "unknown". A what-if calls them on its change; `pool_room` calls them on the pool
resized to each candidate size, so the headroom shown and the what-if's verdict cannot disagree: adding
`more_nodes` fits, one more does not.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from engine.capacity.claims import pool_node_count
from engine.capacity.rules import SubnetDemand, demand_finding, pods_cidr_findings, subnet_demands
from engine.check import Check
from engine.cidr import node_slots
from engine.codes import Code
from engine.findings import Finding, Severity
from engine.model import Cluster, Cni, NodePool, NodePoolType, SubnetRole, Tenancy
from engine.reports import PoolRoom
from engine.shapes import ShapeCatalogue
from engine.topology import ClusterSubnets, cluster_subnets

Verdict = Literal["fits", "does not fit", "unknown"]

# The codes that judge whether nodes fit a limit; the others do not depend on how many nodes there are.
SIZE_CODES = frozenset({Code.PODS_CIDR_TOO_SMALL, Code.POD_SUBNET_TOO_SMALL, Code.WORKER_SUBNET_TOO_SMALL})
PODS_CIDR = "pods CIDR"
# Far past any subnet's room (a /8 holds 16.7 million IPs): the search for a pool's room stops here.
SEARCH_CEILING = 1 << 25


@dataclass(frozen=True)
class Limit:
    """One limit a pool's nodes count against: its finding `subject` ("cluster:NAME" for the pods CIDR,
    "subnet:NAME") and its `name` in words ("pods CIDR", "pod subnet NAME", "worker subnet NAME")."""

    subject: str
    name: str
    subnet_id: str | None = None


@dataclass(frozen=True)
class LimitJudgement:
    """The limits' findings at the judged size (`errors` are those over a limit), the limits that could not be
    judged (a subnet or pods CIDR not read, pods per node unknown, a node count unknown), and the figures
    judged: each subnet's demand, and the pods CIDR's (node slots, nodes) when it is one of the limits."""

    errors: tuple[Finding, ...]
    unknown: tuple[Limit, ...]
    demands: tuple[SubnetDemand, ...] = ()
    slots: tuple[int, int] | None = None
    unread: tuple[Limit, ...] = ()
    """Subnets whose IPs in use were not read (on a tenancy that has usage to read): judged on the reservations
    alone, a lower bound, so a size that fits them is not known to fit."""


def pool_limits(tenancy: Tenancy, cluster: Cluster, pools: Sequence[NodePool]) -> list[Limit]:
    """The limits the nodes of `pools` (of `cluster`) count against, each once: the pods CIDR (flannel), then
    pod subnets (VCN-native), then worker subnets. Virtual pools count against none."""
    limits: dict[str, Limit] = {}
    counted = [pool for pool in pools if pool.type is not NodePoolType.VIRTUAL]
    if cluster.cni is Cni.FLANNEL and counted:
        limits[f"cluster:{cluster.name}"] = Limit(f"cluster:{cluster.name}", PODS_CIDR)
    pod_ids = [sid for pool in counted for sid in pool.pod_subnet_ids] if cluster.cni is Cni.VCN_NATIVE else []
    worker_ids = [sid for pool in counted for sid in pool.worker_subnet_ids]
    for role, ids in ((SubnetRole.PODS, pod_ids), (SubnetRole.WORKERS, worker_ids)):
        for subnet_id in ids:
            subnet = tenancy.subnet(subnet_id)
            name = subnet.name if subnet is not None else subnet_id
            kind = "pod subnet" if role is SubnetRole.PODS else "worker subnet"
            limits.setdefault(f"subnet:{name}", Limit(f"subnet:{name}", f"{kind} {name}", subnet_id))
    return list(limits.values())


def judge_limits(check: Check, limits: Sequence[Limit]) -> LimitJudgement:
    """Run the capacity rules on these limits of the checked cluster: which are exceeded, which unknown."""
    subjects = {limit.subject for limit in limits}
    findings: list[Finding] = []
    unknown: list[Limit] = []
    cluster = check.cluster
    slots: tuple[int, int] | None = None
    for limit in limits:
        if limit.subnet_id is None:
            findings += pods_cidr_findings(check)
            counts = [pool_node_count(pool, at=check.at) for pool in cluster.node_pools]
            if cluster.pods_cidr is None or None in counts or not cluster.node_pools_complete:
                unknown.append(limit)
            else:
                slots = (node_slots(cluster.pods_cidr), sum(count or 0 for count in counts))
    wanted = {limit.subnet_id: limit for limit in limits if limit.subnet_id is not None}
    judged: set[str] = set()
    demands = subnet_demands(check, subnet_ids=wanted)
    unread: list[Limit] = []
    # A plan (or a model built by hand, with no source) has no IPs in use to read; a live or recorded tenancy
    # does, and then a subnet whose IPs in use were not read may hold more than its reservations.
    usage_matters = (check.baseline or check.tenancy).source_kind in ("snapshot", "live")
    for item in demands:
        judged.add(item.subnet.id)
        if item.need is None:
            unknown.append(wanted[item.subnet.id])
            continue
        found = demand_finding(item, check)
        if found is not None:
            findings.append(found)
        over = found is not None and found.severity is Severity.ERROR
        if item.used is None and usage_matters and not over:
            unread.append(wanted[item.subnet.id])
    unknown += [limit for subnet_id, limit in wanted.items() if subnet_id not in judged]
    errors = tuple(f for f in findings if f.severity is Severity.ERROR and f.subject in subjects)
    return LimitJudgement(errors=errors, unknown=tuple(unknown), demands=tuple(demands), slots=slots,
                          unread=tuple(unread))


def change_verdict(
    before: Sequence[Finding], after: Sequence[Finding], *, limits: Collection[str], unknown: bool
) -> Verdict:
    """The verdict on a change, from the findings before and after it.

    "does not fit" when, after the change, a limit the changed pools count against (`limits`, finding
    subjects) is exceeded (an error of PODS_CIDR_TOO_SMALL, POD_SUBNET_TOO_SMALL or WORKER_SUBNET_TOO_SMALL),
    or any error is new or worse than before (matched by code and subject); else "unknown" when one of those
    limits cannot be judged (`unknown`); else "fits". Errors the change leaves as they were do not count:
    they are the cluster's, not the change's.
    """
    was = {(f.code, f.subject): f.severity for f in before}
    for found in after:
        if found.severity is not Severity.ERROR:
            continue
        if found.code in SIZE_CODES and found.subject in limits:
            return "does not fit"
        if was.get((found.code, found.subject)) is not Severity.ERROR:
            return "does not fit"
    return "unknown" if unknown else "fits"


def resized(tenancy: Tenancy, cluster: Cluster, pool: NodePool, size: int) -> tuple[Tenancy, Cluster]:
    """The tenancy with `pool` of `cluster` counted at `size` nodes (its planned size; the nodes observed no
    longer describe it), keeping the VNIC limit read from its instances."""
    observed = [node.max_vnics for node in pool.nodes or () if node.max_vnics is not None]
    changed = pool.model_copy(update={
        "nodes": None, "size": size, "max_size": None,
        "observed_vnics": min(observed) if observed else pool.observed_vnics,
    })
    return with_pools(tenancy, cluster, [changed if p.id == pool.id else p for p in cluster.node_pools])


def with_pools(tenancy: Tenancy, cluster: Cluster, pools: Sequence[NodePool]) -> tuple[Tenancy, Cluster]:
    """The tenancy with `cluster`'s node pools replaced by `pools`."""
    changed = cluster.model_copy(update={"node_pools": tuple(pools)})
    clusters = tuple(changed if c.id == cluster.id else c for c in tenancy.clusters)
    return tenancy.model_copy(update={"clusters": clusters}), changed


def pool_room(
    tenancy: Tenancy, cluster: Cluster, pool: NodePool, *, shapes: ShapeCatalogue, baseline: Tenancy | None = None,
    topology: ClusterSubnets | None = None,
) -> PoolRoom | None:
    """How many more nodes of `pool` fit, and which limit binds; None for a virtual pool (its nodes take no
    subnet IPs of their own).

    The largest k for which the pool resized to (its count + k) gets "fits" from `change_verdict`, found by
    an estimate from each limit's room at today's size, then checked (and corrected) by judging sizes k and
    k + 1. `baseline` is the tenancy as read when `tenancy` is a what-if's change of it; `topology` the
    cluster's subnets by role, when the caller has worked them out.
    """
    if pool.type is NodePoolType.VIRTUAL:
        return None
    count = pool_node_count(pool, at="current")
    if count is None:
        return PoolRoom(more_nodes=None, limited_by="its node count (not read)")
    limits = pool_limits(tenancy, cluster, [pool])
    if not limits:
        return PoolRoom(more_nodes=None, limited_by="its subnets (none named)")
    subjects = {limit.subject for limit in limits}
    base = baseline if baseline is not None else tenancy
    judged: dict[int, LimitJudgement] = {}
    topology = topology if topology is not None else cluster_subnets(cluster)  # resizing changes no subnet

    def judge(more: int) -> LimitJudgement:
        if more not in judged:
            changed, changed_cluster = resized(tenancy, cluster, pool, count + more)
            check = Check(changed, changed_cluster, at="current", catalogue=shapes, baseline=base,
                          topology=topology)
            judged[more] = judge_limits(check, limits)
        return judged[more]

    def verdict(more: int, *, bound: bool = False) -> Verdict:
        """The verdict at `more` nodes; with `bound`, subnets whose IPs in use were not read are judged on
        their reservations (what gives an upper bound on the room)."""
        found = judge(more)
        unknown = bool(found.unknown) or (bool(found.unread) and not bound)
        return change_verdict((), found.errors, limits=subjects, unknown=unknown)

    now = verdict(0)
    if now == "does not fit":
        return PoolRoom(more_nodes=0, limited_by=_binding(judge(0), limits))
    if judge(0).unknown:
        return PoolRoom(more_nodes=None, limited_by=", ".join(limit.name for limit in judge(0).unknown))
    more, over = _largest_fitting(lambda k: verdict(k, bound=True) == "fits", _estimate(pool, cluster, judge(0)))
    binding = _binding(judge(over), limits) if over is not None else None
    if now == "unknown":  # only IPs in use not read: the room is at most `more`
        unread = ", ".join(limit.name for limit in judge(0).unread)
        return PoolRoom(more_nodes=None, limited_by=binding or unread, at_most=more)
    return PoolRoom(more_nodes=more, limited_by=binding)


def _binding(judged: LimitJudgement, limits: Sequence[Limit]) -> str:
    exceeded = {found.subject for found in judged.errors}
    return " and ".join(limit.name for limit in limits if limit.subject in exceeded)


def _largest_fitting(fits: Callable[[int], bool], estimate: int) -> tuple[int, int | None]:
    """The largest k ≥ 0 with fits(k) (fits(0) holds, and fits is monotone: more nodes never fit better), and
    the k + 1 that does not fit (None past SEARCH_CEILING). Starts at `estimate`, usually right at once."""
    low = max(0, min(estimate, SEARCH_CEILING))
    if not fits(low):
        high, low = low, 0
    else:
        step, high = 1, low + 1
        while fits(high):
            low = high
            if high >= SEARCH_CEILING:
                return high, None
            step *= 2
            high = min(low + step, SEARCH_CEILING)
    while high - low > 1:  # fits(low), not fits(high)
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low, high


def _estimate(pool: NodePool, cluster: Cluster, now: LimitJudgement) -> int:
    """The room each limit leaves at today's size, in nodes of `pool`: the least of them (a first guess)."""
    rooms: list[int] = []
    if now.slots is not None:
        rooms.append(now.slots[0] - now.slots[1])
    for item in now.demands:
        per_node = sum(claim.ips_per_node or 0 for claim in item.claims_at if claim.pool_id == pool.id)
        # The pool's nodes spread evenly over its subnets of this role: k more nodes add k / spread here.
        ids = pool.pod_subnet_ids if item.code is Code.POD_SUBNET_TOO_SMALL else pool.worker_subnet_ids
        if item.need is not None and per_node > 0:
            rooms.append((item.usable - item.need) // per_node * max(len(set(ids)), 1))
    return max(0, min(rooms)) if rooms else 0

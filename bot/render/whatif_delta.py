"""What a what-if changed, as figures: the same "before → after" lines for the terminal and for Slack.

Only figures that differ are listed: node count, pods capacity, pods-CIDR slots, each subnet's reserved IPs
(of its usable ones), each pool's pods per node and its headroom; then the verdict's reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.capacity.headroom import SIZE_CODES
from engine.findings import Finding, Severity
from engine.reports import ClusterCapacity, PoolRoom, SubnetCapacity, WhatIfReport
from engine.words import plural


@dataclass(frozen=True)
class Delta:
    """One changed figure: what it is, its value before and after, and what it is out of (or a note)."""

    label: str
    before: str
    after: str
    note: str = ""


def _n(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _room(room: PoolRoom | None) -> str:
    if room is None:
        return "-"
    if room.more_nodes is None and room.at_most is not None:
        return f"≤+{room.at_most:,}"
    return "?" if room.more_nodes is None else f"+{room.more_nodes:,}"


def _fill(subnet: SubnetCapacity) -> str:
    if subnet.utilization is None:
        return "?"
    return f"{'≥' if subnet.utilization_at_least else ''}{subnet.utilization:.0%}"


def deltas(report: WhatIfReport) -> list[Delta]:
    """The figures the change changed, in the order a person reads them."""
    before, after = report.before, report.after
    found: list[Delta] = []
    if before.nodes != after.nodes:
        found.append(Delta("nodes", _n(before.nodes), _n(after.nodes), "planned"))
    if before.pods_capacity != after.pods_capacity:
        found.append(Delta("pods capacity", _n(before.pods_capacity), _n(after.pods_capacity)))
    if before.pods_cidr is not None and after.pods_cidr is not None and \
            before.pods_cidr.node_slots_used != after.pods_cidr.node_slots_used:
        found.append(Delta("pods CIDR slots used", _n(before.pods_cidr.node_slots_used),
                           _n(after.pods_cidr.node_slots_used), f"of {after.pods_cidr.node_slots:,}"))
    found += _subnet_deltas(before, after)
    found += _pool_deltas(before, after)
    return found


def _subnet_deltas(before: ClusterCapacity, after: ClusterCapacity) -> list[Delta]:
    was = {s.id: s for s in before.subnets}
    found = []
    for subnet in after.subnets:
        old = was.get(subnet.id)
        if old is None or (old.reserved_ips, old.utilization) == (subnet.reserved_ips, subnet.utilization):
            continue
        kind = "pod subnet" if "pods" in subnet.roles else "worker subnet" if "workers" in subnet.roles else "subnet"
        found.append(Delta(f"{kind} {subnet.name}", _n(old.reserved_ips), _n(subnet.reserved_ips),
                           f"of {subnet.usable_ips:,} IPs ({_fill(old)} → {_fill(subnet)})"))
    return found


def _pool_deltas(before: ClusterCapacity, after: ClusterCapacity) -> list[Delta]:
    was = {p.name: p for p in before.node_pools}
    found = []
    for pool in after.node_pools:
        old = was.get(pool.name)
        if old is None:
            nodes = "? nodes" if pool.nodes is None else plural(pool.nodes, "node")
            found.append(Delta(f"{pool.name} (new)", "-", nodes,
                               f"{_n(pool.max_pods_per_node)} pods/node, room {_room(pool.headroom)}"))
            continue
        if old.max_pods_per_node != pool.max_pods_per_node:
            found.append(Delta(f"{pool.name} pods/node", _n(old.max_pods_per_node), _n(pool.max_pods_per_node)))
        if old.pod_subnet_ips_per_node != pool.pod_subnet_ips_per_node:
            found.append(Delta(f"{pool.name} pod-subnet IPs/node", _n(old.pod_subnet_ips_per_node),
                               _n(pool.pod_subnet_ips_per_node)))
        if _room(old.headroom) != _room(pool.headroom):
            limit = pool.headroom.limited_by if pool.headroom is not None else None
            before_limit = old.headroom.limited_by if old.headroom is not None else None
            full = pool.headroom is not None and pool.headroom.more_nodes == 0
            # The limit is named once it binds, or when it is not the one that bound before.
            said = f" ({limit})" if limit and (limit != before_limit or full) else ""
            found.append(Delta(f"room {pool.name}", _room(old.headroom), _room(pool.headroom), f"nodes{said}"))
    return found


def binding(report: WhatIfReport) -> list[Finding]:
    """The errors that make the change not fit: over a limit it counts against, or new or worse."""
    new_or_worse = [*report.new_findings, *(w.finding for w in report.worse_findings)]
    # Else a limit already over before the change, and still over after it.
    return [f for f in new_or_worse if f.severity is Severity.ERROR] or [
        f for f in report.findings if f.severity is Severity.ERROR and f.code in SIZE_CODES]


def untouched_errors(report: WhatIfReport) -> int:
    """Errors the cluster has after the change that the change neither made nor made worse."""
    made = {(f.code, f.subject) for f in binding(report)}
    return sum(1 for f in report.findings if f.severity is Severity.ERROR and (f.code, f.subject) not in made)


def verdict_reason(report: WhatIfReport) -> str:
    """Why the verdict is what it is, in a few words."""
    if report.verdict == "does not fit":
        return "; ".join(f"{f.code} on {f.subject}" for f in binding(report)) or "an error after the change"
    if report.verdict == "unknown":
        if report.unknown_limits:
            # "pod subnet X: IPs in use not read" → grouped by reason: "IPs in use not read: pod subnet X, ..."
            reasons: dict[str, list[str]] = {}
            for said in report.unknown_limits:
                limit, _, reason = said.rpartition(": ")
                reasons.setdefault(reason, []).append(limit)
            return "; ".join(f"{reason}: {', '.join(limits)}" for reason, limits in reasons.items())
        unknown = [f.code for f in report.new_findings if f.severity is not Severity.ERROR]
        return ("a figure it needs is unknown" + (f" ({', '.join(dict.fromkeys(unknown))})" if unknown else ""))
    if report.unread_limits:
        return (f"asks no more IPs than before of {', '.join(report.unread_limits)} (IPs in use not read); "
                "every other limit has room")
    return "every limit its node pools count against has room"

"""Terminal text for capacity: one cluster's pods CIDR, node pools (with their headroom) and subnets; the
capacity answer; the cluster list."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from bot.render.textkit import (
    SEVERITY_STYLE,
    Row,
    findings_list,
    footer,
    n,
    pct,
    plural,
    table_or_list,
)
from engine.findings import FindingCounts
from engine.reports import (
    CapacityReport,
    ClusterCapacity,
    ClusterListReport,
    NodePoolCapacity,
    PoolRoom,
    SubnetCapacity,
)


def room_text(room: PoolRoom | None) -> str:
    """A pool's headroom: "+2 (pods CIDR)", "+0 (pod subnet X)", "? (pod subnet X)", "≤+16 (pod subnet X; IPs
    in use not read)" when only the IPs in use are unknown, "-" for a virtual pool."""
    if room is None:
        return "-"
    if room.more_nodes is None and room.at_most is not None:
        return f"≤+{room.at_most:,} ({room.limited_by}; IPs in use not read)"
    limit = f" ({room.limited_by})" if room.limited_by else ""
    return f"?{limit}" if room.more_nodes is None else f"+{room.more_nodes:,}{limit}"


def _nodes(pool: NodePoolCapacity) -> str:
    if pool.nodes is None and pool.size is not None:
        return f"{pool.size:,} planned"
    return n(pool.nodes)


def _pool_rows(report: ClusterCapacity) -> list[Row]:
    rows = []
    for pool in report.node_pools:
        name = pool.name + (" (virtual)" if pool.type == "virtual" else "")
        limited = f" ({pool.limited_by})" if pool.limited_by else ""
        summary = (f"{n(pool.shape)}, {_nodes(pool)} nodes, {plural(pool.vnics_per_node, 'VNIC')}/node, "
                   f"{n(pool.max_pods_per_node)} pods/node{limited}, {n(pool.pods_capacity)} pods; "
                   f"room {room_text(pool.headroom)}")
        cells = [name, n(pool.shape), _nodes(pool), n(pool.vnics_per_node), n(pool.max_pods_per_node),
                 n(pool.limited_by), n(pool.pods_capacity), room_text(pool.headroom)]
        rows.append(Row(cells=cells, summary=summary))
    return rows


def _utilization(subnet: SubnetCapacity) -> str:
    if subnet.utilization_at_least and subnet.utilization is not None:
        return f"≥{pct(subnet.utilization)}"
    return pct(subnet.utilization)


def _subnet_rows(report: ClusterCapacity, *, unattributed: bool) -> list[Row]:
    rows = []
    for subnet in report.subnets:
        nobody = f", {n(subnet.unattributed_ips)} held by no pool" if unattributed else ""
        summary = (f"{', '.join(subnet.roles)} · {', '.join(subnet.cidrs)} · {n(subnet.usable_ips)} usable, "
                   f"{n(subnet.used_ips)} used, {n(subnet.reserved_ips)} reserved{nobody} · "
                   f"{_utilization(subnet)} full")
        cells = [subnet.name, ", ".join(subnet.roles), ", ".join(subnet.cidrs), n(subnet.usable_ips),
                 n(subnet.used_ips), n(subnet.reserved_ips), *((n(subnet.unattributed_ips),) if unattributed else ()),
                 _utilization(subnet)]
        rows.append(Row(cells=cells, summary=summary))
    return rows


def cluster_header(report: ClusterCapacity) -> Text:
    pods = f", {n(report.pods_capacity)} pods max" if report.pods_capacity is not None else ""
    return Text(f"{report.name}  ({report.cni}, Kubernetes {n(report.kubernetes_version)}, "
                f"{plural(report.nodes, 'node')}{pods})", style="bold")


def no_capacity_findings(report: ClusterCapacity) -> str:
    """ "No capacity findings.", and how many others the cluster has, so that none does not read as healthy."""
    other = report.other_findings
    said = other_counts(other)
    if not said:
        return "No capacity findings."
    return f"No capacity findings; the cluster has {said} of other kinds (okebot diagnose {report.name})."


def other_counts(counts: FindingCounts | None) -> str:
    """ "3 errors and 1 warning": the counts that are not zero, or "" when all are."""
    if counts is None:
        return ""
    parts = [plural(counts.error, "error") if counts.error else "",
             plural(counts.warning, "warning") if counts.warning else "",
             f"{counts.info:,} info" if counts.info else ""]
    said = [part for part in parts if part]
    return ", ".join(said[:-1]) + (" and " if len(said) > 1 else "") + said[-1] if said else ""


def cluster_capacity(report: ClusterCapacity, *, width: int, with_findings: bool = True) -> RenderableType:
    """One cluster's capacity: header, pods CIDR, node pools, subnets, findings (assumptions go in the footer)."""
    parts: list[RenderableType] = [cluster_header(report)]
    if report.pods_cidr is not None:
        pc = report.pods_cidr
        parts.append(Text(f"Pods CIDR {pc.cidr}: {n(pc.node_slots_used)} of {plural(pc.node_slots, 'node slot')} "
                          f"used (/25 per node), up to {n(pc.pods_capacity)} pods"))
    parts.append(table_or_list(
        "Node pools", ("pool", "shape", "nodes", "VNICs/node", "pods/node", "limited by", "pods", "room (more nodes)"),
        _pool_rows(report), width=width, numeric=("nodes", "VNICs/node", "pods/node", "pods"),
    ))
    # IPs held by no node pool's nodes get a column only where some subnet's figure is known.
    unattributed = any(subnet.unattributed_ips is not None for subnet in report.subnets)
    columns = ("subnet", "roles", "CIDRs", "usable", "used", "reserved", *(("no pool",) if unattributed else ()),
               "full")
    parts.append(table_or_list("Subnets", columns, _subnet_rows(report, unattributed=unattributed), width=width,
                               numeric=("usable", "used", "reserved", "no pool", "full")))
    for subnet in report.subnets:
        if subnet.unattributed_holders:
            held = ", ".join(f"{h.kind} {h.holder} ({h.ips:,})" for h in subnet.unattributed_holders)
            parts.append(Text(f"In use in {subnet.name} by no node pool's nodes: {held}"))
    if with_findings:
        parts.append(findings_list(report.findings, width=width, none=no_capacity_findings(report)))
    return Group(*parts)


def capacity(report: CapacityReport, *, width: int) -> list[RenderableType]:
    if not report.clusters:
        return [Text("No clusters."), *footer(unreadable=report.unreadable, source=report.read_from)]
    clusters: list[RenderableType] = [cluster_capacity(c, width=width) for c in report.clusters]
    return [*clusters, *footer(unreadable=report.unreadable, assumptions=report.assumptions,
                               source=report.read_from)]


def cluster_list(report: ClusterListReport, *, width: int) -> list[RenderableType]:
    rows = []
    for c in report.clusters:
        worst = "-" if c.worst is None else f"{c.worst.code} ({c.worst.subject})"
        summary = (f"{c.cni} · Kubernetes {n(c.kubernetes_version)} · {plural(c.nodes, 'node')} · "
                   f"{plural(c.node_pools, 'node pool')} · {plural(c.counts.error, 'error')}, "
                   f"{plural(c.counts.warning, 'warning')} · worst: {worst}")
        shown = Text("-") if c.worst is None else Text(worst, style=SEVERITY_STYLE[c.worst.severity.value])
        cells: list[RenderableType] = [c.name, c.cni, n(c.kubernetes_version), n(c.nodes), n(c.node_pools),
                                       n(c.counts.error), n(c.counts.warning), shown]
        rows.append(Row(cells=cells, summary=summary))
    table = table_or_list("Clusters", ("cluster", "CNI", "Kubernetes", "nodes", "pools", "errors", "warnings",
                                       "worst finding"), rows, width=width,
                          numeric=("nodes", "pools", "errors", "warnings"))
    hint = Text("okebot diagnose CLUSTER shows every finding of one cluster, with its fix.", style="dim")
    return [table, hint, *footer(unreadable=report.unreadable, source=report.read_from)]

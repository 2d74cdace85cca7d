"""Block Kit for capacity: each pool's room first, then the cluster's summary, subnets, findings and the
drill-down buttons; the node-pool drill-down; the cluster list."""

from __future__ import annotations

import shlex

from bot.render.text_capacity import other_counts
from bot.slack.escape import code, escape
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.render.common import finding_line, findings_blocks, footer_blocks, num, plural, room, sections
from bot.slack.render.kit import Block, actions, button, context, divider, header, section
from engine.reports import CapacityReport, ClusterCapacity, ClusterListReport, SubnetCapacity


def _value(command: str) -> str:
    return ButtonValue(command=command).model_dump_json()


def _q(name: str) -> str:
    return shlex.quote(name)


def room_line(cluster: ClusterCapacity) -> str:
    """The first thing a capacity answer says: how many more nodes of each pool fit, and what limits them."""
    rooms = [f"{code(pool.name)} {room(pool.headroom)}" for pool in cluster.node_pools]
    return "*Room for more nodes:* " + (" · ".join(rooms) if rooms else "no node pools")


def subnet_line(subnet: SubnetCapacity) -> str:
    """A subnet's role, IPs usable, in use, reserved and held by no pool, and how full it is."""
    figures = [f"{subnet.usable_ips:,} usable"]
    figures.append("in use not read" if subnet.used_ips is None else f"{subnet.used_ips:,} in use")
    if subnet.reserved_ips:
        figures.append(f"{subnet.reserved_ips:,} reserved by node pools")
    if subnet.unattributed_ips:
        figures.append(f"{subnet.unattributed_ips:,} in use by no node pool's nodes")
    used = ", ".join(figures)
    util = ""
    if subnet.utilization is not None:
        least = "at least " if subnet.utilization_at_least else ""
        util = f" ({least}{num(subnet.utilization)} full)"
    cidrs = ", ".join(escape(c) for c in subnet.cidrs)
    roles = escape(", ".join(subnet.roles) or subnet.role)
    return f"• {code(subnet.name)} _{roles}_ {cidrs}: {used}{util}"


def cluster_summary(cluster: ClusterCapacity) -> str:
    """CNI, version, nodes, the pods its nodes can run and the pods CIDR's slots, as one mrkdwn paragraph."""
    parts = [
        f"CNI *{escape(cluster.cni)}*",
        f"Kubernetes {escape(cluster.kubernetes_version or 'unknown')}",
        plural(cluster.nodes, "node"),
        plural(len(cluster.node_pools), "node pool"),
    ]
    if cluster.pods_capacity is not None:
        parts.append(f"{cluster.pods_capacity:,} pods max on its nodes")
    text = " · ".join(parts)
    if cluster.pods_cidr is not None:
        cidr = cluster.pods_cidr
        text += (
            f"\nPods CIDR {code(cidr.cidr)}: {num(cidr.node_slots_used)} of {plural(cidr.node_slots, 'node slot')} "
            f"used (room for {cidr.pods_capacity:,} pods at 110 per node)"
        )
    return text


def capacity_actions(cluster_name: str) -> Block:
    """The drill-down buttons under one cluster's capacity."""
    return actions(
        [
            button("Node pools", action_id=ActionId.NODE_POOLS, value=_value(f"capacity {_q(cluster_name)}")),
            button("Diagnose", action_id=ActionId.DIAGNOSE, value=_value(f"diagnose {_q(cluster_name)}")),
            button("What-if…", action_id=ActionId.WHATIF, value=_value(f"whatif {_q(cluster_name)}")),
        ]
    )


def _no_findings(cluster: ClusterCapacity) -> str:
    others = other_counts(cluster.other_findings)
    if not others:
        return "*Capacity findings:* none :white_check_mark:"
    return (f"*Capacity findings:* none; the cluster has {others} of other kinds "
            f"(`/oke diagnose {escape(cluster.name)}`)")


def cluster_capacity_blocks(cluster: ClusterCapacity) -> list[Block]:
    """One cluster's capacity: its pools' room, summary, subnets, findings, drill-down buttons."""
    blocks = [header(f"Capacity: {cluster.name}"), section(room_line(cluster) + "\n" + cluster_summary(cluster))]
    blocks += sections(
        [f"*Subnets* ({len(cluster.subnets)})", *(subnet_line(s) for s in cluster.subnets)],
        noun="more subnets",
    )
    blocks += findings_blocks(cluster.findings, title="Capacity findings", none=_no_findings(cluster))
    blocks.append(capacity_actions(cluster.name))
    return blocks


def render_node_pools(cluster: ClusterCapacity) -> list[Block]:
    """The "Node pools" drill-down: each pool's shape, size, pods per node, what limits it, and its room."""
    lines = [f"*Node pools of {escape(cluster.name)}* ({len(cluster.node_pools)})"]
    for pool in cluster.node_pools:
        lines.append(
            f"• {code(pool.name)} _{escape(pool.type)}_ {escape(pool.shape or 'shape unknown')}: "
            f"{plural(pool.nodes, 'node')} (size {num(pool.size)}), {num(pool.max_pods_per_node)} pods/node"
            + (f" limited by {escape(pool.limited_by)}" if pool.limited_by else "")
            + f", {num(pool.pods_capacity)} pods; {num(pool.pod_subnet_ips_per_node)} pod-subnet IPs/node; "
            f"room {room(pool.headroom)}"
        )
    return [header(f"Node pools: {cluster.name}"), *sections(lines, noun="more node pools")]


def capacity(report: CapacityReport) -> list[Block]:
    blocks: list[Block] = []
    for index, cluster in enumerate(report.clusters):
        if index:
            blocks.append(divider())
        blocks += cluster_capacity_blocks(cluster)
    if not report.clusters:
        blocks.append(section("No clusters found."))
    return blocks + footer_blocks(unreadable=report.unreadable, assumptions=report.assumptions,
                                  source=report.read_from)


def cluster_list(report: ClusterListReport) -> list[Block]:
    lines = []
    for c in report.clusters:
        worst = finding_line(c.worst) if c.worst else ":white_check_mark: no findings"
        version = escape(c.kubernetes_version or "?")
        lines.append(
            f"*{escape(c.name)}* · {escape(c.cni)} · Kubernetes {version}"
            f" · {plural(c.nodes, 'node')} · {plural(c.node_pools, 'node pool')} · {plural(c.counts.error, 'error')}, "
            f"{plural(c.counts.warning, 'warning')}\n{worst}"
        )
    body = sections(lines, noun="more clusters") if lines else [section("You may see no clusters here.")]
    source = footer_blocks(unreadable=report.unreadable, source=report.read_from) if report.read_from else [
        context(f"_Source:_ {escape(report.source)}"), *footer_blocks(unreadable=report.unreadable)]
    return [header("Clusters"), *body, *source]

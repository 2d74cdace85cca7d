"""Reports → Block Kit. Pure: a report in, blocks out; every OCI- or user-derived string is escaped."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from functools import singledispatch

from bot.slack.escape import code, escape
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.render.digest_blocks import digest_blocks
from bot.slack.render.kit import (
    MAX_SECTION_TEXT,
    SEVERITY_ICON,
    Block,
    actions,
    button,
    context,
    divider,
    header,
    section,
)
from engine.digest.report import DigestReport
from engine.findings import Finding
from engine.model import Unreadable
from engine.reports import (
    CapacityReport,
    ClusterCapacity,
    ClusterCniStatus,
    ClusterListReport,
    CniReport,
    CodeExplanation,
    DiagnoseReport,
    RulesReport,
    SubnetCapacity,
    ValidationReport,
    WhatIfReport,
)

MAX_FINDINGS_SHOWN = 12
MAX_LINES_SHOWN = 30


def sections(lines: Sequence[str], *, limit: int = MAX_LINES_SHOWN, noun: str = "more") -> list[Block]:
    """Lines packed into as few sections as the 3000-char limit allows, with "N more" past `limit`."""
    shown = list(lines[:limit])
    if len(lines) > limit:
        shown.append(f"_…and {len(lines) - limit} {noun}_")
    out: list[Block] = []
    chunk = ""
    for line in shown:
        if chunk and len(chunk) + len(line) + 1 > MAX_SECTION_TEXT:
            out.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        out.append(section(chunk))
    return out


def finding_line(finding: Finding) -> str:
    """One finding: severity icon, code, message, subject and remedy."""
    icon = SEVERITY_ICON.get(str(finding.severity), "")
    return (
        f"{icon} {code(finding.code)} {escape(finding.message)} _({escape(finding.subject)})_\n"
        f"      _Fix:_ {escape(finding.remedy)}"
    )


def findings_blocks(findings: Sequence[Finding], *, title: str = "Findings") -> list[Block]:
    """Findings worst first, at most MAX_FINDINGS_SHOWN, or a line saying there are none."""
    if not findings:
        return [section(f"*{title}:* none :white_check_mark:")]
    lines = [f"*{title}* ({len(findings)})", *(finding_line(f) for f in findings)]
    return sections(lines, limit=MAX_FINDINGS_SHOWN + 1, noun="more findings")


def unreadable_blocks(unreadable: Sequence[Unreadable]) -> list[Block]:
    """A warning that the answer is partial, naming what could not be read."""
    if not unreadable:
        return []
    parts = [f"{escape(u.kind)} {code(u.id or '?')}: {escape(u.message)}" for u in unreadable[:5]]
    more = f" (+{len(unreadable) - 5} more)" if len(unreadable) > 5 else ""
    return [context(":warning: Partial answer, could not read: " + "; ".join(parts) + more)]


def _num(value: int | float | None) -> str:
    return "unknown" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:.0%}"


def _value(command: str) -> str:
    return ButtonValue(command=command).model_dump_json()


def subnet_line(subnet: SubnetCapacity) -> str:
    """A subnet's role, IPs used of usable, and how many more nodes fit per pool."""
    figures = [f"{subnet.usable_ips:,} usable"]
    figures.append("in use not read" if subnet.used_ips is None else f"{subnet.used_ips:,} in use")
    if subnet.reserved_ips:
        figures.append(f"{subnet.reserved_ips:,} reserved by node pools")
    if subnet.unattributed_ips:
        figures.append(f"{subnet.unattributed_ips:,} in use by no node pool's nodes")
    used = ", ".join(figures)
    util = f" ({_num(subnet.utilization)} full)" if subnet.utilization is not None else ""
    head = ", ".join(f"{escape(h.node_pool)}: +{_num(h.more_nodes)} nodes" for h in subnet.headroom[:4])
    cidrs = ", ".join(escape(c) for c in subnet.cidrs)
    roles = escape(", ".join(subnet.roles) or subnet.role)
    return f"• {code(subnet.name)} _{roles}_ {cidrs}: {used}{util}" + (f"; headroom {head}" if head else "")


def cluster_summary(cluster: ClusterCapacity) -> str:
    """CNI, version, nodes and pods-CIDR slots of one cluster, as one mrkdwn paragraph."""
    parts = [
        f"CNI *{escape(cluster.cni)}*",
        f"Kubernetes {escape(cluster.kubernetes_version or 'unknown')}",
        f"{_num(cluster.nodes)} nodes",
        f"{len(cluster.node_pools)} node pools",
    ]
    total = [p.pods_capacity for p in cluster.node_pools]
    if total and all(t is not None for t in total):
        parts.append(f"{sum(t for t in total if t is not None):,} pods max")
    text = " · ".join(parts)
    if cluster.pods_cidr is not None:
        cidr = cluster.pods_cidr
        text += (
            f"\nPods CIDR {code(cidr.cidr)}: {_num(cidr.node_slots_used)} of {cidr.node_slots:,} "
            f"node slots used, {cidr.pods_capacity:,} pods"
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


def _q(name: str) -> str:
    return shlex.quote(name)


def cluster_capacity_blocks(cluster: ClusterCapacity) -> list[Block]:
    """One cluster's capacity: summary, subnets, findings, assumptions, drill-down buttons."""
    blocks = [header(f"Capacity: {cluster.name}"), section(cluster_summary(cluster))]
    blocks += sections(
        [f"*Subnets* ({len(cluster.subnets)})", *(subnet_line(s) for s in cluster.subnets)],
        noun="more subnets",
    )
    blocks += findings_blocks(cluster.findings)
    if cluster.assumptions:
        blocks.append(context(*(escape(a) for a in cluster.assumptions[:3])))
    blocks.append(capacity_actions(cluster.name))
    return blocks


def render_node_pools(cluster: ClusterCapacity) -> list[Block]:
    """The "Node pools" drill-down: each pool's shape, size, pods per node and what limits it."""
    lines = [f"*Node pools of {escape(cluster.name)}* ({len(cluster.node_pools)})"]
    for pool in cluster.node_pools:
        lines.append(
            f"• {code(pool.name)} _{escape(pool.type)}_ {escape(pool.shape or 'shape unknown')}: "
            f"{_num(pool.nodes)} nodes (size {_num(pool.size)}), {_num(pool.max_pods_per_node)} pods/node"
            + (f" limited by {escape(pool.limited_by)}" if pool.limited_by else "")
            + f", {_num(pool.pods_capacity)} pods; {_num(pool.pod_subnet_ips_per_node)} pod-subnet IPs/node"
        )
    return [header(f"Node pools: {cluster.name}"), *sections(lines, noun="more node pools")]


@singledispatch
def render_blocks(report: object) -> list[Block]:
    """The Block Kit body of any answer."""
    raise TypeError(f"no Block Kit renderer for {type(report).__name__}")


@render_blocks.register
def _digest(report: DigestReport) -> list[Block]:
    return digest_blocks(report)


@render_blocks.register
def _capacity(report: CapacityReport) -> list[Block]:
    blocks: list[Block] = []
    for index, cluster in enumerate(report.clusters):
        if index:
            blocks.append(divider())
        blocks += cluster_capacity_blocks(cluster)
    if not report.clusters:
        blocks.append(section("No clusters found."))
    return blocks + unreadable_blocks(report.unreadable)


@render_blocks.register
def _cluster_list(report: ClusterListReport) -> list[Block]:
    lines = []
    for c in report.clusters:
        worst = finding_line(c.worst) if c.worst else ":white_check_mark: no findings"
        version = escape(c.kubernetes_version or "?")
        lines.append(
            f"*{escape(c.name)}* · {escape(c.cni)} · Kubernetes {version}"
            f" · {_num(c.nodes)} nodes · {c.node_pools} pools · {c.counts.error} errors, "
            f"{c.counts.warning} warnings\n{worst}"
        )
    body = sections(lines, noun="more clusters") if lines else [section("You may see no clusters here.")]
    return [
        header("Clusters"),
        *body,
        context(f"Source: {escape(report.source)}"),
        *unreadable_blocks(report.unreadable),
    ]


@render_blocks.register
def _diagnose(report: DiagnoseReport) -> list[Block]:
    counts = report.counts
    summary = f"{counts.error} errors, {counts.warning} warnings, {counts.info} notes. " + cluster_summary(
        report.cluster
    )
    return [
        header(f"Diagnose: {report.cluster.name}"),
        section(summary),
        *findings_blocks(report.findings),
        *cni_blocks(report.cni),
        *unreadable_blocks(report.unreadable),
    ]


def cni_blocks(status: ClusterCniStatus) -> list[Block]:
    """A cluster's CNI add-on, whether an update is pending, and the nodes that wait for it."""
    addon = status.addon
    version = "add-on not read"
    if addon is not None:
        installed = escape(addon.current_installed_version or addon.version or "?")
        newest = addon.newest_available_version
        version = f"add-on {code(addon.name)} {installed}" + (f" (newest {escape(newest)})" if newest else "")
    pending = {True: "update pending", False: "up to date", None: "update state unknown"}[
        status.pending_update
    ]
    lines = [
        f"*CNI {escape(status.cni)}* on {code(status.name)}: {version}, {pending}",
        f"_Action:_ {escape(status.action)}",
    ]
    lines += [
        f"• {code(n.node or '?')} pod {code(n.pod)}: {escape(n.reason)} → {escape(n.action)}"
        for n in status.pending_nodes
    ]
    ready = {True: "Ready", False: "not Ready", None: "readiness unknown"}
    lines += [
        f":warning: {code(p.node or '?')} pod {code(p.pod)}: {ready[p.ready]}, {_num(p.restarts)} restarts"
        + "".join(f"\n      {e.count} × {code(e.line[:200])}" for e in p.errors[:3])
        + (f"\n      _…and {len(p.errors) - 3} more error lines_" if len(p.errors) > 3 else "")
        for p in status.pod_errors
    ]
    return sections(lines, noun="more nodes") + (
        [context(*(escape(n) for n in status.notes[:5]))] if status.notes else []
    )


@render_blocks.register
def _cni(report: CniReport) -> list[Block]:
    blocks: list[Block] = [header("CNI status")]
    for status in report.clusters:
        blocks += cni_blocks(status)
    if not report.clusters:
        blocks.append(section("No clusters found."))
    return blocks + unreadable_blocks(report.unreadable)


@render_blocks.register
def _whatif(report: WhatIfReport) -> list[Block]:
    verdict = {
        "fits": ":white_check_mark: fits",
        "does not fit": ":x: does not fit",
        "unknown": ":grey_question: capacity unknown",
    }[report.verdict]
    changes = "\n".join(f"• {escape(c)}" for c in report.changes) or "• no change"
    before = sum(p.pods_capacity or 0 for p in report.before.node_pools)
    after = sum(p.pods_capacity or 0 for p in report.after.node_pools)
    return [
        header(f"What-if: {report.cluster}"),
        section(f"*Changes* ({verdict})\n{changes}"),
        section(f"*Pods capacity* {before:,} → {after:,}\n" + cluster_summary(report.after)),
        *sections(["*Subnets after*", *(subnet_line(s) for s in report.after.subnets)], noun="more subnets"),
        *findings_blocks(report.new_findings, title="New findings"),
        *findings_blocks(report.resolved_findings, title="Resolved findings"),
    ]


@render_blocks.register
def _validation(report: ValidationReport) -> list[Block]:
    verdict = ":white_check_mark: valid" if report.valid else ":x: not valid"
    counts = report.counts
    return [
        header(f"Plan check: {report.plan}"),
        section(f"{verdict}: {counts.error} errors, {counts.warning} warnings, {counts.info} notes"),
        *findings_blocks(report.findings),
        *([context(*(escape(a) for a in report.assumptions))] if report.assumptions else []),
    ]


@render_blocks.register
def _rule(report: CodeExplanation) -> list[Block]:
    icon = SEVERITY_ICON.get(str(report.severity), "")
    return [
        header(f"{report.code}: {report.title}"),
        section(
            f"{icon} *{escape(report.severity)}*\n*Meaning:* {escape(report.meaning)}\n"
            f"*Why:* {escape(report.why)}\n*Fix:* {escape(report.remedy)}"
        ),
        context(f"Source: {escape(report.source)}"),
    ]


@render_blocks.register
def _rules_report(report: RulesReport) -> list[Block]:
    lines = [f"{SEVERITY_ICON.get(str(r.severity), '')} {code(r.code)} {escape(r.title)}" for r in report.rules]
    return [
        header(f"Finding codes ({len(lines)})"),
        *sections(lines, limit=200),
        context("`/oke explain CODE` tells what one means and how to fix it."),
    ]

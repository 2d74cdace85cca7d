"""Plain-text (terminal) rendering of reports: pure, from a report to a string.

Tables come from rich; colour only when the caller says the output is a terminal.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import singledispatch

from pydantic import BaseModel
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.render.digest_text import digest_text
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
    ValidationReport,
    WhatIfReport,
)

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
WIDTH = 120


def _n(value: object) -> str:
    """A figure, or "?" for a value that was not read."""
    if value is None:
        return "?"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _pct(value: float | None) -> str:
    return "?" if value is None else f"{value * 100:.1f}%"


def findings_table(findings: Sequence[Finding]) -> RenderableType:
    """Findings, worst first, each with its remedy."""
    if not findings:
        return Text("No findings.", style="green")
    table = Table(show_header=True, header_style="bold", expand=False, show_lines=False)
    for column in ("severity", "code", "subject", "message / fix"):
        table.add_column(column, overflow="fold")
    for finding in findings:
        body = Text(finding.message)
        if finding.remedy:
            body.append(f"\n→ {finding.remedy}", style="dim")
        table.add_row(
            Text(finding.severity.value, style=_SEVERITY_STYLE[finding.severity.value]),
            finding.code,
            finding.subject,
            body,
        )
    return table


def _unreadable(items: Sequence[Unreadable]) -> list[RenderableType]:
    if not items:
        return []
    lines = Text("Partial answer — could not read:\n", style="bold yellow")
    for item in items:
        extra = ", ".join(
            part
            for part in (
                f"HTTP {item.status}" if item.status else "",
                item.code or "",
                f"opc-request-id {item.request_id}" if item.request_id else "",
            )
            if part
        )
        what = f"{item.kind} {item.id}" if item.id else item.kind
        lines.append(f"  {what}: {item.message}" + (f" ({extra})" if extra else "") + "\n")
    return [lines]


def cluster_capacity(report: ClusterCapacity, *, with_findings: bool = True) -> RenderableType:
    """One cluster's capacity: header, pods CIDR, node pools, subnets, findings, assumptions."""
    parts: list[RenderableType] = [
        Text(
            f"{report.name}  ({report.cni}, Kubernetes {_n(report.kubernetes_version)}, {_n(report.nodes)} nodes)",
            style="bold",
        )
    ]
    if report.pods_cidr is not None:
        pc = report.pods_cidr
        parts.append(
            Text(
                f"Pods CIDR {pc.cidr}: {_n(pc.node_slots_used)} of {pc.node_slots} node slots used "
                f"(/25 per node), up to {pc.pods_capacity} pods"
            )
        )
    pools = Table(title="Node pools", title_justify="left", header_style="bold")
    pools.add_column("pool", no_wrap=True)
    for column in ("type", "shape", "nodes", "VNICs/node", "max pods/node", "limited by", "pods"):
        pools.add_column(column, overflow="fold")
    for pool in report.node_pools:
        nodes = f"{pool.size} planned" if pool.nodes is None and pool.size is not None else _n(pool.nodes)
        pools.add_row(
            pool.name, pool.type, _n(pool.shape), nodes, _n(pool.vnics_per_node),
            _n(pool.max_pods_per_node), _n(pool.limited_by), _n(pool.pods_capacity),
        )
    parts.append(pools)
    subnets = Table(title="Subnets", title_justify="left", header_style="bold")
    subnets.add_column("subnet", no_wrap=True)
    # IPs held by no node pool's nodes get a column only where some subnet's figure is known.
    unattributed = any(subnet.unattributed_ips is not None for subnet in report.subnets)
    columns = ("roles", "CIDRs", "usable", "used", "reserved", *(("no pool",) if unattributed else ()),
               "utilization", "room for")
    for column in columns:
        subnets.add_column(column, overflow="fold")
    for subnet in report.subnets:
        room = ", ".join(f"{_n(h.more_nodes)} × {h.node_pool}" for h in subnet.headroom)
        subnets.add_row(
            subnet.name, ", ".join(subnet.roles), ", ".join(subnet.cidrs), _n(subnet.usable_ips),
            _n(subnet.used_ips), _n(subnet.reserved_ips),
            *((_n(subnet.unattributed_ips),) if unattributed else ()), _pct(subnet.utilization), room or "-",
        )
    parts.append(subnets)
    for subnet in report.subnets:
        if subnet.unattributed_holders:
            held = ", ".join(f"{h.kind} {h.holder} ({h.ips})" for h in subnet.unattributed_holders)
            parts.append(Text(f"In use in {subnet.name} by no node pool's nodes: {held}"))
    if with_findings:
        parts.append(findings_table(report.findings))
    parts.extend(Text(f"Assumption: {text}", style="dim") for text in report.assumptions)
    return Group(*parts)


def _capacity(report: CapacityReport) -> list[RenderableType]:
    if not report.clusters:
        return [Text("No clusters.")]
    return [cluster_capacity(c) for c in report.clusters] + _unreadable(report.unreadable)


def _validation(report: ValidationReport) -> list[RenderableType]:
    verdict = Text("VALID" if report.valid else "INVALID", style="bold green" if report.valid else "bold red")
    summary = Text(f"{report.plan}: ").append(verdict).append(
        f"  ({report.counts.error} errors, {report.counts.warning} warnings, {report.counts.info} info)"
    )
    assumptions = [Text(f"Assumption: {text}", style="dim") for text in report.assumptions]
    return [summary, findings_table(report.findings), *assumptions, *_unreadable(report.unreadable)]


def _cni_cluster(status: ClusterCniStatus) -> RenderableType:
    addon = status.addon
    if addon is None:
        addon_text = "add-on: not read"
    else:
        managed = "managed by Oracle" if addon.managed_by_oracle else f"pinned to {addon.version}"
        addon_text = f"add-on {addon.name}: installed {_n(addon.current_installed_version)}, {managed}"
        if addon.newest_available_version:
            addon_text += f", newest {addon.newest_available_version}"
    pending = {True: "yes", False: "no", None: "unknown (not read)"}[status.pending_update]
    parts: list[RenderableType] = [
        Text(f"{status.name}  ({status.cni})", style="bold"),
        Text(addon_text),
        Text(f"update pending: {pending}"),
    ]
    if status.pending_nodes:
        table = Table(header_style="bold")
        for column in ("node", "CNI pod", "reason", "action"):
            table.add_column(column, overflow="fold")
        for node in status.pending_nodes:
            table.add_row(_n(node.node), node.pod, node.reason, node.action)
        parts.append(table)
    if status.pod_errors:
        troubled = Table(title="CNI pods in trouble", title_justify="left", header_style="bold")
        for column in ("node", "CNI pod", "ready", "restarts", "error lines (count)"):
            troubled.add_column(column, overflow="fold")
        ready = {True: "yes", False: "no", None: "?"}
        for item in status.pod_errors:
            lines = "\n".join(f"{error.count} × {error.line}" for error in item.errors) or "-"
            troubled.add_row(_n(item.node), item.pod, ready[item.ready], _n(item.restarts), lines)
        parts.append(troubled)
    parts.append(Text(f"What to do: {status.action}"))
    parts.extend(Text(f"Note: {note}", style="dim") for note in status.notes)
    return Group(*parts)


def _diagnose(report: DiagnoseReport) -> list[RenderableType]:
    counts = report.counts
    head = Text(
        f"Diagnosis of {report.cluster.name}: {counts.error} errors, {counts.warning} warnings, {counts.info} info",
        style="bold",
    )
    return [
        head,
        findings_table(report.findings),
        _cni_cluster(report.cni),
        cluster_capacity(report.cluster, with_findings=False),
    ]


def _whatif(report: WhatIfReport) -> list[RenderableType]:
    parts: list[RenderableType] = [Text(f"What if, on {report.cluster}:", style="bold")]
    parts.extend(Text(f"  • {change}") for change in report.changes)
    style = {"fits": "bold green", "does not fit": "bold red", "unknown": "bold yellow"}[report.verdict]
    parts.append(Text(f"Verdict: {report.verdict}", style=style))
    if report.new_findings:
        parts += [Text("New findings:", style="bold"), findings_table(report.new_findings)]
    if report.resolved_findings:
        parts += [Text("Resolved findings:", style="bold"), findings_table(report.resolved_findings)]
    parts += [Text("Before:", style="bold underline"), cluster_capacity(report.before)]
    parts += [Text("After:", style="bold underline"), cluster_capacity(report.after)]
    return parts + _unreadable(report.unreadable)


def _cluster_list(report: ClusterListReport) -> list[RenderableType]:
    table = Table(title=f"Clusters — {report.source}", title_justify="left", header_style="bold")
    for column in ("cluster", "CNI", "Kubernetes", "nodes", "pools", "errors", "warnings", "worst finding"):
        table.add_column(column, overflow="fold")
    for c in report.clusters:
        # The code and what it is about fit a table cell; `okebot diagnose CLUSTER` gives the whole story.
        worst = Text("-") if c.worst is None else Text(
            f"{c.worst.code} ({c.worst.subject})", style=_SEVERITY_STYLE[c.worst.severity.value]
        )
        table.add_row(c.name, c.cni, _n(c.kubernetes_version), _n(c.nodes), str(c.node_pools),
                      str(c.counts.error), str(c.counts.warning), worst)
    hint = Text("okebot diagnose CLUSTER shows every finding of one cluster, with its fix.", style="dim")
    return [table, hint, *_unreadable(report.unreadable)]


@singledispatch
def renderables(report: BaseModel) -> list[RenderableType]:
    """The rich renderables of a report; every report type okebot answers with registers its own."""
    raise TypeError(f"no text renderer for {type(report).__name__}: register one in bot/render/text.py")


@renderables.register
def _digest_report(report: DigestReport) -> list[RenderableType]:
    return [Text(digest_text(report, color=False).rstrip("\n"))]


@renderables.register
def _capacity_report(report: CapacityReport) -> list[RenderableType]:
    return _capacity(report)


@renderables.register
def _validation_report(report: ValidationReport) -> list[RenderableType]:
    return _validation(report)


@renderables.register
def _cni_report(report: CniReport) -> list[RenderableType]:
    return [_cni_cluster(c) for c in report.clusters] + _unreadable(report.unreadable)


@renderables.register
def _diagnose_report(report: DiagnoseReport) -> list[RenderableType]:
    return _diagnose(report) + _unreadable(report.unreadable)


@renderables.register
def _whatif_report(report: WhatIfReport) -> list[RenderableType]:
    return _whatif(report)


@renderables.register
def _cluster_list_report(report: ClusterListReport) -> list[RenderableType]:
    return _cluster_list(report)


@renderables.register
def _rules_report(report: RulesReport) -> list[RenderableType]:
    table = Table(header_style="bold")
    for column in ("code", "severity", "title"):
        table.add_column(column, overflow="fold")
    for rule in report.rules:
        table.add_row(rule.code, rule.severity.value, rule.title)
    return [table]


@renderables.register
def _explanation(report: CodeExplanation) -> list[RenderableType]:
    severity = report.severity.value + (f" ({report.severity_note})" if report.severity_note else "")
    rows = (("code", report.code), ("severity", severity), ("title", report.title), ("meaning", report.meaning),
            ("why", report.why), ("source", report.source), ("remedy", report.remedy))
    return [Text(f"{label}: {value}") for label, value in rows]


def render_text(report: BaseModel, *, color: bool = False, width: int = WIDTH) -> str:
    """Render a report as terminal text; ANSI colour only when `color`."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False, emoji=False,
                      markup=False)
    for item in renderables(report):
        console.print(item)
        console.print()
    return buffer.getvalue()

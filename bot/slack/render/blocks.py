"""Reports → Block Kit. Pure: a report in, blocks out; every OCI- or user-derived string is escaped.

`render_blocks` dispatches on the report type; each family lives in its module (blocks_capacity, blocks_cni,
blocks_findings, blocks_whatif; shared pieces in common). The names other modules import from here
(`sections`, `render_node_pools`, `finding_line`, ...) stay here.
"""

from __future__ import annotations

from functools import singledispatch

from bot.slack.escape import code, escape
from bot.slack.render import blocks_capacity, blocks_cni, blocks_findings, blocks_whatif
from bot.slack.render.blocks_capacity import (
    capacity_actions,
    cluster_capacity_blocks,
    cluster_summary,
    render_node_pools,
    subnet_line,
)
from bot.slack.render.blocks_cni import cni_blocks
from bot.slack.render.common import (
    MAX_FINDINGS_SHOWN,
    MAX_LINES_SHOWN,
    finding_line,
    findings_blocks,
    sections,
    unreadable_blocks,
)
from bot.slack.render.digest_blocks import digest_blocks
from bot.slack.render.kit import SEVERITY_ICON, Block, context, header, section
from engine.digest.report import DigestReport
from engine.reports import (
    CapacityReport,
    ClusterListReport,
    CniReport,
    CodeExplanation,
    DiagnoseReport,
    RulesReport,
    ValidationReport,
    WhatIfReport,
)

__all__ = [
    "MAX_FINDINGS_SHOWN", "MAX_LINES_SHOWN", "capacity_actions", "cluster_capacity_blocks", "cluster_summary",
    "cni_blocks", "finding_line", "findings_blocks", "render_blocks", "render_node_pools", "sections", "subnet_line",
    "unreadable_blocks",
]


@singledispatch
def render_blocks(report: object) -> list[Block]:
    """The Block Kit body of any answer."""
    raise TypeError(f"no Block Kit renderer for {type(report).__name__}")


@render_blocks.register
def _digest(report: DigestReport) -> list[Block]:
    return digest_blocks(report)


@render_blocks.register
def _capacity(report: CapacityReport) -> list[Block]:
    return blocks_capacity.capacity(report)


@render_blocks.register
def _cluster_list(report: ClusterListReport) -> list[Block]:
    return blocks_capacity.cluster_list(report)


@render_blocks.register
def _diagnose(report: DiagnoseReport) -> list[Block]:
    return blocks_findings.diagnose(report)


@render_blocks.register
def _cni(report: CniReport) -> list[Block]:
    return blocks_cni.cni(report)


@render_blocks.register
def _whatif(report: WhatIfReport) -> list[Block]:
    return blocks_whatif.whatif(report)


@render_blocks.register
def _validation(report: ValidationReport) -> list[Block]:
    return blocks_findings.validation(report)


@render_blocks.register
def _rule(report: CodeExplanation) -> list[Block]:
    icon = SEVERITY_ICON.get(str(report.severity), "")
    severity = escape(report.severity) + (f" ({escape(report.severity_note)})" if report.severity_note else "")
    return [
        header(f"{report.code}: {report.title}"),
        section(
            f"{icon} *{severity}*\n*Meaning:* {escape(report.meaning)}\n"
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

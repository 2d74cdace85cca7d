"""Block Kit for answers that are mostly findings: a plan's check and a cluster's diagnosis."""

from __future__ import annotations

from bot.slack.render.blocks_capacity import cluster_summary, room_line
from bot.slack.render.blocks_cni import cni_blocks
from bot.slack.render.common import findings_blocks, footer_blocks, plural
from bot.slack.render.kit import Block, header, section
from engine.findings import FindingCounts
from engine.reports import DiagnoseReport, ValidationReport


def counts_line(counts: FindingCounts) -> str:
    """ "0 errors, 1 warning, 2 info": as the terminal says it."""
    return f"{plural(counts.error, 'error')}, {plural(counts.warning, 'warning')}, {counts.info:,} info"


def diagnose(report: DiagnoseReport) -> list[Block]:
    summary = f"{counts_line(report.counts)}.\n{room_line(report.cluster)}\n" + cluster_summary(report.cluster)
    return [
        header(f"Diagnose: {report.cluster.name}"),
        section(summary),
        *findings_blocks(report.findings),
        *cni_blocks(report.cni),
        *footer_blocks(unreadable=report.unreadable, assumptions=report.assumptions, source=report.read_from),
    ]


def validation(report: ValidationReport) -> list[Block]:
    verdict = ":white_check_mark: valid" if report.valid else ":x: not valid"
    source = report.read_from if report.read_from is not None and report.read_from.kind != "plan" else None
    return [
        header(f"Plan check: {report.plan}"),
        section(f"{verdict}: {counts_line(report.counts)}"),
        *findings_blocks(report.findings),
        *footer_blocks(unreadable=report.unreadable, assumptions=report.assumptions, source=source),
    ]

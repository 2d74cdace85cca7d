"""Terminal text for answers that are mostly findings: a plan's validation and a cluster's diagnosis."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from bot.render.text_capacity import cluster_capacity, room_text
from bot.render.text_cni import cni_cluster
from bot.render.textkit import counts_text, findings_list, footer
from engine.reports import DiagnoseReport, ValidationReport


def validation(report: ValidationReport, *, width: int) -> list[RenderableType]:
    verdict = Text("VALID" if report.valid else "INVALID", style="bold green" if report.valid else "bold red")
    summary = Text(f"{report.plan}: ").append(verdict).append(f"  ({counts_text(report.counts)})")
    return [summary, findings_list(report.findings, width=width),
            *footer(unreadable=report.unreadable, assumptions=report.assumptions,
                    source=report.read_from if report.read_from is not None and report.read_from.kind != "plan"
                    else None)]


def diagnose(report: DiagnoseReport, *, width: int) -> list[RenderableType]:
    head = Text(f"Diagnosis of {report.cluster.name}: {counts_text(report.counts)}", style="bold")
    rooms = [f"{pool.name} {room_text(pool.headroom)}" for pool in report.cluster.node_pools if pool.headroom]
    return [
        head,
        *([Text(f"Room for more nodes: {'; '.join(rooms)}")] if rooms else []),
        findings_list(report.findings, width=width),
        cni_cluster(report.cni, width=width),
        cluster_capacity(report.cluster, width=width, with_findings=False),
        *footer(unreadable=report.unreadable, assumptions=report.assumptions, source=report.read_from),
    ]

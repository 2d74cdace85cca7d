"""Terminal text for a what-if: the change, the verdict and why, the figures that changed (before → after),
the findings that are new, worse, better, resolved or no longer checked; both capacity reports with --full."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from bot.render.text_capacity import cluster_capacity
from bot.render.textkit import finding_item, findings_list, footer, plural
from bot.render.whatif_delta import deltas, untouched_errors, verdict_reason
from engine.reports import ChangedFinding, WhatIfReport

_VERDICT_STYLE = {"fits": "bold green", "does not fit": "bold red", "unknown": "bold yellow"}


def _changed(items: list[ChangedFinding], *, title: str, width: int) -> list[RenderableType]:
    if not items:
        return []
    found = [finding_item(item.finding, width=width, was=item.was.value) for item in items]
    return [Group(Text(title, style="bold"), *found)]


def _delta_table(report: WhatIfReport) -> list[RenderableType]:
    rows = deltas(report)
    if not rows:
        return [Text("No capacity figure changes.")]
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for row in rows:
        grid.add_row(row.label, row.before, "→", row.after, row.note)
    return [Group(Text("Before → after:", style="bold"), Padding(grid, (0, 0, 0, 2)))]


def whatif(report: WhatIfReport, *, width: int) -> list[RenderableType]:
    verdict = Text("Verdict: ").append(report.verdict, style=_VERDICT_STYLE[report.verdict])
    verdict.append(f" ({verdict_reason(report)})")
    parts: list[RenderableType] = [Group(
        Text(f"What if, on {report.cluster}:", style="bold"),
        *(Text(f"  • {change}") for change in report.changes),
        verdict,
    )]
    parts += _delta_table(report)
    parts += _changed(report.worse_findings, title="Worse:", width=width)
    if report.new_findings:
        parts.append(findings_list(report.new_findings, width=width, title="New findings:"))
    if report.unchecked_findings:
        parts.append(findings_list(report.unchecked_findings, width=width,
                                   title="No longer checked (a figure they rest on became unknown):"))
    parts += _changed(report.better_findings, title="Better:", width=width)
    if report.resolved_findings:
        parts.append(findings_list(report.resolved_findings, width=width, title="Resolved:"))
    others = untouched_errors(report)
    if others:
        parts.append(Text(f"The cluster has {plural(others, 'other error')} this change does not touch "
                          f"(okebot diagnose {report.cluster}).", style="dim"))
    if report.full:
        parts += [Text("Before:", style="bold underline"), cluster_capacity(report.before, width=width)]
        parts += [Text("After (planned sizes):", style="bold underline"), cluster_capacity(report.after, width=width)]
    else:
        parts.append(Text("--full shows the capacity before and after in full.", style="dim"))
    return parts + footer(unreadable=report.unreadable, assumptions=report.assumptions, source=report.read_from)

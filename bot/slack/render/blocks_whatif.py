"""Block Kit for a what-if: the verdict and why, the figures that changed (before → after), and the findings
that are new, worse, better, resolved or no longer checked; with `full=yes`, the subnets after in full."""

from __future__ import annotations

from bot.render.whatif_delta import deltas, untouched_errors, verdict_reason
from bot.slack.escape import escape
from bot.slack.render.blocks_capacity import cluster_summary, subnet_line
from bot.slack.render.common import finding_line, findings_blocks, footer_blocks, plural, sections
from bot.slack.render.kit import Block, context, header, section
from engine.reports import ChangedFinding, WhatIfReport

_VERDICT = {
    "fits": ":white_check_mark: fits",
    "does not fit": ":x: does not fit",
    "unknown": ":grey_question: unknown",
}


def _changed(items: list[ChangedFinding], *, title: str) -> list[Block]:
    if not items:
        return []
    lines = [f"*{title}* ({len(items)})", *(finding_line(i.finding, was=i.was.value) for i in items)]
    return sections(lines, noun="more findings")


def whatif(report: WhatIfReport) -> list[Block]:
    changes = "\n".join(f"• {escape(c)}" for c in report.changes) or "• no change"
    figures = [f"• {escape(d.label)}: {escape(d.before)} → *{escape(d.after)}* {escape(d.note)}".rstrip()
               for d in deltas(report)] or ["• no capacity figure changes"]
    blocks = [
        header(f"What-if: {report.cluster}"),
        section(f"*{_VERDICT[report.verdict]}* — {escape(verdict_reason(report))}\n{changes}"),
        *sections(["*Before → after*", *figures], noun="more figures"),
        *_changed(report.worse_findings, title="Worse"),
    ]
    if report.new_findings:
        blocks += findings_blocks(report.new_findings, title="New findings")
    if report.unchecked_findings:
        blocks += findings_blocks(report.unchecked_findings, title="No longer checked (a figure became unknown)")
    blocks += _changed(report.better_findings, title="Better")
    if report.resolved_findings:
        blocks += findings_blocks(report.resolved_findings, title="Resolved")
    others = untouched_errors(report)
    if others:
        blocks.append(context(f"The cluster has {plural(others, 'other error')} this change does not touch "
                              f"(`/oke diagnose {escape(report.cluster)}`)."))
    if report.full:
        blocks.append(section("*After (planned sizes)*\n" + cluster_summary(report.after)))
        blocks += sections(["*Subnets after*", *(subnet_line(s) for s in report.after.subnets)],
                           noun="more subnets")
    else:
        blocks.append(context("Add `full=yes` for the capacity after the change in full."))
    return blocks + footer_blocks(unreadable=report.unreadable, assumptions=report.assumptions,
                                  source=report.read_from)

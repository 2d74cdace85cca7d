"""A capacity digest as terminal text: 80 columns, worst cluster first, changes as ▲ worse / ▼ better.

Pure: a report in, a string out. Colour (ANSI) only when asked; widths are measured without it.
"""

from __future__ import annotations

import textwrap

from bot.render.digest_format import (
    SeriesLine,
    basis_footer,
    cluster_level,
    cluster_title,
    freshness,
    heartbeat,
    missed_text,
    series_lines,
    when,
)
from engine.digest.report import DigestCluster, DigestReport
from engine.findings import Finding
from engine.words import sentence

WIDTH = 80
INDENT = "  "
_RESET = "\x1b[0m"
_STYLE = {
    "error": "\x1b[1;31m", "warning": "\x1b[33m", "ok": "\x1b[32m", "worse": "\x1b[31m", "better": "\x1b[32m",
    "bold": "\x1b[1m", "dim": "\x1b[2m",
}
_LEVEL_WORD = {"error": "ERROR", "warning": "WARNING", "ok": "ok", None: "not read"}


class _Out:
    """Lines wrapped to WIDTH, styled afterwards so colour codes never count toward the width."""

    def __init__(self, *, color: bool) -> None:
        self.color = color
        self.lines: list[str] = []

    def paint(self, text: str, style: str | None) -> str:
        return f"{_STYLE[style]}{text}{_RESET}" if self.color and style else text

    def add(self, text: str, *, indent: str = "", hang: str = "    ", style: str | None = None) -> None:
        wrapped = textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + hang,
                                break_on_hyphens=False, break_long_words=True) or [indent]
        self.lines += [self.paint(line, style) for line in wrapped]

    def blank(self) -> None:
        self.lines.append("")


def digest_text(report: DigestReport, *, color: bool) -> str:
    """The digest for a terminal or a log: headline, freshness, missed runs, then each cluster worst first.

    When nothing changed since the previous digest it is a heartbeat: the headline and one line (plus missed runs).
    Every line fits 80 columns.
    """
    out = _Out(color=color)
    out.add(f"Capacity digest · {report.source} · {when(report.generated_at)}", style="bold")
    missed = missed_text(report)
    if report.unchanged:
        out.add(heartbeat(report))
        if missed:
            out.add(sentence(missed), style="warning")
        return "\n".join(out.lines) + "\n"
    out.add(freshness(report), style="dim")
    if missed:
        out.add(sentence(missed), style="warning")
    if report.gone_clusters:
        out.add("No longer read: " + ", ".join(report.gone_clusters) + ".", style="warning")
    if not report.clusters:
        out.blank()
        out.add("No clusters.")
    for cluster in report.clusters:
        out.blank()
        _cluster(out, cluster)
    out.blank()
    out.add(basis_footer(report), style="dim")
    return "\n".join(out.lines) + "\n"


def _cluster(out: _Out, cluster: DigestCluster) -> None:
    level = cluster_level(cluster)
    word = _LEVEL_WORD[level]
    title = cluster_title(cluster)
    gap = max(2, WIDTH - len(title) - len(word))
    if len(title) + 2 + len(word) <= WIDTH:
        out.lines.append(out.paint(title, "bold") + " " * gap + out.paint(word, level))
    else:
        out.add(title, style="bold")
        out.add(word, indent=INDENT, style=level)
    for line in series_lines(cluster):
        _series(out, line)
    if cluster.pending_cni_nodes:
        count = cluster.pending_cni_nodes
        out.add(f"{count} node{'' if count == 1 else 's'} wait for a CNI update "
                f"(okebot cni --cluster {cluster.name})", indent=INDENT, style="warning")
    for finding in cluster.new_findings or []:
        out.add(_finding("new", finding), indent=INDENT, style=finding.severity.value)
    for finding in cluster.resolved_findings or []:
        out.add(_finding("resolved", finding), indent=INDENT, style="ok")


def _series(out: _Out, line: SeriesLine) -> None:
    head = f"{line.what} {line.name}: {line.figures}, {line.fill} full"
    delta = f" {line.delta.arrow} {line.delta.text}" if line.delta is not None else ""
    wrapped = textwrap.wrap(head + delta, WIDTH, initial_indent=INDENT, subsequent_indent=INDENT * 3,
                            break_on_hyphens=False)
    if out.color and line.delta is not None and wrapped[-1].endswith(delta.strip()):
        style = {"worse": "worse", "better": "better", "same": None}[line.delta.change]
        last = wrapped[-1][: -len(delta.strip())]
        wrapped[-1] = last + out.paint(delta.strip(), style)
    if out.color:
        wrapped = [w.replace(line.fill + " full", out.paint(line.fill + " full", line.level), 1) for w in wrapped]
    out.lines += wrapped
    forecast = line.forecast + (f"; {line.basis}" if line.basis else "")
    out.add(forecast, indent=INDENT * 3, hang="  ")
    if line.room:
        out.add(f"room: {line.room}", indent=INDENT * 3, hang="  ", style="dim")


def _finding(kind: str, finding: Finding) -> str:
    mark = "+" if kind == "new" else "✓"
    return f"{mark} {kind}: {finding.code} ({finding.subject}): {finding.message}"

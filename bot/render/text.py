"""Plain-text (terminal) rendering of reports: pure, from a report to a string.

`renderables` dispatches on the report type; each family lives in its module (text_capacity, text_cni,
text_findings, text_whatif; shared pieces in textkit). Tables fit the width they are given (a list layout
below `terminal.NARROW` columns); colour only when the caller says so (`terminal.use_color`).
"""

from __future__ import annotations

import io
from functools import singledispatch

from pydantic import BaseModel
from rich.console import Console, Group, RenderableType
from rich.text import Text

from bot.render import text_capacity, text_cni, text_findings, text_whatif
from bot.render.digest_text import digest_text
from bot.render.terminal import PIPED_WIDTH
from bot.render.textkit import Row, table_or_list
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

WIDTH = PIPED_WIDTH  # the width of text written anywhere but a terminal (files, pipes, Slack attachments)


@singledispatch
def renderables(report: BaseModel, width: int = WIDTH) -> list[RenderableType]:
    """The rich renderables of a report laid out for `width` columns; every report type registers its own."""
    raise TypeError(f"no text renderer for {type(report).__name__}: register one in bot/render/text.py")


@renderables.register
def _digest_report(report: DigestReport, width: int = WIDTH) -> list[RenderableType]:
    return [Text(digest_text(report, color=False).rstrip("\n"))]


@renderables.register
def _capacity_report(report: CapacityReport, width: int = WIDTH) -> list[RenderableType]:
    return text_capacity.capacity(report, width=width)


@renderables.register
def _validation_report(report: ValidationReport, width: int = WIDTH) -> list[RenderableType]:
    return text_findings.validation(report, width=width)


@renderables.register
def _cni_report(report: CniReport, width: int = WIDTH) -> list[RenderableType]:
    return text_cni.cni(report, width=width)


@renderables.register
def _diagnose_report(report: DiagnoseReport, width: int = WIDTH) -> list[RenderableType]:
    return text_findings.diagnose(report, width=width)


@renderables.register
def _whatif_report(report: WhatIfReport, width: int = WIDTH) -> list[RenderableType]:
    return text_whatif.whatif(report, width=width)


@renderables.register
def _cluster_list_report(report: ClusterListReport, width: int = WIDTH) -> list[RenderableType]:
    return text_capacity.cluster_list(report, width=width)


@renderables.register
def _rules_report(report: RulesReport, width: int = WIDTH) -> list[RenderableType]:
    rows = [Row(cells=[rule.code, rule.severity.value, rule.title], summary=f"{rule.severity.value}: {rule.title}")
            for rule in report.rules]
    hint = Text("okebot explain CODE tells what one means, why, and how to fix it.", style="dim")
    return [table_or_list(None, ("code", "severity", "title"), rows, width=width), hint]


@renderables.register
def _explanation(report: CodeExplanation, width: int = WIDTH) -> list[RenderableType]:
    severity = report.severity.value + (f" ({report.severity_note})" if report.severity_note else "")
    rows = (("code", report.code), ("severity", severity), ("title", report.title), ("meaning", report.meaning),
            ("why", report.why), ("source", report.source), ("remedy", report.remedy))
    return [Group(*(Text(f"{label}: {value}") for label, value in rows))]


class _Buffer(io.StringIO):
    """A string buffer that tells rich the encoding of where the text goes: not UTF-8, it draws ASCII boxes."""

    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._shown_encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]  # rich reads it; the buffer itself holds str
        return self._shown_encoding


def render_text(report: BaseModel, *, color: bool = False, width: int = WIDTH, encoding: str = "utf-8") -> str:
    """Render a report as terminal text `width` columns wide at most; ANSI colour only when `color`; table
    borders in ASCII when `encoding` (the output's) is not UTF-8."""
    buffer = _Buffer(encoding)
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False, emoji=False,
                      markup=False, soft_wrap=False)
    for item in renderables(report, width):
        console.print(item)
        console.print()
    # Padding fills lines to the width; what is left at the end of a line is noise in a pipe or a diff.
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))

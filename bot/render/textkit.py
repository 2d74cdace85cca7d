"""What every terminal answer shares: figures and plurals said alike, findings as a list, layouts that fit the
width (a table when there is room, a list of names with their details when there is not), and the footers
every answer ends with (what could not be read, the assumptions, the source).

Figures are said as Slack says them (`bot.slack.render.blocks`): 1,760, "?" for a value not read, "1 node",
"4 nodes".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from bot.render.terminal import NARROW
from engine.findings import Finding, FindingCounts
from engine.model import Unreadable
from engine.reports import SourceInfo

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def n(value: object) -> str:
    """A figure with thousands separators (1,760), or "?" for a value that was not read."""
    if value is None:
        return "?"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:g}"
    return str(value)


def plural(count: int | None, noun: str, many: str | None = None) -> str:
    """ "1 node", "4 nodes", "? nodes"; `many` for irregular plurals."""
    word = noun if count == 1 else (many or f"{noun}s")
    return f"{n(count)} {word}"


def pct(value: float | None) -> str:
    return "?" if value is None else f"{value * 100:.1f}%"


def counts_text(counts: FindingCounts) -> str:
    """ "0 errors, 1 warning, 2 info" (info is uncountable)."""
    return f"{plural(counts.error, 'error')}, {plural(counts.warning, 'warning')}, {counts.info:,} info"


def finding_item(finding: Finding, *, width: int, was: str | None = None) -> RenderableType:
    """One finding as a list item: severity, code and subject on one line, the message and the fix under it;
    `was` is its severity before a change, said as "(was warning)"."""
    head = Text()
    head.append(finding.severity.value, style=SEVERITY_STYLE[finding.severity.value])
    if was is not None:
        head.append(f" (was {was})")
    head.append(f"  {finding.code}  ", style="bold")
    head.append(finding.subject)
    if finding.location is not None:
        head.append(f"  {finding.location.file}:{finding.location.line}", style="dim")
    body = Text(finding.message)
    if finding.remedy:
        body.append(f"\n→ {finding.remedy}", style="dim")
    return Group(head, Padding(body, (0, 0, 0, 2)))


def findings_list(findings: Sequence[Finding], *, width: int, none: str = "No findings.",
                  title: str | None = None) -> RenderableType:
    """Findings, worst first, each with its fix; `none` when there are none."""
    if not findings:
        return Text(none, style="green")
    items: list[RenderableType] = [Text(title, style="bold")] if title else []
    items += [finding_item(f, width=width) for f in findings]
    return Group(*items)


@dataclass(frozen=True)
class Row:
    """One row of a table that becomes a list when narrow: its cells (the first is its name), and the same
    facts as one sentence for the list."""

    cells: Sequence[RenderableType]
    summary: str


MAX_WORD = 40  # a longer "word" (an OCID) may fold rather than squeeze every other column


def _plain(cell: RenderableType) -> str:
    return cell.plain if isinstance(cell, Text) else cell if isinstance(cell, str) else ""


def table_or_list(title: str | None, columns: Sequence[str], rows: Sequence[Row], *, width: int,
                  numeric: Sequence[str] = ()) -> RenderableType:
    """A table with `columns` when the width allows, else each row's name (kept whole) beside its summary.

    Names never break: the first column does not wrap. `numeric` columns are right-aligned.
    """
    # A cell may wrap between words, never inside a name: each column is at least its longest word, and when
    # the columns cannot all be that wide the rows are listed instead.
    longest = [max((len(word) for row in rows for word in _plain(row.cells[index]).split()),
                   default=0) for index in range(len(columns))]
    # The first column holds the names, which never break however long; other long words (OCIDs) may fold.
    least = [max(word if index == 0 else min(word, MAX_WORD), *(len(part) for part in column.split()))
             for index, (word, column) in enumerate(zip(longest, columns, strict=True))]
    if width >= NARROW and sum(least) + 3 * len(columns) + 1 <= width:
        table = Table(title=title, title_justify="left", header_style="bold", expand=False)
        for index, column in enumerate(columns):
            table.add_column(column, no_wrap=index == 0, overflow="fold", min_width=least[index],
                             justify="right" if column in numeric else "left")
        for row in rows:
            table.add_row(*row.cells)
        return table
    parts: list[RenderableType] = [Text(title, style="bold")] if title else []
    names = max((len(_plain(row.cells[0])) for row in rows), default=0)
    if names + 2 + 2 > width // 3:
        # Names too wide to sit beside their figures: each name on its own line, its summary indented below.
        for row in rows:
            parts.append(Padding(Text(_plain(row.cells[0]), style="bold", overflow="fold"), (0, 0, 0, 2)))
            parts.append(Padding(Text(row.summary), (0, 0, 0, 4)))
        return Group(*parts)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column()
    for row in rows:
        grid.add_row(row.cells[0], row.summary)
    return Group(*parts, Padding(grid, (0, 0, 0, 2)))


def unreadable_block(items: Sequence[Unreadable]) -> list[RenderableType]:
    """A partial answer says so: what could not be read, about which cluster, why, and what to do."""
    if not items:
        return []
    entries: list[RenderableType] = []
    for item in items:
        extra = ", ".join(part for part in (f"HTTP {item.status}" if item.status else "", item.code or "",
                                            f"opc-request-id {item.request_id}" if item.request_id else "") if part)
        about = f" of {item.name}" if item.name else (f" {item.id}" if item.id else "")
        said = Text(f"{item.kind}{about}: {item.message}" + (f" ({extra})" if extra else ""))
        if item.remedy:
            said.append(f"\nfix: {item.remedy}", style="dim")
        entries.append(said)
    return [Group(Text("Partial answer — could not read:", style="bold yellow"),
                  Padding(Group(*entries), (0, 0, 0, 2)))]


def assumptions_block(assumptions: Sequence[str]) -> list[RenderableType]:
    """The assumptions an answer rests on, each once, as its footer."""
    unique = list(dict.fromkeys(assumptions))
    if not unique:
        return []
    if len(unique) == 1:
        return [Text(f"Assumption: {unique[0]}", style="dim")]
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(overflow="fold", style="dim")
    for text in unique:
        grid.add_row("•", text)
    return [Group(Text("Assumptions:", style="dim"), Padding(grid, (0, 0, 0, 2)))]


def source_text(source: SourceInfo | None, *, fresh_hint: str = "--fresh reads again") -> str | None:
    """Where the data came from and how old it is, in words; None when the answer read nothing."""
    if source is None:
        return None
    text = source.description
    if source.kind == "live":
        when = f"read {source.read_at}" if source.read_at else "read time unknown"
        text += f", {when}" + (f" (cached; {fresh_hint})" if source.cached else "")
    elif source.kind == "snapshot" and source.captured_at and source.captured_at not in text:
        text += f", captured {source.captured_at}"
    return text


def source_block(source: SourceInfo | None) -> list[RenderableType]:
    said = source_text(source)
    return [] if said is None else [Text(f"Source: {said}", style="dim")]


def footer(*, unreadable: Sequence[Unreadable] = (), assumptions: Sequence[str] = (),
           source: SourceInfo | None = None) -> list[RenderableType]:
    """Every answer's end: what could not be read, its assumptions (once), and where its data came from."""
    return [*unreadable_block(unreadable), *assumptions_block(assumptions), *source_block(source)]

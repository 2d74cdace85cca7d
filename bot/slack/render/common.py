"""What every Slack answer shares: packed sections, findings, figures said alike (1,760; "1 node"), and the
footer every answer ends with — what could not be read (naming the cluster, why and what to do), the
assumptions it rests on (once), and where its data came from and how old it is."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.textkit import source_text
from bot.slack.escape import code, escape
from bot.slack.render.kit import MAX_CONTEXT_ELEMENTS, MAX_SECTION_TEXT, SEVERITY_ICON, Block, context, section
from engine.findings import Finding
from engine.model import Unreadable
from engine.reports import PoolRoom, SourceInfo

MAX_FINDINGS_SHOWN = 12
MAX_LINES_SHOWN = 30
MAX_ASSUMPTION_CHARS = 2_900


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


def sections_of(texts: Sequence[str]) -> list[str]:
    """Texts joined into at most MAX_CONTEXT_ELEMENTS elements (a context block takes no more)."""
    per = -(-len(texts) // MAX_CONTEXT_ELEMENTS)
    return ["\n".join(texts[i:i + per])[:MAX_SECTION_TEXT] for i in range(0, len(texts), per)]


def num(value: int | float | None) -> str:
    """A figure as the terminal says it: 1,760; a share as 82%; "unknown" for a value not read."""
    return "unknown" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:.0%}"


def plural(count: int | None, noun: str) -> str:
    """ "1 node", "4 nodes", "unknown nodes"."""
    return f"{num(count)} {noun if count == 1 else noun + 's'}"


def room(room: PoolRoom | None) -> str:
    """A pool's headroom in words: "+2 (pods CIDR)", "unknown (pod subnet X)", "at most +16 (pod subnet X; IPs
    in use not read)", "not counted" (virtual)."""
    if room is None:
        return "not counted (virtual)"
    if room.more_nodes is None and room.at_most is not None:
        return f"at most +{room.at_most:,} ({escape(room.limited_by or '')}; IPs in use not read)"
    limit = f" ({escape(room.limited_by)})" if room.limited_by else ""
    return f"unknown{limit}" if room.more_nodes is None else f"+{room.more_nodes:,}{limit}"


def finding_line(finding: Finding, *, was: str | None = None) -> str:
    """One finding: severity icon, code, message, subject and remedy; `was` its severity before a change."""
    icon = SEVERITY_ICON.get(str(finding.severity), "")
    before = f" _(was {escape(was)})_" if was else ""
    line = f", line {finding.location.line}" if finding.location is not None else ""
    return (
        f"{icon} {code(finding.code)}{before} {escape(finding.message)} _({escape(finding.subject)}{line})_\n"
        f"      _Fix:_ {escape(finding.remedy)}"
    )


def findings_blocks(findings: Sequence[Finding], *, title: str = "Findings", none: str | None = None) -> list[Block]:
    """Findings worst first, at most MAX_FINDINGS_SHOWN, or a line saying there are none."""
    if not findings:
        return [section(none or f"*{title}:* none :white_check_mark:")]
    lines = [f"*{title}* ({len(findings)})", *(finding_line(f) for f in findings)]
    return sections(lines, limit=MAX_FINDINGS_SHOWN + 1, noun="more findings")


def unreadable_blocks(unreadable: Sequence[Unreadable]) -> list[Block]:
    """A warning that the answer is partial: what could not be read, of which cluster, why, and what to do."""
    if not unreadable:
        return []
    parts = []
    for item in unreadable[:5]:
        about = f" of {code(item.name)}" if item.name else f" {code(item.id or '?')}"
        status = f" (HTTP {item.status})" if item.status else ""
        fix = f" _What to do:_ {escape(item.remedy)}" if item.remedy else ""
        parts.append(f"{escape(item.kind)}{about}{status}: {escape(item.message)}.{fix}")
    more = f" (+{len(unreadable) - 5} more)" if len(unreadable) > 5 else ""
    return [context(":warning: Partial answer, could not read: " + "; ".join(parts) + more)]


def footer_blocks(*, unreadable: Sequence[Unreadable] = (), assumptions: Sequence[str] = (),
                  source: SourceInfo | None = None) -> list[Block]:
    """Every answer's end: what could not be read, its assumptions (each once), and its source and age."""
    blocks = unreadable_blocks(unreadable)
    unique = list(dict.fromkeys(assumptions))
    if unique:
        said = [f"_Assumption:_ {escape(text[:MAX_ASSUMPTION_CHARS])}" for text in unique]
        blocks.append(context(*said) if len(said) <= MAX_CONTEXT_ELEMENTS else context(*sections_of(said)))
    said_source = source_text(source, fresh_hint="Refresh reads again")
    if said_source is not None:
        blocks.append(context(f"_Source:_ {escape(said_source)}"))
    return blocks

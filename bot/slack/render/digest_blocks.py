"""A capacity digest as Block Kit, within Slack's limits, with the plain-text fallback for notifications.

Pure: a report in, blocks out; every OCI-derived string (cluster, subnet and pool names, CIDRs, finding text) is
escaped. At most `MAX_CLUSTERS_SHOWN` clusters get their own section, worst first; the rest are named in one line.
`kit.fit` then keeps the message under 50 blocks and Slack's size limit.
"""

from __future__ import annotations

from bot.render.digest_format import (
    SeriesLine,
    basis_footer,
    cluster_level,
    cluster_title,
    freshness,
    heartbeat,
    missed_text,
    percent,
    series_lines,
    when,
)
from bot.slack.escape import code, escape, plain
from bot.slack.render.kit import (
    MAX_BLOCKS,
    MAX_MESSAGE_CHARS,
    MAX_SECTION_TEXT,
    SEVERITY_ICON,
    Block,
    block_chars,
    context,
    divider,
    fit,
    header,
    section,
)
from engine.digest.report import DigestCluster, DigestReport

MAX_CLUSTERS_SHOWN = 10
MAX_FINDINGS_PER_CLUSTER = 3
FALLBACK_CHARS = 300
LEVEL_ICON = {"error": SEVERITY_ICON["error"], "warning": SEVERITY_ICON["warning"], "ok": ":large_green_circle:",
              None: ":white_circle:"}


def digest_blocks(report: DigestReport) -> list[Block]:
    """The digest message: header, freshness, then each cluster worst first (or one heartbeat line).

    Clusters get their own sections while they fit (at most `MAX_CLUSTERS_SHOWN`, within Slack's 50 blocks and
    message size, with room kept for the rest); the rest are named in one line with their fill.
    """
    top = [header(f"Capacity digest: {report.source}"), context(escape(_status_line(report)))]
    if report.unchanged:
        return [*top, section(":white_check_mark: " + escape(heartbeat(report)))]
    footer = context(escape(basis_footer(report)))
    budget_blocks = MAX_BLOCKS - len(top) - 2  # the "…and N more" line and the footer
    # Room for the "…and N more" section: its text (at most MAX_SECTION_TEXT) plus the block's own keys.
    rest_room = block_chars(section("x" * MAX_SECTION_TEXT))
    budget_chars = MAX_MESSAGE_CHARS - sum(block_chars(b) for b in (*top, footer)) - rest_room
    body: list[Block] = []
    shown = 0
    for cluster in report.clusters[:MAX_CLUSTERS_SHOWN]:
        blocks = ([divider()] if body else []) + _packed(_cluster_lines(cluster))
        if len(body) + len(blocks) > budget_blocks or sum(map(block_chars, [*body, *blocks])) > budget_chars:
            break
        body += blocks
        shown += 1
    rest = report.clusters[shown:]
    if rest:
        names = ", ".join(f"{escape(c.name)} ({percent(c.worst.utilization if c.worst else None)})" for c in rest)
        calmer = ", all calmer" if shown else ""
        body.append(section(f"_…and {len(rest)} more cluster{'' if len(rest) == 1 else 's'}{calmer}:_ {names}"))
    if not report.clusters:
        body.append(section("No clusters."))
    kept, _ = fit([*top, *body], reserve=1, max_chars=MAX_MESSAGE_CHARS - block_chars(footer))
    return [*kept, footer]


def digest_fallback_text(report: DigestReport) -> str:
    """The notification text: what needs attention, in at most 300 characters (mrkdwn, escaped)."""
    lead = f"Capacity digest ({report.source})"
    if report.unchanged:
        return plain(escape(f"{lead}: {heartbeat(report)}"), limit=FALLBACK_CHARS)
    pressing = [c for c in report.clusters if cluster_level(c) in ("warning", "error") or (
        c.worst is not None and c.worst.days_to_full is not None and c.worst.days_to_full < report.forecast_days)]
    parts = []
    for cluster in pressing:
        worst = cluster.worst
        assert worst is not None
        days = f", ≈ {worst.days_to_full:g} days to full" if worst.days_to_full is not None else ""
        parts.append(f"{cluster.name} {worst.name} {percent(worst.utilization)}{days}")
    calm = len(report.clusters) - len(pressing)
    summary = "; ".join(parts) if parts else "nothing needs attention"
    tail = f" ({calm} other cluster{'' if calm == 1 else 's'} fine)" if parts and calm else ""
    return plain(escape(f"{lead}: {summary}{tail}."), limit=FALLBACK_CHARS)


def _status_line(report: DigestReport) -> str:
    parts = [when(report.generated_at), freshness(report)]
    missed = missed_text(report)
    if missed:
        parts.append(missed)
    if report.gone_clusters:
        parts.append("no longer read: " + ", ".join(report.gone_clusters))
    return " · ".join(parts)


def _cluster_lines(cluster: DigestCluster) -> list[str]:
    level = cluster_level(cluster)
    lines = [f"{LEVEL_ICON[level]} *{escape(cluster_title(cluster))}*"]
    lines += [_series(line) for line in series_lines(cluster)]
    if cluster.pending_cni_nodes:
        count = cluster.pending_cni_nodes
        lines.append(f":hourglass_flowing_sand: {count} node{'' if count == 1 else 's'} wait for a CNI update "
                     f"(`/oke cni {escape(cluster.name)}`)")
    new = cluster.new_findings or []
    for finding in new[:MAX_FINDINGS_PER_CLUSTER]:
        icon = SEVERITY_ICON.get(finding.severity.value, "")
        lines.append(f":new: {icon} {code(finding.code)} {escape(finding.message)} _({escape(finding.subject)})_")
    if len(new) > MAX_FINDINGS_PER_CLUSTER:
        lines.append(f"_…and {len(new) - MAX_FINDINGS_PER_CLUSTER} more new findings "
                     f"(`/oke diagnose {escape(cluster.name)}`)_")
    for finding in cluster.resolved_findings or []:
        lines.append(f":white_check_mark: resolved {code(finding.code)} _({escape(finding.subject)})_")
    return lines


def _series(line: SeriesLine) -> str:
    delta = f" {line.delta.arrow} {escape(line.delta.text)}" if line.delta is not None else ""
    fill = f"*{line.fill}*" if line.level in ("warning", "error") else line.fill
    head = f"• {escape(line.what)} {code(line.name)}: {escape(line.figures)}, {fill} full{delta}"
    tail = [escape(line.forecast)]
    if line.room:
        tail.append("room: " + escape(line.room))
    return head + "\n      " + " · ".join(tail)


def _packed(lines: list[str]) -> list[Block]:
    """Lines in as few sections as the 3000-character limit allows (a line over it is cut by `section`)."""
    out: list[Block] = []
    chunk = ""
    for line in lines:
        if chunk and len(chunk) + 1 + len(line) > MAX_SECTION_TEXT:
            out.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        out.append(section(chunk))
    return out

"""Block Kit for CNI status: the add-on, what to do, the nodes waiting for an update (grouped by node pool,
each reason said once), and CNI pods in trouble."""

from __future__ import annotations

from bot.render.text_cni import pending_groups
from bot.slack.escape import code, escape
from bot.slack.render.common import footer_blocks, plural, sections
from bot.slack.render.kit import Block, context, header, section
from engine.reports import ClusterCniStatus, CniReport

_READY = {True: "Ready", False: "not Ready", None: "readiness unknown"}


def _pending_lines(status: ClusterCniStatus) -> list[str]:
    lines = []
    for reason, action, members in pending_groups(status.pending_nodes):
        by_pool: dict[str, list[str]] = {}
        for node in members:
            by_pool.setdefault(node.node_pool or "node pool unknown", []).append(code(node.node or "?"))
        nodes = "; ".join(f"{code(pool)}: {', '.join(names)}" for pool, names in by_pool.items())
        lines.append(f"• {plural(len(members), 'node')} — {nodes}\n      _Why:_ {escape(reason)}\n"
                     f"      _Each:_ {escape(action)}")
    return lines


def cni_blocks(status: ClusterCniStatus) -> list[Block]:
    """A cluster's CNI add-on, whether an update is pending, what to do, and the nodes that wait for it."""
    addon = status.addon
    version = "add-on not read"
    if addon is not None:
        installed = escape(addon.current_installed_version or addon.version or "?")
        newest = addon.newest_available_version
        version = f"add-on {code(addon.name)} {installed}" + (f" (newest {escape(newest)})" if newest else "")
    pending = {True: "update pending", False: "up to date", None: "update state unknown"}[
        status.pending_update
    ]
    lines = [
        f"*CNI {escape(status.cni)}* on {code(status.name)}: {version}, {pending}",
        f"_What to do:_ {escape(status.action)}",
        *_pending_lines(status),
    ]
    lines += [
        f":warning: {code(p.node or '?')} pod {code(p.pod)}: {_READY[p.ready]}, {plural(p.restarts, 'restart')}"
        + "".join(f"\n      {e.count:,} × {code(e.line[:200])}" for e in p.errors[:3])
        + (f"\n      _…and {len(p.errors) - 3} more error lines_" if len(p.errors) > 3 else "")
        for p in status.pod_errors
    ]
    return sections(lines, noun="more nodes") + (
        [context(*(escape(n) for n in status.notes[:5]))] if status.notes else []
    )


def cni(report: CniReport) -> list[Block]:
    blocks: list[Block] = [header("CNI status")]
    for status in report.clusters:
        blocks += cni_blocks(status)
    if not report.clusters:
        blocks.append(section("No clusters found."))
    return blocks + footer_blocks(unreadable=report.unreadable, assumptions=report.assumptions,
                                  source=report.read_from)


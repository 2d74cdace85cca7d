"""Terminal text for CNI status: the add-on, the nodes waiting for an update (grouped by pool, each reason and
action said once), CNI pods in trouble, and what to do."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from bot.render.textkit import footer, n, plural
from engine.reports import ClusterCniStatus, CniReport, PendingNode

_READY = {True: "ready", False: "not ready", None: "readiness unknown"}


def pending_groups(nodes: Sequence[PendingNode]) -> list[tuple[str, str, list[PendingNode]]]:
    """Pending nodes grouped by (reason, action), in first-seen order: the same long reason is said once."""
    groups: dict[tuple[str, str], list[PendingNode]] = {}
    for node in nodes:
        groups.setdefault((node.reason, node.action), []).append(node)
    return [(reason, action, members) for (reason, action), members in groups.items()]


def _node_names(nodes: Sequence[PendingNode]) -> list[str]:
    by_pool: dict[str, list[str]] = {}
    for node in nodes:
        by_pool.setdefault(node.node_pool or "node pool unknown", []).append(
            f"{node.node or 'node unknown'} (pod {node.pod})")
    return [f"{pool}: {', '.join(names)}" for pool, names in by_pool.items()]


def _pending(status: ClusterCniStatus) -> list[RenderableType]:
    if not status.pending_nodes:
        return []
    parts: list[RenderableType] = [Text(f"Waiting for the CNI update ({plural(len(status.pending_nodes), 'node')}):",
                                        style="bold")]
    for reason, action, members in pending_groups(status.pending_nodes):
        body = Text("\n".join(_node_names(members)))
        body.append(f"\nwhy: {reason}", style="dim")
        body.append(f"\neach: {action}", style="dim")
        parts.append(Padding(body, (0, 0, 0, 2)))
    return parts


def _troubled(status: ClusterCniStatus) -> list[RenderableType]:
    if not status.pod_errors:
        return []
    parts: list[RenderableType] = [Text("CNI pods in trouble:", style="bold")]
    for item in status.pod_errors:
        body = Text(f"{item.node or 'node unknown'} (pod {item.pod}): {_READY[item.ready]}, "
                    f"{plural(item.restarts, 'restart')}")
        for error in item.errors:
            body.append(f"\n  {error.count:,} × {error.line}", style="dim")
        parts.append(Padding(body, (0, 0, 0, 2)))
    return parts


def cni_cluster(status: ClusterCniStatus, *, width: int) -> RenderableType:
    addon = status.addon
    if addon is None:
        addon_text = "add-on: not read"
    else:
        managed = "managed by Oracle" if addon.managed_by_oracle else f"pinned to {addon.version}"
        addon_text = f"add-on {addon.name}: installed {n(addon.current_installed_version)}, {managed}"
        if addon.newest_available_version:
            addon_text += f", newest {addon.newest_available_version}"
    pending = {True: "yes", False: "no", None: "unknown (not read)"}[status.pending_update]
    parts: list[RenderableType] = [
        Text(f"{status.name}  ({status.cni})", style="bold"),
        Text(addon_text),
        Text(f"update pending: {pending}"),
        *_pending(status),
        *_troubled(status),
        Text(f"What to do: {status.action}"),
    ]
    parts.extend(Text(f"Note: {note}", style="dim") for note in status.notes)
    return Group(*parts)


def cni(report: CniReport, *, width: int) -> list[RenderableType]:
    clusters: list[RenderableType] = [cni_cluster(c, width=width) for c in report.clusters] or [Text("No clusters.")]
    return [*clusters, *footer(unreadable=report.unreadable, assumptions=report.assumptions,
                               source=report.read_from)]

"""CNI status: the CNI add-on's version, whether Oracle manages it, which nodes wait for an update, and which CNI
pods are in trouble (not Ready, restarting, or logging errors)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.cni.health import pod_errors
from engine.cni.pending import (
    ACTION_REPLACE,
    ADMISSION_POLICY_STEPS,
    PendingScan,
    UpdateMode,
    find_pending,
    is_on_delete,
)
from engine.cni.version import compare_versions, is_on_delete_version
from engine.model import Addon, Cluster, Cni, SourceKind, Unreadable
from engine.reports import AddonStatus, ClusterCniStatus, PendingNode
from engine.words import sentence

ADDON_NAMES = {Cni.VCN_NATIVE: "OciVcnIpNative", Cni.FLANNEL: "Flannel"}

FLANNEL_NO_CHECK = (
    "Oracle documents no pending-update check for flannel (nor OKE's flannel DaemonSet name), so okebot cannot tell "
    "whether a flannel update waits; it only reports pods whose log says \"reboot required\"."
)
NOT_READ = "The cluster's Kubernetes API was not read, so pending CNI updates are unknown."
REFUSED = "The cluster's CNI pods could not be read (see what to do), so pending CNI updates are unknown."
NOT_IN_SNAPSHOT = ("The snapshot holds none of the cluster's CNI objects (not read when it was recorded), so pending "
                   "CNI updates are unknown.")
READ_CNI = "Read the cluster's CNI pods (Kubernetes API) to check for pending CNI updates."
RECORD_CNI = ("Record the snapshot again with access to the cluster's Kubernetes API (docs/kubernetes-access.md) "
              "to check for pending CNI updates.")


def assess_cni(
    cluster: Cluster, *, unreadable: Sequence[Unreadable] = (), source_kind: SourceKind | None = None
) -> ClusterCniStatus:
    """CNI status of one cluster: its add-on, its pending nodes (each with its node pool), and one thing to do.

    `unreadable` (what the source could not read) and `source_kind` let a missing Kubernetes read say why:
    a refusal and its fix, or a snapshot that does not hold it.
    """
    addon = find_addon(cluster)
    notes = _addon_notes(cluster, addon)
    mode = update_mode(cluster, addon)
    observation = cluster.cni_observation
    refused = next((item for item in unreadable if item.kind == "kubernetes" and item.id == cluster.id), None)
    if observation is None:
        scan = None
        notes.append(REFUSED if refused is not None else NOT_IN_SNAPSHOT if source_kind == "snapshot" else NOT_READ)
    else:
        scan = find_pending(observation, mode=mode)
        notes.extend(scan.notes)
    if cluster.cni is Cni.FLANNEL:
        notes.append(FLANNEL_NO_CHECK)
    pending = _pending_update(cluster.cni, scan)
    if scan is not None and any(node.action == ACTION_REPLACE for node in scan.nodes):
        notes.append(ADMISSION_POLICY_STEPS)
    return ClusterCniStatus(
        id=cluster.id,
        name=cluster.name,
        cni=cluster.cni.value,
        addon=_addon_status(addon),
        pending_update=pending,
        pending_nodes=_with_pools(cluster, scan.nodes) if scan is not None else [],
        action=_unread_action(refused, source_kind) if scan is None else _overall_action(
            cluster, addon, scan, pending=pending, mode=mode),
        notes=notes,
        pod_errors=pod_errors(observation) if observation is not None else [],
    )


def _unread_action(refused: Unreadable | None, source_kind: SourceKind | None) -> str:
    if refused is not None:
        why = ", ".join(part for part in (f"HTTP {refused.status}" if refused.status else "", refused.code or "")
                        if part)
        fix = f": {refused.remedy}" if refused.remedy else ""
        return sentence(f"okebot could not read the cluster's CNI pods ({why or refused.message}){fix}")
    return RECORD_CNI if source_kind == "snapshot" else READ_CNI


def _with_pools(cluster: Cluster, pending: Sequence[PendingNode]) -> list[PendingNode]:
    """Each pending node with the node pool that lists it (by node name or private IP), when one does."""
    pools = {key: pool.name for pool in cluster.node_pools for node in pool.nodes or ()
             for key in (node.name, node.private_ip) if key}
    return [node.model_copy(update={"node_pool": pools.get(node.node or "")}) for node in pending]


def find_addon(cluster: Cluster) -> Addon | None:
    """The cluster's add-on for its CNI, matched case-insensitively; None when absent or not read."""
    wanted = ADDON_NAMES[cluster.cni].casefold()
    for addon in cluster.addons or ():
        if addon.name.casefold() == wanted:
            return addon
    return None


def installed_version(addon: Addon | None) -> str | None:
    """The CNI version running: the installed one, else the pinned one."""
    if addon is None:
        return None
    return addon.current_installed_version or addon.version


def update_mode(cluster: Cluster, addon: Addon | None) -> UpdateMode | None:
    """How a pending update gets applied: the DaemonSet's strategy wins, then the VCN-native version."""
    observation = cluster.cni_observation
    on_delete = is_on_delete(observation.daemon_set if observation is not None else None)
    if on_delete is None and cluster.cni is Cni.FLANNEL:
        # The 2.3.0 OnDelete switch is VCN-native's; flannel's updates are only known to apply on reboot.
        return "reboot"
    if on_delete is None:
        on_delete = is_on_delete_version(installed_version(addon))
    if on_delete is None:
        return None
    return "replace" if on_delete else "reboot"


def _addon_status(addon: Addon | None) -> AddonStatus | None:
    if addon is None:
        return None
    return AddonStatus(
        name=addon.name,
        version=addon.version,
        current_installed_version=addon.current_installed_version,
        managed_by_oracle=addon.version is None,
        newest_available_version=addon.newest_available_version,
    )


def _addon_notes(cluster: Cluster, addon: Addon | None) -> list[str]:
    name = ADDON_NAMES[cluster.cni]
    if cluster.addons is None:
        return [f"The cluster's add-ons were not read, so the {name} add-on's version is unknown."]
    if addon is None:
        return [f"The cluster lists no {name} add-on (basic clusters may not list add-ons)."]
    notes = []
    if addon.lifecycle_state is not None and addon.lifecycle_state.upper() in ("NEEDS_ATTENTION", "FAILED"):
        notes.append(f"The {addon.name} add-on is {addon.lifecycle_state}.")
    if addon.version is not None and _older(installed_version(addon), addon.newest_available_version):
        notes.append(
            f"The {addon.name} add-on is pinned to {addon.version} (installed {installed_version(addon)}), "
            f"older than the newest available {addon.newest_available_version}; pinned add-ons are yours to "
            "update."
        )
    return notes


def _older(version: str | None, newest: str | None) -> bool:
    return compare_versions(version, newest) == -1


def _pending_update(cni: Cni, scan: PendingScan | None) -> bool | None:
    if scan is None:
        return None
    if scan.nodes or scan.outdated > 0:
        return True
    # Flannel has no documented check, so silence proves nothing there.
    if cni is Cni.FLANNEL or not scan.complete:
        return None
    return False


def _overall_action(
    cluster: Cluster, addon: Addon | None, scan: PendingScan | None, *, pending: bool | None,
    mode: UpdateMode | None,
) -> str:
    if pending is True and scan is not None:
        return _pending_action(scan, mode)
    if pending is None:
        if cluster.cni is Cni.FLANNEL:
            return "Nothing to check: Oracle documents no pending-update check for flannel."
        return "Read the missing CNI pod logs and revisions (see notes) to finish the check."
    if addon is not None and addon.version is not None and _older(installed_version(addon),
                                                                    addon.newest_available_version):
        return (f"No node waits for a CNI update; consider moving the pinned {addon.name} add-on to "
                f"{addon.newest_available_version}.")
    return "Nothing to do: no node waits for a CNI update."


def _pending_action(scan: PendingScan, mode: UpdateMode | None) -> str:
    count = len(scan.nodes)
    if count == 0:
        return (f"{scan.outdated} CNI pods run an outdated revision; find their nodes by revision hash, "
                "then replace or cycle them.")
    nodes = "node" if count == 1 else "nodes"
    verb = {"reboot": "Reboot", "replace": "Replace or cycle", None: "Reboot (CNI < 2.3.0) or replace"}[mode]
    if all(node.action == ACTION_REPLACE for node in scan.nodes):
        verb = "Replace or cycle"
    alternative = ""
    if any(node.action == ACTION_REPLACE for node in scan.nodes):
        alternative = (" Where nodes cannot be replaced: set the CNI pod-deletion admission policy aside, delete "
                       "their CNI pods, then restore it (see the notes).")
    return f"{verb} {count} {nodes} to apply the pending CNI update.{alternative}"

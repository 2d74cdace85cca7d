"""CNI status: the CNI add-on's version, whether Oracle manages it, which nodes wait for an update, and which CNI
pods are in trouble (not Ready, restarting, or logging errors)."""

from __future__ import annotations

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
from engine.model import Addon, Cluster, Cni
from engine.reports import AddonStatus, ClusterCniStatus

ADDON_NAMES = {Cni.VCN_NATIVE: "OciVcnIpNative", Cni.FLANNEL: "Flannel"}

FLANNEL_NO_CHECK = (
    "Oracle documents no pending-update check for flannel (nor OKE's flannel DaemonSet name), so okebot cannot tell "
    "whether a flannel update waits; it only reports pods whose log says \"reboot required\"."
)
NOT_READ = "The cluster's Kubernetes API was not read, so pending CNI updates are unknown."


def assess_cni(cluster: Cluster) -> ClusterCniStatus:
    """CNI status of one cluster: its add-on, its pending nodes, and one thing to do."""
    addon = find_addon(cluster)
    notes = _addon_notes(cluster, addon)
    mode = update_mode(cluster, addon)
    observation = cluster.cni_observation
    if observation is None:
        scan = None
        notes.append(NOT_READ)
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
        pending_nodes=list(scan.nodes) if scan is not None else [],
        action=_overall_action(cluster, addon, scan, pending=pending, mode=mode),
        notes=notes,
        pod_errors=pod_errors(observation) if observation is not None else [],
    )


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
    if scan is None:
        return "Read the cluster's CNI pods (Kubernetes API) to check for pending CNI updates."
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

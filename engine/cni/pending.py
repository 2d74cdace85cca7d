"""Which nodes wait for a CNI plugin update, from the CNI DaemonSet, its pods and their logs
(following Oracle's VCN-native pod networking page).

Two signals: a pod log that says "reboot required" (Oracle's documented check), and, for an OnDelete
DaemonSet (VCN-native 2.3.0 and later), a pod whose controller-revision-hash is not the newest revision's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from engine.model import CniDaemonSet, CniObservation, CniPod, Frozen
from engine.reports import PendingNode

REBOOT_REQUIRED = "reboot required"
ACTION_REBOOT = "reboot the node"
ACTION_REPLACE = (
    "replace or cycle the node (provision new nodes, recommended; the OnDelete DaemonSet and its admission policy "
    "block deleting CNI pods); where it cannot be replaced, recreate its CNI pod with the admission policy set "
    "aside (see the note)"
)
ADMISSION_POLICY_STEPS = (
    "Where nodes cannot be replaced, Oracle documents an alternative for VCN-native 2.3.0 and later: save the "
    "validating admission policy that blocks deleting CNI pods and its binding (kubectl get "
    "validatingadmissionpolicy POLICY -o yaml > policy.yaml, and the same for the "
    "validatingadmissionpolicybinding; drop metadata.resourceVersion and uid before restoring), delete both, "
    "delete the CNI pod on each listed node (kubectl delete pod -n kube-system POD; the DaemonSet recreates it "
    "at its newest revision), then restore both (kubectl apply -f). Assumption: the Oracle text okebot relies "
    "on does not name the two resources; a public script calls them npn-pod-deletion-deny-policy and "
    "npn-pod-deletion-deny-policy-binding, so check the names on your cluster first (kubectl get "
    "validatingadmissionpolicies,validatingadmissionpolicybindings)."
)
ACTION_UNKNOWN_MODE = (
    "reboot the node if the CNI is older than 2.3.0; from 2.3.0 on, replace or cycle it instead "
    "(the CNI version and DaemonSet strategy were not read)"
)

UpdateMode = Literal["reboot", "replace"]


class PendingScan(Frozen):
    """What the Kubernetes side says: pending nodes, how many pods are outdated, and what went unseen."""

    nodes: tuple[PendingNode, ...]
    outdated: int
    complete: bool
    notes: tuple[str, ...]


def is_on_delete(daemon_set: CniDaemonSet | None) -> bool | None:
    """Whether the DaemonSet updates OnDelete; None when its strategy was not read."""
    if daemon_set is None or daemon_set.update_strategy is None:
        return None
    return daemon_set.update_strategy.casefold() == "ondelete"


def _action(mode: UpdateMode | None) -> str:
    if mode is None:
        return ACTION_UNKNOWN_MODE
    return ACTION_REPLACE if mode == "replace" else ACTION_REBOOT


def _log_reason(mode: UpdateMode | None) -> str:
    applies = {
        "reboot": "it applies when the node is next rebooted",
        "replace": "it applies when the CNI pod is deleted and recreated",
        None: "it waits to be applied",
    }[mode]
    return f'its CNI pod log says "{REBOOT_REQUIRED}": an update was deployed and {applies}'


def _hash_reason(pod: CniPod, newest: str) -> str:
    return f"its CNI pod runs revision {pod.revision_hash}, not the DaemonSet's newest revision {newest}"


def _all_pods(observation: CniObservation) -> list[CniPod]:
    # A log may come for a pod that the pod listing missed; it still names a pending pod.
    listed = {pod.name for pod in observation.pods}
    extra = [CniPod(name=name) for name in observation.logs if name not in listed]
    return [*observation.pods, *extra]


def _stale(pod: CniPod, daemon_set: CniDaemonSet | None) -> bool:
    if not is_on_delete(daemon_set) or daemon_set is None or daemon_set.newest_revision_hash is None:
        return False
    return pod.revision_hash is not None and pod.revision_hash != daemon_set.newest_revision_hash


def find_pending(observation: CniObservation, *, mode: UpdateMode | None) -> PendingScan:
    """Scan the CNI pods for pending updates and say whether the scan saw everything it needed."""
    daemon_set = observation.daemon_set
    pods = _all_pods(observation)
    pending: list[PendingNode] = []
    for pod in pods:
        reasons, action = [], _action(mode)
        log = observation.logs.get(pod.name)
        if log is not None and REBOOT_REQUIRED in log.casefold():
            reasons.append(_log_reason(mode))
        if _stale(pod, daemon_set) and daemon_set is not None and daemon_set.newest_revision_hash is not None:
            reasons.append(_hash_reason(pod, daemon_set.newest_revision_hash))
            action = ACTION_REPLACE
        if reasons:
            pending.append(PendingNode(node=pod.node, pod=pod.name, reason="; ".join(reasons), action=action))
    outdated = _outdated_count(daemon_set)
    notes = _gaps(observation, pods, mode=mode)
    identified = sum(1 for pod in pods if _stale(pod, daemon_set))
    if outdated > identified:
        notes.append(_unidentified_note(daemon_set, outdated, identified))
    complete = not notes
    rolling = _rolling_count(daemon_set)
    if rolling:
        # Not a gap in what was read: the answer stays complete, and says what is happening.
        notes.append(
            f"A rolling update of the CNI DaemonSet is in progress ({rolling} of {daemon_set and daemon_set.desired} "
            "pods not yet updated); Kubernetes replaces those pods itself, nothing waits on you."
        )
    return PendingScan(nodes=tuple(pending), outdated=outdated, complete=complete, notes=tuple(notes))


def _behind(daemon_set: CniDaemonSet | None) -> int:
    if daemon_set is None or daemon_set.desired is None or daemon_set.updated is None:
        return 0
    return max(0, daemon_set.desired - daemon_set.updated)


def _outdated_count(daemon_set: CniDaemonSet | None) -> int:
    """Pods left on an old revision that wait for someone: only an OnDelete DaemonSet leaves them so."""
    return _behind(daemon_set) if is_on_delete(daemon_set) else 0


def _rolling_count(daemon_set: CniDaemonSet | None) -> int:
    """Pods a RollingUpdate DaemonSet has yet to replace by itself."""
    return _behind(daemon_set) if is_on_delete(daemon_set) is False else 0


def _unidentified_note(daemon_set: CniDaemonSet | None, outdated: int, identified: int) -> str:
    desired = daemon_set.desired if daemon_set is not None else None
    which = "none of them could be identified" if identified == 0 else f"only {identified} were identified"
    return (
        f"{outdated} of {desired} CNI pods run an outdated revision (the DaemonSet's updated count is below "
        f"its desired count), but {which}: compare each pod's controller-revision-hash with the newest "
        "ControllerRevision to find their nodes."
    )


def _gaps(observation: CniObservation, pods: Sequence[CniPod], *, mode: UpdateMode | None) -> list[str]:
    """What the scan could not see, each as a sentence; empty when it saw all it needs."""
    if not pods:
        return ["No CNI pods were read, so no node can be checked for a pending update."]
    gaps = []
    unlogged = [pod.name for pod in pods if pod.name not in observation.logs]
    if unlogged:
        gaps.append(f"The logs of CNI pods {', '.join(unlogged)} were not read.")
    daemon_set = observation.daemon_set
    if mode != "reboot" and not _revisions_known(daemon_set, pods):
        gaps.append(
            "The CNI DaemonSet's revisions were not fully read, so pods left on an old revision by an "
            "OnDelete update (CNI 2.3.0 and later) cannot be ruled out."
        )
    return gaps


def _revisions_known(daemon_set: CniDaemonSet | None, pods: Sequence[CniPod]) -> bool:
    on_delete = is_on_delete(daemon_set)
    if on_delete is False:
        return True
    if on_delete is None or daemon_set is None:
        return False
    if daemon_set.desired is not None and daemon_set.updated is not None:
        return True
    return daemon_set.newest_revision_hash is not None and all(p.revision_hash is not None for p in pods)

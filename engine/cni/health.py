"""CNI pods in trouble, per node: not Ready, restarting, or logging errors (`engine.cni.logs`).

Oracle's VCN-native page names the CNI DaemonSet and tells to read its pods' logs; a node whose CNI pod cannot
allocate pod IPs (for example "Failed to load checkpoint") runs no new pods there, whatever the update state.
"""

from __future__ import annotations

from engine.cni.logs import error_lines
from engine.model import CniObservation, CniPod
from engine.reports import CniPodErrors


def pod_errors(observation: CniObservation) -> list[CniPodErrors]:
    """Each CNI pod that is not Ready, has restarted, or has error lines in its log tail; by node, then pod."""
    found = []
    for pod in _all_pods(observation):
        log = observation.logs.get(pod.name)
        errors = list(error_lines(log)) if log is not None else []
        if pod.ready is False or (pod.restarts or 0) > 0 or errors:
            found.append(
                CniPodErrors(node=pod.node, pod=pod.name, ready=pod.ready, restarts=pod.restarts, errors=errors)
            )
    return sorted(found, key=lambda item: (item.node or "", item.pod))


def _all_pods(observation: CniObservation) -> list[CniPod]:
    listed = {pod.name for pod in observation.pods}
    return [*observation.pods, *(CniPod(name=name) for name in observation.logs if name not in listed)]


def trouble(item: CniPodErrors) -> str:
    """What is wrong with one pod, in words: "not Ready, 3 restarts, 2 distinct error lines"."""
    parts = []
    if item.ready is False:
        parts.append("not Ready")
    if item.restarts:
        parts.append(f"{item.restarts} restart{'s' if item.restarts != 1 else ''}")
    if item.errors:
        total = sum(error.count for error in item.errors)
        parts.append(f"{total} error line{'s' if total != 1 else ''} ({len(item.errors)} distinct)")
    return ", ".join(parts)

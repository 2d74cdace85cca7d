"""Snapshot add-ons, CNI Kubernetes objects and read errors → engine model."""

from __future__ import annotations

import re
from collections.abc import Sequence

from adapters.snapshot.document import (
    AddonOptionWire,
    AddonWire,
    ControllerRevisionWire,
    DaemonSetWire,
    ErrorWire,
    KubernetesWire,
    ObjectMeta,
    PodSpec,
    PodStatus,
    PodWire,
)
from engine.model import Addon, CniDaemonSet, CniObservation, CniPod, Unreadable

REVISION_HASH_LABEL = "controller-revision-hash"
# Versions Oracle offers but one should not be told to move to.
_UNOFFERED_STATUSES = frozenset({"PREVIEW", "RECALLED"})
_NUMBER = re.compile(r"\d+")


def addons_from_wire(
    addons: Sequence[AddonWire], options: Sequence[AddonOptionWire] | None
) -> tuple[Addon, ...]:
    """A cluster's add-ons; the newest available version comes from the add-on options when read."""
    return tuple(
        Addon(
            name=addon.name,
            version=addon.version,
            current_installed_version=addon.current_installed_version,
            lifecycle_state=addon.lifecycle_state,
            newest_available_version=None if options is None else newest_version(addon.name, options),
        )
        for addon in addons
    )


def newest_version(name: str, options: Sequence[AddonOptionWire]) -> str | None:
    """The highest offered version of the add-on (names match case-insensitively), or None."""
    folded = name.casefold()
    versions = [
        version.version_number
        for option in options
        if option.name.casefold() == folded
        for version in option.versions or ()
        if version.version_number and (version.status or "").upper() not in _UNOFFERED_STATUSES
    ]
    return max(versions, key=version_key, default=None)


def version_key(version: str) -> tuple[tuple[int, ...], str]:
    """Order versions numerically ("v2.10.0" after "v2.9.1"), then textually."""
    return tuple(int(part[:18]) for part in _NUMBER.findall(version)), version


def cni_observation_from_wire(wire: KubernetesWire) -> CniObservation:
    """What the snapshot holds about a cluster's CNI DaemonSet, its revisions, pods and logs."""
    return CniObservation(
        daemon_set=_daemon_set(wire.cni_daemon_set, wire.cni_controller_revisions),
        pods=tuple(_pod(pod, index) for index, pod in enumerate(wire.cni_pods or ())),
        logs=dict(wire.cni_logs or {}),
    )


def _daemon_set(
    wire: DaemonSetWire | None, revisions: Sequence[ControllerRevisionWire] | None
) -> CniDaemonSet | None:
    if wire is None:
        return None
    spec, status = wire.spec, wire.status
    strategy = spec.update_strategy if spec else None
    return CniDaemonSet(
        name=_name(wire.metadata) or "unnamed",
        update_strategy=strategy.type if strategy else None,
        desired=status.desired_number_scheduled if status else None,
        updated=status.updated_number_scheduled if status else None,
        newest_revision_hash=newest_revision_hash(revisions or ()),
        image=_image(spec.template.spec if spec and spec.template else None),
    )


def newest_revision_hash(revisions: Sequence[ControllerRevisionWire]) -> str | None:
    """The hash of the ControllerRevision with the highest `revision`: its label, else its name's suffix."""
    numbered = [rev for rev in revisions if rev.revision is not None]
    if not numbered:
        return None
    newest = max(numbered, key=lambda rev: rev.revision or 0)
    meta = newest.metadata
    label = (meta.labels or {}).get(REVISION_HASH_LABEL) if meta else None
    if label:
        return label
    name = _name(meta)
    return name.rsplit("-", 1)[-1] if name and "-" in name else None


def _pod(wire: PodWire, index: int) -> CniPod:
    meta = wire.metadata
    return CniPod(
        name=_name(meta) or f"pod-{index}",
        node=wire.spec.node_name if wire.spec else None,
        revision_hash=(meta.labels or {}).get(REVISION_HASH_LABEL) if meta else None,
        phase=wire.status.phase if wire.status else None,
        image=_image(wire.spec),
        ready=_ready(wire.status),
        restarts=_restarts(wire.status),
    )


def _ready(status: PodStatus | None) -> bool | None:
    """The pod's Ready condition: "True" is ready, "False" or "Unknown" not; None when it has no such condition."""
    for condition in (status.conditions or ()) if status else ():
        if condition.type == "Ready" and condition.status is not None:
            return condition.status == "True"
    return None


def _restarts(status: PodStatus | None) -> int | None:
    """Restarts of the pod's containers added up; None when no container status was read."""
    statuses = (status.container_statuses or []) if status is not None else []
    counts = [c.restart_count for c in statuses if c.restart_count is not None]
    return sum(counts) if counts else None


def _name(meta: ObjectMeta | None) -> str | None:
    return meta.name if meta else None


def _image(spec: PodSpec | None) -> str | None:
    containers = spec.containers if spec else None
    return containers[0].image if containers else None


def unreadable_from_wire(errors: Sequence[ErrorWire]) -> tuple[Unreadable, ...]:
    """okebot's `errors` extension: what the recorder could not read, with OCI's request id."""
    return tuple(
        Unreadable(
            kind=error.kind,
            id=error.id,
            status=error.status,
            code=error.code,
            message=error.message,
            request_id=error.opc_request_id,
        )
        for error in errors
    )

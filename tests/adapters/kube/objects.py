"""Kubernetes objects shaped as the API server returns them for an OKE VCN-native cluster's CNI."""

from __future__ import annotations

from typing import Any

NAMESPACE = "kube-system"
DS_NAME = "vcn-native-ip-cni"
DS_UID = "0b6f1c2e-5d7a-4c1e-9a43-1f2d3c4b5a60"
OTHER_UID = "9e8d7c6b-0000-4aaa-8bbb-112233445566"
LABELS = {"app": "vcn-native-ip-cni"}
NEW_HASH = "7d9c6b5f8"
OLD_HASH = "5f4b8c7d6"


def daemon_set(*, desired: int = 3, updated: int = 2) -> dict[str, Any]:
    return {
        "kind": "DaemonSet",
        "apiVersion": "apps/v1",
        "metadata": {"name": DS_NAME, "namespace": NAMESPACE, "uid": DS_UID, "generation": 4,
                     "labels": LABELS},
        "spec": {
            "selector": {"matchLabels": LABELS},
            "updateStrategy": {"type": "OnDelete"},
            "template": {
                "metadata": {"labels": LABELS},
                "spec": {"containers": [{"name": "vcn-native-ip-cni", "image": "iad.ocir.io/oke/cni:2.3.1"}]},
            },
        },
        "status": {"desiredNumberScheduled": desired, "updatedNumberScheduled": updated,
                   "currentNumberScheduled": desired, "numberReady": desired, "observedGeneration": 4},
    }


def revision(name: str, *, number: int, hash_: str, owner_uid: str | None = DS_UID,
             labels: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": name, "namespace": NAMESPACE,
        "labels": {**(LABELS if labels is None else labels), "controller-revision-hash": hash_},
    }
    if owner_uid is not None:
        metadata["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": DS_NAME,
                                        "uid": owner_uid, "controller": True, "blockOwnerDeletion": True}]
    return {"kind": "ControllerRevision", "apiVersion": "apps/v1", "metadata": metadata, "revision": number,
            "data": {"spec": {"template": {"$patch": "replace"}}}}


def pod(name: str, node: str, *, hash_: str = NEW_HASH, containers: tuple[str, ...] = ("vcn-native-ip-cni",),
        annotations: dict[str, str] | None = None, ready: bool = True, restarts: int = 0) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": name, "namespace": NAMESPACE, "labels": {**LABELS, "controller-revision-hash": hash_},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": DS_NAME, "uid": DS_UID,
                             "controller": True}],
    }
    if annotations:
        metadata["annotations"] = annotations
    return {
        "kind": "Pod", "apiVersion": "v1", "metadata": metadata,
        "spec": {"nodeName": node, "containers": [{"name": c, "image": "iad.ocir.io/oke/cni:2.3.1"}
                                                  for c in containers]},
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "True" if ready else "False"},
                {"type": "ContainersReady", "status": "True" if ready else "False"},
                {"type": "PodScheduled", "status": "True"},
            ],
            "containerStatuses": [
                {"name": c, "ready": ready, "restartCount": restarts, "image": "iad.ocir.io/oke/cni:2.3.1"}
                for c in containers
            ],
        },
    }


def log_text(lines: int, *, reboot: bool = False) -> str:
    body = [f"I1126 09:00:{i % 60:02d}.000000 1 ipam.go:{100 + i}] allocated secondary ip "
            f"10.0.{i // 250}.{i % 250}" for i in range(lines)]
    if reboot:
        body.append("I1126 09:59:59.000000 1 update.go:42] CNI update staged, reboot required")
    return "\n".join(body) + "\n"


def cni_entry(pod_count: int = 3) -> dict[str, Any]:
    """A snapshot `kubernetes` entry: one DaemonSet, its revisions (plus one foreign), pods and their logs."""
    pods = [pod(f"vcn-native-ip-cni-{i:05d}", f"10.0.10.{i + 2}", hash_=OLD_HASH if i == 0 else NEW_HASH)
            for i in range(pod_count)]
    return {
        "cniDaemonSet": daemon_set(desired=pod_count, updated=pod_count - 1),
        "cniControllerRevisions": [
            revision(f"{DS_NAME}-{OLD_HASH}", number=1, hash_=OLD_HASH),
            revision(f"{DS_NAME}-{NEW_HASH}", number=2, hash_=NEW_HASH),
            revision("impostor-6c5b4a3f2", number=7, hash_="6c5b4a3f2", owner_uid=OTHER_UID),
            revision("kube-proxy-5b6c7d8e9", number=3, hash_="5b6c7d8e9", labels={"k8s-app": "kube-proxy"}),
        ],
        "cniPods": pods,
        "cniLogs": {p["metadata"]["name"]: log_text(500, reboot=i == 0) for i, p in enumerate(pods)},
    }

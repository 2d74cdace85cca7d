"""Read a VCN-native cluster's CNI objects from its Kubernetes API, exactly as the API returns them.

The result is one snapshot `kubernetes` entry (docs/snapshot-format.md): the CNI DaemonSet, its
ControllerRevisions, its pods and a bounded tail of each pod's log (the check Oracle's VCN-native pod
networking page documents). A pod whose log cannot be read is left out of `cniLogs` and named in
`errors`; anything else that fails fails the whole read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from adapters.kube.client import KubeClient
from engine.errors import InputError, SourceError

_DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"
CNI_NAMESPACE = "kube-system"
CNI_DAEMONSET = "vcn-native-ip-cni"


def daemonset_path(namespace: str = CNI_NAMESPACE, daemonset: str = CNI_DAEMONSET) -> str:
    """The API path of the CNI DaemonSet."""
    return f"/apis/apps/v1/namespaces/{quote(namespace, safe='')}/daemonsets/{quote(daemonset, safe='')}"


async def read_cni_daemonset(
    endpoint: str,
    *,
    ca_pem: str | None,
    token: str | Callable[[], str],
    verify_tls: bool = True,
    timeout: float = 10.0,  # noqa: ASYNC109 - a per-request limit handed to aiohttp, not a deadline
) -> dict[str, Any]:
    """Only the CNI DaemonSet (one GET): whether the credentials and RBAC let okebot read it."""
    async with KubeClient(endpoint, token=token, ca_pem=ca_pem, verify_tls=verify_tls, timeout=timeout) as kube:
        return await kube.get_json(daemonset_path())


async def read_cni_objects(
    endpoint: str,
    *,
    ca_pem: str | None,
    token: str | Callable[[], str],
    namespace: str = CNI_NAMESPACE,
    daemonset: str = CNI_DAEMONSET,
    label_selector: str = "app=vcn-native-ip-cni",
    tail_lines: int = 200,
    max_log_bytes: int = 64_000,
    concurrency: int = 8,
    timeout: float = 10.0,  # noqa: ASYNC109 - a per-request limit handed to aiohttp, not a deadline
    verify_tls: bool = True,
) -> dict[str, Any]:
    """Read the CNI DaemonSet, its ControllerRevisions, its pods and their log tails from one cluster."""
    if tail_lines < 1 or max_log_bytes < 1:
        raise InputError("tail_lines and max_log_bytes must be at least 1", where="read_cni_objects")
    ns = quote(namespace, safe="")
    async with KubeClient(
        endpoint, token=token, ca_pem=ca_pem, verify_tls=verify_tls, concurrency=concurrency, timeout=timeout
    ) as kube:
        daemon_set = await kube.get_json(daemonset_path(namespace, daemonset))
        selector = {"labelSelector": label_selector}
        revisions, pods = await asyncio.gather(
            kube.list_items(f"/apis/apps/v1/namespaces/{ns}/controllerrevisions", selector),
            kube.list_items(f"/api/v1/namespaces/{ns}/pods", selector),
        )
        logs, errors = await _read_logs(
            kube, pods, namespace=ns, tail_lines=tail_lines, max_bytes=max_log_bytes
        )
    return {
        "cniDaemonSet": daemon_set,
        "cniControllerRevisions": owned_revisions(revisions, daemon_set),
        "cniPods": pods,
        "cniLogs": logs,
        "errors": errors,
    }


def owned_revisions(revisions: Sequence[Any], daemon_set: Mapping[str, Any]) -> list[Any]:
    """The revisions the DaemonSet owns, plus label-matched ones no controller owns (being adopted)."""
    uid = (daemon_set.get("metadata") or {}).get("uid")
    kept = []
    for revision in revisions:
        owners = (revision.get("metadata") or {}).get("ownerReferences") or []
        controller = next((owner for owner in owners if owner.get("controller")), None)
        if controller is None or (uid is not None and controller.get("uid") == uid):
            kept.append(revision)
    return kept


async def _read_logs(
    kube: KubeClient, pods: Sequence[Any], *, namespace: str, tail_lines: int, max_bytes: int
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    names = [str(pod["metadata"]["name"]) for pod in pods]
    reads = (_read_log(kube, pod, namespace=namespace, tail_lines=tail_lines, max_bytes=max_bytes)
             for pod in pods)
    results = await asyncio.gather(*reads)
    logs: dict[str, str] = {}
    errors: list[dict[str, Any]] = []
    for name, result in zip(names, results, strict=True):
        if isinstance(result, SourceError):
            errors.append({"kind": "podLog", "id": name, "status": result.status, "message": result.message})
        else:
            logs[name] = result
    return logs, errors


async def _read_log(
    kube: KubeClient, pod: Mapping[str, Any], *, namespace: str, tail_lines: int, max_bytes: int
) -> str | SourceError:
    params = {"tailLines": str(tail_lines), "limitBytes": str(max_bytes)}
    container = default_container(pod)
    if container is not None:
        params["container"] = container
    path = f"/api/v1/namespaces/{namespace}/pods/{quote(pod['metadata']['name'], safe='')}/log"
    try:
        body = await kube.get_bytes(path, params, max_bytes=max_bytes)
    except SourceError as exc:
        return exc
    return body.decode("utf-8", errors="replace")


def default_container(pod: Mapping[str, Any]) -> str | None:
    """The container `kubectl logs` would pick: the default-container annotation, else the first one."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    if annotations.get(_DEFAULT_CONTAINER_ANNOTATION):
        return str(annotations[_DEFAULT_CONTAINER_ANNOTATION])
    containers = (pod.get("spec") or {}).get("containers") or []
    return str(containers[0]["name"]) if containers and containers[0].get("name") else None

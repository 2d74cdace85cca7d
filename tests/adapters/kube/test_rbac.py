"""deploy/kubernetes/rbac.yaml grants exactly what the reader asks the API server for."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from adapters.fakes.kube_server import FakeKubeServer
from adapters.kube.reader import read_cni_objects

from .objects import cni_entry

RBAC = Path(__file__).parents[3] / "deploy" / "kubernetes" / "rbac.yaml"
ROUTES = [
    (r"/apis/apps/v1/namespaces/([^/]+)/daemonsets/([^/]+)", "apps", "daemonsets", "get"),
    (r"/apis/apps/v1/namespaces/([^/]+)/controllerrevisions", "apps", "controllerrevisions", "list"),
    (r"/api/v1/namespaces/([^/]+)/pods", "", "pods", "list"),
    (r"/api/v1/namespaces/([^/]+)/pods/([^/]+)/log", "", "pods/log", "get"),
]


def requested(path: str) -> tuple[str, str, str, str, str | None]:
    """(namespace, apiGroup, resource, verb, name) of a GET, as the RBAC authorizer sees it."""
    for pattern, group, resource, verb in ROUTES:
        match = re.fullmatch(pattern, path)
        if match:
            name = match.group(2) if resource == "daemonsets" else None
            return match.group(1), group, resource, verb, name
    raise AssertionError(f"the reader called an unexpected path {path}")


def allows(
    role: dict[str, Any], namespace: str, group: str, resource: str, verb: str, name: str | None
) -> bool:
    if role["metadata"]["namespace"] != namespace:
        return False
    return any(
        group in rule["apiGroups"] and resource in rule["resources"] and verb in rule["verbs"]
        and (not rule.get("resourceNames") or name in rule["resourceNames"])
        for rule in role["rules"]
    )


def documents() -> dict[str, dict[str, Any]]:
    return {doc["kind"]: doc for doc in yaml.safe_load_all(RBAC.read_text())}


async def test_every_request_the_reader_makes_is_allowed_by_the_role():
    role = documents()["Role"]
    async with FakeKubeServer(cni_entry(pod_count=2), token="t") as kube:
        await read_cni_objects(kube.url, ca_pem=None, token="t")

    requests = {requested(path) for path in kube.calls}
    assert len({r[2] for r in requests}) == 4
    assert all(allows(role, *request) for request in requests)


def test_the_role_only_reads_and_the_binding_points_at_it():
    docs = documents()
    verbs = {verb for rule in docs["Role"]["rules"] for verb in rule["verbs"]}
    assert verbs <= {"get", "list"}
    assert docs["RoleBinding"]["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": docs["Role"]["metadata"]["name"]
    }
    namespaces = {docs[kind]["metadata"]["namespace"] for kind in ("Role", "RoleBinding")}
    assert namespaces == {"kube-system"}

"""Snapshot fields the field-case rules read: endpoint exposure, cluster type, CNI pod health, IP holders."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.snapshot import tenancy_from_document

CLUSTER = "ocid1.cluster.oc1.iad.aaaaaaaacluster"


def _cluster(**fields: Any) -> dict[str, Any]:
    return {"id": CLUSTER, "name": "prod", **fields}


def _convert(*clusters: dict[str, Any], **kinds: Any):
    return tenancy_from_document({"format": "okebot.snapshot/v1", "clusters": list(clusters), **kinds}, source="t")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"endpointConfig": {"subnetId": "api", "isPublicIpEnabled": True}}, True),
        ({"endpointConfig": {"subnetId": "api", "isPublicIpEnabled": False}}, False),
        ({"endpoints": {"publicEndpoint": "129.0.0.1:6443", "privateEndpoint": "10.0.0.3:6443"}}, True),
        ({"endpoints": {"publicEndpoint": None, "privateEndpoint": "10.0.0.3:6443"}}, False),
        ({"endpointConfig": {"isPublicIpEnabled": False}, "endpoints": {"publicEndpoint": "129.0.0.1:6443"}}, False),
        ({"endpointConfig": {"subnetId": "api"}}, None),
        ({}, None),
    ],
)
def test_public_endpoint_comes_from_endpoint_config_then_endpoints(fields: dict[str, Any],
                                                                   expected: bool | None) -> None:
    assert _convert(_cluster(**fields)).clusters[0].public_endpoint is expected


def _pod_status(**status: Any) -> dict[str, Any]:
    return {"metadata": {"name": "cni-1"}, "spec": {"nodeName": "10.0.10.2"}, "status": {"phase": "Running",
                                                                                           **status}}


@pytest.mark.parametrize(
    ("status", "ready", "restarts"),
    [
        ({"conditions": [{"type": "Ready", "status": "True"}],
          "containerStatuses": [{"name": "cni", "restartCount": 0}]}, True, 0),
        ({"conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}],
          "containerStatuses": [{"name": "cni", "restartCount": 3}, {"name": "sidecar", "restartCount": 2}]},
         False, 5),
        ({"conditions": [{"type": "Ready", "status": "Unknown"}]}, False, None),
        ({"conditions": [{"type": "PodScheduled", "status": "True"}]}, None, None),
        ({}, None, None),
    ],
)
def test_cni_pod_readiness_and_restarts_come_from_conditions_and_container_statuses(
    status: dict[str, Any], ready: bool | None, restarts: int | None
) -> None:
    kubernetes = {CLUSTER: {"cniPods": [_pod_status(**status)], "cniLogs": {}}}
    observation = _convert(_cluster(), kubernetes=kubernetes).clusters[0].cni_observation
    assert observation is not None
    (pod,) = observation.pods
    assert (pod.ready, pod.restarts) == (ready, restarts)

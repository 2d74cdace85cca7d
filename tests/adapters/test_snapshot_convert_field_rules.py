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

"""VCN-native clusters' CNI objects are read from each cluster's Kubernetes API during a recording."""

from __future__ import annotations

import base64
import json
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from adapters.fakes.kube_server import FakeKubeServer
from adapters.fakes.oci_server import FakeOciServer
from adapters.oci.recorder import record_snapshot
from tests.adapters.oci.conftest import make_settings
from tests.adapters.oci.test_round_trip import DEMO, as_recorded, model


def signed_for(cluster_id: str):
    """Accept only an OKE token: a base64url presigned cluster_request URL for this cluster."""

    def accepts(token: str) -> bool:
        url = base64.urlsafe_b64decode(token.encode()).decode()
        return f"/cluster_request/{cluster_id}" in url and "authorization=" in url

    return accepts


async def test_kube_enabled_reads_every_vcn_native_cluster_through_create_kubeconfig(oci_config_file: Path) -> None:
    demo = json.loads(DEMO.read_text())
    source = as_recorded(demo)
    native = [c for c in source["clusters"] if c["clusterPodNetworkOptions"][0]["cniType"] == "OCI_VCN_IP_NATIVE"]
    async with AsyncExitStack() as stack:
        oci_server = await stack.enter_async_context(FakeOciServer(source))
        kube_servers: dict[str, FakeKubeServer] = {}
        for cluster in native:
            # The demo could not read one cluster's pods; its server holds some CNI but refuses the pod list.
            entry = demo["kubernetes"].get(cluster["id"]) or next(iter(demo["kubernetes"].values()))
            kube = await stack.enter_async_context(FakeKubeServer(entry, accepts_token=signed_for(cluster["id"])))
            oci_server.kube_endpoints[cluster["id"]] = kube.url
            kube_servers[cluster["id"]] = kube
        [denied] = [e for e in demo["errors"] if e["kind"] == "kubernetes"]
        kube_servers[denied["id"]].fail("/api/v1/namespaces/kube-system/pods", 403, message=denied["message"])
        settings = make_settings(oci_config_file, oci_server.url, compartment_ids=[native[0]["compartmentId"]],
                                 kube_enabled=True)
        recorded = await record_snapshot(settings)
    assert set(recorded["kubernetes"]) == set(demo["kubernetes"])
    tenancy = model(recorded)
    expected = model({**source, "kubernetes": demo["kubernetes"]})
    assert [c.cni_observation for c in tenancy.clusters] == [c.cni_observation for c in expected.clusters]
    [error] = [e for e in recorded["errors"] if e["kind"] == "kubernetes"]
    assert (error["id"], error["status"]) == (denied["id"], 403)
    assert denied["message"] in error["message"]


async def test_a_kubeconfig_is_used_only_for_the_cluster_it_points_at(
    oci_config_file: Path, tmp_path: Path
) -> None:
    demo = json.loads(DEMO.read_text())
    source = as_recorded(demo)
    [cluster_id, entry] = next(iter(demo["kubernetes"].items()))
    async with FakeKubeServer(entry, token="static") as kube:
        host = kube.url.removeprefix("http://")
        for cluster in source["clusters"]:
            if cluster["id"] == cluster_id:
                cluster["endpoints"] = {"privateEndpoint": host}
        kubeconfig: dict[str, Any] = {
            "current-context": "x", "clusters": [{"name": "c", "cluster": {"server": kube.url}}],
            "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
            "users": [{"name": "u", "user": {"token": "static"}}],
        }
        (tmp_path / "kubeconfig").write_text(json.dumps(kubeconfig))
        async with FakeOciServer(source) as oci_server:
            settings = make_settings(oci_config_file, oci_server.url, kubeconfig=tmp_path / "kubeconfig",
                                     compartment_ids=[source["clusters"][0]["compartmentId"]])
            recorded = await record_snapshot(settings)
    assert list(recorded["kubernetes"]) == [cluster_id]
    assert [e for e in recorded["errors"] if e["kind"] == "kubernetes"] == []


@pytest.mark.parametrize(
    ("region", "domain"),
    [
        ("us-ashburn-1", "oraclecloud.com"),
        ("us-langley-1", "oraclegovcloud.com"),
        ("not-a-region-1", "oraclecloud.com"),
    ],
)
def test_the_token_is_signed_for_the_realm_of_the_clusters_region(region: str, domain: str) -> None:
    from adapters.oci.kube_link import realm_domain

    assert realm_domain(region) == domain

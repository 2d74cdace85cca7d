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


PODS = "ocid1.subnet.oc1.iad.aaaaaaaapods"


def _ip(vnic: str | None, subnet: str = PODS) -> dict[str, Any]:
    return {"subnetId": subnet, **({"vnicId": vnic} if vnic is not None else {})}


def test_private_ips_per_vnic_and_vnic_attachments_are_read() -> None:
    tenancy = _convert(
        _cluster(),
        subnets=[{"id": PODS, "cidrBlock": "10.0.64.0/24"}],
        privateIps=[_ip("vnic-a"), _ip("vnic-a"), _ip("vnic-b")],
        vnicAttachments=[
            {"vnicId": "vnic-a", "instanceId": "inst-a", "lifecycleState": "ATTACHED"},
            {"vnicId": "vnic-b", "instanceId": "inst-b"},
            {"vnicId": "vnic-old", "instanceId": "inst-old", "lifecycleState": "DETACHED"},
        ],
    )
    usage = tenancy.ip_usage[PODS]
    assert (usage.used_ips, usage.ips_by_vnic) == (3, {"vnic-a": 2, "vnic-b": 1})
    assert tenancy.vnic_instances == {"vnic-a": "inst-a", "vnic-b": "inst-b"}


def test_an_ip_without_its_vnic_leaves_the_subnet_s_holders_unknown_and_no_attachments_mean_unknown() -> None:
    tenancy = _convert(_cluster(), subnets=[{"id": PODS, "cidrBlock": "10.0.64.0/24"}],
                       privateIps=[_ip("vnic-a"), _ip(None)])
    assert tenancy.ip_usage[PODS].ips_by_vnic is None
    assert tenancy.vnic_instances is None
    empty = _convert(_cluster(), subnets=[{"id": PODS, "cidrBlock": "10.0.64.0/24"}], privateIps=[],
                     vnicAttachments=[])
    assert (empty.ip_usage[PODS].ips_by_vnic, empty.vnic_instances) == ({}, {})


def test_a_snapshot_with_karpenter_nodes_names_them_in_the_capacity_answer() -> None:
    from engine.capacity import assess_cluster_capacity

    pool = {
        "id": "np1", "clusterId": CLUSTER, "name": "general", "nodeShape": "VM.Standard.E4.Flex",
        "nodeShapeConfig": {"ocpus": 2},
        "nodes": [{"id": "inst-pool-0", "subnetId": PODS}],
        "nodeConfigDetails": {"size": 1, "placementConfigs": [{"subnetId": PODS}],
                              "nodePoolPodNetworkOptionDetails": {"cniType": "OCI_VCN_IP_NATIVE",
                                                                  "podSubnetIds": [PODS]}},
    }
    ips = [_ip("vnic-pool")] * 33 + [_ip("vnic-karp")] * 20
    tenancy = _convert(
        _cluster(clusterPodNetworkOptions=[{"cniType": "OCI_VCN_IP_NATIVE"}]),
        nodePools=[pool], virtualNodePools=[], subnets=[{"id": PODS, "cidrBlock": "10.0.64.0/24"}],
        privateIps=ips,
        vnicAttachments=[{"vnicId": "vnic-pool", "instanceId": "inst-pool-0"},
                         {"vnicId": "vnic-karp", "instanceId": "inst-karpenter-1"}],
    )
    (pods,) = assess_cluster_capacity(tenancy, tenancy.clusters[0]).subnets
    assert (pods.used_ips, pods.reserved_ips, pods.unattributed_ips) == (53, 33, 20)
    assert [(h.kind, h.holder, h.ips) for h in pods.unattributed_holders] == [("instance", "inst-karpenter-1", 20)]


@pytest.mark.parametrize(
    ("wire_type", "expected"),
    [("ENHANCED_CLUSTER", "enhanced"), ("BASIC_CLUSTER", "basic"), ("SOMETHING_NEW", None), (None, None)],
)
def test_cluster_type_comes_from_get_cluster_and_stays_unknown_otherwise(wire_type: str | None,
                                                                         expected: str | None) -> None:
    fields = {"type": wire_type} if wire_type is not None else {}
    assert _convert(_cluster(**fields)).clusters[0].type == expected


async def test_a_snapshot_file_or_document_is_a_snapshot_source_and_a_live_recording_says_live() -> None:
    from adapters.snapshot import SnapshotTenancyReader, load_demo_reader

    document = {"format": "okebot.snapshot/v1", "clusters": [_cluster()]}
    assert (await SnapshotTenancyReader(document).read()).source_kind == "snapshot"
    assert (await load_demo_reader().read()).source_kind == "snapshot"
    assert tenancy_from_document(document, source="t", kind="live").source_kind == "live"

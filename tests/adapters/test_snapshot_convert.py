"""Snapshot wire JSON → engine model, one field family at a time."""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Any

import pytest

from adapters.snapshot import tenancy_from_document
from engine.model import Cni, NodePoolType, SecurityRule

CLUSTER = "ocid1.cluster.oc1.iad.aaaaaaaacluster"
VCN = "ocid1.vcn.oc1.iad.amaaaaaavcn"
WORKERS = "ocid1.subnet.oc1.iad.aaaaaaaaworkers"
PODS = "ocid1.subnet.oc1.iad.aaaaaaaapods"
NAT = "ocid1.natgateway.oc1.iad.aaaaaaaanat"
SL = "ocid1.securitylist.oc1.iad.aaaaaaaasl"
RT = "ocid1.routetable.oc1.iad.aaaaaaaart"


def doc(**kinds: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "format": "okebot.snapshot/v1",
        "clusters": [{"id": CLUSTER, "name": "prod", "vcnId": VCN}],
    }
    return {**base, **kinds}


def convert(**kinds: Any):
    return tenancy_from_document(doc(**kinds), source="t.json")


def subnet(subnet_id: str = WORKERS, **fields: Any) -> dict[str, Any]:
    return {"id": subnet_id, "displayName": "workers", "vcnId": VCN, "cidrBlock": "10.0.16.0/24", **fields}


def test_cluster_fields_come_from_get_cluster_json():
    wire = {
        "id": CLUSTER,
        "name": "prod",
        "vcnId": VCN,
        "kubernetesVersion": "v1.33.1",
        "lifecycleState": "ACTIVE",
        "clusterPodNetworkOptions": [{"cniType": "OCI_VCN_IP_NATIVE"}],
        "options": {
            "serviceLbSubnetIds": ["lb1"],
            "kubernetesNetworkConfig": {"podsCidr": "10.244.0.0/16", "servicesCidr": "10.96.0.0/16"},
            "somethingNew": {"ignored": True},
        },
        "endpointConfig": {"subnetId": "api1", "nsgIds": ["nsg1"], "isPublicIpEnabled": False},
    }
    cluster = tenancy_from_document(
        {"format": "okebot.snapshot/v1", "clusters": [wire]}, source="t"
    ).clusters[0]
    assert cluster.cni is Cni.VCN_NATIVE
    assert cluster.kubernetes_version == "v1.33.1"
    assert cluster.pods_cidr == IPv4Network("10.244.0.0/16")
    assert cluster.services_cidr == IPv4Network("10.96.0.0/16")
    assert cluster.lb_subnet_ids == ("lb1",)
    assert (cluster.endpoint_subnet_id, cluster.endpoint_nsg_ids) == ("api1", ("nsg1",))
    assert cluster.lifecycle_state == "ACTIVE"
    assert cluster.service_mesh is False


@pytest.mark.parametrize(
    ("options", "pool_cni", "expected"),
    [
        (None, None, Cni.FLANNEL),
        ([{"cniType": "FLANNEL_OVERLAY"}], None, Cni.FLANNEL),
        ([{"cniType": "OCI_VCN_IP_NATIVE"}], None, Cni.VCN_NATIVE),
        (None, "OCI_VCN_IP_NATIVE", Cni.VCN_NATIVE),
        ([{"cniType": "FLANNEL_OVERLAY"}], "OCI_VCN_IP_NATIVE", Cni.FLANNEL),
    ],
)
def test_cni_comes_from_cluster_options_then_pools_then_the_api_default(options, pool_cni, expected):
    cluster: dict[str, Any] = {"id": CLUSTER, "name": "prod"}
    if options is not None:
        cluster["clusterPodNetworkOptions"] = options
    pool: dict[str, Any] = {"id": "np1", "clusterId": CLUSTER}
    if pool_cni:
        pool["nodeConfigDetails"] = {"nodePoolPodNetworkOptionDetails": {"cniType": pool_cni}}
    tenancy = convert(clusters=[cluster], nodePools=[pool])
    assert tenancy.clusters[0].cni is expected


def test_node_pool_fields_come_from_get_node_pool_json():
    pool = {
        "id": "np1",
        "clusterId": CLUSTER,
        "name": "general",
        "kubernetesVersion": "v1.33.1",
        "nodeShape": "VM.Standard.E4.Flex",
        "nodeShapeConfig": {"ocpus": 4.0, "memoryInGBs": 64.0},
        "nodeSourceDetails": {"sourceType": "IMAGE", "imageId": "img1"},
        "nodeImageName": "Oracle-Linux-8.10",
        "subnetIds": [WORKERS],
        "nodeConfigDetails": {
            "size": 3,
            "nsgIds": ["nsgw"],
            "placementConfigs": [{"subnetId": WORKERS}, {"subnetId": WORKERS}, {"subnetId": "w2"}],
            "nodePoolPodNetworkOptionDetails": {
                "cniType": "OCI_VCN_IP_NATIVE",
                "maxPodsPerNode": 62,
                "podSubnetIds": [PODS],
                "podNsgIds": ["nsgp"],
            },
        },
        "secondaryVnics": [{"createVnicDetails": {"ipCount": 64, "subnetId": "pods2"}, "nicIndex": 1}],
        "nodes": [
            {
                "id": "i1",
                "name": "10.0.16.5",
                "privateIp": "10.0.16.5",
                "subnetId": WORKERS,
                "lifecycleState": "ACTIVE",
                "kubernetesVersion": "v1.33.1",
            }
        ],
    }
    instances = [{"id": "i1", "shapeConfig": {"ocpus": 4.0, "maxVnicAttachments": 4}}]
    result = convert(nodePools=[pool], instances=instances).clusters[0].node_pools[0]
    assert (result.name, result.shape, result.ocpus, result.size) == (
        "general",
        "VM.Standard.E4.Flex",
        4.0,
        3,
    )
    assert result.worker_subnet_ids == (WORKERS, "w2")
    assert result.pod_subnet_ids == (PODS, "pods2")
    assert result.secondary_vnic_ip_counts == (64,)
    assert (result.max_pods_per_node, result.nsg_ids, result.pod_nsg_ids) == (62, ("nsgw",), ("nsgp",))
    assert result.image is not None
    assert (result.image.id, result.image.name, result.image.released) == ("img1", "Oracle-Linux-8.10", None)
    assert result.nodes is not None
    node = result.nodes[0]
    assert (node.id, node.name, node.private_ip, node.subnet_id, node.state) == (
        "i1",
        "10.0.16.5",
        "10.0.16.5",
        WORKERS,
        "ACTIVE",
    )
    assert node.max_vnics == 4


def test_pool_without_nodes_field_has_unknown_nodes_not_zero():
    pool = convert(nodePools=[{"id": "np1", "clusterId": CLUSTER}]).clusters[0].node_pools[0]
    assert pool.nodes is None
    assert pool.size is None
    assert pool.image is None


def test_legacy_pool_size_is_quantity_per_subnet_times_subnets():
    wire = {"id": "np1", "clusterId": CLUSTER, "subnetIds": ["a", "b"], "quantityPerSubnet": 3}
    pool = convert(nodePools=[wire]).clusters[0].node_pools[0]
    assert (pool.size, pool.worker_subnet_ids) == (6, ("a", "b"))


def test_images_give_node_pool_image_a_release_date():
    pool = {"id": "np1", "clusterId": CLUSTER, "nodeSourceDetails": {"imageId": "img1"}}
    image = {"id": "img1", "displayName": "OL8-OKE-1.33", "timeCreated": "2022-05-30T23:10:00.123Z"}
    result = convert(nodePools=[pool], images=[image]).clusters[0].node_pools[0].image
    assert result is not None
    assert (result.id, result.name, result.released) == ("img1", "OL8-OKE-1.33", "2022-05-30")


def test_virtual_node_pool_becomes_a_virtual_pool():
    wire = {
        "id": "vnp1",
        "clusterId": CLUSTER,
        "displayName": "virtual",
        "size": 4,
        "nsgIds": ["n1"],
        "placementConfigurations": [{"availabilityDomain": "AD-1", "subnetId": WORKERS}],
        "podConfiguration": {"subnetId": PODS, "nsgIds": ["n2"], "shape": "Pod.Standard.E4.Flex"},
    }
    pool = convert(virtualNodePools=[wire]).clusters[0].node_pools[0]
    assert pool.type is NodePoolType.VIRTUAL
    assert (pool.name, pool.size, pool.worker_subnet_ids, pool.pod_subnet_ids) == (
        "virtual",
        4,
        (WORKERS,),
        (PODS,),
    )
    assert (pool.nsg_ids, pool.pod_nsg_ids) == (("n1",), ("n2",))


def test_vcn_and_subnet_fields():
    vcns = [
        {
            "id": VCN,
            "displayName": "vcn",
            "cidrBlock": "10.0.0.0/16",
            "cidrBlocks": ["10.0.0.0/16", "10.1.0.0/16"],
        }
    ]
    subnets = [
        subnet(availabilityDomain=None, prohibitPublicIpOnVnic=True),
        subnet(
            PODS,
            availabilityDomain="Uocm:US-ASHBURN-AD-1",
            prohibitPublicIpOnVnic=False,
            ipv4CidrBlocks=["10.0.64.0/23", "10.0.66.0/23"],
            cidrBlock="10.0.64.0/23",
        ),
    ]
    tenancy = convert(vcns=vcns, subnets=subnets)
    assert tenancy.vcns[0].cidrs == (IPv4Network("10.0.0.0/16"), IPv4Network("10.1.0.0/16"))
    workers, pods = tenancy.subnets
    assert (workers.regional, workers.public, workers.vcn_id) == (True, False, VCN)
    assert (pods.regional, pods.public) == (False, True)
    assert pods.cidrs == (IPv4Network("10.0.64.0/23"), IPv4Network("10.0.66.0/23"))


def test_shapes_keep_fixed_and_flex_vnic_limits():
    shapes = [
        {
            "shape": "VM.Standard.E4.Flex",
            "isFlexible": True,
            "maxVnicAttachments": 2,
            "maxVnicAttachmentOptions": {"min": 2, "max": 24.0, "defaultPerOcpu": 1.0},
        },
        {"shape": "VM.Standard.E4.Flex", "isFlexible": True},
        {"shape": "VM.Standard2.4", "isFlexible": False, "maxVnicAttachments": 4},
    ]
    flex, fixed = convert(shapes=shapes).shapes
    assert flex.flex_vnics is not None
    assert (flex.flex_vnics.minimum, flex.flex_vnics.maximum, flex.flex_vnics.per_ocpu) == (2, 24, 1.0)
    assert (flex.source, fixed.max_vnics, fixed.flex_vnics) == ("tenancy", 4, None)


def _ips(*subnet_ids: str) -> list[dict[str, Any]]:
    return [{"subnetId": s, "ipAddress": f"10.0.0.{i}"} for i, s in enumerate(subnet_ids)]


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ({}, {}),
        ({"privateIps": _ips(PODS, PODS, WORKERS)}, {WORKERS: 1, PODS: 2}),
        ({"privateIps": []}, {WORKERS: 0, PODS: 0}),
        ({"privateIps": _ips(PODS, PODS, WORKERS), "privateIpSubnetIds": [PODS]}, {PODS: 2}),
        ({"privateIps": _ips(PODS), "privateIpSubnetIds": [PODS, WORKERS]}, {PODS: 1, WORKERS: 0}),
    ],
)
def test_private_ip_coverage_convention(kinds, expected):
    tenancy = convert(subnets=[subnet(), subnet(PODS, cidrBlock="10.0.64.0/23")], **kinds)
    assert {k: v.used_ips for k, v in tenancy.ip_usage.items()} == expected


SECURITY_LIST = {
    "id": SL,
    "ingressSecurityRules": [
        {
            "protocol": "6",
            "source": "10.0.16.0/24",
            "sourceType": "CIDR_BLOCK",
            "isStateless": False,
            "tcpOptions": {"destinationPortRange": {"min": 6443, "max": 6443}},
            "description": "api",
        },
        {"protocol": "1", "source": "0.0.0.0/0", "icmpOptions": {"type": 3, "code": 4}},
    ],
    "egressSecurityRules": [
        {
            "protocol": "all",
            "destination": "all-iad-services-in-oracle-services-network",
            "destinationType": "SERVICE_CIDR_BLOCK",
            "isStateless": True,
        },
        {
            "protocol": "17",
            "destination": "10.0.0.0/16",
            "udpOptions": {"destinationPortRange": {"min": 53, "max": 53}},
        },
    ],
}


def test_security_lists_become_subnet_rules():
    rules = (
        convert(subnets=[subnet(securityListIds=[SL])], securityLists=[SECURITY_LIST])
        .subnets[0]
        .security_rules
    )
    assert rules == (
        SecurityRule(
            direction="ingress",
            protocol="6",
            peer="10.0.16.0/24",
            port_min=6443,
            port_max=6443,
            description="api",
        ),
        SecurityRule(direction="ingress", protocol="1", peer="0.0.0.0/0", icmp_type=3, icmp_code=4),
        SecurityRule(
            direction="egress",
            protocol="all",
            peer="all-iad-services-in-oracle-services-network",
            peer_type="service",
            stateless=True,
        ),
        SecurityRule(direction="egress", protocol="17", peer="10.0.0.0/16", port_min=53, port_max=53),
    )


@pytest.mark.parametrize(
    ("kinds", "list_ids", "expected"),
    [
        ({}, [SL], None),
        ({"securityLists": []}, [SL], None),
        ({"securityLists": [SECURITY_LIST]}, [SL, "ocid1.securitylist.missing"], None),
        ({"securityLists": []}, [], 0),
    ],
)
def test_subnet_rules_are_unknown_unless_all_its_lists_were_read(kinds, list_ids, expected):
    rules = convert(subnets=[subnet(securityListIds=list_ids)], **kinds).subnets[0].security_rules
    assert (None if rules is None else len(rules)) == expected


def test_nsg_rules_state_their_direction():
    rules = {
        "nsg1": [
            {
                "direction": "INGRESS",
                "protocol": "6",
                "source": "nsg2",
                "sourceType": "NETWORK_SECURITY_GROUP",
            },
            {"direction": "EGRESS", "protocol": "all", "destination": "0.0.0.0/0"},
        ]
    }
    tenancy = convert(networkSecurityGroups=[{"id": "nsg1"}], nsgSecurityRules=rules)
    ingress, egress = tenancy.nsg_rules["nsg1"]
    assert (ingress.direction, ingress.peer, ingress.peer_type) == ("ingress", "nsg2", "nsg")
    assert (egress.direction, egress.peer) == ("egress", "0.0.0.0/0")


@pytest.mark.parametrize(
    ("entity", "gateways", "target"),
    [
        (NAT, {}, "nat-gateway"),
        ("ocid1.servicegateway.oc1.iad.x", {}, "service-gateway"),
        ("ocid1.internetgateway.oc1.iad.x", {}, "internet-gateway"),
        ("ocid1.drg.oc1.iad.x", {}, "drg"),
        ("ocid1.localpeeringgateway.oc1.iad.x", {}, "local-peering-gateway"),
        ("ocid1.privateip.oc1.iad.x", {}, "private-ip"),
        ("custom-id", {"natGateways": [{"id": "custom-id"}]}, "nat-gateway"),
        ("custom-id", {}, "other"),
    ],
)
def test_route_target_comes_from_gateway_lists_or_ocid_type(entity, gateways, target):
    table = {
        "id": RT,
        "routeRules": [
            {"destination": "0.0.0.0/0", "destinationType": "CIDR_BLOCK", "networkEntityId": entity}
        ],
    }
    tenancy = convert(subnets=[subnet(routeTableId=RT)], routeTables=[table], **gateways)
    rules = tenancy.subnets[0].route_rules
    assert rules is not None
    assert (rules[0].target, rules[0].target_id, rules[0].destination) == (target, entity, "0.0.0.0/0")


def test_route_rules_are_unknown_when_route_tables_were_not_read():
    assert convert(subnets=[subnet(routeTableId=RT)]).subnets[0].route_rules is None
    assert convert(subnets=[subnet(routeTableId=RT)], routeTables=[]).subnets[0].route_rules is None


def test_addons_take_newest_offered_version_from_addon_options():
    addons = {
        CLUSTER: [
            {
                "name": "OciVcnIpNative",
                "version": "v2.3.1",
                "currentInstalledVersion": "v2.3.1",
                "lifecycleState": "ACTIVE",
            },
            {"name": "CoreDNS"},
        ]
    }
    options = {
        CLUSTER: [
            {
                "name": "ocivcnipnative",
                "versions": [
                    {"versionNumber": "v2.9.0"},
                    {"versionNumber": "v2.10.0", "status": "ACTIVE"},
                    {"versionNumber": "v3.0.0", "status": "PREVIEW"},
                ],
            }
        ]
    }
    result = convert(addons=addons, addonOptions=options).clusters[0].addons
    assert result is not None
    cni, dns = result
    assert (cni.version, cni.current_installed_version, cni.lifecycle_state) == ("v2.3.1", "v2.3.1", "ACTIVE")
    assert cni.newest_available_version == "v2.10.0"
    assert (dns.version, dns.newest_available_version) == (None, None)


def test_addons_not_read_for_a_cluster_are_unknown():
    assert convert().clusters[0].addons is None
    assert convert(addons={}).clusters[0].addons is None
    assert convert(addons={CLUSTER: []}).clusters[0].addons == ()


def test_kubernetes_objects_become_cni_observation():
    kube = {
        "cniDaemonSet": {
            "metadata": {"name": "vcn-native-ip-cni"},
            "spec": {
                "updateStrategy": {"type": "OnDelete"},
                "template": {"spec": {"containers": [{"name": "cni", "image": "cni:v2.3.1"}]}},
            },
            "status": {"desiredNumberScheduled": 3, "updatedNumberScheduled": 2},
        },
        "cniControllerRevisions": [
            {"metadata": {"name": "vcn-native-ip-cni-aaa111"}, "revision": 9},
            {
                "metadata": {
                    "name": "vcn-native-ip-cni-bbb222",
                    "labels": {"controller-revision-hash": "bbb222"},
                },
                "revision": 4,
            },
        ],
        "cniPods": [
            {
                "metadata": {"name": "cni-x", "labels": {"controller-revision-hash": "bbb222"}},
                "spec": {"nodeName": "10.0.16.5", "containers": [{"image": "cni:v2.3.0"}]},
                "status": {"phase": "Running"},
            }
        ],
        "cniLogs": {"cni-x": "reboot required\n"},
    }
    observation = convert(kubernetes={CLUSTER: kube}).clusters[0].cni_observation
    assert observation is not None
    ds = observation.daemon_set
    assert ds is not None
    assert (ds.name, ds.update_strategy, ds.desired, ds.updated, ds.image) == (
        "vcn-native-ip-cni",
        "OnDelete",
        3,
        2,
        "cni:v2.3.1",
    )
    assert ds.newest_revision_hash == "aaa111"
    pod = observation.pods[0]
    assert (pod.name, pod.node, pod.revision_hash, pod.phase, pod.image) == (
        "cni-x",
        "10.0.16.5",
        "bbb222",
        "Running",
        "cni:v2.3.0",
    )
    assert observation.logs == {"cni-x": "reboot required\n"}


def test_cni_observation_is_unknown_when_kubernetes_was_not_read():
    assert convert().clusters[0].cni_observation is None
    observation = convert(kubernetes={CLUSTER: {}}).clusters[0].cni_observation
    assert observation is not None
    assert observation.daemon_set is None


def test_errors_extension_becomes_unreadable():
    errors = [
        {
            "kind": "subnet",
            "id": "s1",
            "status": 404,
            "code": "NotAuthorizedOrNotFound",
            "message": "Authorization failed or requested resource not found",
            "opcRequestId": "ABC/123",
        }
    ]
    (item,) = [u for u in convert(errors=errors).unreadable if u.kind == "subnet"]
    assert (item.kind, item.id, item.status, item.code, item.request_id) == (
        "subnet",
        "s1",
        404,
        "NotAuthorizedOrNotFound",
        "ABC/123",
    )


def test_dangling_subnet_reference_is_kept_for_the_rules_to_flag():
    pool = {"id": "np1", "clusterId": CLUSTER, "subnetIds": ["ocid1.subnet.gone"]}
    tenancy = convert(nodePools=[pool], subnets=[])
    assert tenancy.clusters[0].node_pools[0].worker_subnet_ids == ("ocid1.subnet.gone",)
    assert tenancy.subnet("ocid1.subnet.gone") is None


def test_missing_kinds_leave_everything_unknown():
    tenancy = tenancy_from_document({"format": "okebot.snapshot/v1"}, source="t")
    assert (tenancy.clusters, tenancy.subnets, tenancy.ip_usage, tenancy.nsg_rules) == ((), (), {}, {})
    assert (tenancy.region, tenancy.captured_at) == (None, None)

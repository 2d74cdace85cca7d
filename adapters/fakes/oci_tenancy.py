"""Generate synthetic tenancies as snapshot documents (OCI wire JSON), for the fake OCI server and benchmarks."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]
_AD = "Uocm:US-ASHBURN-AD-1"
_SHAPE = "VM.Standard.E4.Flex"


def _ocid(kind: str, *parts: object) -> str:
    return f"ocid1.{kind}.oc1..gen" + "x".join(str(p) for p in parts)


def _rules(vcn_cidr: str) -> list[Json]:
    return [
        {"direction": "INGRESS", "protocol": "all", "source": vcn_cidr, "sourceType": "CIDR_BLOCK",
         "isStateless": False, "id": "r1"},
        {"direction": "EGRESS", "protocol": "all", "destination": "0.0.0.0/0", "destinationType": "CIDR_BLOCK",
         "isStateless": False, "id": "r2"},
        {"direction": "INGRESS", "protocol": "6", "source": vcn_cidr, "sourceType": "CIDR_BLOCK", "isStateless": False,
         "tcpOptions": {"destinationPortRange": {"min": 10250, "max": 10250}}, "id": "r3"},
    ]


def _network(doc: Json, index: int, compartment: str) -> tuple[str, str, str, str]:
    """One VCN with a worker and a pod subnet, its gateways, route table, security list and NSG."""
    second, third = divmod(index, 250)
    vcn_cidr = f"10.{third}.0.0/16" if second == 0 else f"172.{16 + second}.0.0/16"
    base = vcn_cidr.rsplit(".", 2)[0]
    vcn, rt, sl, nsg = (_ocid(k, index) for k in ("vcn", "routetable", "securitylist", "networksecuritygroup"))
    common = {"compartmentId": compartment, "vcnId": vcn, "lifecycleState": "AVAILABLE"}
    doc["vcns"].append({"id": vcn, "displayName": f"vcn-{index}", "cidrBlock": vcn_cidr, "cidrBlocks": [vcn_cidr],
                        "compartmentId": compartment, "lifecycleState": "AVAILABLE"})
    gateways = {kind: _ocid(kind, index) for kind in ("natgateway", "servicegateway", "internetgateway")}
    doc["natGateways"].append({"id": gateways["natgateway"], "natIp": f"203.0.113.{index % 250}", **common})
    doc["serviceGateways"].append({"id": gateways["servicegateway"], "services": [], **common})
    doc["internetGateways"].append({"id": gateways["internetgateway"], "isEnabled": True, **common})
    doc["routeTables"].append({"id": rt, "displayName": f"rt-{index}", **common, "routeRules": [
        {"destination": "0.0.0.0/0", "destinationType": "CIDR_BLOCK", "networkEntityId": gateways["natgateway"]}]})
    doc["securityLists"].append({"id": sl, "displayName": f"sl-{index}", **common,
                                 "ingressSecurityRules": [{"protocol": "all", "source": vcn_cidr}],
                                 "egressSecurityRules": [{"protocol": "all", "destination": "0.0.0.0/0"}]})
    doc["networkSecurityGroups"].append({"id": nsg, "displayName": f"nsg-{index}", **common})
    doc["nsgSecurityRules"][nsg] = _rules(vcn_cidr)
    subnets = []
    for role, offset in (("workers", 0), ("pods", 128)):
        subnet = _ocid("subnet", index, role)
        doc["subnets"].append({"id": subnet, "displayName": f"{role}-{index}", "cidrBlock": f"{base}.{offset}.0/17",
                               "ipv4CidrBlocks": [f"{base}.{offset}.0/17"], "prohibitPublicIpOnVnic": True,
                               "routeTableId": rt, "securityListIds": [sl], **common})
        subnets.append(subnet)
    return vcn, subnets[0], subnets[1], nsg


def _pool(doc: Json, cluster: Json, index: int, *, nodes: int, worker: str, pod: str, ips: int) -> None:
    pool_id = _ocid("nodepool", cluster["id"][-6:], index)
    node_list = []
    for n in range(nodes):
        node_id = _ocid("instance", pool_id[-8:], n)
        node_ip = f"10.250.{n // 250}.{n % 250}"
        node_list.append({"id": node_id, "name": f"{pool_id[-6:]}-{n}", "subnetId": worker, "privateIp": node_ip,
                          "lifecycleState": "ACTIVE", "availabilityDomain": _AD, "nodePoolId": pool_id})
        # Only the first node's instance: what okebot records (one instance per flex pool).
        if n == 0:
            doc["instances"].append({"id": node_id, "shape": _SHAPE, "compartmentId": cluster["compartmentId"],
                                     "lifecycleState": "RUNNING", "availabilityDomain": _AD,
                                     "shapeConfig": {"ocpus": 2.0, "maxVnicAttachments": 2}})
        for nic in range(2):
            doc["vnicAttachments"].append({"id": _ocid("vnicattachment", node_id[-10:], nic), "instanceId": node_id,
                                           "subnetId": (worker, pod)[nic], "nicIndex": 0,
                                           "compartmentId": cluster["compartmentId"], "lifecycleState": "ATTACHED",
                                           "availabilityDomain": _AD, "vnicId": _ocid("vnic", node_id[-10:], nic)})
        doc["privateIps"].append({"id": _ocid("privateip", node_id[-10:]), "subnetId": worker, "ipAddress": node_ip,
                                  "isPrimary": True})
        doc["privateIps"].extend({"id": _ocid("privateip", node_id[-10:], k), "subnetId": pod, "isPrimary": k == 0,
                                  "ipAddress": f"10.251.{n % 250}.{k}"} for k in range(ips))
    doc["nodePools"].append({
        "id": pool_id, "name": f"pool-{index}", "clusterId": cluster["id"], "compartmentId": cluster["compartmentId"],
        "kubernetesVersion": cluster["kubernetesVersion"], "nodeShape": _SHAPE,
        "nodeShapeConfig": {"ocpus": 2.0, "memoryInGBs": 16.0}, "lifecycleState": "ACTIVE",
        "nodeSourceDetails": {"sourceType": "IMAGE", "imageId": _ocid("image", 1)},
        "nodeConfigDetails": {"size": nodes, "placementConfigs": [{"availabilityDomain": _AD, "subnetId": worker}],
                              "nodePoolPodNetworkOptionDetails": {"cniType": "OCI_VCN_IP_NATIVE",
                                                                  "podSubnetIds": [pod], "maxPodsPerNode": 31}},
        "nodes": node_list,
    })


def generate_tenancy(
    *, clusters: int, pools_per_cluster: int, nodes_per_pool: int, compartments: int = 1, pod_ips_per_node: int = 0
) -> Json:
    """A tenancy of VCN-native clusters, each in its own VCN with a worker and a pod subnet."""
    kinds = ("clusters", "nodePools", "vcns", "subnets", "securityLists", "networkSecurityGroups", "routeTables",
             "natGateways", "serviceGateways", "internetGateways", "instances", "vnicAttachments", "privateIps")
    doc: Json = {"format": "okebot.snapshot/v1", "capturedAt": "2026-11-26T09:00:00Z", "region": "us-ashburn-1",
                 **{kind: [] for kind in kinds}, "virtualNodePools": [], "nsgSecurityRules": {}, "addons": {},
                 "addonOptions": {}}
    doc["compartments"] = [{"id": _ocid("compartment", c), "compartmentId": _ocid("tenancy", 0), "name": f"c{c}",
                            "lifecycleState": "ACTIVE"} for c in range(compartments)]
    doc["shapes"] = [{"shape": _SHAPE, "isFlexible": True, "ocpus": 1.0,
                      "maxVnicAttachmentOptions": {"min": 2, "max": 24.0, "defaultPerOcpu": 1.0}}]
    doc["images"] = [{"id": _ocid("image", 1), "displayName": "Oracle-Linux-8.10-2026.01.01-0-OKE-1.31.1",
                      "timeCreated": "2026-01-01T00:00:00.000Z", "compartmentId": _ocid("compartment", 0)}]
    for c in range(clusters):
        compartment = doc["compartments"][c % compartments]["id"]
        vcn, worker, pod, nsg = _network(doc, c, compartment)
        cluster: Json = {
            "id": _ocid("cluster", c), "name": f"cluster-{c}", "compartmentId": compartment, "vcnId": vcn,
            "kubernetesVersion": "v1.31.1", "lifecycleState": "ACTIVE", "type": "ENHANCED_CLUSTER",
            "clusterPodNetworkOptions": [{"cniType": "OCI_VCN_IP_NATIVE"}],
            "endpointConfig": {"subnetId": worker, "nsgIds": [nsg], "isPublicIpEnabled": False},
            "options": {"serviceLbSubnetIds": [worker],
                        "kubernetesNetworkConfig": {"podsCidr": "10.244.0.0/16", "servicesCidr": "10.96.0.0/16"}},
        }
        doc["clusters"].append(cluster)
        doc["addons"][cluster["id"]] = [{"name": "OciVcnIpNative", "currentInstalledVersion": "v2.2.3",
                                         "lifecycleState": "ACTIVE"}]
        doc["addonOptions"][cluster["id"]] = [{"name": "OciVcnIpNative", "isEssential": True,
                                               "versions": [{"versionNumber": "v2.3.0", "status": "ACTIVE"}]}]
        for p in range(pools_per_cluster):
            _pool(doc, cluster, p, nodes=nodes_per_pool, worker=worker, pod=pod, ips=pod_ips_per_node)
    return doc

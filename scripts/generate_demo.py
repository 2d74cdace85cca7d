"""Generate demo-tenancy.json: a deterministic okebot snapshot of four OKE clusters in us-ashburn-1.

Regenerate with `.venv/bin/python -m scripts.generate_demo` from the repository root; the output,
`adapters/demo/demo-tenancy.json`, is committed. A builder of data, not part of the okebot package.

- retail-flannel: flannel, pods CIDR /21 = 16 node slots, 14 nodes (88% of its slots).
- payments-native: VCN-native, pod subnet /23 at 82% (416 of 509 IPs), 4 of 13 nodes waiting for a CNI
  update (OnDelete DaemonSet 2.3.1, "reboot required" in their logs), OciVcnIpNative pinned below the newest.
- platform-healthy: VCN-native on E4.Flex and E5.Flex, NAT and service-gateway routes, every required rule.
- analytics: VCN-native without the worker→API 12250 rules and without pod-subnet egress to services.
"""

from __future__ import annotations

import base64
import hashlib
import json
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

from engine.shapes import ShapeCatalogue, vnics_for

Json = dict[str, Any]

REGION = "us-ashburn-1"
CAPTURED_AT = "2026-11-26T09:00:00Z"
SERVICES = "all-iad-services-in-oracle-services-network"
ADS = ("Uocm:US-ASHBURN-AD-1", "Uocm:US-ASHBURN-AD-2", "Uocm:US-ASHBURN-AD-3")
ANYWHERE = "0.0.0.0/0"
TCP, ICMP, ALL = "6", "1", "all"
OUTPUT = Path(__file__).resolve().parents[1] / "adapters" / "demo" / "demo-tenancy.json"


def _digest(key: str, length: int) -> str:
    raw = hashlib.sha256(key.encode()).digest() + hashlib.sha256(b"2" + key.encode()).digest()
    return base64.b32encode(raw).decode().lower()[:length]


def ocid(kind: str, key: str, *, marker: str = "aaaaaaaa") -> str:
    """A real-looking, deterministic OCID."""
    if kind == "compartment":
        return f"ocid1.compartment.oc1..{marker}{_digest(kind + key, 52)}"
    return f"ocid1.{kind}.oc1.iad.{marker}{_digest(kind + key, 52)}"


def k8s_hash(key: str) -> str:
    """A Kubernetes-style short hash (lowercase letters and digits)."""
    return "".join(c for c in hashlib.sha256(key.encode()).hexdigest() if c not in "aeiou")[:10]


COMPARTMENT = ocid("compartment", "oke-demo")


# --- security rules, per Oracle's network-configuration page ------------------------------------------


def rule(
    direction: str,
    peer: str,
    protocol: str,
    *,
    ports: tuple[int, int] | None = None,
    icmp: tuple[int, int] | None = None,
    peer_type: str = "CIDR_BLOCK",
    description: str,
) -> Json:
    """One security-list rule in OCI's wire form."""
    key, kind = ("source", "sourceType") if direction == "in" else ("destination", "destinationType")
    wire: Json = {
        "description": description,
        "isStateless": False,
        "protocol": protocol,
        key: peer,
        kind: peer_type,
    }
    if ports is not None:
        wire["tcpOptions"] = {"destinationPortRange": {"max": ports[1], "min": ports[0]}}
    if icmp is not None:
        wire["icmpOptions"] = {"code": icmp[1], "type": icmp[0]}
    return wire


def api_rules(workers: str, pods: str | None, omit: frozenset[str]) -> list[Json]:
    rules = [
        rule("in", workers, TCP, ports=(6443, 6443), description="worker-api-6443"),
        rule("in", workers, TCP, ports=(12250, 12250), description="worker-api-12250"),
        rule("in", workers, ICMP, icmp=(3, 4), description="worker-api-path-discovery"),
        rule("in", ANYWHERE, TCP, ports=(6443, 6443), description="client-api-6443"),
        rule(
            "out", SERVICES, TCP, ports=(443, 443), peer_type="SERVICE_CIDR_BLOCK", description="api-osn-443"
        ),
        rule("out", workers, ICMP, icmp=(3, 4), description="api-worker-path-discovery"),
    ]
    if pods is None:
        rules.append(rule("out", workers, TCP, description="api-worker-tcp"))
    else:
        rules += [
            rule("in", pods, TCP, ports=(6443, 6443), description="pod-api-6443"),
            rule("in", pods, TCP, ports=(12250, 12250), description="pod-api-12250"),
            rule("out", pods, ALL, description="api-pod-all"),
            rule("out", workers, TCP, ports=(10250, 10250), description="api-kubelet-10250"),
        ]
    return _describe(rules, omit)


def worker_rules(workers: str, pods: str | None, api: str, lb: str, omit: frozenset[str]) -> list[Json]:
    rules = [
        rule("in", workers, ALL, description="worker-worker-all"),
        rule("in", api, TCP, description="api-worker-tcp"),
        rule("in", ANYWHERE, ICMP, icmp=(3, 4), description="path-discovery-in"),
        rule("in", lb, TCP, ports=(10256, 10256), description="lb-worker-health-10256"),
        rule("in", lb, TCP, ports=(30000, 32767), description="lb-worker-nodeports"),
        rule("out", workers, ALL, description="worker-worker-all-out"),
        rule("out", ANYWHERE, ICMP, icmp=(3, 4), description="path-discovery-out"),
        rule("out", SERVICES, TCP, peer_type="SERVICE_CIDR_BLOCK", description="worker-osn-tcp"),
        rule("out", api, TCP, ports=(6443, 6443), description="worker-api-6443-out"),
        rule("out", api, TCP, ports=(12250, 12250), description="worker-api-12250-out"),
        rule("out", ANYWHERE, TCP, description="worker-internet-tcp"),
    ]
    if pods is not None:
        rules += [
            rule("in", pods, ALL, description="pod-worker-all"),
            rule("in", api, TCP, ports=(10250, 10250), description="api-kubelet-10250-in"),
            rule("out", pods, ALL, description="worker-pod-all"),
        ]
    return _describe(rules, omit)


def pod_rules(workers: str, pods: str, api: str, omit: frozenset[str]) -> list[Json]:
    rules = [
        rule("in", api, ALL, description="api-pod-all-in"),
        rule("in", workers, ALL, description="worker-pod-all-in"),
        rule("in", pods, ALL, description="pod-pod-all-in"),
        rule("out", pods, ALL, description="pod-pod-all-out"),
        rule("out", SERVICES, ICMP, icmp=(3, 4), peer_type="SERVICE_CIDR_BLOCK", description="pod-osn-icmp"),
        rule("out", SERVICES, TCP, peer_type="SERVICE_CIDR_BLOCK", description="pod-osn-tcp"),
        rule("out", api, TCP, ports=(6443, 6443), description="pod-api-6443-out"),
        rule("out", api, TCP, ports=(12250, 12250), description="pod-api-12250-out"),
        rule("out", ANYWHERE, TCP, ports=(443, 443), description="pod-internet-443"),
    ]
    return _describe(rules, omit)


def lb_rules(workers: str) -> list[Json]:
    return _describe(
        [
            rule("in", ANYWHERE, TCP, ports=(443, 443), description="client-lb-443"),
            rule("out", workers, TCP, ports=(30000, 32767), description="lb-worker-nodeports-out"),
            rule("out", workers, TCP, ports=(10256, 10256), description="lb-worker-health-10256-out"),
        ],
        frozenset(),
    )


_DESCRIPTIONS = {
    "worker-api-6443": "Allow TCP ingress to kube-apiserver from worker nodes",
    "worker-api-12250": "Allow TCP ingress to OKE control plane from worker nodes",
    "pod-api-6443": "Allow TCP ingress to kube-apiserver from pods",
    "pod-api-12250": "Allow TCP ingress to OKE control plane from pods",
    "api-kubelet-10250": "Allow TCP egress from OKE control plane to Kubelet on worker nodes",
    "api-pod-all-in": "Allow ALL ingress to pods from Kubernetes control plane for webhooks served by pods",
    "lb-worker-health-10256": "Allow TCP ingress to workers for health check from public load balancers",
}


def _describe(rules: list[Json], omit: frozenset[str]) -> list[Json]:
    """Drop omitted rules; give the rest readable descriptions (terraform-oci-oke's where it has one)."""
    kept = [r for r in rules if r["description"] not in omit]
    for r in kept:
        key = r["description"]
        r["description"] = _DESCRIPTIONS.get(key, key.replace("-", " "))
    return [{"direction": "in" if "source" in r else "out", **r} for r in kept]


# --- the builder -------------------------------------------------------------------------------------


class Demo:
    """Accumulates the snapshot's kinds while clusters are added."""

    def __init__(self) -> None:
        self.doc: Json = {
            "format": "okebot.snapshot/v1",
            "capturedAt": CAPTURED_AT,
            "region": REGION,
            "clusters": [],
            "nodePools": [],
            "virtualNodePools": [],
            "vcns": [],
            "subnets": [],
            "shapes": shapes(),
            "instances": [],
            "vnicAttachments": [],
            "privateIps": [],
            "privateIpSubnetIds": [],
            "securityLists": [],
            "networkSecurityGroups": [],
            "nsgSecurityRules": {},
            "routeTables": [],
            "natGateways": [],
            "serviceGateways": [],
            "internetGateways": [],
            "images": images(),
            "addons": {},
            "addonOptions": {},
            "kubernetes": {},
            "errors": [],
        }

    def add(self, kind: str, wire: Json) -> Json:
        self.doc[kind].append(wire)
        return wire

    def vcn(self, name: str, cidr: str) -> dict[str, str]:
        """A VCN with NAT, service and internet gateways and a private and a public route table."""
        vcn_id = ocid("vcn", name, marker="amaaaaaa")
        self.add(
            "vcns",
            {
                "id": vcn_id,
                "compartmentId": COMPARTMENT,
                "displayName": f"{name}-vcn",
                "cidrBlock": cidr,
                "cidrBlocks": [cidr],
                "dnsLabel": name.replace("-", "")[:15],
                "lifecycleState": "AVAILABLE",
                "timeCreated": "2025-03-02T10:11:12.000Z",
            },
        )
        ids = {"vcn": vcn_id}
        for kind, label in (("natgateway", "nat"), ("servicegateway", "sgw"), ("internetgateway", "igw")):
            ids[label] = ocid(kind, name)
            wire: Json = {
                "id": ids[label],
                "compartmentId": COMPARTMENT,
                "vcnId": vcn_id,
                "displayName": f"{name}-{label}",
                "lifecycleState": "AVAILABLE",
            }
            if label == "sgw":
                wire["services"] = [
                    {
                        "serviceId": ocid("service", "osn"),
                        "serviceName": "All IAD Services In Oracle Services Network",
                    }
                ]
            self.add({"nat": "natGateways", "sgw": "serviceGateways", "igw": "internetGateways"}[label], wire)
        ids["private-rt"] = self._route_table(
            name,
            "private",
            vcn_id,
            [
                {
                    "destination": ANYWHERE,
                    "destinationType": "CIDR_BLOCK",
                    "networkEntityId": ids["nat"],
                    "description": "traffic to the internet",
                },
                {
                    "destination": SERVICES,
                    "destinationType": "SERVICE_CIDR_BLOCK",
                    "networkEntityId": ids["sgw"],
                    "description": "traffic to OCI services",
                },
            ],
        )
        ids["public-rt"] = self._route_table(
            name,
            "public",
            vcn_id,
            [
                {"destination": ANYWHERE, "destinationType": "CIDR_BLOCK", "networkEntityId": ids["igw"]},
            ],
        )
        return ids

    def _route_table(self, name: str, kind: str, vcn_id: str, rules: list[Json]) -> str:
        rt_id = ocid("routetable", f"{name}-{kind}")
        self.add(
            "routeTables",
            {
                "id": rt_id,
                "compartmentId": COMPARTMENT,
                "vcnId": vcn_id,
                "displayName": f"{name}-{kind}-rt",
                "routeRules": rules,
                "lifecycleState": "AVAILABLE",
            },
        )
        return rt_id

    def subnet(self, name: str, cidr: str, net: dict[str, str], *, public: bool, rules: list[Json]) -> str:
        """A regional subnet with its own security list."""
        subnet_id = ocid("subnet", name)
        sl_id = ocid("securitylist", name)
        self.add(
            "securityLists",
            {
                "id": sl_id,
                "compartmentId": COMPARTMENT,
                "vcnId": net["vcn"],
                "displayName": f"{name}-sl",
                "lifecycleState": "AVAILABLE",
                "ingressSecurityRules": [_strip(r) for r in rules if r["direction"] == "in"],
                "egressSecurityRules": [_strip(r) for r in rules if r["direction"] == "out"],
            },
        )
        network = IPv4Network(cidr)
        self.add(
            "subnets",
            {
                "id": subnet_id,
                "compartmentId": COMPARTMENT,
                "vcnId": net["vcn"],
                "displayName": name,
                "cidrBlock": cidr,
                "ipv4CidrBlocks": [cidr],
                "availabilityDomain": None,
                "prohibitPublicIpOnVnic": not public,
                "prohibitInternetIngress": not public,
                "routeTableId": net["public-rt" if public else "private-rt"],
                "securityListIds": [sl_id],
                "dnsLabel": name.replace("-", "")[:15],
                "virtualRouterIp": str(network[1]),
                "lifecycleState": "AVAILABLE",
                "timeCreated": "2025-03-02T10:12:40.000Z",
            },
        )
        return subnet_id


def _strip(r: Json) -> Json:
    return {k: v for k, v in r.items() if k != "direction"}


def shapes() -> list[Json]:
    """list_shapes answers for the shapes the demo uses (flex shapes state their VNIC options)."""
    flex = [
        ("VM.Standard.E4.Flex", 64, "2.55 GHz AMD EPYC™ 7J13"),
        ("VM.Standard.E5.Flex", 94, "2.4 GHz AMD EPYC™ 9J14"),
        ("VM.Standard3.Flex", 32, "2.0 GHz Intel® Xeon® Platinum 8358"),
    ]
    result: list[Json] = [
        {
            "shape": name,
            "isFlexible": True,
            "ocpus": 1.0,
            "memoryInGBs": 16.0,
            "processorDescription": cpu,
            "maxVnicAttachments": 2,
            "networkingBandwidthInGbps": 1.0,
            "ocpuOptions": {"min": 1.0, "max": float(max_ocpus), "maxPerNumaNode": float(max_ocpus)},
            "maxVnicAttachmentOptions": {"min": 2, "max": 24.0, "defaultPerOcpu": 1.0},
        }
        for name, max_ocpus, cpu in flex
    ]
    result.append(
        {
            "shape": "VM.Standard2.4",
            "isFlexible": False,
            "ocpus": 4.0,
            "memoryInGBs": 60.0,
            "maxVnicAttachments": 4,
            "networkingBandwidthInGbps": 4.1,
        }
    )
    return result


IMAGE_133 = ocid("image", "ol8-oke-1.33.1", marker="aaaaaaaa")
IMAGE_132 = ocid("image", "ol8-oke-1.32.1", marker="aaaaaaaa")


def images() -> list[Json]:
    return [
        {
            "id": IMAGE_133,
            "displayName": "Oracle-Linux-8.10-2026.09.30-0-OKE-1.33.1-1129",
            "operatingSystem": "Oracle Linux",
            "operatingSystemVersion": "8.10",
            "timeCreated": "2026-10-08T17:42:11.204Z",
            "lifecycleState": "AVAILABLE",
        },
        {
            "id": IMAGE_132,
            "displayName": "Oracle-Linux-8.10-2026.06.17-0-OKE-1.32.1-1087",
            "operatingSystem": "Oracle Linux",
            "operatingSystemVersion": "8.10",
            "timeCreated": "2026-06-24T09:03:55.871Z",
            "lifecycleState": "AVAILABLE",
        },
    ]


# --- clusters, pools, nodes and what runs on them ----------------------------------------------------


class ClusterSpec:
    """What differs between the demo's clusters."""

    def __init__(
        self,
        name: str,
        *,
        octet: int,
        native: bool,
        version: str,
        pools: list[PoolSpec],
        pod_subnet: str | None = None,
        omit: frozenset[str] = frozenset(),
    ) -> None:
        self.name, self.octet, self.native, self.version = name, octet, native, version
        self.pools, self.pod_subnet, self.omit = pools, pod_subnet, omit


class PoolSpec:
    def __init__(
        self,
        name: str,
        *,
        shape: str,
        ocpus: float,
        nodes: int,
        max_pods: int | None = None,
        image: str = IMAGE_133,
    ) -> None:
        self.name, self.shape, self.ocpus, self.nodes = name, shape, ocpus, nodes
        self.max_pods, self.image = max_pods, image


def add_cluster(demo: Demo, spec: ClusterSpec, *, pods_cidr: str = "10.244.0.0/16") -> Json:
    """Add a cluster with its VCN, subnets, pools and nodes; return ids the scenario needs."""
    o = spec.octet
    api_cidr, lb_cidr, workers_cidr = f"10.{o}.0.0/28", f"10.{o}.1.0/24", f"10.{o}.16.0/22"
    pods_peer = spec.pod_subnet
    net = demo.vcn(spec.name, f"10.{o}.0.0/16")
    api = demo.subnet(
        f"{spec.name}-api", api_cidr, net, public=False, rules=api_rules(workers_cidr, pods_peer, spec.omit)
    )
    workers = demo.subnet(
        f"{spec.name}-workers",
        workers_cidr,
        net,
        public=False,
        rules=worker_rules(workers_cidr, pods_peer, api_cidr, lb_cidr, spec.omit),
    )
    lb = demo.subnet(f"{spec.name}-lb", lb_cidr, net, public=True, rules=lb_rules(workers_cidr))
    pods = None
    if spec.pod_subnet is not None:
        pods = demo.subnet(
            f"{spec.name}-pods",
            spec.pod_subnet,
            net,
            public=False,
            rules=pod_rules(workers_cidr, spec.pod_subnet, api_cidr, spec.omit),
        )
    cluster_id = ocid("cluster", spec.name)
    cni = "OCI_VCN_IP_NATIVE" if spec.native else "FLANNEL_OVERLAY"
    demo.add(
        "clusters",
        {
            "id": cluster_id,
            "name": spec.name,
            "compartmentId": COMPARTMENT,
            "vcnId": net["vcn"],
            "kubernetesVersion": spec.version,
            "type": "ENHANCED_CLUSTER",
            "lifecycleState": "ACTIVE",
            "clusterPodNetworkOptions": [{"cniType": cni}],
            "endpointConfig": {"subnetId": api, "nsgIds": [], "isPublicIpEnabled": False},
            "endpoints": {"privateEndpoint": f"10.{o}.0.3:6443", "kubernetes": None},
            "options": {
                "serviceLbSubnetIds": [lb],
                "ipFamilies": ["IPv4"],
                "kubernetesNetworkConfig": {"podsCidr": pods_cidr, "servicesCidr": "10.96.0.0/16"},
                "addOns": {"isKubernetesDashboardEnabled": False, "isTillerEnabled": False},
                "admissionControllerOptions": {"isPodSecurityPolicyEnabled": False},
            },
            "availableKubernetesUpgrades": [],
            "metadata": {
                "timeCreated": "2025-03-02T10:20:00.000Z",
                "createdByUserId": ocid("user", "platform-team"),
            },
        },
    )
    node_ips = [f"10.{o}.16.{10 + i}" for i in range(sum(p.nodes for p in spec.pools))]
    nodes: list[Json] = []
    for pool in spec.pools:
        taken = node_ips[len(nodes) : len(nodes) + pool.nodes]
        nodes += add_pool(demo, spec, pool, cluster_id=cluster_id, workers=workers, pods=pods, ips=taken)
    return {"id": cluster_id, "workers": workers, "pods": pods, "nodes": nodes}


def add_pool(
    demo: Demo,
    spec: ClusterSpec,
    pool: PoolSpec,
    *,
    cluster_id: str,
    workers: str,
    pods: str | None,
    ips: list[str],
) -> list[Json]:
    pool_id = ocid("nodepool", pool.name)
    nodes = [
        {
            "id": ocid("instance", f"{pool.name}-{i}", marker="anuwcljt"),
            "name": ip,
            "availabilityDomain": ADS[i % 3],
            "faultDomain": f"FAULT-DOMAIN-{i % 3 + 1}",
            "subnetId": workers,
            "nodePoolId": pool_id,
            "privateIp": ip,
            "kubernetesVersion": spec.version,
            "lifecycleState": "ACTIVE",
            "lifecycleDetails": "",
        }
        for i, ip in enumerate(ips)
    ]
    pod_network: Json = {"cniType": "FLANNEL_OVERLAY"}
    if spec.native:
        pod_network = {
            "cniType": "OCI_VCN_IP_NATIVE",
            "maxPodsPerNode": pool.max_pods,
            "podSubnetIds": [pods],
            "podNsgIds": [],
        }
    image_name = next(i["displayName"] for i in images() if i["id"] == pool.image)
    demo.add(
        "nodePools",
        {
            "id": pool_id,
            "clusterId": cluster_id,
            "compartmentId": COMPARTMENT,
            "name": pool.name,
            "kubernetesVersion": spec.version,
            "nodeShape": pool.shape,
            "nodeShapeConfig": {"ocpus": pool.ocpus, "memoryInGBs": pool.ocpus * 16},
            "nodeSourceDetails": {"sourceType": "IMAGE", "imageId": pool.image, "bootVolumeSizeInGBs": 100},
            "nodeImageId": pool.image,
            "nodeImageName": image_name,
            "subnetIds": [workers],
            "quantityPerSubnet": 0,
            "nodeConfigDetails": {
                "size": pool.nodes,
                "nsgIds": [],
                "isPvEncryptionInTransitEnabled": False,
                "placementConfigs": [{"availabilityDomain": ad, "subnetId": workers} for ad in ADS],
                "nodePoolPodNetworkOptionDetails": pod_network,
            },
            "nodes": nodes,
            "lifecycleState": "ACTIVE",
        },
    )
    vnics = node_vnics(pool)
    for node in nodes:
        demo.add(
            "instances",
            {
                "id": node["id"],
                "compartmentId": COMPARTMENT,
                "displayName": f"oke-{pool.name}-{node['name']}",
                "availabilityDomain": node["availabilityDomain"],
                "shape": pool.shape,
                "lifecycleState": "RUNNING",
                "shapeConfig": {
                    "ocpus": pool.ocpus,
                    "memoryInGBs": pool.ocpus * 16,
                    "maxVnicAttachments": vnics,
                },
            },
        )
    return [{**node, "pool": pool} for node in nodes]


def node_vnics(pool: PoolSpec) -> int:
    """The VNICs a node of the pool attaches, by the engine's own rule, so the demo agrees with capacity."""
    shape = ShapeCatalogue().get(pool.shape)
    vnics = vnics_for(shape, pool.ocpus) if shape is not None else None
    if vnics is None:
        raise ValueError(f"the demo pool {pool.name} has shape {pool.shape}, which okebot's shape table lacks")
    return vnics


def record_private_ips(
    demo: Demo, *, workers: str, pods: str | None, nodes: list[Json], pod_cidr: str | None
) -> None:
    """The IPs list_private_ips would show: each node's primary IP, and its pod VNICs' IPs (1 + 31 each)."""
    demo.doc["privateIpSubnetIds"] += [s for s in (workers, pods) if s]
    for node in nodes:
        demo.add("privateIps", _private_ip(node["privateIp"], workers, node, primary=True, vnic="primary"))
    if pods is None or pod_cidr is None:
        return
    hosts = IPv4Network(pod_cidr).hosts()
    next(hosts)  # the subnet's virtual router holds the first usable address
    for node in nodes:
        pool: PoolSpec = node["pool"]
        pod_vnics = -(-(pool.max_pods or 31) // 31)
        for v in range(pod_vnics):
            for slot in range(32):
                demo.add(
                    "privateIps", _private_ip(str(next(hosts)), pods, node, primary=slot == 0, vnic=f"pod{v}")
                )


def _private_ip(address: str, subnet: str, node: Json, *, primary: bool, vnic: str) -> Json:
    return {
        "id": ocid("privateip", f"{subnet}-{address}", marker="abuwcljt"),
        "ipAddress": address,
        "isPrimary": primary,
        "subnetId": subnet,
        "vnicId": ocid("vnic", f"{node['id']}-{vnic}", marker="abuwcljt"),
        "ipState": "ASSIGNED",
        "lifetime": "EPHEMERAL",
    }


# --- add-ons and the CNI's Kubernetes objects ---------------------------------------------------------

CNI_IMAGE = "ocir.us-ashburn-1.oci.oraclecloud.com/odx-oke/oke-public/oci-vcn-native-ip-cni:{}"
CNI_VERSIONS = ["v2.2.2", "v2.3.0", "v2.3.1", "v2.4.0"]


def addons(
    *, cni_version: str | None, installed: str, native: bool, kubernetes: str = "v1.33.1"
) -> list[Json]:
    cni_name = "OciVcnIpNative" if native else "Flannel"
    return [
        {
            "name": cni_name,
            "version": cni_version,
            "currentInstalledVersion": installed,
            "lifecycleState": "ACTIVE",
            "timeCreated": "2025-03-02T10:25:00.000Z",
        },
        {
            "name": "CoreDNS",
            "version": None,
            "currentInstalledVersion": "v1.11.3",
            "lifecycleState": "ACTIVE",
            "timeCreated": "2025-03-02T10:25:00.000Z",
        },
        {
            "name": "KubeProxy",
            "version": None,
            "currentInstalledVersion": kubernetes,
            "lifecycleState": "ACTIVE",
            "timeCreated": "2025-03-02T10:25:00.000Z",
        },
    ]


def addon_options() -> list[Json]:
    def versions(numbers: list[str]) -> list[Json]:
        return [{"versionNumber": n, "status": "ACTIVE", "description": f"{n} release"} for n in numbers]

    return [
        {
            "name": "OciVcnIpNative",
            "addonGroup": "ESSENTIAL",
            "isEssential": True,
            "versions": [*versions(CNI_VERSIONS), {"versionNumber": "v2.5.0-beta.1", "status": "PREVIEW"}],
        },
        {
            "name": "Flannel",
            "addonGroup": "ESSENTIAL",
            "isEssential": True,
            "versions": versions(["v0.26.7"]),
        },
        {
            "name": "CoreDNS",
            "addonGroup": "ESSENTIAL",
            "isEssential": True,
            "versions": versions(["v1.11.3"]),
        },
        {
            "name": "KubeProxy",
            "addonGroup": "ESSENTIAL",
            "isEssential": True,
            "versions": versions(["v1.32.1", "v1.33.1"]),
        },
    ]


def cni_objects(cluster: str, nodes: list[Json], *, old: int, version: str, previous: str) -> Json:
    """The vcn-native-ip-cni DaemonSet (OnDelete), two revisions, one pod per node, and log tails.

    The first `old` pods still run the previous revision; their logs say "reboot required".
    """
    labels = {"app": "vcn-native-ip-cni"}
    new_hash, old_hash = k8s_hash(f"{cluster}-{version}"), k8s_hash(f"{cluster}-{previous}")
    daemon_set = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "name": "vcn-native-ip-cni",
            "namespace": "kube-system",
            "labels": labels,
            "generation": 7,
        },
        "spec": {
            "selector": {"matchLabels": labels},
            "updateStrategy": {"type": "OnDelete"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "hostNetwork": True,
                    "containers": [{"name": "vcn-native-ip-cni", "image": CNI_IMAGE.format(version)}],
                },
            },
        },
        "status": {
            "currentNumberScheduled": len(nodes),
            "desiredNumberScheduled": len(nodes),
            "numberAvailable": len(nodes),
            "numberReady": len(nodes),
            "updatedNumberScheduled": len(nodes) - old,
            "observedGeneration": 7,
        },
    }
    revisions = [
        {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "revision": number,
            "metadata": {
                "name": f"vcn-native-ip-cni-{h}",
                "namespace": "kube-system",
                "labels": {**labels, "controller-revision-hash": h},
            },
        }
        for number, h in ((6, old_hash), (7, new_hash))
    ]
    pods, logs = [], {}
    for i, node in enumerate(nodes):
        outdated = i < old
        name = f"vcn-native-ip-cni-{k8s_hash(node['id'])[:5]}"
        h, image = (old_hash, previous) if outdated else (new_hash, version)
        pods.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": name,
                    "namespace": "kube-system",
                    "labels": {**labels, "controller-revision-hash": h, "pod-template-generation": "7"},
                },
                "spec": {
                    "nodeName": node["name"],
                    "containers": [{"name": "vcn-native-ip-cni", "image": CNI_IMAGE.format(image)}],
                },
                "status": {"phase": "Running", "hostIP": node["privateIp"], "podIP": node["privateIp"]},
            }
        )
        logs[name] = cni_log(node["name"], outdated=outdated, version=version)
    return {"cniDaemonSet": daemon_set, "cniControllerRevisions": revisions, "cniPods": pods, "cniLogs": logs}


def cni_log(node: str, *, outdated: bool, version: str) -> str:
    lines = [
        f"2026-11-26T08:41:0{len(node) % 10}.112Z INFO ipam: node {node} pod VNICs attached, IPs ready",
        "2026-11-26T08:55:12.407Z INFO ipam: reconcile complete, 0 addresses released",
    ]
    if outdated:
        lines.append(
            f"2026-11-26T08:58:30.021Z WARN updater: CNI plugin {version} staged on node {node}; "
            "reboot required to apply the update"
        )
    return "\n".join(lines) + "\n"


# --- the four scenarios -------------------------------------------------------------------------------

E4, E5, S3 = "VM.Standard.E4.Flex", "VM.Standard.E5.Flex", "VM.Standard3.Flex"
ANALYTICS_OMITTED = frozenset({"worker-api-12250", "worker-api-12250-out", "pod-osn-icmp", "pod-osn-tcp"})


def build_demo() -> Json:
    """The whole demo snapshot document."""
    demo = Demo()
    add_cluster(
        demo,
        ClusterSpec(
            "retail-flannel",
            octet=10,
            native=False,
            version="v1.32.1",
            pools=[
                PoolSpec("retail-web", shape=E4, ocpus=4, nodes=8, image=IMAGE_132),
                PoolSpec("retail-batch", shape=S3, ocpus=2, nodes=6, image=IMAGE_132),
            ],
        ),
        pods_cidr="10.244.0.0/21",
    )
    payments = add_cluster(
        demo,
        ClusterSpec(
            "payments-native",
            octet=20,
            native=True,
            version="v1.33.1",
            pod_subnet="10.20.64.0/23",
            pools=[
                PoolSpec("payments-core", shape=E4, ocpus=2, nodes=8, max_pods=31),
                PoolSpec("payments-edge", shape=E4, ocpus=2, nodes=5, max_pods=31),
            ],
        ),
    )
    platform = add_cluster(
        demo,
        ClusterSpec(
            "platform-healthy",
            octet=30,
            native=True,
            version="v1.33.1",
            pod_subnet="10.30.64.0/19",
            pools=[
                PoolSpec("platform-general", shape=E4, ocpus=4, nodes=3, max_pods=62),
                PoolSpec("platform-compute", shape=E5, ocpus=8, nodes=2, max_pods=110),
            ],
        ),
    )
    analytics = add_cluster(
        demo,
        ClusterSpec(
            "analytics",
            octet=40,
            native=True,
            version="v1.33.1",
            pod_subnet="10.40.32.0/21",
            omit=ANALYTICS_OMITTED,
            pools=[
                PoolSpec("analytics-spark", shape=E4, ocpus=4, nodes=5, max_pods=93),
            ],
        ),
    )
    for ids, pod_cidr in ((payments, "10.20.64.0/23"), (platform, "10.30.64.0/19")):
        record_private_ips(
            demo, workers=ids["workers"], pods=ids["pods"], nodes=ids["nodes"], pod_cidr=pod_cidr
        )
    clusters = {c["name"]: c["id"] for c in demo.doc["clusters"]}
    demo.doc["addons"] = {
        clusters["retail-flannel"]: addons(
            cni_version=None, installed="v0.26.7", native=False, kubernetes="v1.32.1"
        ),
        payments["id"]: addons(cni_version="v2.3.1", installed="v2.3.1", native=True),
        platform["id"]: addons(cni_version=None, installed="v2.4.0", native=True),
        analytics["id"]: addons(cni_version=None, installed="v2.4.0", native=True),
    }
    demo.doc["addonOptions"] = {cluster_id: addon_options() for cluster_id in clusters.values()}
    demo.doc["kubernetes"] = {
        payments["id"]: cni_objects(
            "payments", _plain(payments["nodes"]), old=4, version="v2.3.1", previous="v2.3.0"
        ),
        platform["id"]: cni_objects(
            "platform", _plain(platform["nodes"]), old=0, version="v2.4.0", previous="v2.3.1"
        ),
    }
    add_platform_nsg(demo, platform)
    demo.doc["errors"] = [
        {
            "kind": "kubernetes",
            "id": analytics["id"],
            "status": 403,
            "code": "Forbidden",
            "message": 'pods is forbidden: User "ocid1.user.oc1..okebot-reader" cannot list resource "pods" '
            'in API group "" in the namespace "kube-system"',
            "opcRequestId": None,
        }
    ]
    return demo.doc


def _plain(nodes: list[Json]) -> list[Json]:
    return [{k: v for k, v in node.items() if k != "pool"} for node in nodes]


def add_platform_nsg(demo: Demo, platform: Json) -> None:
    """platform-healthy also fronts its load balancers with an NSG, as terraform-oci-oke does."""
    nsg_id = ocid("networksecuritygroup", "platform-healthy-lb")
    vcn_id = next(c["vcnId"] for c in demo.doc["clusters"] if c["id"] == platform["id"])
    demo.add(
        "networkSecurityGroups",
        {
            "id": nsg_id,
            "compartmentId": COMPARTMENT,
            "vcnId": vcn_id,
            "displayName": "platform-healthy-lb-nsg",
            "lifecycleState": "AVAILABLE",
        },
    )
    demo.doc["nsgSecurityRules"][nsg_id] = [
        {
            "id": "04ABEC",
            "direction": "INGRESS",
            "protocol": TCP,
            "source": ANYWHERE,
            "sourceType": "CIDR_BLOCK",
            "isStateless": False,
            "isValid": True,
            "description": "Allow HTTPS from the internet",
            "tcpOptions": {"destinationPortRange": {"min": 443, "max": 443}},
        },
        {
            "id": "1F0C22",
            "direction": "EGRESS",
            "protocol": TCP,
            "destination": "10.30.16.0/22",
            "destinationType": "CIDR_BLOCK",
            "isStateless": False,
            "isValid": True,
            "description": "Allow node ports on workers",
            "tcpOptions": {"destinationPortRange": {"min": 30000, "max": 32767}},
        },
    ]


def render() -> str:
    """The demo document as the committed JSON text."""
    return json.dumps(build_demo(), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")

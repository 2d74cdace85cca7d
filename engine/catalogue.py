"""The catalogue of every finding code okebot emits: severity, meaning, why (with its source) and remedy.

Codes are a public contract. Each entry's `source` points into facts/oke-networking.md or the public text
it cites, so an answer can say why a rule exists.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

from engine.errors import NotFoundError
from engine.findings import Severity
from engine.model import Frozen

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
_CIDRS = "facts §1.2; https://docs.oracle.com/en-us/iaas/Content/ContEng/Concepts/contengcidrblocks.htm"
_NETCFG = "facts §1.3; https://docs.oracle.com/en-us/iaas/Content/ContEng/Concepts/contengnetworkconfig.htm"
_NATIVE = (
    "facts §1.3; https://docs.oracle.com/en-us/iaas/Content/ContEng/Concepts/"
    "contengpodnetworking_topic-OCI_CNI_plugin.htm"
)
_CNI = "facts §1.1; https://docs.oracle.com/iaas/Content/ContEng/Concepts/contengpodnetworking.htm"
_RULES = "facts §2; https://docs.oracle.com/en-us/iaas/Content/ContEng/Concepts/contengnetworkconfig.htm"
_SHAPES = "facts §1.3 and §5; https://docs.oracle.com/en-us/iaas/Content/Compute/References/computeshapes.htm"
_SUBNETS = "facts §1.4; https://docs.oracle.com/iaas/Content/Network/Tasks/managingVCNs.htm"
_UPDATE_API = (
    "oci-python-sdk container_engine models UpdateClusterDetails / UpdateClusterEndpointConfigDetails "
    "(no vcnId, no endpoint subnetId)"
)


class RuleInfo(Frozen):
    """One finding code: its default severity and what a person needs to understand and fix it."""

    code: str
    severity: Severity
    title: str
    meaning: str
    why: str
    source: str
    remedy: str


def _rule(
    code: str, severity: Severity, title: str, meaning: str, why: str, source: str, remedy: str
) -> RuleInfo:
    return RuleInfo(
        code=code, severity=severity, title=title, meaning=meaning, why=why, source=source, remedy=remedy
    )


_ENTRIES: tuple[RuleInfo, ...] = (
    _rule(
        "CIDR_INVALID",
        _E,
        "Invalid CIDR",
        "A CIDR in the plan is not a valid IPv4 network.",
        "Every address calculation depends on well-formed CIDR blocks.",
        _SUBNETS,
        "Write the block as a.b.c.d/P with the host bits zero, for example 10.0.16.0/20.",
    ),
    _rule(
        "SUBNET_OUTSIDE_VCN",
        _E,
        "Subnet outside its VCN",
        "A subnet CIDR is not inside any CIDR block of the VCN that holds it.",
        "OCI only creates subnets whose CIDR lies within one of the VCN's CIDR blocks.",
        _SUBNETS,
        "Move the subnet into one of the VCN's CIDR blocks, or add a VCN CIDR block that contains it.",
    ),
    _rule(
        "SUBNET_OVERLAP",
        _E,
        "Subnets overlap",
        "Two subnets of the same VCN have overlapping CIDRs.",
        "OCI rejects overlapping subnets within a VCN; addresses would be ambiguous.",
        _SUBNETS,
        "Give each subnet its own, non-overlapping CIDR block.",
    ),
    _rule(
        "PODS_CIDR_OVERLAP",
        _E,
        "Pods CIDR overlaps the network",
        "The cluster's pods CIDR overlaps a VCN CIDR, a subnet the cluster uses, or the services CIDR.",
        "The VCN and subnet CIDRs must not overlap the pods CIDR; with flannel every pod address comes from "
        "it, so overlaps break routing. VCN-native pods take subnet IPs instead, so there it is a warning.",
        _CIDRS,
        "Choose a pods CIDR outside the VCN and the services CIDR (the default is 10.244.0.0/16).",
    ),
    _rule(
        "SERVICES_CIDR_OVERLAP",
        _E,
        "Services CIDR overlaps the network",
        "The cluster's services CIDR overlaps a VCN CIDR or a subnet the cluster uses.",
        "The VCN and subnet CIDRs must not overlap the services CIDR.",
        _CIDRS,
        "Choose a services CIDR outside the VCN (the default is 10.96.0.0/16).",
    ),
    _rule(
        "PODS_CIDR_TOO_SMALL",
        _E,
        "Pods CIDR too small for the nodes",
        "Flannel gives each node a /25 of the pods CIDR; the CIDR has fewer /25 blocks than nodes.",
        "A pods CIDR of prefix P holds 2^(25-P) nodes; the default /16 limits a cluster to 512 nodes, and "
        "the pods CIDR cannot be changed after creation.",
        _CIDRS,
        "Create the cluster with a larger pods CIDR (a /14 holds 2,048 nodes), or plan fewer nodes.",
    ),
    _rule(
        "API_ENDPOINT_SUBNET_TOO_SMALL",
        _E,
        "API endpoint subnet too small",
        "The Kubernetes API endpoint subnet is smaller than /30, or only /30.",
        "Oracle's older docs called a /30 sufficient; the current docs say a /29 is usually sufficient "
        "unless several clusters share the subnet.",
        _CIDRS,
        "Use a /29 or larger for the API endpoint subnet (larger when several clusters share it).",
    ),
    _rule(
        "API_ENDPOINT_SUBNET_NOT_REGIONAL",
        _E,
        "API endpoint subnet is AD-specific",
        "The Kubernetes API endpoint subnet is tied to one availability domain.",
        "The API endpoint subnet must be regional.",
        _NETCFG,
        "Use a regional subnet for the API endpoint.",
    ),
    _rule(
        "CLUSTER_SUBNET_MISSING",
        _E,
        "Cluster names a subnet that does not exist",
        "The cluster's API endpoint or load-balancer subnet is not in the tenancy or plan.",
        "A cluster cannot be created on, or checked against, a subnet that does not exist.",
        _NETCFG,
        "Create the subnet first, or correct the subnet id or name.",
    ),
    _rule(
        "NODE_POOL_SUBNET_MISSING",
        _E,
        "Node pool names a worker subnet that does not exist",
        "A node pool places nodes in a subnet the tenancy or plan does not hold.",
        "Nodes can only be placed in existing subnets of the cluster's VCN.",
        _NETCFG,
        "Create the subnet first, or correct the node pool's subnet id or name.",
    ),
    _rule(
        "POD_SUBNET_MISSING",
        _E,
        "VCN-native node pool without a pod subnet",
        "A VCN-native node pool has no pod subnet, or names one that does not exist.",
        "VCN-native pods take their IPs from the pod subnet; podSubnetIds is required.",
        _NATIVE,
        "Give the node pool an existing, private, regional pod subnet.",
    ),
    _rule(
        "POD_SUBNET_NOT_REGIONAL",
        _E,
        "Pod subnet is AD-specific",
        "A VCN-native pod subnet is tied to one availability domain.",
        "The pod subnet must be regional.",
        _NATIVE,
        "Use a regional subnet for pods.",
    ),
    _rule(
        "POD_SUBNET_PUBLIC",
        _E,
        "Pod subnet is public",
        "A VCN-native pod subnet allows public IPs.",
        "The pod subnet must be private (managed and virtual nodes).",
        _NATIVE,
        "Use a private subnet (prohibit public IPs on VNICs) for pods.",
    ),
    _rule(
        "POD_SUBNET_TOO_SMALL",
        _E,
        "Pod subnet too small",
        "The pod subnet has fewer usable IPs than its node pools pre-allocate at their planned sizes.",
        "Each VCN-native node pre-allocates pod IPs (31 per pod VNIC by default) in the pod subnet; "
        "a /19 is usually sufficient, large clusters need more.",
        _NATIVE,
        "Use a larger pod subnet, lower maxPodsPerNode to pre-allocate fewer IPs, or plan fewer nodes.",
    ),
    _rule(
        "WORKER_SUBNET_TOO_SMALL",
        _E,
        "Worker subnet too small",
        "The worker subnet has fewer usable IPs than the nodes planned in it.",
        "Each worker node takes one IP from its worker subnet (plus pod IPs when pods share it); "
        "OCI reserves 3 IPs per CIDR block.",
        _SUBNETS,
        "Use a larger worker subnet or plan fewer nodes.",
    ),
    _rule(
        "WORKER_SUBNET_NOT_REGIONAL",
        _W,
        "Worker subnet is AD-specific",
        "A worker subnet is tied to one availability domain.",
        "The worker subnet can be AD-specific, but regional is recommended so pools can span ADs.",
        _NETCFG,
        "Prefer a regional worker subnet.",
    ),
    _rule(
        "WORKER_POD_SUBNET_DIFFERENT_VCN",
        _E,
        "Worker and pod subnets in different VCNs",
        "A VCN-native node pool's worker subnet and pod subnet belong to different VCNs.",
        "The worker subnet must be in the same VCN as the pod subnet.",
        _NATIVE,
        "Pick a pod subnet in the worker subnet's VCN.",
    ),
    _rule(
        "FLANNEL_VIRTUAL_NODE_POOL",
        _E,
        "Virtual node pool on a flannel cluster",
        "A flannel-overlay cluster has a virtual node pool.",
        "Flannel is not supported on virtual node pools; they need VCN-native pod networking.",
        _CIDRS,
        "Use managed nodes on this cluster, or create a VCN-native cluster for virtual nodes.",
    ),
    _rule(
        "FLANNEL_POD_SUBNET_IGNORED",
        _I,
        "Pod subnet set on a flannel node pool",
        "A node pool of a flannel cluster names pod subnets.",
        "Flannel needs no pod subnet: pod addresses come from the cluster's pods CIDR.",
        _NATIVE,
        "Remove the pod subnets from the pool, or use VCN-native pod networking if that was the intent.",
    ),
    _rule(
        "MAX_PODS_EXCEEDS_SHAPE",
        _E,
        "maxPodsPerNode above what the shape allows",
        "A VCN-native pool asks for more pods per node than its shape's VNICs allow.",
        "Max pods per node = MIN((VNICs - 1) * 31, 110); more than 31 pods needs a shape with 3 or more "
        "VNICs.",
        _SHAPES,
        "Lower maxPodsPerNode, or pick a shape (or more OCPUs) with more VNICs.",
    ),
    _rule(
        "MAX_PODS_OVER_LIMIT",
        _E,
        "maxPodsPerNode above Kubernetes' limit",
        "maxPodsPerNode is above 110 (or 256 with secondary VNIC profiles).",
        "Kubernetes caps pods per node at 110; VNIC profiles allow up to 256.",
        _NATIVE,
        "Set maxPodsPerNode to 110 or less.",
    ),
    _rule(
        "SHAPE_UNKNOWN",
        _W,
        "Unknown shape",
        "Neither the tenancy nor the built-in table knows the shape, so pods per node cannot be computed.",
        "VCN-native pod capacity depends on the shape's VNIC limit.",
        _SHAPES,
        "Check the shape name, or add the shape and its VNIC limit to the plan's shapes.",
    ),
    _rule(
        "VNIC_PROFILES_OVER_LIMIT",
        _E,
        "VNIC profiles ask for too many IPs",
        "A pool's secondary VNIC profiles add up to more than 256 pod IPs per node.",
        "The combined ipCount across a node's secondary VNIC profiles can be up to 256.",
        _NATIVE,
        "Lower the profiles' ipCount.",
    ),
    _rule(
        "PODS_PER_NODE_UNKNOWN",
        _W,
        "Pods per node unknown",
        "A VCN-native pool has a flex shape without OCPUs (or no shape), so its VNICs cannot be worked out.",
        "Flex shapes attach VNICs per OCPU; without OCPUs neither pods per node nor pod-subnet needs are known, "
        "so the pod subnet's room goes unchecked rather than wrongly passed.",
        _SHAPES,
        "State the pool's shape and OCPUs.",
    ),
    _rule(
        "SHAPE_SINGLE_VNIC",
        _E,
        "Shape has a single VNIC",
        "A VCN-native pool uses a shape with one VNIC, which leaves no VNIC for pods.",
        "VCN-native needs at least two VNICs: one for the worker subnet and one for the pod subnet.",
        _SHAPES,
        "Pick a shape with two or more VNICs (for flex shapes, 1 OCPU already gives 2).",
    ),
    _rule(
        "K8S_VERSION_TOO_OLD_FOR_VCN_NATIVE",
        _E,
        "Kubernetes too old for VCN-native",
        "A VCN-native cluster or node pool runs a Kubernetes version below 1.22.",
        "VCN-native pod networking requires Kubernetes 1.22 or later.",
        _NATIVE,
        "Upgrade to Kubernetes 1.22 or later, or use flannel.",
    ),
    _rule(
        "K8S_VERSION_UNPARSABLE",
        _W,
        "Kubernetes version not understood",
        "A Kubernetes version could not be read as MAJOR.MINOR[.PATCH].",
        "Version requirements (VCN-native, service mesh) cannot be checked without a version.",
        _NATIVE,
        "Write the version as v1.28.2 or 1.28.",
    ),
    _rule(
        "NODE_IMAGE_TOO_OLD",
        _E,
        "Node image too old for VCN-native",
        "A VCN-native node pool uses an OKE image released before June 2022.",
        "Oracle says not to use an OKE image released before June 2022 with VCN-native pod networking.",
        _NATIVE,
        "Use a current OKE image for the node pool.",
    ),
    _rule(
        "SERVICE_MESH_K8S_VERSION",
        _E,
        "Service mesh needs Kubernetes 1.26",
        "The cluster uses a service mesh, and the cluster or a node pool runs Kubernetes below 1.26.",
        "Worker nodes must run Kubernetes 1.26 or later for service mesh support.",
        _NATIVE,
        "Upgrade the cluster and its node pools to Kubernetes 1.26 or later.",
    ),
    _rule(
        "POD_SUBNET_NO_NAT_ROUTE",
        _E,
        "Pod subnet has no NAT route",
        "A VCN-native pod subnet's route table lacks 0.0.0.0/0 to a NAT gateway.",
        "The pod subnet route table needs 0.0.0.0/0 to a NAT gateway for outbound traffic.",
        _NATIVE,
        "Add a route rule 0.0.0.0/0 -> NAT gateway to the pod subnet's route table.",
    ),
    _rule(
        "POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE",
        _E,
        "Pod subnet has no service gateway route",
        "A VCN-native pod subnet's route table lacks 'All <region> Services' to a service gateway.",
        "The pod subnet route table needs the service gateway (All <region> Services in Oracle Services "
        "Network).",
        _NATIVE,
        "Add a route rule 'All <region> Services in Oracle Services Network' -> service gateway.",
    ),
    _rule(
        "ROUTES_NOT_READ",
        _I,
        "Routes not read",
        "The route tables of some pod subnets were not read, so routes were not checked.",
        "A route that was not read is unknown, not missing.",
        _NATIVE,
        "Grant read access to route tables, or state route rules in the plan, to have them checked.",
    ),
    _rule(
        "SECURITY_RULE_MISSING",
        _E,
        "Required security rule missing",
        "No security-list or NSG rule allows traffic that OKE requires for a subnet role.",
        "OKE's documented security rules for the API endpoint, worker and pod subnets must be present "
        "(in an NSG or a security list; the union applies).",
        _RULES,
        "Add the rule to the subnet's security list or to an NSG attached for that role.",
    ),
    _rule(
        "SECURITY_RULES_NOT_READ",
        _I,
        "Security rules not read",
        "Neither security lists nor NSG rules were read for some subnet roles, so they were not checked.",
        "A rule that was not read is unknown, not missing.",
        _RULES,
        "Grant read access to security lists and NSGs, or state the rules in the plan.",
    ),
    _rule(
        "CNI_UPDATE_PENDING",
        _W,
        "CNI plugin update pending",
        "Some nodes run CNI plugin pods older than the CNI DaemonSet's newest revision, or log "
        "'reboot required'.",
        "VCN-native updates apply when nodes reboot (before 2.3.0) or when the CNI pods are recreated "
        "(2.3.0 and later, OnDelete with a pod-deletion policy).",
        "facts §3.1-3.2; https://docs.oracle.com/en-us/iaas/Content/ContEng/Concepts/"
        "contengpodnetworking_topic-OCI_CNI_plugin.htm",
        "Replace the listed nodes with new ones (recommended), or reboot them / recreate their CNI pods.",
    ),
    _rule(
        "CNI_IMMUTABLE",
        _E,
        "CNI cannot be changed",
        "The plan changes the cluster's CNI (flannel vs VCN-native).",
        "The network type is chosen at creation and cannot be changed afterwards.",
        _CNI,
        "Keep the current CNI, or create a new cluster with the other CNI and migrate workloads.",
    ),
    _rule(
        "PODS_CIDR_IMMUTABLE",
        _E,
        "Pods CIDR cannot be changed",
        "The plan changes the cluster's pods CIDR.",
        "The pods CIDR cannot be changed after creation.",
        _CIDRS,
        "Keep the current pods CIDR, or create a new cluster.",
    ),
    _rule(
        "SERVICES_CIDR_IMMUTABLE",
        _E,
        "Services CIDR cannot be changed",
        "The plan changes the cluster's services CIDR.",
        "The Kubernetes network config (pods and services CIDRs) is set at creation; OKE's cluster update "
        "API has no field for it.",
        f"{_CIDRS}; {_UPDATE_API}",
        "Keep the current services CIDR, or create a new cluster.",
    ),
    _rule(
        "VCN_IMMUTABLE",
        _E,
        "Cluster VCN cannot be changed",
        "The plan moves the cluster to another VCN.",
        "OKE's cluster update API has no VCN field: a cluster stays in the VCN it was created in.",
        _UPDATE_API,
        "Keep the cluster's VCN, or create a new cluster in the other VCN.",
    ),
    _rule(
        "API_ENDPOINT_SUBNET_IMMUTABLE",
        _E,
        "API endpoint subnet cannot be changed",
        "The plan moves the cluster's Kubernetes API endpoint to another subnet.",
        "OKE's endpoint update API changes NSGs and the public IP only, not the subnet.",
        _UPDATE_API,
        "Keep the endpoint subnet, or create a new cluster.",
    ),
)

CATALOGUE: Mapping[str, RuleInfo] = MappingProxyType({entry.code: entry for entry in _ENTRIES})


def explain(code: str) -> RuleInfo:
    """The catalogue entry of a finding code; NotFoundError naming close matches when there is none."""
    wanted = code.strip().upper()
    if wanted in CATALOGUE:
        return CATALOGUE[wanted]
    close = difflib.get_close_matches(wanted, list(CATALOGUE), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise NotFoundError(
        f"No finding code {code!r}.{hint}",
        remedy="Check the spelling: codes are upper case with underscores, like POD_SUBNET_TOO_SMALL.",
    )

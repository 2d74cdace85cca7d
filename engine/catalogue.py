"""The catalogue: every finding code okebot emits, once, with its severity, meaning, why, source and remedy.

Findings are made only through `finding()`, so a finding's severity and remedy come from here, and
`okebot explain CODE` shows the remedy a finding carries. A remedy may hold `{placeholders}` filled from the
finding's details (or the extra fields its rule passes); `explain` shows each placeholder's generic words.
Sources are Oracle's public pages (or the OCI SDK's models).
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from pydantic import Field

from engine.codes import Code
from engine.errors import NotFoundError
from engine.findings import Detail, Finding, PoolFigures, Severity
from engine.model import Frozen, SourceKind
from engine.reports import CodeExplanation, RulesReport

_DOCS = "https://docs.oracle.com/en-us/iaas/Content"
_CIDRS = f"{_DOCS}/ContEng/Concepts/contengcidrblocks.htm"
_NETCFG = f"{_DOCS}/ContEng/Concepts/contengnetworkconfig.htm"
_NATIVE = f"{_DOCS}/ContEng/Concepts/contengpodnetworking_topic-OCI_CNI_plugin.htm"
_CNI = "https://docs.oracle.com/iaas/Content/ContEng/Concepts/contengpodnetworking.htm"
_RULES = _NETCFG
_SHAPES = f"{_NATIVE}; {_DOCS}/Compute/References/computeshapes.htm"
_SUBNETS = "https://docs.oracle.com/iaas/Content/Network/Tasks/managingVCNs.htm"
_VNICS = "https://docs.oracle.com/iaas/Content/Network/Tasks/managingVNICs.htm"
_NETWORKING = "https://docs.oracle.com/iaas/Content/Network/Concepts/overview.htm"
_VCN_CREATE = "https://docs.oracle.com/iaas/tools/oci-cli/latest/oci_cli_docs/cmdref/network/vcn/create.html"
_VCN_ADD_CIDR = "https://docs.oracle.com/iaas/Content/Network/Tasks/add_cidr_to_vcn.htm"
_SUBNETS_ADD_CIDR = (
    "https://docs.oracle.com/iaas/tools/oci-cli/latest/oci_cli_docs/cmdref/network/subnet/add-ipv4-subnet-cidr.html"
)
_VCNS_AND_SUBNETS = "https://docs.oracle.com/iaas/Content/Network/Tasks/Overview_of_VCNs_and_Subnets.htm"
_VIRTUAL_NODES = f"{_DOCS}/ContEng/Tasks/contengcomparingvirtualwithmanagednodes_topic.htm"
_LB_CONFIG = f"{_DOCS}/ContEng/Tasks/contengconfiguringloadbalancersnetworkloadbalancers-subtopic.htm"
_UPDATE_API = (
    "OCI API reference, Container Engine UpdateClusterDetails and UpdateClusterEndpointConfigDetails "
    "(no vcnId, no endpoint subnetId): https://docs.oracle.com/iaas/api/#/en/containerengine/20180222/"
)


class RuleInfo(Frozen):
    """One finding code: its default severity and what a person needs to understand and fix it.

    `remedy` is a template: `{name}` is filled from the finding's details or its rule's fields; `placeholders`
    gives, for each name, the generic words `explain` shows. `plan_remedy`, when given, is the remedy for a
    finding about a plan file: the line of plan YAML to add or change instead of the Console step (its
    placeholders are among `placeholders`); `explain` shows the one generic remedy. `severity_note` says when a
    finding of this code has another severity than the default (for example "warning from 80% full").
    """

    code: Code
    severity: Severity
    title: str
    meaning: str
    why: str
    source: str
    remedy: str
    placeholders: dict[str, str] = Field(default_factory=dict)
    severity_note: str | None = None
    plan_remedy: str | None = None

    def generic_remedy(self) -> str:
        """The remedy with every placeholder in its generic words: what `explain` shows."""
        return self.remedy.format_map(self.placeholders)

    def explained(self) -> CodeExplanation:
        """The entry as a person reads it: the remedy in generic words."""
        return CodeExplanation(
            code=self.code, severity=self.severity, title=self.title, meaning=self.meaning, why=self.why,
            source=self.source, remedy=self.generic_remedy(), severity_note=self.severity_note,
        )


_ENTRIES: tuple[RuleInfo, ...] = (
    RuleInfo(
        code=Code.CIDR_INVALID,
        severity=Severity.ERROR,
        title="Invalid CIDR",
        meaning="A CIDR in the plan is not a valid IPv4 network.",
        why="Every address calculation depends on well-formed CIDR blocks.",
        source=_SUBNETS,
        remedy="{fix}",
        placeholders={"fix": "Write the block as a.b.c.d/P with the host bits zero, for example 10.0.16.0/20 (IPv4 "
                                     "only)."},
    ),
    RuleInfo(
        code=Code.VCN_CIDR_SIZE,
        severity=Severity.ERROR,
        title="VCN CIDR block outside /16 to /30",
        meaning="A CIDR block of the VCN is larger than /16 (a /8, a /12, 0.0.0.0/0) or smaller than /30.",
        why="OCI takes VCN CIDR blocks from /16 to /30 only (\"The allowable VCN size range is /16 to /30\"); it "
            "refuses to create the VCN, or to add the block, otherwise. RFC 1918's 10.0.0.0/8 and 172.16.0.0/12 "
            "are too large: Oracle suggests 10.0.0.0/16 and 172.16.0.0/16 instead.",
        source=f"{_NETWORKING}; {_VCN_CREATE}",
        remedy="{fix}",
        placeholders={"fix": "Use a block from /16 (65,536 addresses) to /30; for more room, give the VCN several "
                             "non-overlapping /16 blocks."},
    ),
    RuleInfo(
        code=Code.VCN_CIDR_OVERLAP,
        severity=Severity.ERROR,
        title="VCN CIDR blocks overlap",
        meaning="Two CIDR blocks of the same VCN overlap: one lies inside the other, or the same block is listed "
                "twice.",
        why="A VCN's IPv4 CIDR blocks must not overlap each other; OCI refuses to create the VCN, or to add a "
            "block that overlaps one it already has.",
        source=f"{_VCN_CREATE}; {_VCN_ADD_CIDR}; {_VCNS_AND_SUBNETS}",
        remedy="{fix}",
        placeholders={"fix": "Remove the block that lies inside the other (or the repeated one), or replace it with "
                             "a block that does not overlap the VCN's other blocks. When the larger block is itself "
                             "outside /16 to /30, replace that one instead."},
    ),
    RuleInfo(
        code=Code.SUBNET_CIDR_SIZE,
        severity=Severity.ERROR,
        title="Subnet CIDR block of an impossible size",
        meaning="A subnet's CIDR block is smaller than /30 (a /31 or /32), or larger than /16 while it lies inside "
                "an oversized VCN block. The API endpoint subnet gets API_ENDPOINT_SUBNET_TOO_SMALL instead of "
                "the first; a worker or pod subnet gets this finding instead of WORKER_SUBNET_TOO_SMALL or "
                "POD_SUBNET_TOO_SMALL when none of its blocks has a usable IP.",
        why="OCI reserves the first two and the last address of every subnet block, so a /31 (2 addresses) or a "
            "/32 (1) has no usable IP; a /30 leaves 1. That OCI refuses subnets smaller than /30 is assumed, not "
            "stated by Oracle: it is the smallest VCN block (/16 to /30). A subnet lies inside one VCN block, so "
            "none is larger than /16.",
        source=f"{_SUBNETS} (3 addresses reserved per block); {_NETWORKING} (VCN blocks /16 to /30). Assumed: OCI "
               "refuses a subnet block smaller than /30; no Oracle text states a minimum subnet size.",
        remedy="{fix}",
        placeholders={"fix": "Give the subnet a block from /16 to /30, sized for what it holds (a /30 has 1 usable "
                             "IP, a /24 253)."},
    ),
    RuleInfo(
        code=Code.SUBNET_CIDR_OVERLAP,
        severity=Severity.ERROR,
        title="Subnet CIDR blocks overlap",
        meaning="Two CIDR blocks of the same subnet overlap: one lies inside the other, or the same block is "
                "listed twice. Capacity counts each address once (overlapping blocks merged) all the same.",
        why="Overlapping blocks add no address: a /28 listed twice is still 13 usable IPs, not 26, so a subnet "
            "that looks large enough on paper is not. That OCI refuses a subnet block overlapping another block "
            "of the same subnet is assumed: Oracle states it for a VCN's blocks, and its rules for adding an IPv4 "
            "block to a subnet name only a valid block inside one of the VCN's.",
        source=f"{_SUBNETS_ADD_CIDR} (rules for a subnet's added IPv4 block); {_VCN_CREATE} and {_VCN_ADD_CIDR} "
               "(a VCN's blocks must not overlap). Assumed: the same holds for the blocks of one subnet; no Oracle "
               "text states it.",
        remedy="{fix}",
        placeholders={"fix": "Remove the block that lies inside the other (or the repeated one), or replace it with "
                             "a block that does not overlap the subnet's other blocks. When the larger block is itself "
                             "outside /16 to /30, replace that one instead."},
    ),
    RuleInfo(
        code=Code.SUBNET_OUTSIDE_VCN,
        severity=Severity.ERROR,
        title="Subnet outside its VCN",
        meaning="A subnet CIDR is not inside any CIDR block of the VCN that holds it.",
        why="OCI only creates subnets whose CIDR lies within one of the VCN's CIDR blocks.",
        source=_SUBNETS,
        remedy="Move the subnet into one of the VCN's CIDR blocks, or add a VCN CIDR block that contains it.",
    ),
    RuleInfo(
        code=Code.SUBNET_OVERLAP,
        severity=Severity.ERROR,
        title="Subnets overlap",
        meaning="Two subnets of the same VCN have overlapping CIDRs.",
        why="OCI rejects overlapping subnets within a VCN; addresses would be ambiguous.",
        source=_SUBNETS,
        remedy="Give each subnet its own, non-overlapping CIDR block.",
    ),
    RuleInfo(
        code=Code.PODS_CIDR_OVERLAP,
        severity=Severity.ERROR,
        title="Pods CIDR overlaps the network",
        meaning="The cluster's pods CIDR overlaps a VCN CIDR, a subnet the cluster uses, or the services CIDR.",
        why="The VCN and subnet CIDRs must not overlap the pods CIDR; with flannel every pod address comes from "
            "it, so overlaps break routing. VCN-native pods take subnet IPs instead, so there it is a warning.",
        source=_CIDRS,
        remedy="Choose a pods CIDR outside the VCN and the services CIDR (the default is 10.244.0.0/16).",
        severity_note="warning on VCN-native clusters",
    ),
    RuleInfo(
        code=Code.SERVICES_CIDR_OVERLAP,
        severity=Severity.ERROR,
        title="Services CIDR overlaps the network",
        meaning="The cluster's services CIDR overlaps a VCN CIDR or a subnet the cluster uses.",
        why="The VCN and subnet CIDRs must not overlap the services CIDR.",
        source=_CIDRS,
        remedy="Choose a services CIDR outside the VCN (the default is 10.96.0.0/16).",
    ),
    RuleInfo(
        code=Code.PODS_CIDR_TOO_SMALL,
        severity=Severity.ERROR,
        title="Pods CIDR too small for the nodes",
        meaning="Flannel gives each node a /25 of the pods CIDR; the CIDR has fewer /25 blocks than nodes.",
        why="A pods CIDR of prefix P holds 2^(25-P) nodes; the default /16 limits a cluster to 512 nodes, and "
            "the pods CIDR cannot be changed after creation.",
        source=_CIDRS,
        remedy=(
            "Use a larger pods CIDR when creating the cluster (a /14 holds 2,048 nodes). On an existing cluster "
            "it cannot change: keep the node count below its slots, or move workloads to a new cluster with a "
            "larger pods CIDR."
        ),
        severity_note="warning from 80% of the node slots",
    ),
    RuleInfo(
        code=Code.API_ENDPOINT_SUBNET_TOO_SMALL,
        severity=Severity.ERROR,
        title="API endpoint subnet too small",
        meaning="The Kubernetes API endpoint subnet is smaller than /30, or only /30.",
        why="Oracle's older docs called a /30 sufficient; the current docs say a /29 is usually sufficient "
            "unless several clusters share the subnet.",
        source=_CIDRS,
        remedy="Use a /29 or larger for the API endpoint subnet (larger when several clusters share it).",
        severity_note="a /30: warning when shared by several clusters, else info",
    ),
    RuleInfo(
        code=Code.API_ENDPOINT_SUBNET_NOT_REGIONAL,
        severity=Severity.ERROR,
        title="API endpoint subnet is AD-specific",
        meaning="The Kubernetes API endpoint subnet is tied to one availability domain.",
        why="The API endpoint subnet must be regional.",
        source=_NETCFG,
        remedy="Use a regional subnet for the API endpoint.",
    ),
    RuleInfo(
        code=Code.API_ENDPOINT_NO_CLIENT_ACCESS,
        severity=Severity.WARNING,
        title="Public API endpoint that no client can reach",
        meaning="The Kubernetes API endpoint is public, but no ingress rule of its subnet's security lists or NSGs "
                "admits TCP 6443 from anywhere outside the VCN.",
        why="Oracle's security rules for the API endpoint subnet list client access (0.0.0.0/0 or a specific "
            "CIDR, TCP 6443) as optional; without it a public endpoint answers only inside the VCN, and kubectl "
            "from outside times out.",
        source=_NETCFG,
        remedy=(
            "Add a stateful ingress rule for TCP 6443 from the CIDRs your kubectl clients use (an office or VPN "
            "range, or 0.0.0.0/0) to the API endpoint subnet's security list or its NSG; or make the endpoint "
            "private and reach it through a bastion or VPN."
        ),
    ),
    RuleInfo(
        code=Code.CLUSTER_SUBNET_MISSING,
        severity=Severity.ERROR,
        title="Cluster names a subnet that does not exist",
        meaning="The cluster's API endpoint or load-balancer subnet is not in the tenancy or plan.",
        why="A cluster cannot be created on, or checked against, a subnet that does not exist.",
        source=_NETCFG,
        remedy="Create the subnet first, or correct the subnet id or name.",
    ),
    RuleInfo(
        code=Code.NODE_POOL_SUBNET_MISSING,
        severity=Severity.ERROR,
        title="Node pool names a worker subnet that does not exist",
        meaning="A node pool places nodes in a subnet the tenancy or plan does not hold.",
        why="Nodes can only be placed in existing subnets of the cluster's VCN.",
        source=_NETCFG,
        remedy="Create the subnet first, or correct the node pool's subnet id or name.",
    ),
    RuleInfo(
        code=Code.POD_SUBNET_MISSING,
        severity=Severity.ERROR,
        title="VCN-native node pool without a pod subnet",
        meaning="A VCN-native node pool has no pod subnet, or names one that does not exist.",
        why="VCN-native pods take their IPs from the pod subnet; podSubnetIds is required.",
        source=_NATIVE,
        remedy="Give the node pool an existing, private, regional pod subnet.",
    ),
    RuleInfo(
        code=Code.POD_SUBNET_NOT_REGIONAL,
        severity=Severity.ERROR,
        title="Pod subnet is AD-specific",
        meaning="A VCN-native pod subnet is tied to one availability domain.",
        why="The pod subnet must be regional.",
        source=_NATIVE,
        remedy="Use a regional subnet for pods.",
    ),
    RuleInfo(
        code=Code.POD_SUBNET_PUBLIC,
        severity=Severity.ERROR,
        title="Pod subnet is public",
        meaning="A VCN-native pod subnet allows public IPs.",
        why="The pod subnet must be private (managed and virtual nodes).",
        source=_NATIVE,
        remedy="Use a private subnet (prohibit public IPs on VNICs) for pods.",
    ),
    RuleInfo(
        code=Code.POD_SUBNET_TOO_SMALL,
        severity=Severity.ERROR,
        title="Pod subnet too small",
        meaning="The pod subnet has fewer usable IPs than its node pools pre-allocate at their planned sizes.",
        why="Each VCN-native node pre-allocates pod IPs (31 per pod VNIC by default) in the pod subnet; "
            "a /19 is usually sufficient, large clusters need more.",
        source=_NATIVE,
        remedy=(
            "Lower maxPodsPerNode to reserve fewer IPs per node, give the pools a larger pod subnet (a /19 is "
            "usually enough; large clusters need a /16), spread the pools over separate pod subnets, or plan "
            "fewer nodes."
        ),
        severity_note="warning from 80% full",
    ),
    RuleInfo(
        code=Code.WORKER_SUBNET_TOO_SMALL,
        severity=Severity.ERROR,
        title="Worker subnet too small",
        meaning="The worker subnet has fewer usable IPs than the nodes planned in it.",
        why="Each worker node takes one IP from its worker subnet (plus pod IPs when pods share it); "
            "OCI reserves 3 IPs per CIDR block.",
        source=_SUBNETS,
        remedy=(
            "Use a larger worker subnet, move some node pools to another worker subnet, or plan fewer nodes."
        ),
        severity_note="warning from 80% full",
    ),
    RuleInfo(
        code=Code.SUBNET_IPS_UNATTRIBUTED,
        severity=Severity.INFO,
        title="IPs in use that no node pool holds",
        meaning="A worker or pod subnet has private IPs in use that no known node pool's nodes hold: by instance "
                "when the source says which VNIC and instance holds each IP, else the IPs in use beyond what the "
                "pools reserve.",
        why="Every IP in a subnet belongs to a VNIC; Karpenter or self-managed nodes, load balancers and other "
            "VMs take them from the same subnet as the node pools, so the room left for the pools is smaller "
            "than their reservations suggest. Headroom counts these IPs as taken.",
        source=f"{_VNICS}; {_SUBNETS}",
        remedy=(
            "Find what holds them (the instances or VNICs named; Karpenter or self-managed nodes, load balancers, "
            "other VMs) and either move them to another subnet or size this subnet for them as well."
        ),
        severity_note="warning above 20% of the subnet's usable IPs",
    ),
    RuleInfo(
        code=Code.WORKER_SUBNET_NOT_REGIONAL,
        severity=Severity.WARNING,
        title="Worker subnet is AD-specific",
        meaning="A worker subnet is tied to one availability domain.",
        why="The worker subnet can be AD-specific, but regional is recommended so pools can span ADs.",
        source=_NETCFG,
        remedy="Prefer a regional worker subnet.",
    ),
    RuleInfo(
        code=Code.WORKER_POD_SUBNET_DIFFERENT_VCN,
        severity=Severity.ERROR,
        title="Worker and pod subnets in different VCNs",
        meaning="A VCN-native node pool's worker subnet and pod subnet belong to different VCNs.",
        why="The worker subnet must be in the same VCN as the pod subnet.",
        source=_NATIVE,
        remedy="Pick a pod subnet in the worker subnet's VCN.",
    ),
    RuleInfo(
        code=Code.FLANNEL_VIRTUAL_NODE_POOL,
        severity=Severity.ERROR,
        title="Virtual node pool on a flannel cluster",
        meaning="A flannel-overlay cluster has a virtual node pool.",
        why="Flannel is not supported on virtual node pools; they need VCN-native pod networking.",
        source=_CIDRS,
        remedy="Use managed nodes on this cluster, or create a VCN-native cluster for virtual nodes.",
    ),
    RuleInfo(
        code=Code.FLANNEL_POD_SUBNET_IGNORED,
        severity=Severity.INFO,
        title="Pod subnet set on a flannel node pool",
        meaning="A node pool of a flannel cluster names pod subnets.",
        why="Flannel needs no pod subnet: pod addresses come from the cluster's pods CIDR.",
        source=_NATIVE,
        remedy="Remove the pod subnets from the pool, or use VCN-native pod networking if that was the intent.",
    ),
    RuleInfo(
        code=Code.VIRTUAL_NODES_NEED_ENHANCED_CLUSTER,
        severity=Severity.ERROR,
        title="Virtual nodes on a basic cluster",
        meaning="A basic cluster has a virtual node pool.",
        why="Oracle: \"You can only create virtual nodes in enhanced clusters. You can create managed nodes in "
            "both basic clusters and enhanced clusters.\" A cluster whose type is not stated is not judged.",
        source=_VIRTUAL_NODES,
        remedy="Make the cluster enhanced (an upgrade OKE allows, not the reverse), or use managed nodes.",
    ),
    RuleInfo(
        code=Code.MAX_PODS_EXCEEDS_SHAPE,
        severity=Severity.ERROR,
        title="maxPodsPerNode above what the shape allows",
        meaning="A VCN-native pool asks for more pods per node than its shape's VNICs allow.",
        why="Max pods per node = MIN((VNICs - 1) * 31, 110); more than 31 pods needs a shape with 3 or more "
            "VNICs.",
        source=_SHAPES,
        remedy="Set maxPodsPerNode to {shapeMaxPods} or less, or {moreVnics}.",
        plan_remedy="Set maxPodsPerNode: {shapeMaxPods} (or less) on this pool, or {moreVnics}.",
        placeholders={
            "shapeMaxPods": "the shape's limit",
            "moreVnics": "choose a shape (or more OCPUs on a flex shape) that attaches at least "
                         "(maxPodsPerNode / 31, rounded up) + 1 VNICs",
        },
    ),
    RuleInfo(
        code=Code.MAX_PODS_OVER_LIMIT,
        severity=Severity.ERROR,
        title="maxPodsPerNode above Kubernetes' limit",
        meaning="maxPodsPerNode is above 110 (or 256 with secondary VNIC profiles).",
        why="Kubernetes caps pods per node at 110; VNIC profiles allow up to 256.",
        source=_NATIVE,
        remedy="Set maxPodsPerNode between 1 and {limit}.",
        placeholders={"limit": "110 (256 for pools with secondary VNIC profiles)"},
    ),
    RuleInfo(
        code=Code.SHAPE_UNKNOWN,
        severity=Severity.WARNING,
        title="Unknown shape",
        meaning="Neither the tenancy nor the built-in table knows the shape, so pods per node cannot be computed.",
        why="VCN-native pod capacity depends on the shape's VNIC limit.",
        source=_SHAPES,
        remedy=(
            "Check the spelling of {shape}, or add it with its VNIC limit to the plan's shapes so its capacity "
            "can be assessed."
        ),
        placeholders={"shape": "the shape name"},
    ),
    RuleInfo(
        code=Code.VNIC_PROFILES_OVER_LIMIT,
        severity=Severity.ERROR,
        title="VNIC profiles ask for too many IPs",
        meaning="A pool's secondary VNIC profiles add up to more than 256 pod IPs per node.",
        why="The combined ipCount across a node's secondary VNIC profiles can be up to 256.",
        source=_NATIVE,
        remedy="Lower the profiles' ipCount so they add up to 256 or less.",
    ),
    RuleInfo(
        code=Code.VNIC_PROFILES_EXCEED_SHAPE,
        severity=Severity.ERROR,
        title="More VNIC profiles than the shape has VNICs for",
        meaning="A pool has more secondary VNIC profiles than its shape (at its OCPU count) can attach: a node has "
                "one primary VNIC, so at most VNICs - 1 profiles.",
        why="Worker nodes use a primary VNIC for node traffic and one secondary VNIC per VNIC profile for pods, "
            "and a node attaches no more VNICs than its shape allows (flex shapes: 2 VNICs at 1 OCPU, then 1 per "
            "OCPU up to 24). The profiles past that never attach, and their pod IPs never exist.",
        source=_SHAPES,
        remedy=(
            "Keep at most {keepProfiles} on this pool, or choose a shape (or more OCPUs on "
            "a flex shape) that attaches at least {vnicsNeeded} VNICs."
        ),
        placeholders={"keepProfiles": "VNICs - 1 VNIC profiles", "vnicsNeeded": "the number of profiles + 1"},
    ),
    RuleInfo(
        code=Code.PODS_PER_NODE_UNKNOWN,
        severity=Severity.WARNING,
        title="Pods per node unknown",
        meaning="A VCN-native pool has a flex shape without OCPUs (or no shape), so its VNICs cannot be worked out.",
        why="Flex shapes attach VNICs per OCPU; without OCPUs neither pods per node nor pod-subnet needs are known, "
            "so the pod subnet's room goes unchecked rather than wrongly passed.",
        source=_SHAPES,
        remedy=(
            "State the pool's shape and OCPUs (nodePools[].shape and .ocpus in a plan) so capacity can be "
            "assessed."
        ),
    ),
    RuleInfo(
        code=Code.SHAPE_SINGLE_VNIC,
        severity=Severity.ERROR,
        title="Shape has a single VNIC",
        meaning="A VCN-native pool uses a shape with one VNIC, which leaves no VNIC for pods.",
        why="VCN-native needs at least two VNICs: one for the worker subnet and one for the pod subnet.",
        source=_SHAPES,
        remedy=(
            "Choose a shape with at least 2 VNICs (3 or more to run over 31 pods per node); a flex shape with 1 "
            "OCPU already gives 2."
        ),
    ),
    RuleInfo(
        code=Code.K8S_VERSION_TOO_OLD_FOR_VCN_NATIVE,
        severity=Severity.ERROR,
        title="Kubernetes too old for VCN-native",
        meaning="A VCN-native cluster or node pool runs a Kubernetes version below 1.22.",
        why="VCN-native pod networking requires Kubernetes 1.22 or later.",
        source=_NATIVE,
        remedy="Upgrade to Kubernetes 1.22 or later, or use flannel.",
    ),
    RuleInfo(
        code=Code.K8S_VERSION_UNPARSABLE,
        severity=Severity.WARNING,
        title="Kubernetes version not understood",
        meaning="A Kubernetes version could not be read as MAJOR.MINOR[.PATCH].",
        why="Version requirements (VCN-native, service mesh) cannot be checked without a version.",
        source=_NATIVE,
        remedy="Write the version as v1.28.2 or 1.28.",
    ),
    RuleInfo(
        code=Code.NODE_IMAGE_TOO_OLD,
        severity=Severity.ERROR,
        title="Node image too old for VCN-native",
        meaning="A VCN-native node pool uses an OKE image released before June 2022.",
        why="Oracle says not to use an OKE image released before June 2022 with VCN-native pod networking.",
        source=_NATIVE,
        remedy="Use a current OKE image for the node pool.",
    ),
    RuleInfo(
        code=Code.SERVICE_MESH_K8S_VERSION,
        severity=Severity.ERROR,
        title="Service mesh needs Kubernetes 1.26",
        meaning="The cluster uses a service mesh, and the cluster or a node pool runs Kubernetes below 1.26.",
        why="Worker nodes must run Kubernetes 1.26 or later for service mesh support.",
        source=_NATIVE,
        remedy="Upgrade the cluster and its node pools to Kubernetes 1.26 or later.",
    ),
    RuleInfo(
        code=Code.POD_SUBNET_NO_NAT_ROUTE,
        severity=Severity.ERROR,
        title="Pod subnet has no NAT route",
        meaning="A VCN-native pod subnet's route table lacks 0.0.0.0/0 to a NAT gateway, so its pods cannot reach "
                "the internet.",
        why="Oracle's VCN-native pod networking page lists 0.0.0.0/0 to a NAT gateway in the pod subnet's route "
            "table; its network-configuration page makes the NAT gateway conditional on needing the internet. "
            "A design that reaches Oracle services only through the service gateway (air-gapped) needs no NAT "
            "route: a plan says so with cluster.internetEgress: false, and the finding is then an info.",
        source=f"{_NATIVE}; {_NETCFG}",
        remedy=(
            "Add a route rule 0.0.0.0/0 -> NAT gateway to the pod subnet's route table, or, if the cluster "
            "needs no internet, say internetEgress: false in the plan's cluster."
        ),
        plan_remedy=(
            "Add {{destination: 0.0.0.0/0, target: nat-gateway}} to this subnet's routes, or, if the cluster needs "
            "no internet, say internetEgress: false in the plan's cluster."
        ),
        severity_note="info when the cluster says it needs no internet egress (plan: cluster.internetEgress: false)",
    ),
    RuleInfo(
        code=Code.POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE,
        severity=Severity.ERROR,
        title="Pod subnet has no service gateway route",
        meaning="A VCN-native pod subnet's route table lacks 'All <region> Services' to a service gateway.",
        why="The pod subnet route table needs the service gateway (All <region> Services in Oracle Services "
            "Network).",
        source=_NATIVE,
        remedy="Add a route rule '{services}' -> service gateway to the pod subnet's route table.",
        plan_remedy="Add {{destination: all-services, target: service-gateway}} to this subnet's routes.",
        placeholders={"services": "All <region> Services in Oracle Services Network"},
    ),
    RuleInfo(
        code=Code.ROUTES_NOT_READ,
        severity=Severity.INFO,
        title="Routes not read",
        meaning="The route tables of some pod subnets were not read, so routes were not checked.",
        why="A route that was not read is unknown, not missing. The message says why for the source at hand: "
            "not stated in a plan, not in a snapshot, or not readable from a live tenancy.",
        source=_NATIVE,
        remedy="{how}",
        placeholders={"how": "Grant read access to route tables, or state route rules in the plan "
                              "(subnets[].routes), to have them checked."},
    ),
    RuleInfo(
        code=Code.SECURITY_RULE_MISSING,
        severity=Severity.ERROR,
        title="Required security rule missing",
        meaning="No security-list or NSG rule allows traffic that OKE requires for a subnet role.",
        why="OKE's documented security rules for the API endpoint, worker, pod and load balancer subnets must be "
            "present (in an NSG or a security list; the union applies, and a port range must be covered whole). "
            "Load balancers need egress to the worker nodes on the NodePort range 30000-32767 and on kube-proxy's "
            "health-check port 10256, the workers the matching ingress from the load balancer subnet, and the "
            "load balancer subnet some ingress from its clients; without 10256 every backend is marked "
            "unhealthy. OKE's cloud controller manager adds load balancer rules per Service while its "
            "security-list management is on (the default for load balancers, not network load balancers).",
        source=f"{_RULES}; {_LB_CONFIG}",
        remedy=(
            "Add a stateful {rule} to the security list of the {role} subnet, or to an NSG attached for that role."
        ),
        plan_remedy="Add {planRule} to the securityRules of the {role} subnet.",
        placeholders={"rule": "rule with the direction, peer, protocol and port the message names", "role": "role's",
                      "planRule": "the rule as plan YAML, e.g. {direction: ingress, protocol: tcp, peer: "
                                  "\"role:pods\", ports: 6443}"},
        severity_note="warning when some of the role's rules were not read; load-balancer rules are warnings "
                      "unless the cluster says they are managed by hand (plan: cluster.loadBalancerRules: manual)",
    ),
    RuleInfo(
        code=Code.SECURITY_RULES_NOT_READ,
        severity=Severity.INFO,
        title="Security rules not read",
        meaning="Neither security lists nor NSG rules were read (or stated) for some subnet roles (API endpoint, "
                "workers, pods, load balancers), so they were not checked.",
        why="A rule that was not read is unknown, not missing. The message says why for the source at hand: "
            "not stated in a plan, not in a snapshot, or not readable from a live tenancy.",
        source=_RULES,
        remedy="{how}",
        placeholders={"how": "Grant read access to security lists and NSGs, or state the rules in the plan "
                              "(subnets[].securityRules)."},
    ),
    RuleInfo(
        code=Code.CNI_UPDATE_PENDING,
        severity=Severity.WARNING,
        title="CNI plugin update pending",
        meaning="Some nodes run CNI plugin pods older than the CNI DaemonSet's newest revision, or log "
            "'reboot required'.",
        why="VCN-native updates apply when nodes reboot (before 2.3.0) or when the CNI pods are recreated "
            "(2.3.0 and later, OnDelete with a pod-deletion policy).",
        source=_NATIVE,
        remedy="{action}",
        placeholders={
            "action": "Replace the listed nodes with new ones (recommended), or reboot them (CNI before 2.3.0) "
            "/ recreate their CNI pods (2.3.0 and later)."
        },
    ),
    RuleInfo(
        code=Code.CNI_POD_ERRORS,
        severity=Severity.WARNING,
        title="CNI pods in trouble",
        meaning="CNI plugin pods are not Ready, have restarted, or log error lines (ERROR, level=error, klog E "
                "lines, panic:, Failed to ...), listed per node with a count per distinct line.",
        why="The CNI pod on a node attaches pod VNICs and hands out pod IPs; while it fails (for example 'Failed "
            "to load checkpoint'), new pods on that node get no IP, whatever the update state. Oracle's VCN-native "
            "page points to the vcn-native-ip-cni DaemonSet's pod logs for the plugin's state.",
        source=_NATIVE,
        remedy=(
            "Read the listed lines and the pod's events (kubectl logs and kubectl describe pod -n kube-system "
            "POD); fix what they name (IAM policy, subnet IPs, VNIC limits), then cordon, drain and replace the "
            "node if its CNI pod stays broken."
        ),
    ),
    RuleInfo(
        code=Code.CNI_IMMUTABLE,
        severity=Severity.ERROR,
        title="CNI cannot be changed",
        meaning="The plan changes the cluster's CNI (flannel vs VCN-native).",
        why="The network type is chosen at creation and cannot be changed afterwards.",
        source=_CNI,
        remedy="Keep the current CNI, or create a new cluster with the other CNI and migrate workloads.",
    ),
    RuleInfo(
        code=Code.PODS_CIDR_IMMUTABLE,
        severity=Severity.ERROR,
        title="Pods CIDR cannot be changed",
        meaning="The plan changes the cluster's pods CIDR.",
        why="The pods CIDR cannot be changed after creation.",
        source=_CIDRS,
        remedy="Keep the current pods CIDR, or create a new cluster.",
    ),
    RuleInfo(
        code=Code.SERVICES_CIDR_IMMUTABLE,
        severity=Severity.ERROR,
        title="Services CIDR cannot be changed",
        meaning="The plan changes the cluster's services CIDR.",
        why="The Kubernetes network config (pods and services CIDRs) is set at creation; OKE's cluster update "
            "API has no field for it.",
        source=f"{_CIDRS}; {_UPDATE_API}",
        remedy="Keep the current services CIDR, or create a new cluster.",
    ),
    RuleInfo(
        code=Code.VCN_IMMUTABLE,
        severity=Severity.ERROR,
        title="Cluster VCN cannot be changed",
        meaning="The plan moves the cluster to another VCN.",
        why="OKE's cluster update API has no VCN field: a cluster stays in the VCN it was created in.",
        source=_UPDATE_API,
        remedy="Keep the cluster's VCN, or create a new cluster in the other VCN.",
        severity_note="warning when the other VCN has the same CIDRs (taken for a rename)",
    ),
    RuleInfo(
        code=Code.API_ENDPOINT_SUBNET_IMMUTABLE,
        severity=Severity.ERROR,
        title="API endpoint subnet cannot be changed",
        meaning="The plan moves the cluster's Kubernetes API endpoint to another subnet.",
        why="OKE's endpoint update API changes NSGs and the public IP only, not the subnet.",
        source=_UPDATE_API,
        remedy="Keep the endpoint subnet, or create a new cluster.",
        severity_note="warning when the other subnet has the same CIDRs (taken for a rename)",
    ),)


def _checked(entries: tuple[RuleInfo, ...]) -> Mapping[Code, RuleInfo]:
    """Index the entries; a code without exactly one entry, or a placeholder without words, fails at import."""
    by_code: dict[Code, RuleInfo] = {}
    for entry in entries:
        if entry.code in by_code:
            raise RuntimeError(f"finding code {entry.code} has two catalogue entries")
        names = {name for _, name, _, _ in string.Formatter().parse(entry.remedy) if name}
        names |= {name for _, name, _, _ in string.Formatter().parse(entry.plan_remedy or "") if name}
        if names != set(entry.placeholders):
            raise RuntimeError(f"catalogue entry {entry.code}: remedy placeholders {sorted(names)} need words")
        by_code[entry.code] = entry
    missing = set(Code) - set(by_code)
    if missing:
        raise RuntimeError(f"finding codes without a catalogue entry: {', '.join(sorted(missing))}")
    return MappingProxyType(by_code)


CATALOGUE: Mapping[Code, RuleInfo] = _checked(_ENTRIES)


def finding(
    code: Code,
    subject: str,
    message: str,
    *,
    details: Mapping[str, Detail] | None = None,
    fields: Mapping[str, object] | None = None,
    severity: Severity | None = None,
    breakdown: Sequence[PoolFigures] = (),
    source: SourceKind | None = None,
) -> Finding:
    """The one way to make a finding: severity (unless the rule raises or lowers it) and remedy come from the
    catalogue entry of `code`, its remedy template filled from `fields` and `details`; for a finding about a
    plan (`source` "plan") the entry's plan remedy, when it has one.

    `breakdown` is each node pool's share of a capacity finding's figure.

    Raises:
        KeyError: the remedy names a value neither `fields` nor `details` gives (a bug in the rule).
    """
    info = CATALOGUE[code]
    values: dict[str, object] = {**(details or {}), **(fields or {})}
    template = info.plan_remedy if source == "plan" and info.plan_remedy else info.remedy
    return Finding(
        code=code,
        severity=severity or info.severity,
        message=message,
        remedy=template.format_map(values),
        subject=subject,
        details=dict(details or {}),
        breakdown=tuple(breakdown),
    )


def rules_report(code: str | None = None) -> RulesReport:
    """Every finding code in catalogue order, or only `code` (NotFoundError naming close matches if unknown)."""
    if code is not None:
        return RulesReport(rules=[explain(code)])
    return RulesReport(rules=[info.explained() for info in CATALOGUE.values()])


def explain(code: str) -> CodeExplanation:
    """What a finding code means; NotFoundError naming close matches when there is none."""
    wanted = code.strip().upper()
    if wanted in CATALOGUE:
        return CATALOGUE[Code(wanted)].explained()
    close = difflib.get_close_matches(wanted, list(CATALOGUE), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise NotFoundError(
        f"No finding code {code!r}.{hint}",
        remedy="Check the spelling: codes are upper case with underscores, like POD_SUBNET_TOO_SMALL.",
    )

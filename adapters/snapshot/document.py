"""Lenient pydantic models of the OCI and Kubernetes wire objects a snapshot holds (camelCase JSON).

Only the fields okebot uses are declared; every other field is ignored, so a snapshot may hold the
objects exactly as the REST APIs return them. Numbers are bounded so that a hand-edited "1e999" or a
300-digit count is reported as a bad field rather than flowing into capacity arithmetic.
"""

from __future__ import annotations

from collections import Counter
from ipaddress import IPv4Network
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.alias_generators import to_camel

Count = Annotated[int, Field(ge=0, le=10_000_000)]
Port = Annotated[int, Field(ge=0, le=65_535)]
IcmpValue = Annotated[int, Field(ge=0, le=255)]
Ocpus = Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)]
Revision = Annotated[int, Field(ge=0, le=2**63 - 1)]
CniType = Literal["FLANNEL_OVERLAY", "OCI_VCN_IP_NATIVE"]
PeerKind = Literal["CIDR_BLOCK", "SERVICE_CIDR_BLOCK", "NETWORK_SECURITY_GROUP"]


class Wire(BaseModel):
    """Base for wire objects: camelCase keys, unknown keys ignored."""

    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True, frozen=True)


# --- Container Engine: clusters and node pools -------------------------------------------------------


class PodNetworkOption(Wire):
    cni_type: CniType | None = None
    max_pods_per_node: Count | None = None
    pod_subnet_ids: list[str] | None = None
    pod_nsg_ids: list[str] | None = None


class KubernetesNetworkConfig(Wire):
    pods_cidr: IPv4Network | None = None
    services_cidr: IPv4Network | None = None


class ClusterOptions(Wire):
    service_lb_subnet_ids: list[str] | None = None
    kubernetes_network_config: KubernetesNetworkConfig | None = None


class EndpointConfig(Wire):
    subnet_id: str | None = None
    nsg_ids: list[str] | None = None
    is_public_ip_enabled: bool | None = None


class ClusterEndpoints(Wire):
    public_endpoint: str | None = None
    private_endpoint: str | None = None


class ClusterWire(Wire):
    id: str
    name: str
    compartment_id: str | None = None
    vcn_id: str | None = None
    kubernetes_version: str | None = None
    lifecycle_state: str | None = None
    cluster_pod_network_options: list[PodNetworkOption] | None = None
    options: ClusterOptions | None = None
    endpoint_config: EndpointConfig | None = None
    endpoints: ClusterEndpoints | None = None
    type: str | None = None


class NodeWire(Wire):
    id: str
    name: str | None = None
    private_ip: str | None = None
    subnet_id: str | None = None
    lifecycle_state: str | None = None
    kubernetes_version: str | None = None


class PlacementConfig(Wire):
    subnet_id: str | None = None


class NodeConfigDetails(Wire):
    size: Count | None = None
    nsg_ids: list[str] | None = None
    placement_configs: list[PlacementConfig] | None = None
    node_pool_pod_network_option_details: PodNetworkOption | None = None


class NodeShapeConfig(Wire):
    ocpus: Ocpus | None = None


class NodeSourceDetails(Wire):
    image_id: str | None = None


class CreateVnicDetails(Wire):
    ip_count: Count | None = None
    subnet_id: str | None = None


class SecondaryVnic(Wire):
    create_vnic_details: CreateVnicDetails | None = None


class NodePoolWire(Wire):
    id: str
    cluster_id: str
    name: str | None = None
    kubernetes_version: str | None = None
    node_shape: str | None = None
    node_shape_config: NodeShapeConfig | None = None
    node_source_details: NodeSourceDetails | None = None
    node_image_id: str | None = None
    node_image_name: str | None = None
    nodes: list[NodeWire] | None = None
    node_config_details: NodeConfigDetails | None = None
    subnet_ids: list[str] | None = None
    quantity_per_subnet: Count | None = None
    secondary_vnics: list[SecondaryVnic] | None = None


class PodConfiguration(Wire):
    subnet_id: str | None = None
    nsg_ids: list[str] | None = None
    shape: str | None = None


class VirtualNodePoolWire(Wire):
    id: str
    cluster_id: str
    display_name: str | None = None
    kubernetes_version: str | None = None
    size: Count | None = None
    nsg_ids: list[str] | None = None
    placement_configurations: list[PlacementConfig] | None = None
    pod_configuration: PodConfiguration | None = None


class AddonWire(Wire):
    name: str
    version: str | None = None
    current_installed_version: str | None = None
    lifecycle_state: str | None = None


class AddonVersion(Wire):
    version_number: str | None = None
    status: str | None = None


class AddonOptionWire(Wire):
    name: str
    versions: list[AddonVersion] | None = None


# --- Core services: network and compute ------------------------------------------------------------


class VcnWire(Wire):
    id: str
    display_name: str | None = None
    cidr_block: IPv4Network | None = None
    cidr_blocks: list[IPv4Network] | None = None


class SubnetWire(Wire):
    id: str
    display_name: str | None = None
    vcn_id: str | None = None
    cidr_block: IPv4Network | None = None
    ipv4_cidr_blocks: list[IPv4Network] | None = None
    availability_domain: str | None = None
    prohibit_public_ip_on_vnic: bool | None = None
    route_table_id: str | None = None
    security_list_ids: list[str] | None = None


class PortRange(Wire):
    min: Port
    max: Port


class PortOptions(Wire):
    destination_port_range: PortRange | None = None


class IcmpOptions(Wire):
    type: IcmpValue
    code: IcmpValue | None = None


class RuleWire(Wire):
    """An ingress or egress security-list rule, or an NSG rule (which also states its direction)."""

    direction: Literal["INGRESS", "EGRESS"] | None = None
    protocol: str
    source: str | None = None
    source_type: PeerKind | None = None
    destination: str | None = None
    destination_type: PeerKind | None = None
    is_stateless: bool | None = None
    tcp_options: PortOptions | None = None
    udp_options: PortOptions | None = None
    icmp_options: IcmpOptions | None = None
    description: str | None = None


class SecurityListWire(Wire):
    id: str
    ingress_security_rules: list[RuleWire] | None = None
    egress_security_rules: list[RuleWire] | None = None


class NsgWire(Wire):
    id: str
    display_name: str | None = None


class RouteRuleWire(Wire):
    destination: str | None = None
    destination_type: Literal["CIDR_BLOCK", "SERVICE_CIDR_BLOCK"] | None = None
    cidr_block: str | None = None
    network_entity_id: str | None = None


class RouteTableWire(Wire):
    id: str
    route_rules: list[RouteRuleWire] | None = None


class GatewayWire(Wire):
    id: str


class VnicAttachmentOptions(Wire):
    min: Count | None = None
    max: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)] | None = None
    default_per_ocpu: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)] | None = None


class ShapeWire(Wire):
    shape: str
    is_flexible: bool | None = None
    max_vnic_attachments: Count | None = None
    max_vnic_attachment_options: VnicAttachmentOptions | None = None


class InstanceShapeConfig(Wire):
    max_vnic_attachments: Count | None = None


class InstanceWire(Wire):
    id: str
    shape_config: InstanceShapeConfig | None = None


class PrivateIpWire(Wire):
    subnet_id: str
    vnic_id: str | None = None


IpCounts = Counter[tuple[str, str | None]]
"""Private IPs counted per (subnet id, VNIC id or None): all a conversion needs of them."""


class VnicAttachmentWire(Wire):
    vnic_id: str | None = None
    instance_id: str | None = None
    lifecycle_state: str | None = None


class ImageWire(Wire):
    id: str
    display_name: str | None = None
    time_created: str | None = None


# --- Kubernetes objects ----------------------------------------------------------------------------


class ObjectMeta(Wire):
    name: str | None = None
    labels: dict[str, str] | None = None


class Container(Wire):
    image: str | None = None


class PodSpec(Wire):
    node_name: str | None = None
    containers: list[Container] | None = None


class PodTemplate(Wire):
    spec: PodSpec | None = None


class UpdateStrategy(Wire):
    type: str | None = None


class DaemonSetSpec(Wire):
    update_strategy: UpdateStrategy | None = None
    template: PodTemplate | None = None


class DaemonSetStatus(Wire):
    desired_number_scheduled: Count | None = None
    updated_number_scheduled: Count | None = None


class DaemonSetWire(Wire):
    metadata: ObjectMeta | None = None
    spec: DaemonSetSpec | None = None
    status: DaemonSetStatus | None = None


class ControllerRevisionWire(Wire):
    metadata: ObjectMeta | None = None
    revision: Revision | None = None


class PodCondition(Wire):
    type: str | None = None
    status: str | None = None


class ContainerStatus(Wire):
    name: str | None = None
    ready: bool | None = None
    restart_count: Count | None = None


class PodStatus(Wire):
    phase: str | None = None
    conditions: list[PodCondition] | None = None
    container_statuses: list[ContainerStatus] | None = None


class PodWire(Wire):
    metadata: ObjectMeta | None = None
    spec: PodSpec | None = None
    status: PodStatus | None = None


class KubernetesWire(Wire):
    cni_daemon_set: DaemonSetWire | None = None
    cni_controller_revisions: list[ControllerRevisionWire] | None = None
    cni_pods: list[PodWire] | None = None
    cni_logs: dict[str, str] | None = None


# --- The document ----------------------------------------------------------------------------------


class ErrorWire(Wire):
    """okebot's extension: something the recorder could not read."""

    kind: str
    id: str | None = None
    status: Annotated[int, Field(ge=0, le=999)] | None = None
    code: str | None = None
    message: str
    opc_request_id: str | None = None


class SnapshotDocument(Wire):
    """A whole snapshot. Every kind is optional: a missing kind was not read."""

    format: str
    captured_at: str | None = None
    region: str | None = None
    clusters: list[ClusterWire] | None = None
    node_pools: list[NodePoolWire] | None = None
    virtual_node_pools: list[VirtualNodePoolWire] | None = None
    vcns: list[VcnWire] | None = None
    subnets: list[SubnetWire] | None = None
    shapes: list[ShapeWire] | None = None
    instances: list[InstanceWire] | None = None
    vnic_attachments: list[VnicAttachmentWire] | None = None
    private_ips: list[PrivateIpWire] | None = None
    private_ip_subnet_ids: list[str] | None = None
    security_lists: list[SecurityListWire] | None = None
    network_security_groups: list[NsgWire] | None = None
    nsg_security_rules: dict[str, list[RuleWire]] | None = None
    route_tables: list[RouteTableWire] | None = None
    nat_gateways: list[GatewayWire] | None = None
    service_gateways: list[GatewayWire] | None = None
    internet_gateways: list[GatewayWire] | None = None
    images: list[ImageWire] | None = None
    addons: dict[str, list[AddonWire]] | None = None
    addon_options: dict[str, list[AddonOptionWire]] | None = None
    kubernetes: dict[str, KubernetesWire] | None = None
    errors: list[ErrorWire] | None = None
    # Private IPs per subnet when the parser counted them instead of validating each (never from input).
    _private_ip_counts: IpCounts | None = PrivateAttr(default=None)

    def with_private_ip_counts(self, counts: IpCounts) -> SnapshotDocument:
        """This document with its `privateIps` given as counts per subnet id (they were read, all well-formed)."""
        self._private_ip_counts = counts
        return self

    def private_ip_counts(self) -> IpCounts | None:
        """Private IPs per subnet id; None when the snapshot holds no `privateIps` (they were not read)."""
        if self._private_ip_counts is not None:
            return self._private_ip_counts
        if self.private_ips is None:
            return None
        return Counter((ip.subnet_id, ip.vnic_id) for ip in self.private_ips)

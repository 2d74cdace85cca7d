"""Snapshot node pools, virtual node pools, their nodes and node images → engine model.

A managed pool's size is its nodeConfigDetails.size, else quantityPerSubnet times its subnetIds (legacy
pools); its worker subnets are its placements' and its subnetIds, its pod subnets its pod network's and its
secondary VNICs'; a figure the snapshot does not give (size, OCPUs, nodes, max pods, image) stays None. A
node's VNIC limit is its instance's shapeConfig.maxVnicAttachments, when that instance was read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from adapters.snapshot.document import ImageWire, InstanceWire, NodePoolWire, NodeWire, VirtualNodePoolWire
from adapters.snapshot.network import unique
from adapters.snapshot.parse import fail
from engine.model import Node, NodeImage, NodePool, NodePoolType


def images_from_wire(wires: Iterable[ImageWire], *, source: str) -> dict[str, NodeImage]:
    """The images by id, each released on the date of its timeCreated; SnapshotError for a date that is not
    ISO 8601 (`source` names the file)."""
    images: dict[str, NodeImage] = {}
    for index, wire in enumerate(wires):
        released = None
        if wire.time_created is not None:
            try:
                released = datetime.fromisoformat(wire.time_created).date().isoformat()
            except ValueError:
                fail("not an ISO 8601 date-time", source=source, path=f"images[{index}].timeCreated")
        images[wire.id] = NodeImage(id=wire.id, name=wire.display_name, released=released)
    return images


def instance_vnics(instances: Iterable[InstanceWire]) -> dict[str, int]:
    """Each instance's VNIC attachment limit by instance id (node id); instances without one are left out."""
    return {
        instance.id: instance.shape_config.max_vnic_attachments
        for instance in instances
        if instance.shape_config is not None and instance.shape_config.max_vnic_attachments is not None
    }


def node_pool_from_wire(wire: NodePoolWire, *, images: dict[str, NodeImage], instances: dict[str, int]) -> NodePool:
    """A managed node pool: `images` from `images_from_wire`, `instances` from `instance_vnics`."""
    details = wire.node_config_details
    pod_network = details.node_pool_pod_network_option_details if details else None
    vnics = [vnic.create_vnic_details for vnic in wire.secondary_vnics or () if vnic.create_vnic_details]
    placements = details.placement_configs or () if details else ()
    return NodePool(
        id=wire.id,
        name=wire.name or wire.id,
        cluster_id=wire.cluster_id,
        shape=wire.node_shape,
        ocpus=wire.node_shape_config.ocpus if wire.node_shape_config else None,
        size=_pool_size(wire),
        nodes=None if wire.nodes is None else tuple(_node(node, instances) for node in wire.nodes),
        max_pods_per_node=pod_network.max_pods_per_node if pod_network else None,
        worker_subnet_ids=unique(
            [*(p.subnet_id for p in placements if p.subnet_id), *(wire.subnet_ids or ())]
        ),
        pod_subnet_ids=unique(
            [
                *((pod_network.pod_subnet_ids or []) if pod_network else []),
                *(vnic.subnet_id for vnic in vnics if vnic.subnet_id),
            ]
        ),
        secondary_vnic_ip_counts=tuple(vnic.ip_count for vnic in vnics if vnic.ip_count is not None),
        nsg_ids=tuple(details.nsg_ids or ()) if details else (),
        pod_nsg_ids=tuple(pod_network.pod_nsg_ids or ()) if pod_network else (),
        image=_pool_image(wire, images),
        kubernetes_version=wire.kubernetes_version,
    )


def _pool_size(wire: NodePoolWire) -> int | None:
    details = wire.node_config_details
    if details is not None and details.size is not None:
        return details.size
    # Legacy pools state a quantity per subnet instead of a size.
    if wire.quantity_per_subnet is not None and wire.subnet_ids is not None:
        return wire.quantity_per_subnet * len(wire.subnet_ids)
    return None


def _pool_image(wire: NodePoolWire, images: dict[str, NodeImage]) -> NodeImage | None:
    image_id = wire.node_source_details.image_id if wire.node_source_details else None
    image_id = image_id or wire.node_image_id
    if image_id is not None and image_id in images:
        return images[image_id]
    if image_id is None and wire.node_image_name is None:
        return None
    return NodeImage(id=image_id, name=wire.node_image_name)


def _node(wire: NodeWire, instances: dict[str, int]) -> Node:
    return Node(
        id=wire.id,
        name=wire.name or wire.id,
        private_ip=wire.private_ip,
        subnet_id=wire.subnet_id,
        state=wire.lifecycle_state,
        kubernetes_version=wire.kubernetes_version,
        max_vnics=instances.get(wire.id),
    )


def virtual_pool_from_wire(wire: VirtualNodePoolWire) -> NodePool:
    """A virtual node pool: its size and placements, and its pods' shape, subnet and NSGs (podConfiguration)."""
    pod = wire.pod_configuration
    placements = wire.placement_configurations or ()
    return NodePool(
        id=wire.id,
        name=wire.display_name or wire.id,
        cluster_id=wire.cluster_id,
        type=NodePoolType.VIRTUAL,
        shape=pod.shape if pod else None,
        size=wire.size,
        worker_subnet_ids=unique(p.subnet_id for p in placements if p.subnet_id),
        pod_subnet_ids=(pod.subnet_id,) if pod and pod.subnet_id else (),
        nsg_ids=tuple(wire.nsg_ids or ()),
        pod_nsg_ids=tuple(pod.nsg_ids or ()) if pod else (),
        kubernetes_version=wire.kubernetes_version,
    )

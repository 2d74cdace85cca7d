"""A snapshot document (OCI and Kubernetes wire JSON) → the engine's `Tenancy`.

A kind the document does not hold was not read: the engine model keeps None ("unknown") for it, never zero.
Dangling references (a pool naming a subnet the snapshot lacks) are kept as ids for the validation rules
to flag; only what cannot be placed in the model at all (a pool of an unknown cluster) is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import ValidationError

from adapters.snapshot.document import ClusterWire, IpCounts, NodePoolWire, SnapshotDocument
from adapters.snapshot.kube import addons_from_wire, cni_observation_from_wire, unreadable_from_wire
from adapters.snapshot.network import (
    ip_usage_from_document,
    nsg_rules_from_document,
    shapes_from_document,
    subnets_from_document,
    vcn_from_wire,
    vnic_instances_from_document,
)
from adapters.snapshot.parse import fail, json_path, validate_document
from adapters.snapshot.pools import images_from_wire, instance_vnics, node_pool_from_wire, virtual_pool_from_wire
from engine.errors import SnapshotError
from engine.model import Cluster, ClusterType, Cni, NodeImage, Tenancy, Unreadable

_VCN_NATIVE = "OCI_VCN_IP_NATIVE"
# Cluster.type in the Container Engine API; any other value (or none) leaves the type unknown.
_CLUSTER_TYPES: dict[str, ClusterType] = {"BASIC_CLUSTER": "basic", "ENHANCED_CLUSTER": "enhanced"}


def tenancy_from_document(
    doc: Mapping[str, object],
    *,
    source: str,
    kind: Literal["snapshot", "live"] = "snapshot",
    private_ip_counts: IpCounts | None = None,
) -> Tenancy:
    """Convert a snapshot document into the engine model; any malformed part raises SnapshotError.

    `kind` is the tenancy's `source_kind`: "snapshot" for a file (the demo too), "live" for a recording the
    OCI reader just made, so answers word what was not read for the source at hand. `private_ip_counts`: the
    document's private IPs, counted per (subnet, VNIC) and taken out of it (parse.take_private_ips).
    """
    wire = validate_document(doc, source=source, private_ip_counts=private_ip_counts)
    _check_references(wire, source=source)
    images = images_from_wire(wire.images or (), source=source)
    instances = instance_vnics(wire.instances or ())
    unlisted = _unlisted_pool_compartments(wire)
    try:
        return Tenancy(
            region=wire.region,
            captured_at=wire.captured_at,
            vcns=tuple(vcn_from_wire(vcn) for vcn in wire.vcns or ()),
            subnets=subnets_from_document(wire),
            shapes=shapes_from_document(wire.shapes or ()),
            nsg_rules=nsg_rules_from_document(wire),
            clusters=tuple(
                _cluster(cluster, wire, images=images, instances=instances, unlisted=unlisted)
                for cluster in wire.clusters or ()
            ),
            ip_usage=ip_usage_from_document(wire),
            vnic_instances=vnic_instances_from_document(wire),
            unreadable=unreadable_from_wire(wire.errors or ()) + _missing_kinds(wire),
            source_kind=kind,
        )
    except ValidationError as exc:
        # The wire models bound every value the engine model checks; this is the last line of defence.
        first = exc.errors(include_url=False, include_input=False)[0]
        raise SnapshotError(f"cannot build the model: {first['msg']}", where=source) from None


def _missing_kinds(wire: SnapshotDocument) -> tuple[Unreadable, ...]:
    """A missing kind that clusters depend on was not read: say so, so no rule calls its objects absent."""
    if not wire.clusters:
        return ()
    kinds = (("subnets", wire.subnets), ("nodePools", wire.node_pools), ("virtualNodePools", wire.virtual_node_pools))
    missing = [kind for kind, items in kinds if items is None]
    return tuple(
        Unreadable(kind=kind, message=f"the snapshot has no {kind}: not read, so what depends on them is unknown")
        for kind in missing
    )


def _unlisted_pool_compartments(wire: SnapshotDocument) -> set[str] | None:
    """Compartments whose node pool or virtual node pool list failed; None when a whole kind is missing.

    The recorder names a failed list by the compartment it listed (a failed get names the pool instead).
    """
    if wire.node_pools is None or wire.virtual_node_pools is None:
        return None
    return {e.id for e in wire.errors or () if e.kind in ("nodePools", "virtualNodePools") and e.id is not None}


def _pools_complete(wire: ClusterWire, unlisted: set[str] | None) -> bool:
    """Pools are listed per compartment: where that list failed, the cluster may have pools not shown."""
    if unlisted is None:
        return False
    if wire.compartment_id is None:
        return not unlisted  # its compartment is unknown, so any failed list may have held its pools
    return wire.compartment_id not in unlisted


def _check_references(wire: SnapshotDocument, *, source: str) -> None:
    for kind, ids in (
        ("clusters", [c.id for c in wire.clusters or ()]),
        ("vcns", [v.id for v in wire.vcns or ()]),
        ("subnets", [s.id for s in wire.subnets or ()]),
        ("nodePools", [p.id for p in wire.node_pools or ()]),
    ):
        _check_unique(kind, ids, source=source)
    clusters = {cluster.id for cluster in wire.clusters or ()}
    for kind, pool_clusters in (
        ("nodePools", [p.cluster_id for p in wire.node_pools or ()]),
        ("virtualNodePools", [p.cluster_id for p in wire.virtual_node_pools or ()]),
    ):
        for index, cluster_id in enumerate(pool_clusters):
            if cluster_id not in clusters:
                fail(f"no cluster {cluster_id!r}", source=source, path=f"{kind}[{index}].clusterId")
    for kind, keyed in (
        ("addons", wire.addons),
        ("addonOptions", wire.addon_options),
        ("kubernetes", wire.kubernetes),
    ):
        for cluster_id in keyed or {}:
            if cluster_id not in clusters:
                fail(f"no cluster {cluster_id!r}", source=source, path=json_path([kind, cluster_id]))


def _check_unique(kind: str, ids: list[str], *, source: str) -> None:
    seen: set[str] = set()
    for index, object_id in enumerate(ids):
        if object_id in seen:
            fail(f"duplicate id {object_id!r}", source=source, path=f"{kind}[{index}].id")
        seen.add(object_id)


def _cluster(
    wire: ClusterWire,
    doc: SnapshotDocument,
    *,
    images: dict[str, NodeImage],
    instances: dict[str, int],
    unlisted: set[str] | None,
) -> Cluster:
    pools = [pool for pool in doc.node_pools or () if pool.cluster_id == wire.id]
    virtual = [pool for pool in doc.virtual_node_pools or () if pool.cluster_id == wire.id]
    options = wire.options
    network = options.kubernetes_network_config if options else None
    endpoint = wire.endpoint_config
    addons = None if doc.addons is None else doc.addons.get(wire.id)
    addon_options = None if doc.addon_options is None else doc.addon_options.get(wire.id)
    kubernetes = None if doc.kubernetes is None else doc.kubernetes.get(wire.id)
    return Cluster(
        id=wire.id,
        name=wire.name,
        compartment_id=wire.compartment_id,
        vcn_id=wire.vcn_id,
        kubernetes_version=wire.kubernetes_version,
        cni=_cni(wire, pools),
        pods_cidr=network.pods_cidr if network else None,
        services_cidr=network.services_cidr if network else None,
        endpoint_subnet_id=endpoint.subnet_id if endpoint else None,
        endpoint_nsg_ids=tuple(endpoint.nsg_ids or ()) if endpoint else (),
        public_endpoint=_public_endpoint(wire),
        type=_CLUSTER_TYPES.get(wire.type or ""),
        lb_subnet_ids=tuple(options.service_lb_subnet_ids or ()) if options else (),
        node_pools=(
            *(node_pool_from_wire(pool, images=images, instances=instances) for pool in pools),
            *(virtual_pool_from_wire(pool) for pool in virtual),
        ),
        node_pools_complete=_pools_complete(wire, unlisted),
        addons=None if addons is None else addons_from_wire(addons, addon_options),
        cni_observation=None if kubernetes is None else cni_observation_from_wire(kubernetes),
        lifecycle_state=wire.lifecycle_state,
    )


def _public_endpoint(wire: ClusterWire) -> bool | None:
    """Whether the API endpoint has a public IP: `endpointConfig.isPublicIpEnabled`, else whether
    `endpoints` lists a `publicEndpoint`; None when the snapshot says neither."""
    endpoint = wire.endpoint_config
    if endpoint is not None and endpoint.is_public_ip_enabled is not None:
        return endpoint.is_public_ip_enabled
    if wire.endpoints is not None:
        return bool(wire.endpoints.public_endpoint)
    return None


def _cni(wire: ClusterWire, pools: Iterable[NodePoolWire]) -> Cni:
    """The CNI: clusterPodNetworkOptions, else a VCN-native pool, else the API default (flannel)."""
    options = wire.cluster_pod_network_options
    if options:
        return Cni.VCN_NATIVE if any(option.cni_type == _VCN_NATIVE for option in options) else Cni.FLANNEL
    for pool in pools:
        details = pool.node_config_details
        pod_network = details.node_pool_pod_network_option_details if details else None
        if pod_network is not None and pod_network.cni_type == _VCN_NATIVE:
            return Cni.VCN_NATIVE
    return Cni.FLANNEL

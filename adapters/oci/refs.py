"""Pure helpers over wire JSON: which subnets, images and nodes a read needs to follow up on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from adapters.snapshot.selection import ambiguous, matching_ids
from engine.errors import ClusterNotFoundError

Json = dict[str, Any]
VCN_NATIVE = "OCI_VCN_IP_NATIVE"
_GONE = {"DELETED", "DELETING"}


def _dict(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def live(items: Iterable[Json]) -> list[Json]:
    """Drop objects OCI still lists after deleting them."""
    return [item for item in items if item.get("lifecycleState") not in _GONE]


def select_clusters(summaries: Sequence[Json], refs: Sequence[str] | None, *, complete: bool) -> dict[str, Json]:
    """The clusters to read, by OCID or name (as `selection.matching_ids`); an unknown name is a ClusterNotFoundError.

    `complete` says every cluster list succeeded; only then can a name be said not to exist. A name two
    clusters share is an InputError: reading one of them silently would answer about the wrong cluster.
    """
    if refs is None:
        return {str(c["id"]): c for c in summaries if c.get("id")}
    by_id = {str(c["id"]): c for c in summaries if c.get("id")}
    chosen: dict[str, Json] = {}
    for ref in refs:
        ids = matching_ids(ref, ((cid, str(c.get("name", ""))) for cid, c in by_id.items()))
        if len(ids) > 1:
            raise ambiguous(ref, ids)
        if not ids and complete:
            raise ClusterNotFoundError(ref, (str(c.get("name")) for c in summaries), where="the compartments read")
        chosen.update({cid: by_id[cid] for cid in ids})
    return chosen


def pod_network(pool: Mapping[str, Any]) -> Json:
    """A node pool's pod network option details (cniType, podSubnetIds, maxPodsPerNode)."""
    return _dict(_dict(pool.get("nodeConfigDetails")).get("nodePoolPodNetworkOptionDetails"))


def node_pool_subnets(pool: Mapping[str, Any]) -> list[str]:
    """Worker and pod subnets a managed node pool uses."""
    details = _dict(pool.get("nodeConfigDetails"))
    ids = [str(s) for s in _list(pool.get("subnetIds"))]
    ids += [str(p.get("subnetId")) for p in _list(details.get("placementConfigs")) if _dict(p).get("subnetId")]
    ids += [str(s) for s in _list(pod_network(pool).get("podSubnetIds"))]
    for vnic in _list(pool.get("secondaryVnics")):
        subnet = _dict(_dict(vnic).get("createVnicDetails")).get("subnetId")
        if subnet:
            ids.append(str(subnet))
    return list(dict.fromkeys(ids))


def virtual_pool_subnets(pool: Mapping[str, Any]) -> list[str]:
    """Placement and pod subnets a virtual node pool uses."""
    ids = [str(p.get("subnetId")) for p in _list(pool.get("placementConfigurations")) if _dict(p).get("subnetId")]
    pod_subnet = _dict(pool.get("podConfiguration")).get("subnetId")
    if pod_subnet:
        ids.append(str(pod_subnet))
    return list(dict.fromkeys(ids))


def cluster_subnets(cluster: Mapping[str, Any]) -> list[str]:
    """The API endpoint and load-balancer subnets a cluster names."""
    ids = [str(s) for s in _list(_dict(cluster.get("options")).get("serviceLbSubnetIds"))]
    endpoint = _dict(cluster.get("endpointConfig")).get("subnetId")
    if endpoint:
        ids.append(str(endpoint))
    return ids


def pool_image_id(pool: Mapping[str, Any]) -> str | None:
    """The OS image a node pool boots, when it names one."""
    image = _dict(pool.get("nodeSourceDetails")).get("imageId") or pool.get("nodeImageId")
    return str(image) if image else None


def is_vcn_native(cluster: Mapping[str, Any], pool: Mapping[str, Any] | None = None) -> bool:
    """Whether the cluster (or this pool of it) uses VCN-native pod networking."""
    options = _list(cluster.get("clusterPodNetworkOptions"))
    if any(_dict(option).get("cniType") == VCN_NATIVE for option in options):
        return True
    return pool is not None and pod_network(pool).get("cniType") == VCN_NATIVE


def sample_node(pool: Mapping[str, Any]) -> str | None:
    """One node whose instance shows the pool's real VNIC limit, for flex shapes only (fixed shapes are known)."""
    if _dict(pool.get("nodeShapeConfig")).get("ocpus") is None:
        return None
    nodes = [_dict(node) for node in _list(pool.get("nodes")) if _dict(node).get("id")]
    active = [node for node in nodes if node.get("lifecycleState") == "ACTIVE"]
    chosen = (active or nodes)[:1]
    return str(chosen[0]["id"]) if chosen else None


def route_table_ids(subnets: Iterable[Json]) -> list[str]:
    """Route tables the subnets name."""
    return list(dict.fromkeys(str(s["routeTableId"]) for s in subnets if s.get("routeTableId")))

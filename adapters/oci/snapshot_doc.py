"""Assemble what a recording read into one snapshot document, in a stable order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from adapters.oci.wire import Json, merged, replaced

SNAPSHOT_FORMAT = "okebot.snapshot/v1"
_LIST_KINDS = (
    "clusters", "nodePools", "virtualNodePools", "vcns", "subnets", "securityLists",
    "networkSecurityGroups", "routeTables", "natGateways", "serviceGateways", "internetGateways", "vnicAttachments",
)


@dataclass
class DocumentParts:
    """What has been read so far. `lists` hold list answers per compartment; `details` the `get_*` answers."""

    region: str | None
    compartment_order: list[str] = field(default_factory=list)
    compartments: list[Json] = field(default_factory=list)
    lists: defaultdict[str, dict[str, list[Json]]] = field(default_factory=lambda: defaultdict(dict))
    details: defaultdict[str, dict[str, Json]] = field(default_factory=lambda: defaultdict(dict))
    extra: defaultdict[str, list[Json]] = field(default_factory=lambda: defaultdict(list))
    shapes: list[Json] | None = None
    private_ips: dict[str, list[Json]] = field(default_factory=dict)
    wanted_subnets: set[str] = field(default_factory=set)
    instances: list[Json] = field(default_factory=list)
    images: list[Json] = field(default_factory=list)
    nsg_rules: dict[str, list[Json]] = field(default_factory=dict)
    addons: dict[str, list[Json]] = field(default_factory=dict)
    addon_options_by_version: dict[str, list[Json]] = field(default_factory=dict)
    kubernetes: dict[str, Json] = field(default_factory=dict)
    errors: list[Json] = field(default_factory=list)


def _kind(parts: DocumentParts, kind: str) -> list[Json] | None:
    groups = parts.lists.get(kind)
    if kind == "clusters":
        # Clusters are kept only once chosen (and got, or kept as their summary).
        return list(parts.details["clusters"].values()) if "clusters" in parts.details else None
    if not groups and not parts.extra.get(kind):
        return None
    ordered = [groups[c] for c in parts.compartment_order if groups and c in groups]
    items = merged([*ordered, parts.extra.get(kind, [])])
    return replaced(items, parts.details.get(kind, {}))


def _private_ips(parts: DocumentParts, subnets: list[Json]) -> tuple[list[str], list[Json]]:
    order = [str(s.get("id")) for s in subnets if str(s.get("id")) in parts.private_ips]
    order += sorted(set(parts.private_ips) - set(order))
    return order, [ip for subnet_id in order for ip in parts.private_ips[subnet_id]]


def assemble(parts: DocumentParts, *, captured_at: str) -> dict[str, Any]:
    """The snapshot document; a kind that was never read is left out, so it stays unknown."""
    doc: dict[str, Any] = {"format": SNAPSHOT_FORMAT, "capturedAt": captured_at}
    if parts.region:
        doc["region"] = parts.region
    if parts.compartments:
        doc["compartments"] = parts.compartments
    for kind in _LIST_KINDS:
        items = _kind(parts, kind)
        if items is not None:
            doc[kind] = items
    clusters = {str(c.get("id")): c for c in doc.get("clusters", [])}
    if parts.shapes is not None:
        doc["shapes"] = parts.shapes
    subnet_ids, private_ips = _private_ips(parts, doc.get("subnets", []))
    doc.update(privateIpSubnetIds=subnet_ids, privateIps=private_ips)
    doc.update(instances=parts.instances, images=parts.images)
    doc["nsgSecurityRules"] = parts.nsg_rules
    doc["addons"] = {cid: items for cid, items in parts.addons.items() if cid in clusters}
    doc["addonOptions"] = {
        cid: parts.addon_options_by_version[str(c.get("kubernetesVersion"))]
        for cid, c in clusters.items()
        if str(c.get("kubernetesVersion")) in parts.addon_options_by_version
    }
    if parts.kubernetes:
        doc["kubernetes"] = parts.kubernetes
    doc["errors"] = sorted(parts.errors, key=lambda e: (str(e.get("kind")), str(e.get("id"))))
    return doc

"""Recording then replaying gives the same answers: serve a snapshot, record it, convert both, compare."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from adapters.fakes.oci_server import FakeOciServer
from adapters.oci import refs
from adapters.oci.recorder import record_snapshot
from adapters.snapshot.convert import tenancy_from_document
from engine.model import Tenancy
from tests.adapters.oci.conftest import make_settings

DEMO = Path(__file__).resolve().parents[3] / "adapters" / "demo" / "demo-tenancy.json"


def as_recorded(demo: dict[str, Any]) -> dict[str, Any]:
    """The demo in the form okebot records it.

    Two things differ from the hand-built demo, both on purpose: the Kubernetes objects come from each
    cluster's own API, not from OCI (so the fake OCI server cannot serve them), and the recorder reads one
    instance per flex VCN-native pool, not one per node (the engine takes a pool's VNICs from any node).
    """
    doc = copy.deepcopy(demo)
    doc.pop("kubernetes", None)
    doc["errors"] = [e for e in doc.get("errors", []) if e["kind"] != "kubernetes"]
    clusters = {c["id"]: c for c in doc["clusters"]}
    sampled = {
        refs.sample_node(pool)
        for pool in doc["nodePools"]
        if refs.is_vcn_native(clusters[pool["clusterId"]], pool)
    }
    doc["instances"] = [i for i in doc.get("instances", []) if i["id"] in sampled]
    return doc


def model(doc: dict[str, Any]) -> Tenancy:
    return tenancy_from_document(doc, source="test").model_copy(update={"captured_at": None})


def without_unread_private_ips(tenancy: Tenancy) -> tuple[Tenancy, set[str | None]]:
    """Split off the subnets whose private IPs the demo never read (the fake answers 404 for them)."""
    unread = {u.id for u in tenancy.unreadable if u.kind == "privateIps"}
    kept = tuple(u for u in tenancy.unreadable if u.kind != "privateIps")
    return tenancy.model_copy(update={"unreadable": kept}), unread


async def test_recording_the_served_demo_gives_the_demo_tenancy(oci_config_file: Path) -> None:
    source = as_recorded(json.loads(DEMO.read_text()))
    compartment = source["clusters"][0]["compartmentId"]
    async with FakeOciServer(source, page_size=7) as server:
        recorded = await record_snapshot(make_settings(oci_config_file, server.url, compartment_ids=[compartment]))
    tenancy, unread = without_unread_private_ips(model(recorded))
    assert tenancy == model(source)
    pool_subnets = {s for pool in source["nodePools"] for s in refs.node_pool_subnets(pool)}
    assert unread == pool_subnets - set(source["privateIpSubnetIds"])


async def test_a_recording_replays_to_itself(oci_config_file: Path) -> None:
    source = as_recorded(json.loads(DEMO.read_text()))
    compartment = source["clusters"][0]["compartmentId"]
    settings: dict[str, Any] = {"compartment_ids": [compartment]}
    async with FakeOciServer(source) as server:
        first = await record_snapshot(make_settings(oci_config_file, server.url, **settings))
    async with FakeOciServer(first, page_size=3) as server:
        second = await record_snapshot(make_settings(oci_config_file, server.url, **settings))
    assert without_request_ids(model(second)) == without_request_ids(model(first))


def without_request_ids(tenancy: Tenancy) -> Tenancy:
    """Each read that fails again gets a new opc-request-id; everything else must match."""
    unreadable = tuple(u.model_copy(update={"request_id": None}) for u in tenancy.unreadable)
    return tenancy.model_copy(update={"unreadable": unreadable})

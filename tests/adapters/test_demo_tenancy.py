"""The bundled demo tenancy loads and shows the four situations it exists to show."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.snapshot import load_demo_reader
from engine.cidr import node_slots, usable_ips
from engine.model import Cluster, Cni, SecurityRule, Subnet, Tenancy
from scripts import generate_demo

DEMO_DIR = Path(__file__).resolve().parents[2] / "adapters" / "demo"


@pytest.fixture(scope="module")
def demo() -> Tenancy:
    return asyncio.run(load_demo_reader().read())


def cluster(demo: Tenancy, name: str) -> Cluster:
    found = demo.find_cluster(name)
    assert found is not None
    return found


def pod_subnet(demo: Tenancy, found: Cluster) -> Subnet:
    (subnet_id,) = {s for pool in found.node_pools for s in pool.pod_subnet_ids}
    subnet = demo.subnet(subnet_id)
    assert subnet is not None
    return subnet


def allows(rules: tuple[SecurityRule, ...] | None, direction: str, peer: str, port: int | None) -> bool:
    for rule in rules or ():
        if rule.direction != direction or rule.peer != peer or rule.protocol not in ("6", "all"):
            continue
        if port is None or rule.port_min is None or rule.port_min <= port <= (rule.port_max or port):
            return True
    return False


def test_demo_reader_describes_itself():
    assert load_demo_reader().description == (
        "snapshot demo-tenancy.json (us-ashburn-1, captured 2026-11-26T09:00:00Z)"
    )


def test_demo_has_four_clusters_with_read_shapes_and_images(demo):
    assert [c.name for c in demo.clusters] == [
        "retail-flannel",
        "payments-native",
        "platform-healthy",
        "analytics",
    ]
    assert {s.name for s in demo.shapes} >= {"VM.Standard.E4.Flex", "VM.Standard.E5.Flex"}
    assert all(p.image and p.image.released for c in demo.clusters for p in c.node_pools)


def test_retail_flannel_is_near_its_node_slots(demo):
    retail = cluster(demo, "retail-flannel")
    assert retail.cni is Cni.FLANNEL
    assert retail.pods_cidr is not None
    nodes = sum(len(p.nodes or ()) for p in retail.node_pools)
    assert nodes / node_slots(retail.pods_cidr) >= 0.85


def test_payments_pod_subnet_is_past_eighty_percent(demo):
    payments = cluster(demo, "payments-native")
    assert payments.cni is Cni.VCN_NATIVE
    subnet = pod_subnet(demo, payments)
    assert demo.ip_usage[subnet.id].used_ips / usable_ips(subnet.cidrs) >= 0.8


def test_payments_nodes_wait_for_a_cni_update(demo):
    observation = cluster(demo, "payments-native").cni_observation
    assert observation is not None
    assert observation.daemon_set is not None
    daemon_set = observation.daemon_set
    assert daemon_set.update_strategy == "OnDelete"
    assert daemon_set.image is not None
    assert daemon_set.image.endswith("v2.3.1")
    outdated = [p for p in observation.pods if p.revision_hash != daemon_set.newest_revision_hash]
    rebooting = [name for name, log in observation.logs.items() if "reboot required" in log]
    assert len(outdated) == 4
    assert sorted(rebooting) == sorted(p.name for p in outdated)


def test_payments_cni_addon_is_pinned_below_the_newest(demo):
    addons = {a.name: a for a in cluster(demo, "payments-native").addons or ()}
    cni = addons["OciVcnIpNative"]
    assert (cni.version, cni.newest_available_version) == ("v2.3.1", "v2.4.0")


def test_platform_healthy_has_nat_and_service_routes_and_required_rules(demo):
    platform = cluster(demo, "platform-healthy")
    assert {p.shape for p in platform.node_pools} == {"VM.Standard.E4.Flex", "VM.Standard.E5.Flex"}
    pods = pod_subnet(demo, platform)
    workers = demo.subnet(platform.node_pools[0].worker_subnet_ids[0])
    api = demo.subnet(platform.endpoint_subnet_id or "")
    assert workers is not None
    assert api is not None
    for subnet in (pods, workers):
        assert {r.target for r in subnet.route_rules or ()} == {"nat-gateway", "service-gateway"}
    worker_cidr, api_cidr = str(workers.cidrs[0]), str(api.cidrs[0])
    assert allows(api.security_rules, "ingress", worker_cidr, 12250)
    assert allows(workers.security_rules, "egress", api_cidr, 12250)
    assert allows(pods.security_rules, "egress", "all-iad-services-in-oracle-services-network", None)
    observation = platform.cni_observation
    assert observation is not None
    assert observation.daemon_set is not None
    assert all(p.revision_hash == observation.daemon_set.newest_revision_hash for p in observation.pods)
    assert not any("reboot required" in log for log in observation.logs.values())


def test_analytics_lacks_required_rules_and_its_cni_was_unreadable(demo):
    analytics = cluster(demo, "analytics")
    pods = pod_subnet(demo, analytics)
    workers = demo.subnet(analytics.node_pools[0].worker_subnet_ids[0])
    api = demo.subnet(analytics.endpoint_subnet_id or "")
    assert workers is not None
    assert api is not None
    assert not allows(api.security_rules, "ingress", str(workers.cidrs[0]), 12250)
    assert not allows(pods.security_rules, "egress", "all-iad-services-in-oracle-services-network", None)
    assert analytics.cni_observation is None
    assert [u.id for u in demo.unreadable] == [analytics.id]
    assert pods.id not in demo.ip_usage


def test_demo_json_is_what_the_generator_writes():
    committed = (DEMO_DIR / "demo-tenancy.json").read_text(encoding="utf-8")
    assert generate_demo.render() == committed
    assert len(committed.encode()) < 1_000_000

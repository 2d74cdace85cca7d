"""What is derived from a whole tenancy is memoised per object: the same answers, never a stale copy's."""

from __future__ import annotations

from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.snapshot.convert import tenancy_from_document
from adapters.snapshot.demo import demo_document
from engine.capacity.claims import ClaimIndex, tenancy_clusters
from engine.memo import MAX_TENANCIES, derived, forget_all
from engine.model import Tenancy
from engine.shapes import ShapeCatalogue
from engine.topology import cluster_subnets, sharing_clusters, subnet_users


def demo() -> Tenancy:
    return tenancy_from_document(demo_document(), source="demo")


def shared_subnets() -> Tenancy:
    """Three clusters whose pools share one VCN's subnets (generated, then pointed at cluster 0's subnets)."""
    doc = generate_tenancy(clusters=3, pools_per_cluster=2, nodes_per_pool=2, pod_ips_per_node=1)
    first = doc["nodePools"][0]
    worker = first["nodeConfigDetails"]["placementConfigs"][0]["subnetId"]
    pod = first["nodeConfigDetails"]["nodePoolPodNetworkOptionDetails"]["podSubnetIds"][0]
    for pool in doc["nodePools"][2:]:
        pool["nodeConfigDetails"]["placementConfigs"][0]["subnetId"] = worker
        pool["nodeConfigDetails"]["nodePoolPodNetworkOptionDetails"]["podSubnetIds"] = [pod]
        for node in pool["nodes"]:
            node["subnetId"] = worker
    return tenancy_from_document(doc, source="generated")


def test_a_value_is_built_once_per_tenancy_object_and_key():
    forget_all()
    tenancy, builds = demo(), []

    def build() -> int:
        builds.append(1)
        return len(builds)

    assert derived(tenancy, "k", build) == 1
    assert derived(tenancy, "k", build) == 1
    assert derived(tenancy, "other", build) == 2
    assert derived(tenancy.model_copy(), "k", build) == 3  # a copy is another object: nothing cached for it


def test_only_the_last_tenancies_are_kept():
    forget_all()
    first, builds = demo(), []
    derived(first, "k", lambda: builds.append(1))
    for _ in range(MAX_TENANCIES):
        derived(demo(), "k", lambda: None)
    derived(first, "k", lambda: builds.append(1))
    assert len(builds) == 2


def test_the_shared_claim_index_answers_as_a_cluster_s_own_index_would():
    for tenancy in (demo(), shared_subnets()):
        forget_all()
        shapes = ShapeCatalogue(tenancy.shapes)
        for cluster in tenancy.clusters:
            used = cluster_subnets(cluster).roles()
            for at in ("current", "planned"):
                own = ClaimIndex(tenancy_clusters(tenancy, cluster), shapes=shapes, at=at, subnet_ids=used)
                shared = ClaimIndex.for_cluster(tenancy, cluster, shapes=shapes, at=at, subnet_ids=used)
                for subnet_id in used:
                    assert shared.on(subnet_id) == own.on(subnet_id), (cluster.name, subnet_id, at)


def test_a_changed_cluster_gets_its_own_claims_not_the_stored_ones():
    tenancy = shared_subnets()
    shapes = ShapeCatalogue(tenancy.shapes)
    stored = tenancy.clusters[0]
    pool = stored.node_pools[0].model_copy(update={"size": 40, "nodes": None})
    changed = stored.model_copy(update={"node_pools": (pool, *stored.node_pools[1:])})
    used = cluster_subnets(changed).roles()
    ClaimIndex.for_cluster(tenancy, stored, shapes=shapes, at="current", subnet_ids=used)  # memoised now
    index = ClaimIndex.for_cluster(tenancy, changed, shapes=shapes, at="current", subnet_ids=used)
    claims = [c for subnet_id in used for c in index.on(subnet_id) if c.pool_id == pool.id]
    assert claims
    assert all(claim.nodes == 40 for claim in claims)


def test_sharing_names_the_other_clusters_of_each_subnet():
    tenancy = shared_subnets()
    names = [c.name for c in tenancy.clusters]
    sharing = sharing_clusters(tenancy, tenancy.clusters[0])
    assert sharing
    assert all(shared == sorted(n for n in names[1:] if n in shared) for shared in sharing.values())
    assert all(names[0] not in shared for shared in sharing.values())
    users = subnet_users(tenancy)
    for subnet_id, shared in sharing.items():
        assert sorted(name for _, name in users[subnet_id] if name != names[0]) == shared

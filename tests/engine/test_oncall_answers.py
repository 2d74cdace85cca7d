"""On-call answers that fit together: replacements sized to the pool's room, nodes tied to their pools, partial
answers that name the cluster and say why only where it matters, and assumptions stated once per answer."""

from __future__ import annotations

import asyncio

import pytest

from adapters.snapshot.demo import load_demo_reader
from engine.model import Cni, CniDaemonSet, CniObservation, CniPod, Node, Tenancy, Unreadable
from engine.unreadable import RBAC_FILE
from engine.usecases.capacity import assess_capacity
from engine.usecases.clusters import list_clusters
from engine.usecases.cni import cni_status
from engine.usecases.diagnose import diagnose
from tests.engine.builders import cluster, pool, subnet, tenancy

REBOOT_LOG = "W1126 09:10:00 CNI updated, Reboot Required to apply\n"


def demo() -> Tenancy:
    return asyncio.run(load_demo_reader().read())


def pending_cluster(*, pending: int, pod_prefix: int) -> Tenancy:
    """A VCN-native OnDelete cluster whose pool np1 has `pending` nodes waiting; its /24 pod subnet holds
    3 × 32 IPs already, and a /`pod_prefix` leaves room for (usable - 96) // 32 more nodes."""
    node_list = tuple(Node(id=f"ocid1.instance..n{i}", name=f"10.0.1.{i}", private_ip=f"10.0.1.{i}")
                      for i in range(3))
    pods = tuple(CniPod(name=f"cni-{i}", node=f"10.0.1.{i}", revision_hash="abc") for i in range(3))
    obs = CniObservation(
        daemon_set=CniDaemonSet(name="vcn-native-ip-cni", update_strategy="OnDelete", desired=3, updated=3,
                            newest_revision_hash="abc"),
        pods=pods, logs={p.name: (REBOOT_LOG if i < pending else "ok\n") for i, p in enumerate(pods)},
    )
    c = cluster("prod", pools=[pool("np1", ocpus=2, nodes=node_list, pod_subnets=["p"], worker_subnets=["w"])],
                observation=obs)
    return tenancy(c, subnets=[subnet("p", f"10.0.64.0/{pod_prefix}"), subnet("w", "10.0.16.0/22")])


def test_pending_nodes_name_their_node_pool():
    status = cni_status(pending_cluster(pending=2, pod_prefix=24)).clusters[0]
    assert [(n.node, n.node_pool) for n in status.pending_nodes] == [("10.0.1.0", "np1"), ("10.0.1.1", "np1")]


@pytest.mark.parametrize(
    ("pending", "prefix", "words"),
    [
        # /25: 125 usable, 96 taken → room for 0: a new node cannot come first.
        (2, 25, "np1 has no room for even one more node (pod subnet p is full)"),
        # /24: 253 usable → room for 4; 3 pending fit at once.
        (3, 24, "np1: all 3 nodes can be replaced at once (the pod subnet p has room for 4 more)"),
    ],
)
def test_replacement_advice_follows_the_pools_room(pending, prefix, words):
    status = cni_status(pending_cluster(pending=pending, pod_prefix=prefix)).clusters[0]
    assert words in status.action


def test_on_the_demo_the_cni_fix_cycles_at_most_as_many_nodes_as_the_pod_subnet_has_room_for():
    report = cni_status(demo(), cluster="payments-native")
    action = report.clusters[0].action
    assert ("Cycle payments-core at most 2 at a time (maxSurge 2): the pod subnet payments-native-pods has room "
            "for 2 more nodes, not 4.") in action
    assert report.assumptions, "the batch size rests on the pre-allocation assumption, so the answer states it"
    # diagnose gives the same advice, in the CNI status and in its finding's fix
    diagnosis = diagnose(demo(), cluster="payments-native")
    assert diagnosis.cni.action == action
    assert next(f.remedy for f in diagnosis.findings if f.code == "CNI_UPDATE_PENDING") == action


def test_a_refused_kubernetes_read_names_the_cluster_says_why_and_points_at_the_rbac_file():
    report = cni_status(demo(), cluster="analytics")
    [item] = report.unreadable
    assert (item.name, item.status) == ("analytics", 403)
    assert item.remedy is not None
    assert RBAC_FILE in item.remedy
    assert "HTTP 403" in report.clusters[0].action
    assert RBAC_FILE in report.clusters[0].action


def test_the_cni_read_is_not_a_gap_in_capacity_or_the_cluster_list():
    assert assess_capacity(demo()).unreadable == []
    assert list_clusters(demo(), source="demo").unreadable == []


def test_a_snapshot_without_kubernetes_objects_says_so_rather_than_not_read():
    status = cni_status(demo(), cluster="retail-flannel").clusters[0]
    assert "Record the snapshot again" in status.action


def test_a_refused_oci_read_points_at_the_iam_policy():
    t = tenancy(cluster("prod")).model_copy(update={"unreadable": (
        Unreadable(kind="privateIps", id="ocid1.subnet..x", status=404, code="NotAuthorizedOrNotFound",
                   message="not found"),)})
    [item] = assess_capacity(t).unreadable
    assert item.remedy is not None
    assert "deploy/iam-policy.txt" in item.remedy


def test_capacity_counts_the_findings_it_does_not_show():
    analytics = assess_capacity(demo(), cluster="analytics").clusters[0]
    assert analytics.findings == []
    assert analytics.other_findings is not None
    assert analytics.other_findings.error == 3


def test_capacity_states_each_assumption_once_for_all_clusters():
    report = assess_capacity(demo())
    everyone = [a for c in report.clusters for a in c.assumptions]
    assert len(everyone) > len(set(everyone))  # the clusters repeat them ...
    assert report.assumptions == list(dict.fromkeys(everyone))  # ... the answer states each once


def test_diagnose_states_its_assumptions_at_the_top():
    assert diagnose(demo(), cluster="payments-native").assumptions


def test_flannel_pods_capacity_never_exceeds_the_pods_cidrs_slots():
    c = cluster("prod", cni=Cni.FLANNEL, pods_cidr="10.244.0.0/24",  # 2 slots: 220 pods
                pools=[pool("np1", nodes=3, worker_subnets=["w"])])
    report = assess_capacity(tenancy(c, subnets=[subnet("w", "10.0.16.0/22")])).clusters[0]
    assert report.node_pools[0].pods_capacity == 330
    assert report.pods_capacity == 220


def test_a_live_clusters_remedies_name_the_regions_services_not_a_placeholder():
    diagnosis = diagnose(demo(), cluster="analytics")
    said = " ".join(f"{f.message} {f.remedy}" for f in diagnosis.findings)
    assert "<region>" not in said
    assert "All IAD Services In Oracle Services Network" in said


def test_a_plans_missing_security_rule_is_fixed_with_the_line_of_plan_yaml():
    from engine.rules.security import plan_rule
    from engine.rules.security_requirements import requirements_for

    lines = {plan_rule(req) for req in requirements_for(Cni.VCN_NATIVE)}
    assert '{direction: ingress, protocol: tcp, peer: "role:pods", ports: 6443}' in lines
    assert "{direction: egress, protocol: tcp, peer: all-services, ports: 443}" in lines
    assert '{direction: ingress, protocol: tcp, peer: "role:load-balancers", ports: 30000-32767}' in lines

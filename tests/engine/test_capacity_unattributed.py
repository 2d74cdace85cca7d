"""IPs of nobody: IPs in use that no known node pool's nodes hold are reported, and headroom subtracts them.

By instance when the snapshot says which VNIC holds each IP and which instance each VNIC is attached to (and
every claiming pool's nodes have their attachments read); otherwise by count (used − reserved, when the pools'
node counts are complete); otherwise unknown.
"""

from __future__ import annotations

from engine.capacity import assess_cluster_capacity
from engine.capacity.rules import capacity_findings, unattributed_findings
from engine.check import Check
from engine.findings import Finding, Severity
from engine.model import Cluster, Node, NodePoolType, SubnetUsage, Tenancy
from engine.reports import SubnetCapacity
from tests.engine.builders import cluster, nodes, pool, subnet, subnet_id, tenancy

KARPENTER = [f"ocid1.instance.oc1..karpenter{i}" for i in range(4)]


def _issue_case(pool_nodes: int = 2, allocated: int = 2, *, instance_data: bool,
                complete: bool = True) -> tuple[Tenancy, Cluster]:
    """2 pool nodes (E4.Flex 2 OCPUs: 32 pod-subnet IPs each) and 4 Karpenter nodes (25 IPs each) in a /24.

    `allocated` pool nodes hold their 32 IPs already; the others are too new to have any.
    """
    the_nodes = nodes(pool_nodes, prefix="general")
    c = cluster("prod", pools=[pool("general", ocpus=2, nodes=the_nodes, pod_subnets=["pods"])])
    if not complete:
        c = c.model_copy(update={"node_pools_complete": False})
    by_vnic = {f"vnic-{n.id}": 32 for n in the_nodes[:allocated]} | {f"vnic-{k}": 25 for k in KARPENTER}
    t = tenancy(c, subnets=[subnet("pods", "10.0.64.0/24")])
    usage = SubnetUsage(subnet_id=subnet_id("pods"), used_ips=sum(by_vnic.values()),
                        ips_by_vnic=by_vnic if instance_data else None)
    attachments = {f"vnic-{n.id}": n.id for n in the_nodes} | {f"vnic-{k}": k for k in KARPENTER}
    return t.model_copy(update={"ip_usage": {usage.subnet_id: usage},
                                "vnic_instances": attachments if instance_data else None}), c


def _pods(t: Tenancy, c: Cluster) -> SubnetCapacity:
    return next(s for s in assess_cluster_capacity(t, c).subnets if s.name == "pods")


def _finding(t: Tenancy, c: Cluster) -> Finding:
    (found,) = unattributed_findings(Check(t, c, at="current"))
    return found


def test_the_issue_case_without_instance_data_counts_the_100_ips_beyond_the_64_reserved() -> None:
    t, c = _issue_case(instance_data=False)
    pods = _pods(t, c)
    assert (pods.used_ips, pods.reserved_ips, pods.unattributed_ips) == (164, 64, 100)
    assert pods.unattributed_holders == []
    found = _finding(t, c)
    assert (found.code, found.severity) == ("SUBNET_IPS_UNATTRIBUTED", Severity.WARNING)  # 100 of 253: 40%
    assert found.details["method"] == "reservations"
    assert "100 of its 164 IPs in use held by no known node pool's nodes" in found.message


def test_the_issue_case_with_instance_data_names_the_karpenter_instances() -> None:
    t, c = _issue_case(instance_data=True)
    pods = _pods(t, c)
    assert pods.unattributed_ips == 100
    assert [(h.kind, h.holder, h.ips) for h in pods.unattributed_holders] == [("instance", k, 25) for k in KARPENTER]
    found = _finding(t, c)
    assert found.details["method"] == "instances"
    assert f"instance {KARPENTER[0]} (25)" in found.message


def test_instance_data_sees_what_counting_cannot_when_pools_reserve_more_than_they_hold() -> None:
    # 4 pool nodes reserve 128, but only 2 hold their IPs yet: counting sees 164 - 128 = 36 of nobody's.
    counted_t, c = _issue_case(pool_nodes=4, allocated=2, instance_data=False)
    by_instance_t, _ = _issue_case(pool_nodes=4, allocated=2, instance_data=True)
    counted, by_instance = _pods(counted_t, c), _pods(by_instance_t, c)
    assert (counted.unattributed_ips, by_instance.unattributed_ips) == (36, 100)
    # Headroom subtracts what is in use but unattributed: 253 - (128 + 100) leaves no room for a 32-IP node.
    assert [h.more_nodes for h in counted.headroom] == [(253 - 164) // 32]
    assert [h.more_nodes for h in by_instance.headroom] == [(253 - 228) // 32]
    assert by_instance.utilization == round(228 / 253, 4)


def test_the_pod_subnet_need_adds_the_unattributed_ips_to_the_pools_planned_reservation() -> None:
    t, c = _issue_case(pool_nodes=4, allocated=2, instance_data=True)
    c = c.model_copy(update={"node_pools": tuple(p.model_copy(update={"max_size": 5}) for p in c.node_pools)})
    t = t.model_copy(update={"clusters": (c,)})
    found = next(f for f in capacity_findings(Check(t, c, at="planned")) if f.code == "POD_SUBNET_TOO_SMALL")
    assert found.details["neededIps"] == 5 * 32 + 100
    assert "in use by no known node pool's nodes: 100" in found.message


def test_without_complete_node_pools_and_without_instance_data_it_is_unknown() -> None:
    t, c = _issue_case(instance_data=False, complete=False)
    assert _pods(t, c).unattributed_ips is None
    assert unattributed_findings(Check(t, c, at="current")) == []


def test_instance_data_does_not_need_the_pool_listing_to_be_complete() -> None:
    t, c = _issue_case(instance_data=True, complete=False)
    assert _pods(t, c).unattributed_ips == 100


def test_a_pool_node_without_a_read_attachment_falls_back_to_counting() -> None:
    t, c = _issue_case(instance_data=True)
    assert t.vnic_instances is not None
    missing_one = {vnic: inst for vnic, inst in t.vnic_instances.items() if not inst.endswith("general0")}
    t = t.model_copy(update={"vnic_instances": missing_one})
    pods = _pods(t, c)
    assert (pods.unattributed_ips, pods.unattributed_holders) == (100, [])
    assert _finding(t, c).details["method"] == "reservations"


def test_a_vnic_no_attachment_names_is_named_by_its_vnic() -> None:
    t, c = _issue_case(instance_data=True)
    usage = t.ip_usage[subnet_id("pods")]
    assert usage.ips_by_vnic is not None
    lb = usage.model_copy(update={"used_ips": usage.used_ips + 2, "ips_by_vnic": {**usage.ips_by_vnic,
                                                                                  "ocid1.vnic..lb": 2}})
    t = t.model_copy(update={"ip_usage": {lb.subnet_id: lb}})
    holders = [(h.kind, h.holder, h.ips) for h in _pods(t, c).unattributed_holders]
    assert ("vnic", "ocid1.vnic..lb", 2) in holders


def test_nodes_of_another_cluster_sharing_the_subnet_are_attributed_to_their_pool() -> None:
    t, c = _issue_case(instance_data=True)
    other = cluster("dev", pools=[pool("batch", ocpus=2, pod_subnets=["pods"],
                                        nodes=(Node(id=KARPENTER[0], name="dev-0"),))])
    t = t.model_copy(update={"clusters": (c, other)})
    assert _pods(t, c).unattributed_ips == 75


def test_ips_within_the_reservation_leave_nothing_unattributed_and_no_finding() -> None:
    c = cluster("prod", pools=[pool("general", ocpus=2, nodes=3, pod_subnets=["pods"])])
    t = tenancy(c, subnets=[subnet("pods", "10.0.64.0/24")], used={"pods": 80})
    assert _pods(t, c).unattributed_ips == 0
    assert unattributed_findings(Check(t, c, at="current")) == []


def test_a_few_unattributed_ips_are_an_info_and_more_than_a_fifth_a_warning() -> None:
    c = cluster("prod", pools=[pool("general", ocpus=2, nodes=3, pod_subnets=["pods"])])
    few = tenancy(c, subnets=[subnet("pods", "10.0.64.0/24")], used={"pods": 96 + 50})
    many = tenancy(c, subnets=[subnet("pods", "10.0.64.0/24")], used={"pods": 96 + 51})
    assert _finding(few, c).severity is Severity.INFO  # 50 of 253: 19.8%
    assert _finding(many, c).severity is Severity.WARNING  # 51 of 253: 20.2%


def test_unknown_when_ips_were_not_read_or_reservations_are_unknown_or_virtual_pools_share_it() -> None:
    c = cluster("prod", pools=[pool("general", ocpus=2, nodes=3, pod_subnets=["pods"])])
    assert _pods(tenancy(c, subnets=[subnet("pods", "10.0.64.0/24")]), c).unattributed_ips is None
    mystery = cluster("prod", pools=[pool("general", shape="VM.Mystery", nodes=3, pod_subnets=["pods"])])
    t = tenancy(mystery, subnets=[subnet("pods", "10.0.64.0/24")], used={"pods": 200})
    assert _pods(t, mystery).unattributed_ips is None
    virtual = cluster("prod", pools=[pool("general", ocpus=2, nodes=3, pod_subnets=["pods"]),
                                     pool("burst", type=NodePoolType.VIRTUAL, pod_subnets=["pods"])])
    t = tenancy(virtual, subnets=[subnet("pods", "10.0.64.0/24")], used={"pods": 200})
    assert _pods(t, virtual).unattributed_ips is None


def test_worker_subnets_count_too_and_the_capacity_json_carries_the_figures() -> None:
    c = cluster("prod", pools=[pool("general", nodes=3, worker_subnets=["workers"])])
    t = tenancy(c, subnets=[subnet("workers", "10.0.1.0/24")], used={"workers": 5})
    (found,) = unattributed_findings(Check(t, c, at="current"))
    assert (found.subject, found.details["unattributedIps"]) == ("subnet:workers", 2)
    data = assess_cluster_capacity(t, c).model_dump(mode="json", by_alias=True)
    (workers,) = data["subnets"]
    assert (workers["unattributedIps"], workers["unattributedHolders"]) == (2, [])


def test_load_balancer_subnets_report_the_figure_but_get_no_finding() -> None:
    c = cluster("prod", lb_subnets=["lb"], pools=[pool("general", nodes=3, worker_subnets=["workers"])])
    t = tenancy(c, subnets=[subnet("workers", "10.0.1.0/24"), subnet("lb", "10.0.2.0/24")],
                used={"workers": 3, "lb": 4})
    lb = next(s for s in assess_cluster_capacity(t, c).subnets if s.name == "lb")
    assert lb.unattributed_ips == 4
    assert unattributed_findings(Check(t, c, at="current")) == []

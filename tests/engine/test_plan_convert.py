"""Converting a plan into the engine model, and a cluster back into a plan."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest

from engine.codes import Code
from engine.errors import NotFoundError
from engine.findings import Severity
from engine.model import Cni, NodePool, RouteRule, SecurityRule, Subnet, SubnetRole, Tenancy
from engine.plan import ALL_SERVICES_LABEL, parse_plan, plan_to_tenancy, tenancy_to_plan
from tests.engine.test_plan_parse import minimal_plan, with_change


def convert(data):
    return plan_to_tenancy(parse_plan(data, source="plan.yaml"))


def test_a_plan_becomes_one_cluster_with_ids_derived_from_names():
    result = convert(minimal_plan())
    cluster = result.cluster
    assert result.tenancy.clusters == (cluster,)
    assert cluster.id == "plan:cluster/prod"
    assert cluster.cni is Cni.VCN_NATIVE
    assert cluster.vcn_id == "plan:vcn/vcn"
    assert cluster.pods_cidr == IPv4Network("10.244.0.0/16")
    assert cluster.endpoint_subnet_id == "plan:subnet/api"
    assert cluster.lb_subnet_ids == ()
    assert [s.id for s in result.tenancy.subnets] == ["plan:subnet/api", "plan:subnet/nodes"]
    assert result.findings == ()


def test_node_pools_keep_sizes_and_subnets_and_have_no_observed_nodes():
    pools = convert(with_change(("nodePools", 0, "maxSize"), 10)).cluster.node_pools
    assert pools[0] == NodePool(
        id="plan:nodePool/np1",
        name="np1",
        cluster_id="plan:cluster/prod",
        shape="VM.Standard.E5.Flex",
        ocpus=2,
        size=3,
        max_size=10,
        nodes=None,
        worker_subnet_ids=("plan:subnet/nodes",),
    )
    assert pools[1].pod_subnet_ids == ("plan:subnet/nodes",)
    assert pools[1].max_pods_per_node == 31


def test_vnic_profiles_and_images_carry_over():
    data = with_change(("nodePools", 0, "vnicProfiles"), [{"ipCount": 64}, {"ipCount": 32}])
    data["nodePools"][0]["image"] = {"name": "OL8-OKE", "released": "2022-05-31"}
    pool = convert(data).cluster.node_pools[0]
    assert pool.secondary_vnic_ip_counts == (64, 32)
    assert pool.image is not None
    assert (pool.image.name, pool.image.released) == ("OL8-OKE", "2022-05-31")


def test_plan_shapes_go_to_the_tenancy_marked_as_from_the_plan():
    data = with_change(
        ("shapes",),
        [
            {"name": "VM.Custom", "maxVnics": 3},
            {"name": "VM.Custom.Flex", "flex": {"minimum": 2, "maximum": 8, "perOcpu": 2}},
        ],
    )
    shapes = convert(data).tenancy.shapes
    assert [(s.name, s.max_vnics, s.source) for s in shapes] == [
        ("VM.Custom", 3, "plan"),
        ("VM.Custom.Flex", None, "plan"),
    ]
    assert shapes[1].flex_vnics is not None
    assert shapes[1].flex_vnics.per_ocpu == 2


@pytest.mark.parametrize(
    ("cidr", "reason", "remedy"),
    [
        ("10.0.0.0/33", "the prefix length '33' is not 0 to 32", "use a prefix length from 0 to 32"),
        ("300.1.0.0/16", "'300.1.0.0' is not an IPv4 address", "four numbers from 0 to 255"),
        ("10.0.0.1/24", "10.0.0.1 has host bits set for a /24", "did you mean 10.0.0.0/24?"),
        ("10.0.0.0", "it has no prefix length", "10.0.0.0/32 for one address"),
        ("fd00::/64", "it is an IPv6 block", "IPv4 networks only"),
        ("ten/8", "'ten' is not an IPv4 address", "e.g. 10.0.0.0/16"),
        ("10.0.0.0/٢٤", "the prefix length '٢٤' is not 0 to 32", "prefix length"),
        ("10.0.0.0/16 ", "it has spaces around it", "write it as '10.0.0.0/16'"),
        (" 10.0.0.1/24", "it has spaces around it, and 10.0.0.1 has host bits set", "did you mean 10.0.0.0/24?"),
    ],
)
def test_invalid_subnet_cidrs_become_findings_with_a_remedy(cidr, reason, remedy):
    result = convert(with_change(("subnets", 1, "cidr"), cidr))
    [finding] = result.findings
    assert finding.code == Code.CIDR_INVALID
    assert finding.severity is Severity.ERROR
    assert finding.subject == "subnet:nodes"
    assert f"subnets[1].cidr {cidr!r} is not a valid CIDR: {reason}" in finding.message
    assert remedy in finding.remedy
    assert result.tenancy.subnets[1].cidrs == ()


def test_a_host_bits_finding_offers_the_network_it_meant():
    [finding] = convert(with_change(("subnets", 1, "cidr"), "10.0.16.5/20")).findings
    assert finding.details["suggestion"] == "10.0.16.0/20"
    assert finding.details["field"] == "subnets[1].cidr"


def test_a_subnet_keeps_its_valid_blocks_when_one_is_invalid():
    data = with_change(("subnets", 1, "cidrs"), ["10.0.16.0/20", "10.0.64.0/33"])
    del data["subnets"][1]["cidr"]
    result = convert(data)
    assert result.tenancy.subnets[1].cidrs == (IPv4Network("10.0.16.0/20"),)
    assert [f.details["field"] for f in result.findings] == ["subnets[1].cidrs[1]"]


def test_invalid_vcn_and_cluster_cidrs_are_findings_too():
    data = with_change(("vcn", "cidrs"), ["10.0.0.0/16", "10.1.0.0/15"])
    data["cluster"]["podsCidr"] = "10.244.0.0/99"
    result = convert(data)
    assert sorted(f.subject for f in result.findings) == ["cluster:prod", "vcn:vcn"]
    assert result.cluster.pods_cidr is None
    assert result.tenancy.vcns[0].cidrs == (IPv4Network("10.0.0.0/16"),)


def rules_of(subnet: Subnet) -> tuple[SecurityRule, ...]:
    assert subnet.security_rules is not None
    return subnet.security_rules


def test_security_rule_shorthands_expand_to_engine_rules():
    rules = [
        {"direction": "ingress", "protocol": "tcp", "peer": "role:workers", "ports": 6443},
        {"direction": "egress", "protocol": "tcp", "peer": "all-services", "ports": "30000-32767"},
        {"direction": "egress", "protocol": "icmp", "peer": "subnet:api", "icmpType": 3, "icmpCode": 4},
        {"direction": "egress", "protocol": "all", "peer": "service:oci-iad-objectstorage"},
        {"direction": "ingress", "protocol": 58, "peer": "nsg:ocid1.nsg.oc1..x", "stateless": True},
    ]
    engine_rules = rules_of(convert(with_change(("subnets", 0, "securityRules"), rules)).tenancy.subnets[0])
    assert engine_rules == (
        SecurityRule(direction="ingress", protocol="6", peer="10.0.16.0/20", port_min=6443, port_max=6443),
        SecurityRule(
            direction="egress",
            protocol="6",
            peer=ALL_SERVICES_LABEL,
            peer_type="service",
            port_min=30000,
            port_max=32767,
        ),
        SecurityRule(direction="egress", protocol="1", peer="10.0.0.0/29", icmp_type=3, icmp_code=4),
        SecurityRule(direction="egress", protocol="all", peer="oci-iad-objectstorage", peer_type="service"),
        SecurityRule(direction="ingress", protocol="58", peer="ocid1.nsg.oc1..x", peer_type="nsg", stateless=True),
    )


def test_a_role_peer_expands_to_every_block_of_every_subnet_with_that_role():
    data = minimal_plan()
    data["subnets"].append({"name": "more", "roles": ["workers"], "cidrs": ["10.0.32.0/20", "10.0.48.0/20"]})
    data["subnets"][0]["securityRules"] = [{"direction": "ingress", "protocol": "all", "peer": "role:workers"}]
    peers = [r.peer for r in rules_of(convert(data).tenancy.subnets[0])]
    assert peers == ["10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"]


def test_a_rule_with_an_invalid_peer_cidr_is_dropped_with_a_finding():
    rules = [{"direction": "ingress", "protocol": "all", "peer": "10.0.0.0/40"}]
    result = convert(with_change(("subnets", 0, "securityRules"), rules))
    assert rules_of(result.tenancy.subnets[0]) == ()
    assert [f.details["field"] for f in result.findings] == ["subnets[0].securityRules[0].peer"]


def test_routes_convert_and_unstated_routes_stay_unknown():
    routes = [
        {"destination": "0.0.0.0/0", "target": "nat-gateway"},
        {"destination": "all-services", "target": "service-gateway"},
        {"destination": "192.168.0.1/16", "target": "drg"},
    ]
    result = convert(with_change(("subnets", 1, "routes"), routes))
    assert result.tenancy.subnets[0].route_rules is None
    assert result.tenancy.subnets[1].route_rules == (
        RouteRule(destination="0.0.0.0/0", target="nat-gateway"),
        RouteRule(destination=ALL_SERVICES_LABEL, destination_type="service", target="service-gateway"),
    )
    assert [f.details["suggestion"] for f in result.findings] == ["192.168.0.0/16"]


def test_exporting_a_converted_plan_names_the_subnet_a_role_shorthand_stood_for():
    data = with_change(
        ("subnets", 0, "securityRules"), [{"direction": "ingress", "protocol": 6, "peer": "role:workers"}]
    )
    result = convert(data)
    exported = tenancy_to_plan(result.tenancy, result.cluster)
    assert [s.name for s in exported.subnets] == ["api", "nodes"]
    assert exported.subnets[1].roles == (SubnetRole.WORKERS, SubnetRole.PODS)
    assert exported.subnets[0].security_rules is not None
    # The rule's peer is exactly the nodes subnet, so it names it: editing that CIDR keeps the rule on it.
    assert exported.subnets[0].security_rules[0].peer == "subnet:nodes"
    assert exported.node_pools == parse_plan(data, source="p").node_pools


def live_tenancy() -> Tenancy:
    data = minimal_plan()
    data["subnets"].append({"name": "api", "roles": ["load-balancers"], "cidr": "10.0.1.0/24"})
    data["subnets"][2]["name"] = "lb"
    result = convert(data)
    # Live subnets may share a display name; export must still give each a name of its own.
    subnets = tuple(
        s.model_copy(update={"id": f"ocid1.subnet.{i}", "name": "api" if i != 1 else s.name})
        for i, s in enumerate(result.tenancy.subnets)
    )
    ids = {s.name: s.id for s in result.tenancy.subnets}
    ids = {old: f"ocid1.subnet.{i}" for i, old in enumerate(ids.values())}
    pools = tuple(
        p.model_copy(
            update={
                "size": None,
                "nodes": (),
                "worker_subnet_ids": tuple(ids[i] for i in p.worker_subnet_ids),
                "pod_subnet_ids": tuple(ids[i] for i in p.pod_subnet_ids),
            }
        )
        for p in result.cluster.node_pools
    )
    cluster = result.cluster.model_copy(
        update={
            "endpoint_subnet_id": ids[result.cluster.endpoint_subnet_id or ""],
            "lb_subnet_ids": tuple(ids[i] for i in result.cluster.lb_subnet_ids),
            "node_pools": pools,
        }
    )
    return result.tenancy.model_copy(update={"subnets": subnets, "clusters": (cluster,)})


def test_export_names_every_subnet_uniquely_and_sizes_pools_from_their_nodes():
    tenancy = live_tenancy()
    plan = tenancy_to_plan(tenancy, tenancy.clusters[0])
    assert [s.name for s in plan.subnets] == ["api", "nodes", "api-2"]
    assert plan.subnets[2].roles == (SubnetRole.LOAD_BALANCERS,)
    assert [p.size for p in plan.node_pools] == [0, 0]


def test_export_refuses_a_cluster_whose_subnets_were_not_read():
    tenancy = live_tenancy()
    with pytest.raises(NotFoundError, match=r"subnet ocid1\.subnet\.1 was not read"):
        tenancy_to_plan(tenancy.model_copy(update={"subnets": tenancy.subnets[:1]}), tenancy.clusters[0])


def test_a_live_value_a_plan_cannot_hold_is_an_input_error_naming_it():
    from engine.errors import InputError
    from engine.model import Cluster, NodePool, Subnet, Tenancy, Vcn
    from engine.plan import tenancy_to_plan

    vcn = Vcn(id="v", name="vcn", cidrs=(IPv4Network("10.0.0.0/16"),))
    workers = Subnet(id="w", name="workers", vcn_id="v", cidrs=(IPv4Network("10.0.1.0/24"),), regional=True,
                     public=False)
    pool = NodePool(id="p", name="np1", cluster_id="c", shape="VM.Standard.E4.Flex", ocpus=0.5, size=1,
                    worker_subnet_ids=("w",))
    cluster = Cluster(id="c", name="prod", vcn_id="v", node_pools=(pool,))
    tenancy = Tenancy(vcns=(vcn,), subnets=(workers,), clusters=(cluster,))
    with pytest.raises(InputError, match=r"ocpus.*0\.5"):
        tenancy_to_plan(tenancy, cluster)

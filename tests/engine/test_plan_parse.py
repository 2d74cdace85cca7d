"""The plan parser: every bad plan gives one PlanError naming the field and saying what was expected."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import PlanError
from engine.model import Cni, SubnetRole
from engine.plan import format_path, parse_plan


def minimal_plan() -> dict[str, Any]:
    return {
        "apiVersion": "okebot.plan/v1",
        "cluster": {"name": "prod", "cni": "vcn-native"},
        "vcn": {"name": "vcn", "cidrs": ["10.0.0.0/16"]},
        "subnets": [
            {"name": "api", "roles": ["api-endpoint"], "cidr": "10.0.0.0/29"},
            {"name": "nodes", "roles": ["workers", "pods"], "cidr": "10.0.16.0/20"},
        ],
        "nodePools": [
            {"name": "np1", "shape": "VM.Standard.E5.Flex", "ocpus": 2, "size": 3, "workerSubnet": "nodes"},
            {"name": "np2", "size": 1, "maxPodsPerNode": 31, "workerSubnet": "nodes", "podSubnet": "nodes"},
        ],
    }


def with_change(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    plan = copy.deepcopy(minimal_plan())
    target: Any = plan
    for part in path[:-1]:
        target = target[part]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return plan


DELETE = object()


def error_for(data: object) -> str:
    with pytest.raises(PlanError) as caught:
        parse_plan(data, source="plan.yaml")
    return str(caught.value)


def test_a_minimal_plan_parses_with_documented_defaults():
    plan = parse_plan(minimal_plan(), source="plan.yaml")
    assert plan.cluster.cni is Cni.VCN_NATIVE
    assert plan.cluster.pods_cidr == "10.244.0.0/16"
    assert plan.cluster.services_cidr == "10.96.0.0/16"
    assert plan.subnets[1].roles == (SubnetRole.WORKERS, SubnetRole.PODS)
    assert plan.subnets[0].regional is True
    assert plan.subnets[0].public is False
    assert plan.subnets[0].routes is None
    assert plan.node_pools[1].pod_subnet_names == ("nodes",)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            ("nodePools", 1, "maxPodsPerNode"),
            -3,
            "plan.yaml: nodePools[1].maxPodsPerNode: must be at least 1, got the number -3",
        ),
        (("nodePools", 1, "maxPodsPerNode"), 10**9, "nodePools[1].maxPodsPerNode: must be at most 10000"),
        (("nodePools", 0, "size"), 10_001, "nodePools[0].size: must be at most 10000"),
        (("nodePools", 0, "size"), "3", "nodePools[0].size: expected a whole number, got the text '3'"),
        (("nodePools", 0, "size"), 2.5, "nodePools[0].size: expected a whole number, got the number 2.5"),
        (("nodePools", 0, "ocpus"), 0, "nodePools[0].ocpus: must be at least 1"),
        (("nodePools", 0, "ocpus"), 513, "nodePools[0].ocpus: must be at most 512"),
        (("nodePools", 0, "ocpus"), float("nan"), "nodePools[0].ocpus: expected a finite number"),
        (("nodePools", 0, "maxSize"), 2, "nodePools[0].maxSize: maxSize (2) is below size (3)"),
        (("nodePools", 0, "type"), "serverless", "nodePools[0].type: expected 'managed' or 'virtual'"),
        (("nodePools", 0, "maxPodz"), 3, "nodePools[0].maxPodz: unknown key (did you mean maxPodsPerNode?)"),
        (("nodePools", 0, "max_pods_per_node"), 3, "(did you mean maxPodsPerNode?)"),
        (
            ("nodePools", 0, "image"),
            {"released": "2024-02-30"},
            "nodePools[0].image.released: '2024-02-30' is not a calendar date",
        ),
        (("nodePools", 0, "image"), {"released": "June 2022"}, "expected a date as YYYY-MM-DD"),
        (
            ("nodePools", 0, "workerSubnet"),
            "nodez",
            "nodePools[0].workerSubnet: names subnet 'nodez', which the plan does not have (did you mean nodes?)",
        ),
        (("nodePools", 0, "workerSubnet"), "api", "subnet 'api' does not have role workers"),
        (
            ("nodePools", 0, "workerSubnets"),
            ["nodes"],
            "nodePools[0]: give either workerSubnet or workerSubnets, not both",
        ),
        (
            ("nodePools", 0, "kubernetesVersion"),
            1.3,
            'expected text such as "v1.31.1", got the number 1.3; quote it',
        ),
        (
            ("cluster", "cni"),
            "vcn-natve",
            "cluster.cni: expected 'flannel' or 'vcn-native', got the text 'vcn-natve' (did you mean vcn-native?)",
        ),
        (("cluster", "name"), 42, "cluster.name: expected text, got the number 42"),
        (("cluster", "name"), "", "cluster.name: must not be empty"),
        (
            ("cluster", "serviceMesh"),
            "yes",
            "cluster.serviceMesh: expected true or false, got the text 'yes'",
        ),
        (("cluster",), ["prod"], "cluster: expected a mapping of keys to values, got a list"),
        (("vcn", "cidrs"), "10.0.0.0/16", "vcn.cidrs: expected a list, got the text '10.0.0.0/16'"),
        (("vcn", "cidrs"), [], "vcn.cidrs: needs at least 1 item, got 0"),
        (("subnets",), [], "subnets: needs at least 1 item,"),
        (
            ("subnets", 0, "roles"),
            ["api"],
            "subnets[0].roles[0]: expected 'api-endpoint', 'workers', 'pods' or 'load-balancers'",
        ),
        (("subnets", 0, "roles"), ["pods", "pods"], "subnets[0].roles: lists pods twice"),
        (("subnets", 0, "cidrs"), ["10.0.0.0/29"], "subnets[0]: give either cidr or cidrs, not both"),
        (
            ("subnets", 1, "name"),
            "api",
            "subnets[1].name: duplicate subnet name 'api' (also subnets[0].name)",
        ),
        (("nodePools", 1, "name"), "np1", "nodePools[1].name: duplicate node pool name 'np1'"),
        (
            ("subnets", 1, "roles"),
            ["api-endpoint"],
            "subnets[1].roles: a cluster has one Kubernetes API endpoint subnet",
        ),
        (
            ("apiVersion",),
            "okebot.plan/v2",
            "plan.yaml: apiVersion: expected okebot.plan/v1, got the text 'okebot.plan/v2'",
        ),
        (("apiVersion",), DELETE, "plan.yaml: apiVersion is missing; is this a plan file?"),
        (("cluster", "cni"), DELETE, "cluster.cni: is required but missing"),
        (
            ("nodePools", 0, "workerSubnet"),
            DELETE,
            "nodePools[0]: workerSubnet (or workerSubnets) is required",
        ),
        (("subnets", 0, "cidr"), DELETE, "subnets[0]: cidr (or cidrs) is required"),
        (("vcn",), DELETE, "plan.yaml: vcn: is required but missing"),
    ],
)
def test_bad_plans_name_the_field_and_what_was_expected(path, value, expected):
    assert expected in error_for(with_change(path, value))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            {"direction": "in", "protocol": "tcp", "peer": "0.0.0.0/0"},
            "securityRules[0].direction: expected 'ingress' or 'egress'",
        ),
        (
            {"direction": "ingress", "protocol": "sctp", "peer": "0.0.0.0/0"},
            "securityRules[0].protocol: expected all, tcp, udp, icmp or a protocol number 0-255",
        ),
        (
            {"direction": "ingress", "protocol": 300, "peer": "0.0.0.0/0"},
            "a protocol number is 0 to 255, got 300",
        ),
        (
            {"direction": "ingress", "protocol": "tcp", "peer": "0.0.0.0/0", "ports": "80-"},
            'expected a port ("443"), a range ("30000-32767") or all',
        ),
        (
            {"direction": "ingress", "protocol": "tcp", "peer": "0.0.0.0/0", "ports": "90-80"},
            "ports are 1 to 65535 with the lower first",
        ),
        (
            {"direction": "ingress", "protocol": "tcp", "peer": "0.0.0.0/0", "ports": 70000},
            "ports are 1 to 65535",
        ),
        (
            {"direction": "ingress", "protocol": "all", "peer": "0.0.0.0/0", "ports": 443},
            "securityRules[0]: ports apply to tcp and udp only",
        ),
        (
            {"direction": "ingress", "protocol": "tcp", "peer": "0.0.0.0/0", "icmpType": 3},
            "icmpType and icmpCode apply to icmp only",
        ),
        (
            {"direction": "ingress", "protocol": "icmp", "peer": "0.0.0.0/0", "icmpCode": 4},
            "icmpCode needs an icmpType",
        ),
        (
            {"direction": "ingress", "protocol": "tcp", "peer": "role:worker"},
            "securityRules[0].peer: unknown role 'worker'",
        ),
        ({"direction": "ingress", "protocol": "tcp", "peer": "roles:workers"}, "unknown peer kind 'roles:'"),
        (
            {"direction": "ingress", "protocol": "tcp", "peer": "role:load-balancers"},
            "securityRules[0].peer: no subnet in the plan has role load-balancers",
        ),
        (
            {"direction": "ingress", "protocol": "tcp", "peer": "subnet:nodez"},
            "names subnet 'nodez', which the plan does not have (did you mean nodes?)",
        ),
        (
            {"direction": "ingress", "protocol": "tcp"},
            "subnets[0].securityRules[0].peer: is required but missing",
        ),
    ],
)
def test_bad_security_rules_name_the_rule_field(rule, expected):
    assert expected in error_for(with_change(("subnets", 0, "securityRules"), [rule]))


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (
            {"destination": "0.0.0.0/0", "target": "nat"},
            "routes[0].target: expected 'nat-gateway', 'service-gateway'",
        ),
        ({"destination": "0.0.0.0/0"}, "subnets[0].routes[0].target: is required but missing"),
        (
            {"destination": 0, "target": "drg"},
            "subnets[0].routes[0].destination: expected text, got the number 0",
        ),
    ],
)
def test_bad_routes_name_the_route_field(route, expected):
    assert expected in error_for(with_change(("subnets", 0, "routes"), [route]))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (None, "plan.yaml: the plan is empty"),
        ([1, 2], "plan.yaml: expected a mapping of keys to values at the top level, got a list"),
        ("apiVersion", "got the text 'apiVersion'"),
        ({"apiVersion": "okebot.plan/v1", 3: "x"}, "key the number 3 is not text"),
    ],
)
def test_documents_that_are_not_plans_say_so(data, expected):
    assert expected in error_for(data)


def test_every_problem_is_reported_one_per_line():
    data = with_change(("nodePools", 0, "size"), -1)
    data["nodePools"][1]["ocpus"] = 0
    lines = error_for(data).splitlines()
    assert lines[0].startswith("plan.yaml: nodePools[0].size: must be at least 0")
    assert lines[1].startswith("plan.yaml: nodePools[1].ocpus: must be at least 1")


def test_lines_from_the_index_go_into_the_message():
    lines = {("nodePools",): 20, ("nodePools", 1): 25, ("nodePools", 1, "maxPodsPerNode"): 27}
    data = with_change(("nodePools", 1, "maxPodsPerNode"), 0)
    with pytest.raises(PlanError) as caught:
        parse_plan(data, source="p.yaml", lines=lines)
    assert str(caught.value).startswith("p.yaml:27: nodePools[1].maxPodsPerNode: must be at least 1")
    assert caught.value.where == "p.yaml:27: nodePools[1].maxPodsPerNode"
    assert caught.value.remedy is not None


def test_a_missing_field_takes_the_line_of_its_enclosing_mapping():
    data = with_change(("cluster", "name"), DELETE)
    with pytest.raises(PlanError) as caught:
        parse_plan(data, source="p.yaml", lines={("cluster",): 4})
    assert str(caught.value).startswith("p.yaml:4: cluster.name: is required but missing")


def test_deep_nesting_is_refused_before_validation():
    deep: list[Any] = []
    for _ in range(100):
        deep = [deep]
    assert "nested more than 32 levels deep" in error_for(with_change(("shapes",), deep))


def test_max_pods_above_the_kubernetes_limit_is_left_to_the_rules():
    plan = parse_plan(with_change(("nodePools", 1, "maxPodsPerNode"), 256), source="plan.yaml")
    assert plan.node_pools[1].max_pods_per_node == 256


def test_invalid_cidrs_are_not_parse_errors():
    plan = parse_plan(with_change(("subnets", 0, "cidr"), "10.0.0.1/33"), source="plan.yaml")
    assert plan.subnets[0].cidr == "10.0.0.1/33"


@pytest.mark.parametrize(("given", "kept"), [(6, "tcp"), ("17", "udp"), (1, "icmp"), (58, "58"), ("all", "all")])
def test_protocols_are_kept_in_one_spelling(given, kept):
    rule = {"direction": "egress", "protocol": given, "peer": "0.0.0.0/0"}
    plan = parse_plan(with_change(("subnets", 0, "securityRules"), [rule]), source="plan.yaml")
    assert plan.subnets[0].security_rules is not None
    assert plan.subnets[0].security_rules[0].protocol == kept


def test_shapes_need_vnic_limits():
    data = with_change(("shapes",), [{"name": "X.Fixed"}])
    assert "shapes[0]: a shape needs maxVnics or flex" in error_for(data)
    data = with_change(("shapes",), [{"name": "X.Flex", "flex": {"minimum": 4, "maximum": 2, "perOcpu": 1}}])
    assert "shapes[0].flex: maximum (2) is below minimum (4)" in error_for(data)


def problems_of(data: object) -> list[tuple[str, str]]:
    with pytest.raises(PlanError) as caught:
        parse_plan(data, source="plan.yaml")
    return [(problem.path, problem.message) for problem in caught.value.problems]


def test_one_bad_role_is_reported_alone_not_also_as_an_empty_roles_list():
    problems = problems_of(with_change(("subnets", 1, "roles"), ["wrkers"]))
    assert [path for path, _ in problems] == ["subnets[1].roles[0]"]
    assert "(did you mean workers?)" in problems[0][1]


def test_a_bad_field_in_the_only_subnet_does_not_make_the_subnets_list_empty():
    data = with_change(("subnets",), [{"name": "nodes", "roles": ["workers"], "cidr": "10.0.16.0/20",
                                       "regional": "yes"}])
    data["nodePools"] = []
    assert problems_of(data) == [("subnets[0].regional", "expected true or false, got the text 'yes'")]


def test_a_list_that_is_too_short_as_written_says_how_many_items_it_has():
    data = with_change(("vcn", "cidrs"), [])
    assert ("vcn.cidrs", "needs at least 1 item, got 0") in problems_of(data)


def test_a_list_with_too_many_items_is_reported_even_when_one_of_them_is_bad():
    roles = ["workers", "pods", "api-endpoint", "load-balancers", "wrkers"]
    problems = problems_of(with_change(("subnets", 1, "roles"), roles))
    assert ("subnets[1].roles", "allows at most 4 items, got 5") in problems
    assert "subnets[1].roles[4]" in [path for path, _ in problems]


def test_checks_across_fields_run_in_the_same_run_as_mistakes_in_single_fields():
    data = minimal_plan()
    data["subnets"] += [
        {"name": "api2", "roles": ["api-endpoint"], "cidr": "10.0.1.0/29"},
        {"name": "twice", "roles": ["workers", "workers"], "cidr": "10.0.2.0/24"},
        {"name": "lb", "roles": ["load-balancers"], "cidr": "10.0.3.0/24"},
    ]
    data["nodePools"][0]["name"] = ""
    data["nodePools"][1].update(workerSubnet="lb", podSubnet="podz")
    assert problems_of(data) == [
        ("nodePools[0].name", "must not be empty"),
        ("nodePools[1].podSubnet", "names subnet 'podz', which the plan does not have"),
        ("nodePools[1].workerSubnet", "subnet 'lb' does not have role workers; add workers to its roles"),
        ("subnets[2].roles", "a cluster has one Kubernetes API endpoint subnet; subnets[0] already has role "
                             "api-endpoint"),
        ("subnets[3].roles", "lists workers twice"),
    ]


def test_a_subnet_whose_name_does_not_read_is_not_also_reported_as_missing_where_pools_name_it():
    problems = problems_of(with_change(("subnets", 1, "name"), 7))
    assert problems == [("subnets[1].name", "expected text, got the number 7")]


def test_a_subnet_whose_roles_do_not_read_is_not_also_reported_as_lacking_a_role():
    problems = problems_of(with_change(("subnets", 1, "roles"), "workers"))
    assert problems == [("subnets[1].roles", "expected a list, got the text 'workers'")]


def test_the_cidr_form_check_does_not_hide_mistakes_in_the_subnets_own_fields():
    data = with_change(("subnets", 1, "cidrs"), ["10.0.16.0/20"])
    data["subnets"][1]["public"] = "no"
    assert problems_of(data) == [
        ("subnets[1]", "give either cidr or cidrs, not both"),
        ("subnets[1].public", "expected true or false, got the text 'no'"),
    ]


def test_a_pool_without_a_worker_subnet_still_hears_about_its_other_fields():
    data = with_change(("nodePools", 0, "workerSubnet"), DELETE)
    data["nodePools"][0]["size"] = "3"
    data["nodePools"][0]["maxSize"] = 1
    assert problems_of(data) == [
        ("nodePools[0]", "workerSubnet (or workerSubnets) is required"),
        ("nodePools[0].size", "expected a whole number, got the text '3'"),
    ]


# Mistakes in single fields that leave every subnet's name and roles readable.
FIELD_MISTAKES: list[tuple[tuple[str | int, ...], object]] = [
    (("cluster", "serviceMesh"), "yes"),
    (("vcn", "cidrs", 0), 7),
    (("subnets", 0, "regional"), "yes"),
    (("subnets", 1, "public"), 1),
    (("nodePools", 0, "size"), "3"),
    (("nodePools", 1, "ocpus"), 0),
    (("nodePools", 1, "name"), ""),
]
# Mistakes across fields, each with the problem it gives.
CROSS_MISTAKES: list[tuple[tuple[str | int, ...], object, tuple[str, str]]] = [
    (("nodePools", 0, "workerSubnet"), "nodez",
     ("nodePools[0].workerSubnet", "names subnet 'nodez', which the plan does not have (did you mean nodes?)")),
    (("nodePools", 1, "workerSubnet"), "api",
     ("nodePools[1].workerSubnet", "subnet 'api' does not have role workers; add workers to its roles")),
    (("subnets", 1, "roles"), ["api-endpoint", "workers", "pods"],
     ("subnets[1].roles", "a cluster has one Kubernetes API endpoint subnet; subnets[0] already has role "
                          "api-endpoint")),
    (("subnets", 1, "roles"), ["workers", "pods", "pods"], ("subnets[1].roles", "lists pods twice")),
    (("subnets", 0, "name"), "nodes", ("subnets[1].name", "duplicate subnet name 'nodes' (also subnets[0].name)")),
]


@settings(max_examples=60, deadline=None)
@given(fields=st.sets(st.sampled_from(range(len(FIELD_MISTAKES)))),
       cross=st.sampled_from(range(len(CROSS_MISTAKES))))
def test_a_mistake_across_fields_is_reported_whatever_mistakes_single_fields_have(fields, cross):
    path, value, expected = CROSS_MISTAKES[cross]
    data = with_change(path, value)
    for k in sorted(fields):
        field_path, field_value = FIELD_MISTAKES[k]
        target: Any = data
        for part in field_path[:-1]:
            target = target[part]
        target[field_path[-1]] = field_value
    problems = problems_of(data)
    assert expected in problems
    assert len(problems) == 1 + len(fields)  # each mistake once; nothing false, nothing twice


LISTS: list[tuple[tuple[str | int, ...], list[Any]]] = [
    (("subnets", 0, "roles"), ["api-endpoint"]),
    (("subnets", 1, "roles"), ["workers", "pods"]),
    (("vcn", "cidrs"), ["10.0.0.0/16", "10.1.0.0/16"]),
    (("nodePools", 0, "podSubnets"), ["nodes"]),
    (("subnets",), minimal_plan()["subnets"]),
]


@settings(max_examples=60, deadline=None)
@given(pick=st.sampled_from(range(len(LISTS))), bad=st.sampled_from([7, None, {"a": 1}, ["x"]]),
       keep=st.integers(0, 2), at=st.integers(0, 2))
def test_bad_items_never_make_a_list_too_short(pick, bad, keep, at):
    path, good = LISTS[pick]
    items = list(good[:keep])
    items.insert(at % (len(items) + 1), bad)
    problems = problems_of(with_change(path, items))
    assert not [message for _, message in problems if message.startswith("needs at least")]
    assert format_path((*path, at % len(items))) in [p for p, _ in problems]

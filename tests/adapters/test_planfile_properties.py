"""Property tests: the plan reader never fails with anything but a PlanError, and valid plans always load."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.planfile import load_plan_text
from adapters.planwriter import dump_plan_yaml
from engine.errors import PlanError
from engine.plan import Plan, format_path, plan_to_tenancy
from tests.adapters.plans import load_plan_file

ROLES = ["api-endpoint", "workers", "pods", "load-balancers"]
names = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
cidr_texts = st.one_of(
    st.builds(lambda a, b, p: f"10.{a}.{b}.0/{p}", st.integers(0, 255), st.integers(0, 255), st.integers(16, 30)),
    st.sampled_from(["10.0.0.0/33", "300.1.0.0/16", "10.0.0.1/24", "fd00::/64", "nonsense"]),
)


@st.composite
def security_rules(draw: st.DrawFn, roles: list[str]) -> dict[str, Any]:
    protocol = draw(st.sampled_from(["all", "tcp", "udp", "icmp", 6, 17, 1]))
    rule: dict[str, Any] = {
        "direction": draw(st.sampled_from(["ingress", "egress"])),
        "protocol": protocol,
        "peer": draw(st.one_of(cidr_texts, st.just("all-services"), st.sampled_from([f"role:{r}" for r in roles]))),
    }
    if protocol in ("tcp", "udp", 6, 17) and draw(st.booleans()):
        low = draw(st.integers(1, 65535))
        rule["ports"] = draw(st.sampled_from([low, str(low), f"{low}-{min(65535, low + 100)}", "all"]))
    if protocol in ("icmp", 1) and draw(st.booleans()):
        rule["icmpType"], rule["icmpCode"] = draw(st.integers(0, 255)), draw(st.integers(0, 255))
    return rule


@st.composite
def valid_plans(draw: st.DrawFn) -> dict[str, Any]:
    subnet_names = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    subnets = []
    for i, name in enumerate(subnet_names):
        roles = (
            ["workers"] if i == 0 else draw(st.lists(st.sampled_from(ROLES[1:]), min_size=1, max_size=3, unique=True))
        )
        subnet: dict[str, Any] = {"name": name, "roles": roles, "cidr": draw(cidr_texts)}
        if draw(st.booleans()):
            subnet["public"] = draw(st.booleans())
        if draw(st.booleans()):
            subnet["routes"] = [
                {
                    "destination": draw(st.one_of(cidr_texts, st.just("all-services"))),
                    "target": draw(st.sampled_from(["nat-gateway", "service-gateway", "drg"])),
                }
            ]
        subnets.append(subnet)
    present = sorted({r for s in subnets for r in s["roles"]})
    for subnet in subnets:
        if draw(st.booleans()):
            subnet["securityRules"] = draw(st.lists(security_rules(present), max_size=3))
    workers = [s["name"] for s in subnets if "workers" in s["roles"]]
    pods = [s["name"] for s in subnets if "pods" in s["roles"]]
    pools = []
    for name in draw(st.lists(names, max_size=3, unique=True)):
        size = draw(st.integers(0, 10_000))
        pool: dict[str, Any] = {
            "name": name,
            "size": size,
            "workerSubnet": draw(st.sampled_from(workers)),
            "type": draw(st.sampled_from(["managed", "virtual"])),
        }
        if draw(st.booleans()):
            pool["maxSize"] = draw(st.integers(size, 10_000))
        if draw(st.booleans()):
            pool["maxPodsPerNode"] = draw(st.integers(1, 10_000))
        if draw(st.booleans()):
            pool["ocpus"] = draw(st.one_of(st.integers(1, 512), st.floats(1, 512)))
        with_pod_subnet: bool = draw(st.booleans())
        if pods and with_pod_subnet:
            pool["podSubnet"] = draw(st.sampled_from(pods))
        pools.append(pool)
    return {
        "apiVersion": "okebot.plan/v1",
        "cluster": {
            "name": draw(names),
            "cni": draw(st.sampled_from(["flannel", "vcn-native"])),
            "podsCidr": draw(cidr_texts),
        },
        "vcn": {"name": draw(names), "cidrs": draw(st.lists(cidr_texts, min_size=1, max_size=3))},
        "subnets": subnets,
        "nodePools": pools,
    }


def as_text(data: dict[str, Any], form: str) -> tuple[str, str]:
    if form == "json":
        return json.dumps(data), "plan.json"
    return yaml.safe_dump(data, sort_keys=False), "plan.yaml"


def load_or_plan_error(text: str, source: str) -> Plan | None:
    try:
        return load_plan_text(text, source=source)
    except PlanError:
        return None


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), source=st.sampled_from(["plan.yaml", "plan.json", "<stdin>"]))
def test_arbitrary_text_gives_a_plan_or_a_plan_error(text, source):
    load_or_plan_error(text, source)


@settings(max_examples=150, deadline=None)
@given(content=st.binary(max_size=300))
def test_arbitrary_bytes_in_a_file_give_a_plan_or_a_plan_error(content):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "plan.yaml")
        with open(path, "wb") as file:
            file.write(content)
        with contextlib.suppress(PlanError):
            load_plan_file(path)


@settings(max_examples=150, deadline=None)
@given(
    data=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=30,
    ),
    wrap=st.booleans(),
)
def test_arbitrary_documents_give_a_plan_error(data, wrap):
    document = {"apiVersion": "okebot.plan/v1", "cluster": data} if wrap else data
    assert load_or_plan_error(json.dumps(document), "plan.json") is None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_plans(), form=st.sampled_from(["yaml", "json"]))
def test_valid_plans_always_load_and_convert(data, form):
    text, source = as_text(data, form)
    plan = load_plan_text(text, source=source)
    result = plan_to_tenancy(plan)
    assert len(result.cluster.node_pools) == len(data["nodePools"])
    assert load_plan_text(dump_plan_yaml(plan), source="again.yaml") == plan


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_plans(), cut=st.integers(0, 10_000), form=st.sampled_from(["yaml", "json"]))
def test_truncated_valid_plans_give_a_plan_or_a_plan_error(data, cut, form):
    text, source = as_text(data, form)
    load_or_plan_error(text[: cut % (len(text) + 1)], source)


def required_paths(data: dict[str, Any]) -> list[tuple[str | int, ...]]:
    paths: list[tuple[str | int, ...]] = [
        ("cluster",),
        ("vcn",),
        ("subnets",),
        ("cluster", "name"),
        ("cluster", "cni"),
        ("vcn", "name"),
        ("vcn", "cidrs"),
    ]
    for i, subnet in enumerate(data["subnets"]):
        paths += [("subnets", i, "name"), ("subnets", i, "roles")]
        for k, _ in enumerate(subnet.get("securityRules", [])):
            paths += [("subnets", i, "securityRules", k, key) for key in ("direction", "protocol", "peer")]
    for i, _ in enumerate(data["nodePools"]):
        paths.append(("nodePools", i, "name"))
    return paths


def typed_paths(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], object]]:
    """Fields with a value of the wrong type for each."""
    paths: list[tuple[tuple[str | int, ...], object]] = [
        (("cluster", "name"), 7),
        (("vcn", "cidrs"), "10.0.0.0/8"),
        (("cluster", "cni"), ["flannel"]),
    ]
    for i, _ in enumerate(data["subnets"]):
        paths += [(("subnets", i, "regional"), "yes"), (("subnets", i, "roles"), "workers")]
    for i, _ in enumerate(data["nodePools"]):
        paths += [
            (("nodePools", i, "size"), "3"),
            (("nodePools", i, "maxPodsPerNode"), [31]),
            (("nodePools", i, "ocpus"), {"n": 2}),
        ]
    return paths


def changed(data: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    copied = copy.deepcopy(data)
    target: Any = copied
    for part in path[:-1]:
        target = target[part]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return copied


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_plans(), pick=st.integers(0, 1000), form=st.sampled_from(["yaml", "json"]))
def test_deleting_a_required_field_gives_a_plan_error_naming_it(data, pick, form):
    paths = required_paths(data)
    path = paths[pick % len(paths)]
    text, source = as_text(changed(data, path, None), form)
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, source=source)
    assert f"{format_path(path)}: is required but missing" in str(caught.value)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_plans(), pick=st.integers(0, 1000), form=st.sampled_from(["yaml", "json"]))
def test_a_value_of_the_wrong_type_gives_a_plan_error_naming_its_field(data, pick, form):
    paths = typed_paths(data)
    path, value = paths[pick % len(paths)]
    text, source = as_text(changed(data, path, value), form)
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, source=source)
    assert f"{format_path(path)}: expected" in str(caught.value)


def wrong_values(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], object]]:
    """Fields with a wrong value each, every value written once in the whole text so that its line can be found."""
    paths: list[tuple[tuple[str | int, ...], object]] = [
        (("cluster", "name"), 987_654_321),
        (("cluster", "serviceMesh"), "WRONG-MESH"),
        (("vcn", "cidrs", 0), 876_543_219),
    ]
    for i, subnet in enumerate(data["subnets"]):
        paths += [(("subnets", i, "regional"), "WRONG-REGIONAL"), (("subnets", i, "roles", 0), "WRONG-ROLE")]
        for k, _ in enumerate(subnet.get("securityRules", [])):
            paths.append((("subnets", i, "securityRules", k, "direction"), "WRONG-DIRECTION"))
    for i, _ in enumerate(data["nodePools"]):
        paths += [(("nodePools", i, "size"), "WRONG-SIZE"), (("nodePools", i, "maxPodsPerNode"), 765_432_198)]
    return paths


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_plans(), pick=st.integers(0, 1000), indent=st.sampled_from([None, 1, 2, 4, "\t"]),
       source=st.sampled_from(["plan.json", "plan.yaml", "<stdin>"]))
def test_a_wrong_value_in_a_json_plan_is_reported_at_the_line_where_it_sits(data, pick, indent, source):
    paths = wrong_values(data)
    path, value = paths[pick % len(paths)]
    text = json.dumps(changed(data, path, value), indent=indent)
    marker = json.dumps(value)
    (line,) = [n for n, written in enumerate(text.splitlines(), 1) if marker in written]
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, source=source)
    found = [p for p in caught.value.problems if p.path == format_path(path)]
    assert [p.line for p in found] == [line]
    assert all(p.line is not None for p in caught.value.problems)


def renamed(data: dict[str, Any], path: tuple[str | int, ...], new: str) -> dict[str, Any]:
    """The data with the key at `path` renamed to `new`, in its place among its mapping's keys."""
    copied = copy.deepcopy(data)
    parent: Any = copied
    for part in path[:-1]:
        parent = parent[part]
    items = list(parent.items())
    parent.clear()
    parent.update((new if key == path[-1] else key, value) for key, value in items)
    return copied


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_plans(), pick=st.integers(0, 1000), form=st.sampled_from(["yaml", "json"]))
def test_a_key_given_twice_is_reported_at_its_second_line_with_its_path(data, pick, form):
    paths = required_paths(data)
    path = paths[pick % len(paths)]
    dumped = renamed(data, path, "PLACEHOLDER")
    text = json.dumps(dumped, indent=2) if form == "json" else yaml.safe_dump(dumped, sort_keys=False)
    lines = text.splitlines()
    (n,) = [n for n, written in enumerate(lines) if "PLACEHOLDER" in written]
    blank = " " * lines[n].index("PLACEHOLDER")
    quote = '"' if form == "json" else ""
    # The key once with null, then again with its value: the second, kept, is on the next line.
    again = f"{quote}{path[-1]}{quote}: null{',' if form == 'json' else ''}\n{blank}{quote}{path[-1]}{quote}:"
    text = text.replace(f"{quote}PLACEHOLDER{quote}:", again)
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, source=f"plan.{form}")
    assert [(p.path, p.line) for p in caught.value.problems] == [(format_path(path), n + 2)]
    expected = f"the key {path[-1]!r} appears twice in one mapping (first on line {n + 1})"
    assert caught.value.problems[0].message == expected

"""The plan's new cluster fields: type, internetEgress, loadBalancerRules — read, checked, converted, exported."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.planfile import load_plan_text
from engine.errors import PlanError
from engine.plan import parse_plan, plan_json_schema, plan_to_tenancy, tenancy_to_plan
from tests.engine.test_plan_parse import minimal_plan

ALLOWED: dict[str, list[object]] = {
    "type": ["basic", "enhanced"],
    "internetEgress": [True, False],
    "loadBalancerRules": ["oke-managed", "manual"],
}
MODEL_FIELD = {"type": "type", "internetEgress": "internet_egress", "loadBalancerRules": "load_balancer_rules"}


def _with(**cluster: object) -> dict[str, Any]:
    plan = copy.deepcopy(minimal_plan())
    plan["cluster"].update(cluster)
    return plan


def test_left_out_the_fields_mean_unknown_type_internet_egress_and_oke_managed_load_balancer_rules() -> None:
    converted = plan_to_tenancy(parse_plan(minimal_plan(), source="p")).cluster
    assert (converted.type, converted.internet_egress, converted.load_balancer_rules) == (None, True, "oke-managed")
    assert plan_to_tenancy(parse_plan(minimal_plan(), source="p")).tenancy.source_kind == "plan"


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, values in ALLOWED.items() for v in values])
def test_each_stated_value_reaches_the_model_and_survives_export(key: str, value: object) -> None:
    conversion = plan_to_tenancy(parse_plan(_with(**{key: value}), source="p"))
    assert getattr(conversion.cluster, MODEL_FIELD[key]) == value
    again = plan_to_tenancy(tenancy_to_plan(conversion.tenancy, conversion.cluster)).cluster
    assert getattr(again, MODEL_FIELD[key]) == value


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("type", "Enhanced", "cluster.type: expected 'basic' or 'enhanced', got the text 'Enhanced'"),
        ("type", "ENHANCED_CLUSTER", "cluster.type: expected 'basic' or 'enhanced'"),
        ("internetEgress", "no", "cluster.internetEgress: expected true or false, got the text 'no'"),
        ("internetEgress", 0, "cluster.internetEgress: expected true or false, got the number 0"),
        ("loadBalancerRules", "managed", "cluster.loadBalancerRules: expected 'oke-managed' or 'manual'"),
        ("loadBalancerRule", "manual", "cluster.loadBalancerRule: unknown key (did you mean loadBalancerRules?)"),
    ],
)
def test_a_bad_value_names_the_field_and_what_it_may_be(key: str, value: object, words: str) -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(_with(**{key: value}), source="plan.yaml")
    assert words in str(caught.value)


def test_a_bad_value_in_a_yaml_file_names_its_line() -> None:
    text = (
        "apiVersion: okebot.plan/v1\n"
        "cluster:\n"
        "  name: prod\n"
        "  cni: vcn-native\n"
        "  internetEgress: nope\n"
        "vcn: {name: vcn, cidrs: [10.0.0.0/16]}\n"
        "subnets:\n"
        "  - {name: nodes, roles: [workers], cidr: 10.0.16.0/20}\n"
    )
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, source="plan.yaml")
    assert caught.value.where == "plan.yaml:5: cluster.internetEgress"


def test_the_schema_offers_the_new_fields_with_their_values() -> None:
    cluster = plan_json_schema()["$defs"]["PlanCluster"]["properties"]
    assert {"basic", "enhanced"} <= {v for option in cluster["type"]["anyOf"] for v in option.get("enum", [])}
    assert {"oke-managed", "manual"} <= {
        v for option in cluster["loadBalancerRules"]["anyOf"] for v in option.get("enum", [])}
    assert {"type": "boolean"} in cluster["internetEgress"]["anyOf"]


_ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                       st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=4), st.integers(),
                                                                            max_size=2))


@given(st.sampled_from(sorted(ALLOWED)), _ANY_VALUE)
def test_any_value_of_a_new_field_is_accepted_exactly_when_allowed_and_otherwise_named(key: str,
                                                                                      value: object) -> None:
    allowed = value is None or any(value == ok and type(value) is type(ok) for ok in ALLOWED[key])
    if not allowed:
        with pytest.raises(PlanError) as caught:
            parse_plan(_with(**{key: value}), source="plan.yaml")
        assert f"cluster.{key}" in (caught.value.where or "")
        return
    cluster = plan_to_tenancy(parse_plan(_with(**{key: value}), source="plan.yaml")).cluster
    expected_default = {"type": None, "internetEgress": True, "loadBalancerRules": "oke-managed"}[key]
    assert getattr(cluster, MODEL_FIELD[key]) == (expected_default if value is None else value)

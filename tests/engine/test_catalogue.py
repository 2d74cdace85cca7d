"""The finding catalogue: every code okebot emits is explained, with a source and a remedy."""

from __future__ import annotations

import re

import pytest

from engine.catalogue import CATALOGUE, RuleInfo, explain
from engine.codes import Code
from engine.errors import NotFoundError
from engine.findings import Severity
from engine.usecases.validate import validate_cluster
from tests.engine.test_validate import BAD_CASES

REQUIRED_CODES = [
    "CIDR_INVALID",
    "SUBNET_OUTSIDE_VCN",
    "SUBNET_OVERLAP",
    "PODS_CIDR_OVERLAP",
    "SERVICES_CIDR_OVERLAP",
    "PODS_CIDR_TOO_SMALL",
    "API_ENDPOINT_SUBNET_TOO_SMALL",
    "API_ENDPOINT_SUBNET_NOT_REGIONAL",
    "POD_SUBNET_MISSING",
    "POD_SUBNET_NOT_REGIONAL",
    "POD_SUBNET_PUBLIC",
    "POD_SUBNET_TOO_SMALL",
    "WORKER_SUBNET_TOO_SMALL",
    "WORKER_SUBNET_NOT_REGIONAL",
    "FLANNEL_VIRTUAL_NODE_POOL",
    "MAX_PODS_EXCEEDS_SHAPE",
    "MAX_PODS_OVER_LIMIT",
    "SHAPE_UNKNOWN",
    "SHAPE_SINGLE_VNIC",
    "K8S_VERSION_TOO_OLD_FOR_VCN_NATIVE",
    "NODE_IMAGE_TOO_OLD",
    "SERVICE_MESH_K8S_VERSION",
    "POD_SUBNET_NO_NAT_ROUTE",
    "POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE",
    "SECURITY_RULE_MISSING",
    "CNI_IMMUTABLE",
    "PODS_CIDR_IMMUTABLE",
    "SERVICES_CIDR_IMMUTABLE",
    "CNI_UPDATE_PENDING",
]


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_every_required_code_is_in_the_catalogue(code: str) -> None:
    assert CATALOGUE[Code(code)].code == code


@pytest.mark.parametrize("info", list(CATALOGUE.values()), ids=list(CATALOGUE))
def test_every_entry_says_what_it_means_why_and_what_to_do(info: RuleInfo) -> None:
    assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", info.code)
    for text in (info.title, info.meaning, info.why, info.remedy, info.generic_remedy()):
        assert text.strip()
    assert "https://docs.oracle.com/" in info.source


@pytest.mark.parametrize("info", list(CATALOGUE.values()), ids=list(CATALOGUE))
def test_no_entry_cites_internal_notes(info: RuleInfo) -> None:
    for text in (info.title, info.meaning, info.why, info.source, info.generic_remedy(), info.severity_note or ""):
        assert "facts §" not in text
        assert "design.md" not in text
        assert "facts/" not in text


def test_every_code_has_exactly_one_catalogue_entry() -> None:
    assert set(CATALOGUE) == set(Code)


def test_a_finding_carries_the_remedy_its_code_explains() -> None:
    from engine.catalogue import finding

    made = finding(Code.SUBNET_OVERLAP, "subnet:a", "a and b overlap")
    assert made.remedy == explain("SUBNET_OVERLAP").remedy
    assert made.severity is CATALOGUE[Code.SUBNET_OVERLAP].severity


def test_a_templated_remedy_is_filled_from_the_details_and_explained_in_generic_words() -> None:
    from engine.catalogue import finding

    made = finding(
        Code.MAX_PODS_EXCEEDS_SHAPE, "nodePool:np", "too many pods", details={"shapeMaxPods": 31},
        fields={"moreVnics": "set 4 OCPUs"},
    )
    assert made.remedy == "Set maxPodsPerNode to 31 or less, or set 4 OCPUs."
    assert "the shape's limit" in explain("MAX_PODS_EXCEEDS_SHAPE").remedy


def test_a_finding_about_a_plan_gets_the_plan_remedy_and_explain_the_generic_one() -> None:
    from engine.catalogue import finding

    made = finding(Code.POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE, "subnet:pods", "no route",
                   fields={"services": "All IAD Services In Oracle Services Network"}, source="plan")
    assert made.remedy == "Add {destination: all-services, target: service-gateway} to this subnet's routes."
    live = finding(Code.POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE, "subnet:pods", "no route",
                   fields={"services": "All IAD Services In Oracle Services Network"}, source="live")
    assert live.remedy.startswith("Add a route rule 'All IAD Services In Oracle Services Network' -> service gateway")
    assert "<region>" in explain("POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE").remedy


def test_a_rule_that_forgets_a_remedy_value_fails_loudly() -> None:
    from engine.catalogue import finding

    with pytest.raises(KeyError):
        finding(Code.MAX_PODS_EXCEEDS_SHAPE, "nodePool:np", "too many pods", details={"shapeMaxPods": 31})


def test_every_code_the_validator_emits_on_bad_networks_is_catalogued() -> None:
    emitted = {f.code for _, case in BAD_CASES for f in validate_cluster(*case())}
    assert {code for code, _ in BAD_CASES} <= emitted
    assert emitted - set(CATALOGUE) == set()


def test_explain_is_forgiving_about_case_and_spaces() -> None:
    assert explain("  pod_subnet_public ").code == "POD_SUBNET_PUBLIC"


def test_an_unknown_code_names_the_close_matches() -> None:
    with pytest.raises(NotFoundError) as caught:
        explain("POD_SUBNET_PUBLC")
    assert "POD_SUBNET_PUBLIC" in caught.value.message
    assert caught.value.remedy


def test_an_unknown_code_with_nothing_close_still_says_it_is_unknown() -> None:
    with pytest.raises(NotFoundError, match="No finding code 'ZZZ'"):
        explain("ZZZ")


def test_the_catalogue_is_read_only_and_its_entries_frozen() -> None:
    with pytest.raises(TypeError):
        CATALOGUE["NEW"] = CATALOGUE[Code.CNI_IMMUTABLE]  # type: ignore[index]
    with pytest.raises(ValueError, match="frozen"):
        CATALOGUE[Code.CNI_IMMUTABLE].severity = Severity.INFO  # type: ignore[misc]

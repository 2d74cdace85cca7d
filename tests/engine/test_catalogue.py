"""The finding catalogue: every code okebot emits is explained, with a source and a remedy."""

from __future__ import annotations

import re

import pytest

from engine.catalogue import CATALOGUE, explain
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
    assert CATALOGUE[code].code == code


@pytest.mark.parametrize("info", list(CATALOGUE.values()), ids=list(CATALOGUE))
def test_every_entry_says_what_it_means_why_and_what_to_do(info: object) -> None:
    from engine.catalogue import RuleInfo

    assert isinstance(info, RuleInfo)
    assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", info.code)
    for text in (info.title, info.meaning, info.why, info.remedy):
        assert text.strip()
    assert "facts §" in info.source or "oci-python-sdk" in info.source


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
        CATALOGUE["NEW"] = CATALOGUE["CNI_IMMUTABLE"]  # type: ignore[index]
    with pytest.raises(ValueError, match="frozen"):
        CATALOGUE["CNI_IMMUTABLE"].severity = Severity.INFO  # type: ignore[misc]

"""Acceptance: every plan-checkable finding code in the README fires from a small plan file, with a message
and a remedy, and a correct plan passes. Each case is the valid example plan with one thing broken."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli.main import main

REPO = Path(__file__).resolve().parents[3]
VALID_PLAN = REPO / "examples" / "plans" / "vcn-native.yaml"

Plan = dict[str, Any]


def _base() -> Plan:
    plan: Plan = yaml.safe_load(VALID_PLAN.read_text(encoding="utf-8"))
    return plan


def _subnet(plan: Plan, name: str) -> dict[str, Any]:
    return next(s for s in plan["subnets"] if s["name"] == name)


def _general(plan: Plan) -> dict[str, Any]:
    return next(p for p in plan["nodePools"] if p["name"] == "general")


def _flannel(plan: Plan, *, pods_cidr: str = "10.244.0.0/16") -> None:
    """A flannel cluster: no virtual pool, no pod subnets."""
    plan["cluster"].update(cni="flannel", podsCidr=pods_cidr)
    plan["nodePools"] = [p for p in plan["nodePools"] if p.get("type") != "virtual"]
    for pool in plan["nodePools"]:
        pool.pop("podSubnet", None)


def _single_vnic(plan: Plan) -> None:
    pool = _general(plan)
    pool.update(shape="VM.Standard.E2.1.Micro")
    pool.pop("ocpus")
    pool.pop("maxPodsPerNode")


def _profiles_past_the_shape(plan: Plan) -> None:
    pool = _general(plan)
    pool.update(ocpus=1, vnicProfiles=[{"ipCount": 32}, {"ipCount": 32}])
    pool.pop("maxPodsPerNode")


Change = Callable[[Plan], None]
OLD_IMAGE = {"name": "Oracle-Linux-8.5-2022.01.10-0-OKE-1.22.5", "released": "2022-01-10"}

CASES: list[tuple[str, Change]] = [
    ("CIDR_INVALID", lambda p: p["cluster"].update(servicesCidr="10.96.0.0/33")),
    ("VCN_CIDR_SIZE", lambda p: p["vcn"].update(cidrs=["10.0.0.0/8"])),
    ("VCN_CIDR_OVERLAP", lambda p: p["vcn"].update(cidrs=["10.0.0.0/16", "10.0.128.0/17"])),
    ("SUBNET_CIDR_SIZE", lambda p: _subnet(p, "workers").update(cidr="10.0.16.0/31")),
    ("SUBNET_CIDR_OVERLAP", lambda p: _subnet(p, "workers").update(cidr=None, cidrs=["10.0.16.0/20", "10.0.16.0/20"])),
    ("SUBNET_OUTSIDE_VCN", lambda p: _subnet(p, "pods").update(cidr="10.1.0.0/19")),
    ("SUBNET_OVERLAP", lambda p: _subnet(p, "pods").update(cidr="10.0.24.0/21")),
    ("PODS_CIDR_OVERLAP", lambda p: _flannel(p, pods_cidr="10.0.0.0/16")),
    ("SERVICES_CIDR_OVERLAP", lambda p: p["cluster"].update(servicesCidr="10.0.0.0/20")),
    ("PODS_CIDR_TOO_SMALL", lambda p: _flannel(p, pods_cidr="10.244.0.0/22")),
    ("API_ENDPOINT_SUBNET_TOO_SMALL", lambda p: _subnet(p, "k8s-api").update(cidr="10.0.0.0/31")),
    ("API_ENDPOINT_SUBNET_NOT_REGIONAL", lambda p: _subnet(p, "k8s-api").update(regional=False)),
    ("POD_SUBNET_MISSING", lambda p: _general(p).pop("podSubnet")),
    ("POD_SUBNET_NOT_REGIONAL", lambda p: _subnet(p, "pods").update(regional=False)),
    ("POD_SUBNET_PUBLIC", lambda p: _subnet(p, "pods").update(public=True)),
    ("POD_SUBNET_TOO_SMALL", lambda p: _subnet(p, "pods").update(cidr="10.0.32.0/24")),
    ("WORKER_SUBNET_TOO_SMALL", lambda p: _subnet(p, "workers").update(cidr="10.0.16.0/28")),
    ("WORKER_SUBNET_NOT_REGIONAL", lambda p: _subnet(p, "workers").update(regional=False)),
    ("FLANNEL_VIRTUAL_NODE_POOL", lambda p: p["cluster"].update(cni="flannel")),
    ("MAX_PODS_EXCEEDS_SHAPE", lambda p: _general(p).update(ocpus=2)),
    ("MAX_PODS_OVER_LIMIT", lambda p: _general(p).update(maxPodsPerNode=111)),
    ("SHAPE_UNKNOWN", lambda p: _general(p).update(shape="VM.Nonexistent.X")),
    ("SHAPE_SINGLE_VNIC", _single_vnic),
    ("K8S_VERSION_TOO_OLD_FOR_VCN_NATIVE", lambda p: p["cluster"].update(kubernetesVersion="v1.21.5")),
    ("NODE_IMAGE_TOO_OLD", lambda p: _general(p).update(image=OLD_IMAGE)),
    ("SERVICE_MESH_K8S_VERSION", lambda p: p["cluster"].update(serviceMesh=True, kubernetesVersion="v1.25.4")),
    (
        "POD_SUBNET_NO_NAT_ROUTE",
        lambda p: _subnet(p, "pods").update(routes=[{"destination": "all-services", "target": "service-gateway"}]),
    ),
    (
        "POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE",
        lambda p: _subnet(p, "pods").update(routes=[{"destination": "0.0.0.0/0", "target": "nat-gateway"}]),
    ),
    ("SECURITY_RULE_MISSING", lambda p: _subnet(p, "workers")["securityRules"].pop(0)),
    ("API_ENDPOINT_NO_CLIENT_ACCESS", lambda p: _subnet(p, "k8s-api").update(public=True)),
    ("VNIC_PROFILES_EXCEED_SHAPE", _profiles_past_the_shape),
    ("VIRTUAL_NODES_NEED_ENHANCED_CLUSTER", lambda p: p["cluster"].update(type="basic")),
]

WARNINGS = {"WORKER_SUBNET_NOT_REGIONAL", "SHAPE_UNKNOWN", "API_ENDPOINT_NO_CLIENT_ACCESS"}


def _validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], plan: Plan, *extra: str) -> tuple[int, Any]:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    code = main(["validate", str(path), "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_the_valid_example_plan_passes_with_no_finding(tmp_path, capsys):
    code, report = _validate(tmp_path, capsys, _base())
    assert (code, report["valid"], report["findings"]) == (0, True, [])


@pytest.mark.parametrize(("code", "change"), CASES, ids=[code for code, _ in CASES])
def test_each_plan_checkable_code_fires_with_a_message_and_a_remedy(tmp_path, capsys, code, change):
    plan = copy.deepcopy(_base())
    change(plan)
    exit_code, report = _validate(tmp_path, capsys, plan)
    hits = [f for f in report["findings"] if f["code"] == code]
    assert hits, f"{code} did not fire; got {[f['code'] for f in report['findings']]}"
    for hit in hits:
        assert hit["message"].strip()
        assert hit["remedy"].strip()
        assert hit["subject"].split(":", 1)[0] in ("cluster", "nodePool", "subnet", "vcn")
    expected = 0 if code in WARNINGS and all(f["severity"] != "error" for f in report["findings"]) else 1
    assert exit_code == expected
    assert report["valid"] is (expected == 0)


def _exported(capsys: pytest.CaptureFixture[str], cluster: str) -> Plan:
    assert main(["plan", "export", cluster, "--source", "demo"]) == 0
    plan: Plan = yaml.safe_load(capsys.readouterr().out)
    return plan


AGAINST: list[tuple[str, Change]] = [
    ("CNI_IMMUTABLE", lambda p: p["cluster"].update(cni="flannel")),
    ("PODS_CIDR_IMMUTABLE", lambda p: p["cluster"].update(podsCidr="10.128.0.0/14")),
    ("SERVICES_CIDR_IMMUTABLE", lambda p: p["cluster"].update(servicesCidr="10.97.0.0/16")),
]


def test_an_exported_cluster_validated_against_itself_has_no_immutability_finding(tmp_path, capsys):
    plan = _exported(capsys, "payments-native")
    _, report = _validate(tmp_path, capsys, plan, "--against", "payments-native")
    assert not [f for f in report["findings"] if f["code"].endswith("_IMMUTABLE")]


@pytest.mark.parametrize(("code", "change"), AGAINST, ids=[code for code, _ in AGAINST])
def test_against_a_live_cluster_a_change_oke_cannot_make_is_an_error(tmp_path, capsys, code, change):
    plan = _exported(capsys, "payments-native")
    change(plan)
    exit_code, report = _validate(tmp_path, capsys, plan, "--against", "payments-native")
    (hit,) = [f for f in report["findings"] if f["code"] == code]
    assert (exit_code, hit["severity"], hit["subject"]) == (1, "error", "cluster:payments-native")
    assert hit["details"]["live"] != hit["details"]["planned"]
    assert hit["remedy"].strip()

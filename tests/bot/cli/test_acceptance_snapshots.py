"""Acceptance: the CLI on modified copies of the demo snapshot, as a new user would try it, and the figures
the facts give (512 node slots for a /16, 31/31/62/93/110 pods for E4.Flex with 1-5 OCPUs, 253 IPs in a /24)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "adapters" / "demo" / "demo-tenancy.json"

Doc = dict[str, Any]


@cache
def _demo_text() -> str:
    return DEMO.read_text(encoding="utf-8")


def _demo() -> Doc:
    doc: Doc = json.loads(_demo_text())
    return copy.deepcopy(doc)


def _run(capsys: pytest.CaptureFixture[str], tmp_path: Path, doc: Doc, *argv: str) -> tuple[int, Any]:
    path = tmp_path / "tenancy.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code = main([*argv, "--source", f"snapshot:{path}", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _subnet_ids(doc: Doc) -> dict[str, str]:
    return {s["displayName"]: s["id"] for s in doc["subnets"]}


def _pool(doc: Doc, name: str) -> dict[str, Any]:
    return next(p for p in doc["nodePools"] if p["name"] == name)


def test_without_private_ips_every_subnets_usage_is_null_not_zero(capsys, tmp_path):
    doc = _demo()
    del doc["privateIps"]  # privateIpSubnetIds stays: it names subnets, but no IP was read
    _, data = _run(capsys, tmp_path, doc, "capacity")
    used = {s["name"]: s["usedIps"] for c in data["clusters"] for s in c["subnets"]}
    assert used
    assert set(used.values()) == {None}


def test_without_subnets_no_rule_calls_the_unread_subnets_missing(capsys, tmp_path):
    doc = _demo()
    del doc["subnets"]
    code, data = _run(capsys, tmp_path, doc, "diagnose", "payments-native")
    codes = {f["code"] for f in data["findings"]}
    assert not codes & {"CLUSTER_SUBNET_MISSING", "NODE_POOL_SUBNET_MISSING", "POD_SUBNET_MISSING"}
    assert "subnets" in {u["kind"] for u in data["unreadable"]}
    assert code == 0  # payments-native has warnings only


def test_a_subnet_truly_absent_from_a_read_subnets_list_is_still_missing(capsys, tmp_path):
    doc = _demo()
    pods = _subnet_ids(doc)["payments-native-pods"]
    doc["subnets"] = [s for s in doc["subnets"] if s["id"] != pods]
    code, data = _run(capsys, tmp_path, doc, "diagnose", "payments-native")
    assert "POD_SUBNET_MISSING" in {f["code"] for f in data["findings"]}
    assert code == 1


def test_without_node_pools_the_answer_says_it_is_partial_and_node_counts_are_unknown(capsys, tmp_path):
    doc = _demo()
    del doc["nodePools"]
    _, data = _run(capsys, tmp_path, doc, "capacity")
    assert "nodePools" in {u["kind"] for u in data["unreadable"]}
    by_name = {c["name"]: c for c in data["clusters"]}
    assert by_name["payments-native"]["nodes"] is None
    assert by_name["retail-flannel"]["podsCidr"]["nodeSlotsUsed"] is None


def _share_platform_subnets_with_analytics(doc: Doc) -> None:
    """The analytics cluster's pool moves onto platform-healthy's worker and pod subnets."""
    ids = _subnet_ids(doc)
    pool = _pool(doc, "analytics-spark")
    config = pool["nodeConfigDetails"]
    config["nodePoolPodNetworkOptionDetails"]["podSubnetIds"] = [ids["platform-healthy-pods"]]
    for placement in config["placementConfigs"]:
        placement["subnetId"] = ids["platform-healthy-workers"]
    pool["subnetIds"] = [ids["platform-healthy-workers"]]


def _pods_subnet(data: Any, cluster: str) -> dict[str, Any]:
    (report,) = [c for c in data["clusters"] if c["name"] == cluster]
    subnet: dict[str, Any] = next(s for s in report["subnets"] if s["name"] == "platform-healthy-pods")
    return subnet


@pytest.mark.parametrize("cluster", ["platform-healthy", "analytics"])
def test_a_pod_subnet_shared_by_two_clusters_adds_up_with_or_without_cluster(capsys, tmp_path, cluster):
    doc = _demo()
    _share_platform_subnets_with_analytics(doc)
    _, everything = _run(capsys, tmp_path, doc, "capacity")
    _, one = _run(capsys, tmp_path, doc, "capacity", "--cluster", cluster)
    whole, narrowed = _pods_subnet(everything, cluster), _pods_subnet(one, cluster)
    # platform-healthy reserves 3 x 64 + 2 x 128 = 448; analytics-spark 5 nodes x 96 = 480.
    assert whole["reservedIps"] == narrowed["reservedIps"] == 448 + 480
    assert narrowed["sharedWith"] == whole["sharedWith"] == [({"platform-healthy", "analytics"} - {cluster}).pop()]
    assert narrowed["headroom"] == whole["headroom"]


def test_capacity_pool_without_cluster_shows_the_clusters_that_have_that_pool(capsys):
    code = main(["capacity", "--pool", "payments-core", "--source", "demo", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert [(c["name"], [p["name"] for p in c["nodePools"]]) for c in data["clusters"]] == [
        ("payments-native", ["payments-core"])
    ]


def test_capacity_pool_that_no_cluster_has_is_bad_input(capsys):
    assert main(["capacity", "--pool", "nope", "--source", "demo"]) == 2
    assert "no cluster has a node pool 'nope'" in capsys.readouterr().err


def test_a_slash_16_flannel_pods_cidr_has_512_node_slots_and_a_slash_24_subnet_253_ips(capsys, tmp_path):
    doc = _demo()
    cluster = next(c for c in doc["clusters"] if c["name"] == "retail-flannel")
    cluster["options"]["kubernetesNetworkConfig"]["podsCidr"] = "10.244.0.0/16"
    _, data = _run(capsys, tmp_path, doc, "capacity", "--cluster", "retail-flannel")
    (report,) = data["clusters"]
    assert (report["podsCidr"]["nodeSlots"], report["podsCidr"]["nodeSlotsUsed"]) == (512, 14)
    lb = next(s for s in report["subnets"] if s["cidrs"] == ["10.10.1.0/24"])
    assert lb["usableIps"] == 253
    assert lb["usedIps"] is None  # the demo did not read this subnet's IPs: unknown, not 0


@pytest.mark.parametrize(("ocpus", "pods"), [(1, 31), (2, 31), (3, 62), (4, 93), (5, 110)])
def test_e4_flex_pods_per_node_follow_its_ocpus(capsys, ocpus, pods):
    argv = ["whatif", "payments-native", "--pool", "payments-core", "--ocpus", str(ocpus), "--max-pods", "110"]
    main([*argv, "--source", "demo", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    (pool,) = [p for p in data["after"]["nodePools"] if p["name"] == "payments-core"]
    assert pool["maxPodsPerNode"] == pods
    exceeds = [f for f in data["newFindings"] if f["code"] == "MAX_PODS_EXCEEDS_SHAPE"]
    assert bool(exceeds) is (pods < 110)


def test_a_one_vnic_shape_on_a_vcn_native_pool_is_shape_single_vnic(capsys):
    argv = ["whatif", "payments-native", "--pool", "payments-core", "--shape", "VM.Standard.E2.1.Micro"]
    code = main([*argv, "--source", "demo", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    (pool,) = [p for p in data["after"]["nodePools"] if p["name"] == "payments-core"]
    assert (code, data["valid"], pool["vnicsPerNode"], pool["maxPodsPerNode"]) == (1, False, 1, 0)
    assert "SHAPE_SINGLE_VNIC" in {f["code"] for f in data["newFindings"]}

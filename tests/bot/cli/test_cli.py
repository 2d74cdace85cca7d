"""The okebot CLI, end to end on the bundled demo tenancy and on files a user might hand it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main

DEMO_CLUSTERS = {"retail-flannel", "payments-native", "platform-healthy", "analytics"}


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_capacity_json_lists_every_demo_cluster_with_the_contract_fields(capsys):
    code, data = run_json(capsys, "capacity", "--source", "demo")
    assert code in (0, 1)
    assert {c["name"] for c in data["clusters"]} == DEMO_CLUSTERS
    for cluster in data["clusters"]:
        contract = {"id", "name", "cni", "kubernetesVersion", "nodes", "podsCidr", "nodePools", "subnets", "findings"}
        assert contract <= set(cluster)
        assert cluster["cni"] in ("flannel", "vcn-native")
        for pool in cluster["nodePools"]:
            assert {"id", "name", "type", "shape", "nodes", "vnicsPerNode", "maxPodsPerNode"} <= set(pool)
        for subnet in cluster["subnets"]:
            assert {"id", "name", "role", "cidrs", "usableIps", "usedIps", "reservedIps", "utilization"} <= set(subnet)


def test_flannel_demo_cluster_reports_pods_cidr_slots(capsys):
    _, data = run_json(capsys, "capacity", "--cluster", "retail-flannel", "--source", "demo")
    (cluster,) = data["clusters"]
    pods = cluster["podsCidr"]
    assert pods["nodeSlots"] == 2 ** (25 - int(pods["cidr"].split("/")[1]))
    assert pods["nodeSlotsUsed"] / pods["nodeSlots"] >= 0.8


def test_vcn_native_demo_cluster_has_no_pods_cidr_block(capsys):
    _, data = run_json(capsys, "capacity", "--cluster", "payments-native", "--source", "demo")
    assert data["clusters"][0]["podsCidr"] is None


def test_unknown_cluster_is_bad_input_and_names_the_known_clusters(capsys):
    code = main(["capacity", "--cluster", "nope", "--source", "demo"])
    err = capsys.readouterr().err
    assert code == 2
    assert "nope" in err
    assert "payments-native" in err


def test_cni_reports_pending_nodes_on_the_demo_payments_cluster(capsys):
    _, data = run_json(capsys, "cni", "--cluster", "payments-native", "--source", "demo")
    (cluster,) = data["clusters"]
    assert cluster["pendingUpdate"] is True
    assert cluster["pendingNodes"]
    assert cluster["addon"]["managedByOracle"] is False
    assert {"node", "pod", "reason"} <= set(cluster["pendingNodes"][0])


def test_diagnose_lists_findings_worst_first(capsys):
    _, data = run_json(capsys, "diagnose", "analytics", "--source", "demo")
    ranks = {"error": 0, "warning": 1, "info": 2}
    severities = [ranks[f["severity"]] for f in data["findings"]]
    assert severities == sorted(severities)
    assert any(f["code"] == "SECURITY_RULE_MISSING" for f in data["findings"])


def test_whatif_growing_a_pool_reports_capacity_before_and_after(capsys):
    _, data = run_json(capsys, "capacity", "--cluster", "platform-healthy", "--source", "demo")
    pool = data["clusters"][0]["nodePools"][0]["name"]
    code, report = run_json(capsys, "whatif", "platform-healthy", "--pool", pool, "--size", "40", "--source", "demo")
    assert code in (0, 1)
    assert report["changes"]
    assert report["before"]["name"] == report["after"]["name"] == "platform-healthy"


def test_whatif_without_a_change_is_bad_input(capsys):
    code = main(["whatif", "platform-healthy", "--source", "demo"])
    assert code == 2
    assert "change" in capsys.readouterr().err


def test_plan_export_then_validate_round_trips_a_healthy_cluster(tmp_path: Path, capsys):
    plan = tmp_path / "healthy.yaml"
    assert main(["plan", "export", "platform-healthy", "--source", "demo", "-o", str(plan)]) == 0
    capsys.readouterr()
    code, report = run_json(capsys, "validate", str(plan), "--source", "demo")
    assert report["plan"] == str(plan)
    assert set(report["counts"]) == {"error", "warning", "info"}
    assert code == (1 if report["counts"]["error"] else 0)


def test_plan_export_refuses_to_overwrite_a_file(tmp_path: Path, capsys):
    existing = tmp_path / "keep.yaml"
    existing.write_text("precious", encoding="utf-8")
    code = main(["plan", "export", "platform-healthy", "--source", "demo", "-o", str(existing)])
    assert code == 2
    assert existing.read_text(encoding="utf-8") == "precious"


def test_validate_against_flags_a_cni_change(tmp_path: Path, capsys):
    plan = tmp_path / "p.yaml"
    assert main(["plan", "export", "retail-flannel", "--source", "demo", "-o", str(plan)]) == 0
    capsys.readouterr()
    plan.write_text(plan.read_text(encoding="utf-8").replace("cni: flannel", "cni: vcn-native"), encoding="utf-8")
    code, report = run_json(capsys, "validate", str(plan), "--against", "retail-flannel", "--source", "demo")
    assert code == 1
    assert "CNI_IMMUTABLE" in {f["code"] for f in report["findings"]}


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("", "empty"),
        ("{\"apiVersion\": ", "truncated JSON"),
        ("- just\n- a list\n", "not a mapping"),
        ("\x00\x01\x02garbage", "binary"),
    ],
)
def test_broken_plan_files_exit_2_with_a_message_and_no_traceback(tmp_path: Path, capsys, content, why):
    plan = tmp_path / "broken.yaml"
    plan.write_text(content, encoding="utf-8")
    code = main(["validate", str(plan), "--source", "demo"])
    err = capsys.readouterr().err
    assert code == 2, why
    assert "broken.yaml" in err
    assert "Traceback" not in err


def test_missing_plan_file_exits_2(capsys):
    assert main(["validate", "/nonexistent/plan.yaml"]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize(("stdin", "code", "said"), [
    ((Path(__file__).parents[3] / "examples" / "plans" / "vcn-native.yaml").read_bytes(), 0, ""),
    (b"\xff\xfeapiVersion: x", 2, "<stdin>: not UTF-8 text (byte 0xff at offset 0)"),
])
def test_a_plan_on_standard_input_is_read_as_bytes(stdin: bytes, code: int, said: str):
    # A real process, so the CLI reads its own sys.stdin rather than one a test swapped in.
    done = subprocess.run([sys.executable, "-m", "bot.cli.main", "validate", "-"], input=stdin,
                          capture_output=True, timeout=60, check=False)
    assert done.returncode == code
    assert said in done.stderr.decode()


@pytest.mark.parametrize(
    "content", ["", "{", "[]", '{"format": "other"}', '{"format": "okebot.snapshot/v1", "subnets": 5}']
)
def test_broken_snapshots_exit_2_naming_the_file(tmp_path: Path, capsys, content):
    snap = tmp_path / "snap.json"
    snap.write_text(content, encoding="utf-8")
    code = main(["capacity", "--source", f"snapshot:{snap}"])
    err = capsys.readouterr().err
    assert code == 2
    assert "snap.json" in err


def test_a_snapshot_that_cannot_be_read_is_named_with_its_whole_path(tmp_path: Path, capsys):
    missing = tmp_path / "nowhere" / "snap.json"
    assert main(["capacity", "--source", f"snapshot:{missing}"]) == 2
    assert str(missing) in capsys.readouterr().err


def test_unknown_source_is_bad_input(capsys):
    assert main(["capacity", "--source", "ftp://x"]) == 2
    assert "--source" in capsys.readouterr().err


def test_bad_argument_types_exit_2(capsys):
    assert main(["whatif", "platform-healthy", "--pool", "x", "--size", "lots"]) == 2
    assert "--size: expected a whole number, got 'lots'" in capsys.readouterr().err


def test_plan_schema_is_json_schema(capsys):
    assert main(["plan", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "$schema" in schema
    assert "properties" in schema


def test_rules_lists_every_code_and_explain_describes_one(capsys):
    _code, data = run_json(capsys, "rules")
    codes = {r["code"] for r in data["rules"]}
    assert {"SUBNET_OVERLAP", "SHAPE_SINGLE_VNIC", "CNI_IMMUTABLE"} <= codes
    assert main(["explain", "POD_SUBNET_TOO_SMALL"]) == 0
    assert "POD_SUBNET_TOO_SMALL" in capsys.readouterr().out


def test_explain_unknown_code_suggests_a_close_one(capsys):
    assert main(["explain", "POD_SUBNET_TO_SMALL"]) == 2
    assert "POD_SUBNET_TOO_SMALL" in capsys.readouterr().err


def test_text_output_is_a_table_without_colour_when_not_a_terminal(capsys):
    main(["capacity", "--cluster", "payments-native", "--source", "demo"])
    out = capsys.readouterr().out
    assert "payments-native" in out
    assert "\x1b[" not in out
    assert out.count("Assumptions:") == 1


def test_whatif_to_a_shape_nobody_knows_has_an_unknown_verdict_not_a_fit_and_exits_5(capsys):
    code, report = run_json(
        capsys, "whatif", "platform-healthy", "--pool", "platform-general", "--shape", "VM.Foo.Bar", "--source", "demo"
    )
    assert report["verdict"] == "unknown"
    assert "SHAPE_UNKNOWN" in {f["code"] for f in report["newFindings"]}
    assert code == 5


def test_a_plan_with_2000_subnets_and_500_pools_is_accepted_and_validated(tmp_path: Path, capsys):
    from bench.bench_plan_file import plan_document

    plan = tmp_path / "big.json"
    plan.write_text(json.dumps(plan_document()), encoding="utf-8")
    code, report = run_json(capsys, "validate", str(plan))
    assert code == 0, report["findings"]
    assert report["valid"] is True


def test_a_plan_that_leaves_out_the_pods_and_services_cidrs_keeps_the_live_ones(tmp_path: Path, capsys):
    plan = tmp_path / "p.yaml"
    assert main(["plan", "export", "retail-flannel", "--source", "demo", "-o", str(plan)]) == 0
    capsys.readouterr()
    kept = [line for line in plan.read_text(encoding="utf-8").splitlines() if "Cidr:" not in line]
    plan.write_text("\n".join(kept) + "\n", encoding="utf-8")
    _, report = run_json(capsys, "validate", str(plan), "--against", "retail-flannel", "--source", "demo")
    codes = {f["code"] for f in report["findings"]}
    assert not codes & {"PODS_CIDR_IMMUTABLE", "SERVICES_CIDR_IMMUTABLE"}


def test_a_snapshot_output_that_is_a_directory_is_refused_before_anything_is_read(tmp_path: Path, capsys):
    assert main(["snapshot", "-o", str(tmp_path)]) == 2
    assert f"{tmp_path} is a directory; name a file in it" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "said"), [
    (["-o", "/nonexistent/dir/snapshot.json"], "--output: /nonexistent/dir is not a directory that exists"),
    (["-o", "-", "--compartment", "notanocid"], "--compartment: 'notanocid' is not a compartment OCID"),
])
def test_snapshot_arguments_are_checked_before_oci_is_asked_anything(argv, said, capsys, monkeypatch):
    monkeypatch.setenv("OKEBOT_OCI_CONFIG_FILE", "/nonexistent/oci-config")  # OCI would be refused first
    assert main(["snapshot", *argv]) == 2
    assert said in capsys.readouterr().err

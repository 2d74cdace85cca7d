"""`okebot validate`: a finding about one field of the cluster, or about one VCN block, is placed on that field's
or block's own line of the plan file, not on the `cluster:` or `vcn:` line; one about a field the plan does not
write stays on its subject's line."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.cli.main import main
from bot.questions import located
from engine.catalogue import finding
from engine.codes import Code
from tests.bot.cli.plan_runs import validate_json, validate_text

# A flannel cluster whose /24 pods CIDR has 2 node slots for 3 nodes, and whose services CIDR is the VCN's third
# block.
PLAN = """\
apiVersion: okebot.plan/v1
cluster:
  name: demo
  kubernetesVersion: v1.31.1
  cni: flannel
  podsCidr: 10.244.0.0/24
  servicesCidr: 10.2.0.0/16
vcn:
  name: demo-vcn
  cidrs:
    - 10.0.0.0/16
    - 10.1.0.0/16
    - 10.2.0.0/16
subnets:
  - name: api
    roles: [api-endpoint]
    cidr: 10.0.0.0/29
  - name: w
    roles: [workers]
    cidr: 10.0.16.0/20
nodePools:
  - {name: pool1, shape: VM.Standard.E4.Flex, ocpus: 2, size: 3, workerSubnet: w}
"""



def _placed(report: dict[str, Any]) -> dict[str, tuple[int, str]]:
    return {f["code"]: (f["location"]["line"], f["location"]["path"]) for f in report["findings"]}


def test_a_too_small_pods_cidr_and_a_services_cidr_on_a_vcn_block_point_at_their_own_lines(tmp_path, capsys):
    code, report = validate_json(tmp_path, capsys, PLAN)
    assert code == 1
    placed = _placed(report)
    assert placed["PODS_CIDR_TOO_SMALL"] == (6, "cluster.podsCidr")
    assert placed["SERVICES_CIDR_OVERLAP"] == (13, "vcn.cidrs[2]")


def test_in_text_the_file_and_line_are_the_fields(tmp_path, capsys, monkeypatch):
    code, out = validate_text(tmp_path, capsys, monkeypatch, PLAN)
    assert code == 1
    assert "PODS_CIDR_TOO_SMALL  cluster:demo  plan.yaml:6" in out
    assert "SERVICES_CIDR_OVERLAP  vcn:demo-vcn  plan.yaml:13" in out


def test_a_pods_cidr_on_the_services_cidr_points_at_the_pods_cidr(tmp_path, capsys):
    plan = PLAN.replace("podsCidr: 10.244.0.0/24", "podsCidr: 10.96.0.0/12").replace(
        "servicesCidr: 10.2.0.0/16", "servicesCidr: 10.96.0.0/16")
    _, report = validate_json(tmp_path, capsys, plan)
    assert _placed(report)["PODS_CIDR_OVERLAP"] == (6, "cluster.podsCidr")


def test_a_pods_cidr_on_one_block_of_a_subnet_points_at_that_block(tmp_path, capsys):
    plan = (PLAN.replace("podsCidr: 10.244.0.0/24", "podsCidr: 10.9.0.0/16")
            .replace("    cidr: 10.0.16.0/20", "    cidrs:\n      - 10.0.16.0/20\n      - 10.9.1.0/24"))
    _, report = validate_json(tmp_path, capsys, plan)
    (hit,) = [f for f in report["findings"] if f["code"] == "PODS_CIDR_OVERLAP"]
    assert (hit["subject"], hit["location"]["line"], hit["location"]["path"]) == ("subnet:w", 22,
                                                                                   "subnets[1].cidrs[1]")


def _exported(capsys: pytest.CaptureFixture[str], cluster: str) -> dict[str, Any]:
    assert main(["plan", "export", cluster, "--source", "demo"]) == 0
    plan: dict[str, Any] = yaml.safe_load(capsys.readouterr().out)
    return plan


def _line_of(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith(start))


@pytest.mark.parametrize(
    ("code", "key", "value"),
    [
        ("CNI_IMMUTABLE", "cni", "flannel"),
        ("PODS_CIDR_IMMUTABLE", "podsCidr", "10.128.0.0/14"),
        ("SERVICES_CIDR_IMMUTABLE", "servicesCidr", "10.97.0.0/16"),
    ],
)
def test_against_a_live_cluster_a_changed_field_points_at_its_line(tmp_path, capsys, code, key, value):
    plan = _exported(capsys, "payments-native")
    plan["cluster"][key] = value
    text = yaml.safe_dump(plan, sort_keys=False)
    _, report = validate_json(tmp_path, capsys, text, "--against", "payments-native")
    (hit,) = [f for f in report["findings"] if f["code"] == code]
    assert (hit["location"]["line"], hit["location"]["path"]) == (_line_of(text, f"{key}:"), f"cluster.{key}")
    assert hit["location"]["line"] != _line_of(text, "cluster:")


def test_a_finding_about_a_field_the_plan_does_not_write_stays_on_its_subjects_line():
    made = finding(Code.PODS_CIDR_IMMUTABLE, "cluster:demo", "Cluster demo pods CIDR changes.",
                   details={"live": "10.244.0.0/16", "planned": "10.128.0.0/14", "field": "cluster.podsCidr"})
    (placed,) = located([made], file="plan.yaml", locations={"cluster:demo": (2, "cluster")})
    assert placed.location is not None
    assert (placed.location.line, placed.location.path) == (2, "cluster")


def test_an_invalid_cidr_points_at_its_own_field(tmp_path, capsys):
    _, report = validate_json(tmp_path, capsys, PLAN.replace("servicesCidr: 10.2.0.0/16", "servicesCidr: 10.96.0.0/33"))
    assert _placed(report)["CIDR_INVALID"] == (7, "cluster.servicesCidr")

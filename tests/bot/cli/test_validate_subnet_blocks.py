"""`okebot validate` on a plan whose subnets list overlapping blocks: SUBNET_CIDR_OVERLAP on each block's own line,
and capacity counted on each address once."""

from __future__ import annotations

from tests.bot.cli.plan_runs import errors_placed, validate_json, validate_text

# The plan a user found judged VALID: worker subnet w's /28 listed twice (13 usable IPs for 20 nodes), and a
# load-balancer subnet with a /25 inside its /24.
USERS_PLAN = """\
apiVersion: okebot.plan/v1
cluster:
  name: demo
  kubernetesVersion: v1.31.1
  cni: flannel
  podsCidr: 172.16.0.0/16
  servicesCidr: 172.17.0.0/16
vcn:
  name: demo-vcn
  cidrs: [10.0.0.0/16, 10.16.0.0/16]
subnets:
  - name: api
    roles: [api-endpoint]
    cidr: 10.0.0.0/29
  - name: w
    roles: [workers]
    cidrs: [10.0.1.0/28, 10.0.1.0/28]
  - name: lb
    roles: [load-balancers]
    cidrs:
      - 10.16.0.0/24
      - 10.16.0.0/25
nodePools:
  - {name: pool1, shape: VM.Standard.E4.Flex, ocpus: 2, size: 20, workerSubnet: w}
"""




def test_the_users_plan_is_invalid_with_each_overlap_on_its_blocks_line(tmp_path, capsys):
    code, report = validate_json(tmp_path, capsys, USERS_PLAN)
    assert (code, report["valid"]) == (1, False)
    assert errors_placed(report) == [
        ("SUBNET_CIDR_OVERLAP", 17, "subnets[1].cidrs[1]"),
        ("SUBNET_CIDR_OVERLAP", 22, "subnets[2].cidrs[1]"),
        ("WORKER_SUBNET_TOO_SMALL", 15, "subnets[1]"),
    ]
    (small,) = [f for f in report["findings"] if f["code"] == "WORKER_SUBNET_TOO_SMALL"]
    assert (small["details"]["usableIps"], small["details"]["neededIps"]) == (13, 20)


def test_the_users_plan_in_text_names_the_file_and_line_and_shows_the_working(tmp_path, capsys, monkeypatch):
    code, out = validate_text(tmp_path, capsys, monkeypatch, USERS_PLAN)
    assert code == 1
    assert "SUBNET_CIDR_OVERLAP  subnet:w  plan.yaml:17" in out
    assert "SUBNET_CIDR_OVERLAP  subnet:lb  plan.yaml:22" in out
    assert "10.0.1.0/28 (10.0.1.0-10.0.1.15) is listed twice" in out
    assert "10.16.0.0/25 (10.16.0.0-10.16.0.127) lies inside 10.16.0.0/24 (10.16.0.0-10.16.0.255)" in out
    assert "its 13 usable IPs" in out


def test_the_plan_corrected_as_the_remedies_say_has_only_its_capacity_error_left(tmp_path, capsys):
    plan = USERS_PLAN.replace("[10.0.1.0/28, 10.0.1.0/28]", "[10.0.1.0/28]").replace("      - 10.16.0.0/25\n", "")
    code, report = validate_json(tmp_path, capsys, plan)
    assert code == 1
    assert errors_placed(report) == [("WORKER_SUBNET_TOO_SMALL", 15, "subnets[1]")]
    fixed = plan.replace("[10.0.1.0/28]", "[10.0.1.0/27]")
    code, report = validate_json(tmp_path, capsys, fixed)
    assert (code, errors_placed(report)) == (0, [])

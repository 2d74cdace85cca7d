"""`okebot validate` on plans whose VCN or subnet blocks OCI would refuse: exit 1, the codes, each finding on
its block's own line of the file."""

from __future__ import annotations

from tests.bot.cli.plan_runs import errors_placed, validate_json, validate_text

# The plan a user found judged VALID: a /8 VCN, a second block inside it, a /12 subnet and a /32 subnet.
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
  cidrs: [10.0.0.0/8, 10.0.128.0/17]
subnets:
  - name: api
    roles: [api-endpoint]
    cidr: 10.0.0.0/29
  - name: workers
    roles: [workers]
    cidr: 10.16.0.0/12
  - name: lb
    roles: [load-balancers]
    cidr: 10.0.1.0/32
nodePools:
  - {name: pool1, shape: VM.Standard.E4.Flex, ocpus: 2, size: 3, workerSubnet: workers}
"""




def test_the_users_plan_is_invalid_with_the_three_codes_each_on_its_blocks_line(tmp_path, capsys):
    code, report = validate_json(tmp_path, capsys, USERS_PLAN)
    assert (code, report["valid"]) == (1, False)
    assert errors_placed(report) == [
        ("SUBNET_CIDR_SIZE", 17, "subnets[1].cidr"),
        ("SUBNET_CIDR_SIZE", 20, "subnets[2].cidr"),
        ("VCN_CIDR_OVERLAP", 10, "vcn.cidrs[1]"),
        ("VCN_CIDR_SIZE", 10, "vcn.cidrs[0]"),
    ]


def test_the_users_plan_in_text_names_the_file_and_line_and_shows_the_working(tmp_path, capsys, monkeypatch):
    code, out = validate_text(tmp_path, capsys, monkeypatch, USERS_PLAN)
    assert code == 1
    assert out.startswith("plan.yaml: INVALID  (4 errors")
    assert "VCN_CIDR_OVERLAP  vcn:demo-vcn  plan.yaml:10" in out
    assert "SUBNET_CIDR_SIZE  subnet:lb  plan.yaml:20" in out
    assert "10.0.128.0/17 (10.0.128.0-10.0.255.255) lies inside 10.0.0.0/8" in out
    assert "is a /8 (16,777,216 addresses)" in out
    assert "max(0, 1 - 3) = 0 are usable" in out


def test_a_vcn_of_the_whole_internet_is_refused(tmp_path, capsys):
    plan = USERS_PLAN.replace("[10.0.0.0/8, 10.0.128.0/17]", "[0.0.0.0/0]")
    code, report = validate_json(tmp_path, capsys, plan)
    assert code == 1
    assert ("VCN_CIDR_SIZE", 10, "vcn.cidrs[0]") in errors_placed(report)


def test_a_vcn_block_listed_twice_is_placed_on_its_second_listing(tmp_path, capsys):
    listed_twice = "  cidrs:\n    - 10.0.0.0/16\n    - 10.0.0.0/16\n"
    plan = USERS_PLAN.replace("  cidrs: [10.0.0.0/8, 10.0.128.0/17]\n", listed_twice)
    plan = plan.replace("10.16.0.0/12", "10.0.16.0/20").replace("10.0.1.0/32", "10.0.1.0/24")
    code, report = validate_json(tmp_path, capsys, plan)
    assert code == 1
    assert errors_placed(report) == [("VCN_CIDR_OVERLAP", 12, "vcn.cidrs[1]")]


def test_the_plan_corrected_as_the_remedies_say_is_valid(tmp_path, capsys):
    plan = (USERS_PLAN.replace("[10.0.0.0/8, 10.0.128.0/17]", "[10.0.0.0/16]")
            .replace("10.16.0.0/12", "10.0.16.0/20").replace("10.0.1.0/32", "10.0.1.0/24"))
    code, report = validate_json(tmp_path, capsys, plan)
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == []
    assert code == 0

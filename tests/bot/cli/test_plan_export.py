"""`okebot plan export` writes a plan a person can edit: to stdout with -o -, never into a directory, JSON with
--format json, without noise, with rules that follow their subnets when a CIDR is edited."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from bot.cli.main import main


def test_dash_writes_to_standard_output_not_a_file_named_dash(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "export", "analytics", "-o", "-"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["cluster"]["name"] == "analytics"
    assert not (tmp_path / "-").exists()


def test_a_directory_is_refused_clearly_forced_or_not(tmp_path, capsys):
    for extra in ([], ["--force"]):
        assert main(["plan", "export", "analytics", "-o", str(tmp_path), *extra]) == 2
        assert f"{tmp_path} is a directory; name a file in it" in capsys.readouterr().err


def test_writing_a_file_says_so_and_json_is_json(tmp_path, capsys):
    target = tmp_path / "plan.json"
    assert main(["plan", "export", "analytics", "--format", "json", "-o", str(target)]) == 0
    assert capsys.readouterr().err == f"okebot: wrote {target}\n"
    assert json.loads(target.read_text())["apiVersion"] == "okebot.plan/v1"


def test_the_export_has_no_noise(capsys):
    assert main(["plan", "export", "payments-native"]) == 0
    text = capsys.readouterr().out
    assert "ocpus: 2\n" in text
    for noise in ("ocpus: 2.0", "vnicProfiles: []", "stateless: false", "regional: true", "shapes:",
                  "ports: '"):
        assert noise not in text, noise


def test_widening_an_exported_pod_subnet_keeps_its_security_rules(tmp_path, capsys):
    plan = tmp_path / "pn.yaml"
    assert main(["plan", "export", "payments-native", "-o", str(plan)]) == 0
    text = plan.read_text()
    assert "peer: subnet:payments-native-pods" in text
    plan.write_text(text.replace("cidr: 10.20.64.0/23", "cidr: 10.20.64.0/19"))
    capsys.readouterr()
    main(["validate", str(plan), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert [f["code"] for f in report["findings"] if f["code"] == "SECURITY_RULE_MISSING"] == []
    assert report["valid"] is True


def test_the_plan_schema_goes_to_stdout_with_dash(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "schema", "-o", "-"]) == 0
    assert "$schema" in json.loads(capsys.readouterr().out)
    assert not Path(tmp_path / "-").exists()


def test_an_output_ending_in_json_is_written_as_json_and_yaml_is_never_written_into_one(tmp_path, capsys):
    assert main(["plan", "export", "analytics", "-o", str(tmp_path / "plan.json")]) == 0
    assert json.loads((tmp_path / "plan.json").read_text())["cluster"]["name"] == "analytics"
    assert main(["plan", "export", "analytics", "-o", str(tmp_path / "plan.JSON.yaml")]) == 0
    assert yaml.safe_load((tmp_path / "plan.JSON.yaml").read_text())["cluster"]["name"] == "analytics"
    capsys.readouterr()
    # validate reads a .json file as JSON: YAML written there could not be read back.
    assert main(["plan", "export", "analytics", "--format", "text", "-o", str(tmp_path / "yaml.json")]) == 2
    assert "--format text writes YAML" in capsys.readouterr().err
    assert not (tmp_path / "yaml.json").exists()

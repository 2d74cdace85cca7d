"""The README is documentation users rely on: keep it in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

from engine.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_lists_every_finding_code_in_the_catalogue():
    listed = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", README, flags=re.MULTILINE))
    assert listed == set(CATALOGUE)


def test_readme_commands_are_make_targets_that_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE)


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_plan_example_names_only_fields_the_schema_knows():
    from engine.plan import plan_json_schema

    schema_text = str(plan_json_schema())
    block = README.split("```yaml", 1)[1].split("```", 1)[0]
    block = re.sub(r"#.*$", "", block, flags=re.MULTILINE)
    block = re.sub(r'"[^"]*"', '""', block)
    keys = set(re.findall(r"^\s*-?\s*([a-zA-Z]+):", block, flags=re.MULTILINE))
    keys |= set(re.findall(r"[{,]\s*([a-zA-Z]+):", block))
    unknown = {k for k in keys if f"'{k}'" not in schema_text}
    assert not unknown


def test_readme_plan_example_parses_as_a_plan():
    from adapters.planfile import load_plan_text

    block = README.split("```yaml", 1)[1].split("```", 1)[0]
    plan = load_plan_text(block, source="README.md")
    assert plan.cluster.name == "payments-prod"


def test_readme_serving_section_names_every_serving_setting():
    from bot.slack.settings import SlackSettings

    serving = README.split("## Serving", 1)[1].split("\n## ", 1)[0]
    for name in ("okebot_answer_concurrency", "okebot_work_pool", "okebot_drain_seconds"):
        assert name in SlackSettings.model_fields
        assert f"`{name.upper()}`" in serving


def _keys(data: object, *, skip: frozenset[str] = frozenset({"details"})) -> set[str]:
    """Every key of a JSON document, except inside free-form maps (finding details)."""
    if isinstance(data, dict):
        return {k for k in data} | {key for k, v in data.items() if k not in skip for key in _keys(v)}
    if isinstance(data, list):
        return {key for item in data for key in _keys(item)}
    return set()


def test_the_readme_json_contract_names_every_key_the_demo_answers_carry(capsys):
    import json

    from bot.cli.main import main

    contract = README.split("### JSON output (a public contract)", 1)[1].split("### ", 1)[0]
    plan = str(ROOT / "examples" / "plans" / "vcn-native.yaml")
    keys: set[str] = set()
    for argv in (["clusters"], ["capacity"], ["cni"], ["diagnose", "payments-native"], ["validate", plan],
                 ["whatif", "payments-native", "--pool", "payments-core", "--size", "12"],
                 ["whatif", "payments-native", "--pool", "payments-core", "--shape", "VM.Bogus.Shape"]):
        main([*argv, "--format", "json"])
        keys |= _keys(json.loads(capsys.readouterr().out))
    missing = sorted(key for key in keys if f'"{key}"' not in contract)
    assert missing == []

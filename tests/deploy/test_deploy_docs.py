"""docs/deploy.md and the chart's README stay true: their links resolve and their example values install."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.deploy.chart import CHART, ROOT, render

DOCS = [ROOT / "docs" / "deploy.md", CHART / "README.md", ROOT / "README.md"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_a_file_that_exists(doc: Path):
    text = doc.read_text(encoding="utf-8")
    links = [target.split("#", 1)[0] for target in re.findall(r"\]\(([^)\s]+)\)", text)]
    missing = [link for link in links if link and not re.match(r"[a-z]+:", link) and not (doc.parent / link).exists()]
    assert not missing


def test_the_deploy_guides_example_values_render_for_one_replica_and_for_three_on_postgresql():
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8"), flags=re.S)
    one_replica, three_replicas = (yaml.safe_load(block) for block in blocks[:2])
    assert render(one_replica).deployment()["spec"]["replicas"] == 1
    rendered = render({**one_replica, **three_replicas})
    assert rendered.deployment()["spec"]["replicas"] == 3
    assert "PodDisruptionBudget" in rendered.kinds()


def test_the_readme_links_the_deploy_guide():
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def _policy_statements() -> list[tuple[str, str | None]]:
    """deploy/iam-policy.txt's statements as ("read cluster-family in compartment <compartment>", its condition)."""
    text = (ROOT / "deploy" / "iam-policy.txt").read_text(encoding="utf-8")
    found = re.findall(r"^Allow group <group> to (.+?)(?: where (.+))?$", text, flags=re.MULTILINE)
    return [(what, condition or None) for what, condition in found]


def test_the_deploy_guide_and_the_charts_notes_give_every_statement_of_the_iam_policy_for_the_workload():
    statements = _policy_statements()
    assert "inspect vnic-attachments in compartment <compartment>" in [what for what, _ in statements]
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = guide.split("## 3. The IAM policy", 1)[1].split("\n## ", 1)[0]
    notes = render({"kube": {"enabled": True}}).notes
    for what, condition in statements:
        for text, name in ((section, "docs/deploy.md step 3"), (notes, "NOTES.txt")):
            lines = [line for line in text.splitlines() if f"Allow any-user to {what} where all {{" in line]
            assert len(lines) == 1, f"{name} does not give `{what}` once for the workload"
            assert "request.principal.type = 'workload'" in lines[0]
            if condition is not None:
                assert lines[0].rstrip().endswith(f", {condition}}}"), f"{name} drops `where {condition}`"
    assert len(re.findall(r"^Allow any-user", section, flags=re.MULTILINE)) == len(statements)


def test_the_deploy_guide_states_the_assumptions_the_iam_policy_marks_unconfirmed():
    policy = (ROOT / "deploy" / "iam-policy.txt").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8").split("## 3. The IAM policy", 1)[1]
    assert policy.count("[UNCONFIRMED") == 2
    assert "assumed to be enough for `list_vnic_attachments`" in guide
    assert "assumed to be what `create_kubeconfig`" in guide
    assert "`[UNCONFIRMED …]`" in guide


def test_the_deploy_guide_runs_the_config_check_that_exists():
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    step = guide.split("## 6. Check the configuration", 1)[1].split("\n## ", 1)[0]
    assert "being built" not in step
    assert "kubectl -n okebot exec deploy/okebot -- okebot config check" in step
    assert re.search(r"^okebot config check: (OK|FAILED|BAD CONFIGURATION) \(", step, flags=re.MULTILINE)
    for mark in ("✓", "✗", "fix: "):
        assert mark in step


def test_the_guide_and_the_charts_readme_say_the_chart_sees_no_cluster_from_unbound_channels_unlike_okebot():
    from engine.access import AccessPolicy

    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    assert values["config"]["access"]["unbound_channels"] == "none"
    assert AccessPolicy().unbound_channels == "all"
    assert "unbound_channels: none" in render().one("ConfigMap")["data"]["okebot.yaml"]
    for doc in (ROOT / "docs" / "deploy.md", CHART / "README.md"):
        text = " ".join(doc.read_text(encoding="utf-8").split())
        assert "sets `unbound_channels: none`" in text, doc
        assert "okebot's own default" in text, doc
        assert "`config.access.unbound_channels: all`" in text, doc

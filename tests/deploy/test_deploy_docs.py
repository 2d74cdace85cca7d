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

"""What the field-case rules add to answers shows in text and in Slack: validation assumptions, CNI pods in trouble."""

from __future__ import annotations

from bot.render.text import render_text
from bot.slack.render.blocks import render_blocks
from engine.cni import assess_cni
from engine.plan import parse_plan
from engine.reports import CniReport
from engine.usecases.validate import validate_plan
from tests.engine.builders import cluster
from tests.engine.test_capacity_working import _plan
from tests.engine.test_cni_pod_errors import CHECKPOINT, _observation


def test_validate_text_and_blocks_show_the_assumptions_once() -> None:
    report = validate_plan(parse_plan(_plan(), source="p"), plan_name="p")
    text = render_text(report, width=400)
    assert text.count("Assumed pod-subnet IPs per VCN-native node") == 1
    blocks = str(render_blocks(report))
    assert blocks.count("Assumed pod-subnet IPs per VCN-native node") == 1


def test_cni_text_and_blocks_list_each_troubled_pod_with_its_error_lines_and_counts() -> None:
    status = assess_cni(cluster("prod", observation=_observation(("cni-b", "10.0.10.3", CHECKPOINT, False, 2))))
    report = CniReport(clusters=[status])
    text = render_text(report, width=400)
    assert "CNI pods in trouble" in text
    assert "10.0.10.3" in text
    assert "2 × ERROR ipam: Failed to load checkpoint: unexpected end of JSON input" in text
    blocks = str(render_blocks(report))
    assert "not Ready, 2 restarts" in blocks
    assert "2 × `ERROR ipam: Failed to load checkpoint: unexpected end of JSON input`" in blocks

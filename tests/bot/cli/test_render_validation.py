"""Validation answers state the capacity assumptions their verdict rests on, once, in text and in Slack."""

from __future__ import annotations

from bot.render.text import render_text
from bot.slack.render.blocks import render_blocks
from engine.plan import parse_plan
from engine.usecases.validate import validate_plan
from tests.engine.test_capacity_working import _plan


def test_validate_text_and_blocks_show_the_assumptions_once() -> None:
    report = validate_plan(parse_plan(_plan(), source="p"), plan_name="p")
    text = render_text(report, width=400)
    assert text.count("Assumption: Assumed pod-subnet IPs per VCN-native node") == 1
    blocks = str(render_blocks(report))
    assert blocks.count("Assumed pod-subnet IPs per VCN-native node") == 1

"""`okebot run` answers through the bot's own routing and rendering, and never reaches Slack."""

from __future__ import annotations

import json

import pytest

from bot.cli.main import main
from tests.fakes.slack_api import FakeSlackApi


async def test_run_reaches_no_slack_even_with_a_bot_token_configured(
    fake: FakeSlackApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real-looking-token")
    monkeypatch.setenv("SLACK_API_URL", fake.base_url)
    from bot.cli import run_cmd
    from bot.cli.main import build_parser

    args = build_parser().parse_args(["run", "/oke capacity analytics", "--format", "blocks"])
    assert await run_cmd.run(args) == 0
    sent = json.loads(capsys.readouterr().out)
    assert any("Capacity: analytics" in json.dumps(item["body"]) for item in sent)
    assert fake.calls == []


def test_run_prints_the_text_slack_would_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "/oke diagnose payments-native"]) == 0
    out = capsys.readouterr().out
    assert "payments-native" in out
    assert "CNI_UPDATE_PENDING" in out

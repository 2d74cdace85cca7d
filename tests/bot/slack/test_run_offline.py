"""`okebot run` answers through the bot's own routing and rendering, and never reaches Slack."""

from __future__ import annotations

import json

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from bot.cli.main import main


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


def test_a_bad_slack_setting_is_bad_input_naming_the_variable(monkeypatch, capsys) -> None:
    monkeypatch.setenv("OKEBOT_RATE_LIMIT_RETRIES", "lots")
    assert main(["run", "/oke help"]) == 2
    assert "OKEBOT_RATE_LIMIT_RETRIES" in capsys.readouterr().err


def test_a_command_too_long_to_ride_in_its_buttons_gets_usage_not_an_error() -> None:
    from bot.slack.parse import MAX_COMMAND_CHARS, Usage, parse_command

    parsed = parse_command("whatif analytics add-pool=" + "a" * MAX_COMMAND_CHARS + " size=2")
    assert isinstance(parsed, Usage)
    assert "at most" in parsed.problem

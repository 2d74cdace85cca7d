"""The manifest and the registered listeners must agree: everything Slack will send has a listener."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import yaml

from tests.bot.slack.harness import OPEN_CHANNEL, VIEWER, Bot

MANIFEST = yaml.safe_load((Path(__file__).parents[3] / "deploy" / "slack-manifest.yml").read_text())


def command_body(bot: Bot, command: str) -> str:
    return urlencode({"team_id": "T0FAKE", "channel_id": OPEN_CHANNEL, "user_id": VIEWER, "command": command,
                      "text": "help", "response_url": bot.fake.response_url, "trigger_id": "t"})


async def test_every_manifest_command_has_a_listener(bot: Bot):
    for entry in MANIFEST["features"]["slash_commands"]:
        response = await bot.post(command_body(bot, entry["command"]), "application/x-www-form-urlencoded")
        assert response.status == 200, entry["command"]


async def test_a_command_missing_from_the_app_is_unhandled(bot: Bot):
    response = await bot.post(command_body(bot, "/not-okebot"), "application/x-www-form-urlencoded")
    assert response.status == 404


async def test_every_manifest_shortcut_has_a_listener(bot: Bot):
    for entry in MANIFEST["features"]["shortcuts"]:
        kind = "message_action" if entry["type"] == "message" else "shortcut"
        payload = {"type": kind, "callback_id": entry["callback_id"], "team": {"id": "T0FAKE"},
                   "user": {"id": VIEWER}, "channel": {"id": OPEN_CHANNEL}, "trigger_id": "t",
                   "response_url": bot.fake.response_url, "message": {"text": "x"}, "message_ts": "1.1"}
        response = await bot.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
        assert response.status == 200, entry["callback_id"]


async def test_every_subscribed_event_has_a_listener(bot: Bot):
    for index, name in enumerate(MANIFEST["settings"]["event_subscriptions"]["bot_events"]):
        response = await bot.event({"type": name, "user": VIEWER, "tab": "home"}, event_id=f"EvM{index}")
        assert response.status == 200, name


def test_manifest_enables_what_the_app_uses():
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert {"commands", "chat:write", "files:write"} <= set(MANIFEST["oauth_config"]["scopes"]["bot"])


def test_the_usage_hint_names_every_subcommand_the_bot_parses():
    from bot.slack.parse import USAGE

    hint = MANIFEST["features"]["slash_commands"][0]["usage_hint"]
    words = set(hint.replace(",", " ").replace("|", " ").split())
    assert set(USAGE) - words == set()

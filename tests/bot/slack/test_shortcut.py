"""The "Validate plan" message shortcut: a plan in a code block, or attached as a .yaml/.json file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.slack.ids import CallbackId
from tests.bot.slack.harness import OPEN_CHANNEL, VIEWER, Bot, texts

PLAN = (Path(__file__).parents[3] / "examples" / "plans" / "vcn-native.yaml").read_text()


def shortcut(bot: Bot, message: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message_action", "callback_id": CallbackId.VALIDATE_SHORTCUT, "team": {"id": "T0FAKE"},
            "user": {"id": VIEWER}, "channel": {"id": OPEN_CHANNEL}, "trigger_id": "t", "token": "legacy",
            "response_url": bot.fake.response_url, "message": {"type": "message", **message},
            "message_ts": "1.1", "api_app_id": "A0FAKE"}


def plan_file(bot: Bot, name: str, *, size: int = 100) -> dict[str, Any]:
    return {"id": "F1", "name": name, "size": size, "url_private": bot.fake.file_url(name),
            "url_private_download": bot.fake.file_url(name)}


async def test_a_plan_in_a_code_block_is_checked(bot: Bot):
    escaped = PLAN.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    await bot.interact(shortcut(bot, {"text": f"what about this?\n```yaml\n{escaped}```"}))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "Plan check" in texts(answer.body["blocks"])


async def test_a_plan_file_is_downloaded_with_the_bot_token_and_checked(bot: Bot):
    bot.fake.files["net.yaml"] = PLAN
    await bot.interact(shortcut(bot, {"text": "plan attached", "files": [plan_file(bot, "net.yaml")]}))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "Plan check" in texts(answer.body["blocks"])
    (download,) = bot.fake.calls_to("file")
    assert download.headers["Authorization"] == "Bearer xoxb-test"


async def test_an_unreadable_plan_file_is_a_friendly_answer(bot: Bot):
    await bot.interact(shortcut(bot, {"text": "", "files": [plan_file(bot, "gone.json")]}))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "cannot read the plan file gone.json" in answer.body["text"]
    assert "Error id" not in texts(answer.body["blocks"])


async def test_an_oversized_plan_file_is_refused_without_downloading_it(bot: Bot):
    await bot.interact(shortcut(bot, {"text": "", "files": [plan_file(bot, "huge.yaml", size=50_000_000)]}))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "larger than 1 MB" in answer.body["text"]
    assert bot.fake.calls_to("file") == []


async def test_a_message_with_only_other_files_says_how_to_use_the_shortcut(bot: Bot):
    await bot.interact(shortcut(bot, {"text": "a picture", "files": [plan_file(bot, "cat.png")]}))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "no code block or plan file" in answer.body["text"]
    assert bot.fake.calls_to("file") == []

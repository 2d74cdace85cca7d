"""The "Validate plan" message shortcut: a plan in a code block, or attached as a .yaml/.json file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.planfile import MAX_PLAN_BYTES
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
    assert "huge.yaml: the plan is larger than 5 MiB" in answer.body["text"]
    assert bot.fake.calls_to("file") == []


async def test_a_plan_file_larger_than_it_said_is_refused_at_the_same_cap(bot: Bot):
    bot.fake.files["liar.yaml"] = "#" * (MAX_PLAN_BYTES + 1)
    await bot.interact(shortcut(bot, {"text": "", "files": [plan_file(bot, "liar.yaml", size=10)]}))
    (answer,) = await bot.fake.wait_for("webhook", within=20)
    assert "liar.yaml: the plan is larger than 5 MiB" in answer.body["text"]


async def test_a_plan_file_that_is_not_utf8_is_refused_naming_the_byte_not_checked_garbled(bot: Bot):
    bot.fake.files["latin1.yaml"] = PLAN.replace("name: general", "name: g\xe9n\xe9ral", 1).encode("latin-1")
    await bot.interact(shortcut(bot, {"text": "", "files": [plan_file(bot, "latin1.yaml")]}))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "latin1.yaml: not UTF-8 text (byte 0xe9 at offset" in answer.body["text"]
    assert "Plan check" not in texts(answer.body["blocks"])


async def test_a_message_with_only_other_files_says_how_to_use_the_shortcut(bot: Bot):
    await bot.interact(shortcut(bot, {"text": "a picture", "files": [plan_file(bot, "cat.png")]}))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "no code block or plan file" in answer.body["text"]
    assert bot.fake.calls_to("file") == []


@pytest.mark.parametrize(
    "file_fields",
    [
        {"url_private": "http://127.0.0.2:9/evil.yaml", "url_private_download": "http://127.0.0.2:9/evil.yaml"},
        {"is_external": True},
    ],
)
async def test_the_bot_token_never_goes_to_a_file_host_that_is_not_slacks(bot: Bot, file_fields: dict[str, Any]):
    bot.fake.files["net.yaml"] = PLAN
    file = {**plan_file(bot, "net.yaml"), **file_fields}
    await bot.interact(shortcut(bot, {"text": "plan attached", "files": [file]}))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "not stored in Slack" in answer.body["text"]
    assert bot.fake.calls_to("file") == []


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://files.slack.com/files-pri/T1-F1/plan.yaml", True),
        ("https://files.slack-gov.com/files-pri/T1-F1/plan.yaml", True),
        ("http://files.slack.com/files-pri/T1-F1/plan.yaml", False),
        ("https://evil.example/plan.yaml", False),
        ("https://slack.com.evil.example/plan.yaml", False),
        ("http://127.0.0.1:8080/files/plan.yaml", True),
        ("http://127.0.0.1:9999/files/plan.yaml", True),
        ("http://localhost:8080/files/plan.yaml", False),
    ],
)
def test_only_slacks_file_hosts_are_trusted_with_the_token(url: str, trusted: bool):
    from bot.slack.handlers.shortcuts import trusted_file_host

    assert trusted_file_host(url, api_url="http://127.0.0.1:8080/api/") is trusted


async def test_a_large_plan_file_arriving_in_chunks_is_checked_to_its_last_line(bot: Bot):
    # ~300 KB of comments push the node pools to the end: a read that stops at the first chunks would see a
    # valid plan without them and silently check less.
    padding = "".join(f"# padding line {n:06d} {'x' * 40}\n" for n in range(5500))
    pools_at = PLAN.index("nodePools:")
    tail_pool = ("  - name: tail-pool\n    type: managed\n    shape: VM.Standard.E5.Flex\n    ocpus: 2\n"
                 "    size: 2\n    workerSubnet: no-such-subnet-at-the-end\n    podSubnet: pods\n\n")
    shapes_at = PLAN.index("shapes:")
    plan = PLAN[:pools_at] + padding + PLAN[pools_at:shapes_at] + tail_pool + PLAN[shapes_at:]
    assert len(plan.encode()) > 300_000
    bot.fake.files["big.yaml"] = plan
    await bot.interact(shortcut(bot, {"text": "plan attached", "files": [plan_file(bot, "big.yaml",
                                                                                    size=len(plan))]}))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "no-such-subnet-at-the-end" in texts(answer.body["blocks"]) + answer.body["text"]


@pytest.mark.parametrize(("message", "said"), [
    ({"text": "no plan here"}, "no code block"),
    ({"text": "", "files": [{"name": "x.yaml", "is_external": True, "url_private": "https://evil.example/x.yaml"}]},
     "not stored in Slack"),
])
async def test_a_shortcut_that_finds_no_plan_to_check_is_audited(bot: Bot, message: dict[str, Any], said: str):
    await bot.interact(shortcut(bot, message))
    await bot.fake.wait_for("webhook")
    entries = await bot.audited()
    (entry,) = entries
    assert (entry.user, entry.command, entry.outcome) == (VIEWER, "shortcut:validate", "bad-input")
    assert said in entry.arguments

"""Very large answers: cut to Slack's limits with a count of what was left out, and, once shared, the full
answer attached as a file through files.getUploadURLExternal → upload URL → files.completeUploadExternal."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.render.kit import MAX_BLOCKS, MAX_SECTION_TEXT
from tests.bot.slack.harness import OPEN_CHANNEL, Bot, start_bot, texts
from tests.bot.slack.readers import multiplied

COPIES = 15  # 60 clusters: far past 50 blocks


@pytest.fixture
async def big_bot(fake: FakeSlackApi) -> AsyncIterator[Bot]:
    harness, _ = await start_bot(fake, reader=multiplied(COPIES))
    yield harness
    await harness.client.close()
    await harness.store.close()


def share(command: str) -> str:
    return ButtonValue(command=command).model_dump_json()


async def test_a_private_answer_too_long_for_one_message_is_cut_and_sent_whole_in_a_direct_message(big_bot: Bot):
    await big_bot.command("capacity")
    (answer,) = await big_bot.fake.wait_for("webhook")
    blocks = answer.body["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= MAX_SECTION_TEXT for b in blocks if b["type"] == "section")
    assert "more blocks not shown" in texts(blocks)
    assert "in your direct messages with okebot" in texts(blocks)
    (opened,) = big_bot.fake.calls_to("conversations.open")
    (completed,) = big_bot.fake.calls_to("files.completeUploadExternal")
    # The file goes to the asker's DM, never to the channel where the answer was private.
    assert completed.body["channel_id"] == f"D{opened.body['users']}"


async def test_sharing_a_very_large_answer_uploads_the_full_text_as_a_file(big_bot: Bot):
    await big_bot.interact(big_bot.block_action(ActionId.SHARE, share("capacity")))
    (answer,) = await big_bot.fake.wait_for("webhook")
    assert answer.body["response_type"] == "in_channel"
    assert "attached as a file" in texts(answer.body["blocks"])
    assert len(answer.body["blocks"]) <= MAX_BLOCKS

    (url_call,) = big_bot.fake.calls_to("files.getUploadURLExternal")
    assert url_call.body["filename"] == "okebot-answer.txt"
    (upload,) = big_bot.fake.calls_to("upload")
    (stored,) = big_bot.fake.uploads.values()  # the one upload URL handed out is the one the bytes went to
    assert upload.body["file_id"] == stored.file_id
    for n in range(COPIES):  # the file holds every cluster, not just those that fitted
        assert f"analytics-{n}" in upload.body["content"]
    (complete,) = big_bot.fake.calls_to("files.completeUploadExternal")
    assert complete.body["channel_id"] == OPEN_CHANNEL
    files = json.loads(complete.body["files"])
    assert files[0]["id"] == upload.body["file_id"]


async def test_a_failed_upload_still_shares_the_shortened_answer_and_says_why(big_bot: Bot):
    big_bot.fake.fail("files.completeUploadExternal", "not_in_channel")
    await big_bot.interact(big_bot.block_action(ActionId.SHARE, share("capacity")))
    (answer,) = await big_bot.fake.wait_for("webhook")
    shown = texts(answer.body["blocks"])
    assert answer.body["response_type"] == "in_channel"
    assert "Capacity: retail-flannel-0" in shown
    assert "could not be attached" in shown
    assert "Error id" not in shown


@pytest.mark.parametrize(("private", "where"), [(False, "in this channel"),
                                                (True, "in your direct messages with okebot")])
async def test_refreshing_a_very_large_answer_attaches_it_where_the_message_is(big_bot: Bot, private: bool,
                                                                              where: str):
    value = ButtonValue(command="capacity", fresh=True).model_dump_json()
    await big_bot.interact(big_bot.block_action(ActionId.REFRESH, value, ephemeral=private))
    (answer,) = await big_bot.fake.wait_for("webhook")
    shown = texts(answer.body["blocks"])
    assert f"attached as a file {where}" in shown
    assert "Share in channel* to attach" not in shown
    (complete,) = big_bot.fake.calls_to("files.completeUploadExternal")
    assert (complete.body["channel_id"] == OPEN_CHANNEL) is not private

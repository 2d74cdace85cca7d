"""Every listener's work after its ack is held in flight, and its asker hears of it if okebot stops first.

The one answer slot is taken by a call the test holds, so each question waits in the queue: it is told how
many are ahead, then the drain gives up on it and tells its asker, each kind by its own way back.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from bot.slack.deps import Deps
from bot.slack.ids import ActionId, BlockId, ButtonValue, CallbackId, ModalMetadata
from bot.work import WorkService
from tests.bot.slack.harness import OPEN_CHANNEL, OPERATOR, VIEWER, Bot, start_bot, texts
from tests.bot.slack.test_interactivity import submission

RESTARTED = "okebot restarted"
PLAN = (Path(__file__).parents[3] / "examples" / "plans" / "vcn-native.yaml").read_text()


def hold(opened: threading.Event) -> None:
    opened.wait(timeout=30)


@pytest.fixture
async def busy() -> AsyncIterator[tuple[Bot, threading.Event]]:
    """A bot whose only answer slot is held until the test (or the teardown) lets go."""
    async with FakeSlackApi() as fake:
        work = WorkService(kind="thread", concurrency=1)
        bot, _ = await start_bot(fake, work=work)
        opened = threading.Event()
        holder = asyncio.ensure_future(work.run(hold, opened))
        while work.running < 1:  # noqa: ASYNC110  # the holder takes the slot on the next turns of the loop
            await asyncio.sleep(0.001)
        yield bot, opened
        opened.set()
        await asyncio.gather(holder, return_exceptions=True)
        await bot.client.close()
        await work.close()
        await bot.store.close()


def deps_of(bot: Bot) -> Deps:
    assert bot.deps is not None
    return bot.deps


async def until_held(bot: Bot, count: int = 1) -> None:
    for _ in range(5000):
        if len(deps_of(bot).inflight) >= count and deps_of(bot).work.queued + deps_of(bot).work.running >= 2:
            return
        await asyncio.sleep(0.002)
    raise AssertionError(f"held: {deps_of(bot).inflight.names()}, queued: {deps_of(bot).work.queued}")


async def test_a_question_that_waits_is_told_how_many_are_ahead(busy: tuple[Bot, threading.Event]):
    bot, opened = busy
    assert (await bot.command("capacity analytics")).status == 200
    (notice,) = await bot.fake.wait_for("webhook")
    assert "Working on it — 1 question ahead of yours" in texts(notice.body["blocks"])
    assert notice.body["response_type"] == "ephemeral"
    assert notice.body["replace_original"] is False
    opened.set()
    _, answer = await bot.fake.wait_for("webhook", 2)
    assert "Capacity: analytics" in texts(answer.body["blocks"])


async def test_a_shared_answer_waits_privately(busy: tuple[Bot, threading.Event]):
    bot, _ = busy
    share = ButtonValue(command="capacity analytics").model_dump_json()
    await bot.interact(bot.block_action(ActionId.SHARE, share))
    (notice,) = await bot.fake.wait_for("webhook")
    assert notice.body["response_type"] == "ephemeral"  # the channel does not see "working on it"


def shortcut_payload(bot: Bot) -> dict[str, Any]:
    return {"type": "message_action", "callback_id": CallbackId.VALIDATE_SHORTCUT, "team": {"id": "T0FAKE"},
            "user": {"id": VIEWER}, "channel": {"id": OPEN_CHANNEL}, "trigger_id": "t", "token": "legacy",
            "response_url": bot.fake.response_url, "api_app_id": "A0FAKE", "message_ts": "1.1",
            "message": {"type": "message", "text": f"```{escaped(PLAN)}```"}}


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def command(bot: Bot) -> None:
    await bot.command("capacity analytics")


async def button(bot: Bot) -> None:
    await bot.interact(bot.block_action(ActionId.REFRESH, ButtonValue(command="clusters", fresh=True)
                                        .model_dump_json()))


async def modal(bot: Bot) -> None:
    meta = ModalMetadata(channel_id=OPEN_CHANNEL, user_id=OPERATOR, cluster="analytics")
    await bot.interact(submission(CallbackId.WHATIF_MODAL,
                                  {BlockId.WHATIF_POOL: "analytics-spark", BlockId.WHATIF_SIZE: "2"}, meta, OPERATOR))


async def shortcut(bot: Bot) -> None:
    await bot.interact(shortcut_payload(bot))


async def home(bot: Bot) -> None:
    await bot.event({"type": "app_home_opened", "user": VIEWER, "channel": "D1", "tab": "home"}, event_id="EvH")


def told_by_response_url(fake: FakeSlackApi) -> str:
    return " ".join(texts(call.body["blocks"]) for call in fake.calls_to("webhook"))


def told_in_the_channel(fake: FakeSlackApi) -> str:
    return " ".join(texts(call.body["blocks"]) for call in fake.calls_to("chat.postEphemeral"))


def told_on_the_home_tab(fake: FakeSlackApi) -> str:
    return " ".join(texts(call.body["view"]["blocks"]) for call in fake.calls_to("views.publish"))


@pytest.mark.parametrize(
    ("trigger", "told"),
    [
        (command, told_by_response_url),
        (button, told_by_response_url),
        (modal, told_in_the_channel),
        (shortcut, told_by_response_url),
        (home, told_on_the_home_tab),
    ],
)
async def test_every_kind_of_listener_is_held_in_flight_and_its_asker_told_when_okebot_stops(
    busy: tuple[Bot, threading.Event], trigger, told
):
    bot, _ = busy
    await trigger(bot)
    await until_held(bot)
    report = await deps_of(bot).inflight.drain(grace=0)
    assert report.abandoned == 1
    assert RESTARTED in told(bot.fake)
    assert len(deps_of(bot).inflight) == 0

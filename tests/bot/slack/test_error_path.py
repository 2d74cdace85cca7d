"""The one error path, end to end: a bug gets an error id the user sees and the log holds with its traceback;
nothing secret reaches the answer."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from tests.bot.slack.harness import LOGGER, SECRET, Bot, start_bot, texts
from tests.bot.slack.readers import ExplodingReader

BUG = "reader bug: xoxb-not-for-users"
ERROR_ID = re.compile(r"Error id `([0-9a-f-]{36})`")


@pytest.fixture
async def broken_bot(fake: FakeSlackApi) -> AsyncIterator[Bot]:
    harness, _ = await start_bot(fake, reader=ExplodingReader(BUG))
    yield harness
    await harness.client.close()
    await harness.store.close()


async def test_an_unexpected_failure_shows_an_error_id_that_the_log_has_with_its_traceback(
    broken_bot: Bot, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger=LOGGER)
    response = await broken_bot.command("capacity analytics")
    assert response.status == 200
    (answer,) = await broken_bot.fake.wait_for("webhook")
    match = ERROR_ID.search(texts(answer.body["blocks"]))
    assert match is not None, answer.body
    error_id = match.group(1)
    logged = [r for r in caplog.records if getattr(r, "error_id", None) == error_id]
    assert len(logged) == 1
    assert logged[0].levelno == logging.ERROR
    assert error_id in logged[0].getMessage()
    assert logged[0].exc_info is not None
    assert "RuntimeError: reader bug" in logging.Formatter().formatException(logged[0].exc_info)


async def test_the_unexpected_failure_keeps_its_details_and_secrets_out_of_the_answer(broken_bot: Bot):
    await broken_bot.command("diagnose analytics")
    (answer,) = await broken_bot.fake.wait_for("webhook")
    shown = str(answer.body)
    assert "xoxb-" not in shown
    assert "reader bug" not in shown
    assert SECRET not in shown
    assert "could not answer" in answer.body["text"]


async def test_the_audit_entry_of_a_failure_carries_the_same_error_id(broken_bot: Bot):
    await broken_bot.command("cni")
    (answer,) = await broken_bot.fake.wait_for("webhook")
    match = ERROR_ID.search(texts(answer.body["blocks"]))
    assert match is not None
    entries = await broken_bot.audited()
    assert entries[0].outcome == "error"
    assert entries[0].error_id == match.group(1)


async def test_a_known_error_answers_with_its_remedy_and_no_error_id(bot: Bot):
    await bot.command("explain NOT_A_CODE")
    (answer,) = await bot.fake.wait_for("webhook")
    shown = texts(answer.body["blocks"])
    assert "What to do" in shown
    assert "Error id" not in shown


async def test_a_failing_button_answers_with_an_error_id_too(broken_bot: Bot):
    from tests.bot.slack.test_interactivity import value

    await broken_bot.interact(broken_bot.block_action("oke-node-pools", value("capacity analytics")))
    (answer,) = await broken_bot.fake.wait_for("webhook")
    assert ERROR_ID.search(texts(answer.body["blocks"]))


async def test_a_failing_home_tab_still_publishes_a_view_with_an_error_id(broken_bot: Bot):
    await broken_bot.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="EvBroken")
    (call,) = await broken_bot.fake.wait_for("views.publish")
    assert "Error id" in texts(call.body["view"]["blocks"])

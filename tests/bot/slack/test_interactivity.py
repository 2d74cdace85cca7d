from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from bot.slack.ids import ActionId, BlockId, ButtonValue, CallbackId, ModalMetadata
from tests.bot.slack.harness import LOGGER, OPEN_CHANNEL, OPERATOR, VIEWER, Bot, texts

GOOD_PLAN = """\
name: ok
"""


def value(command: str, *, fresh: bool = False) -> str:
    return ButtonValue(command=command, fresh=fresh).model_dump_json()


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    return {e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


async def test_capacity_answers_carry_drill_down_refresh_and_share_buttons(bot: Bot):
    await bot.command("capacity analytics")
    (answer,) = await bot.fake.wait_for("webhook")
    ids = {a.split(":")[0] for a in buttons(answer.body["blocks"])}
    assert ids == {ActionId.NODE_POOLS, ActionId.DIAGNOSE, ActionId.WHATIF, ActionId.REFRESH, ActionId.SHARE}


async def test_node_pools_button_drills_down(bot: Bot):
    await bot.interact(bot.block_action(ActionId.NODE_POOLS, value("capacity analytics")))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "analytics-spark" in texts(answer.body["blocks"])
    assert "pods/node" in texts(answer.body["blocks"])


async def test_refresh_redraws_the_same_message(bot: Bot):
    await bot.interact(bot.block_action(ActionId.REFRESH, value("cni analytics", fresh=True)))
    (answer,) = await bot.fake.wait_for("webhook")
    assert answer.body["replace_original"] is True
    assert "CNI" in texts(answer.body["blocks"])


async def test_share_posts_in_channel_without_another_share_button(bot: Bot):
    await bot.interact(bot.block_action(ActionId.SHARE, value("diagnose analytics")))
    (answer,) = await bot.fake.wait_for("webhook")
    assert answer.body["response_type"] == "in_channel"
    assert ActionId.SHARE not in buttons(answer.body["blocks"])


async def test_whatif_button_opens_the_form_for_that_cluster(bot: Bot):
    await bot.interact(bot.block_action(ActionId.WHATIF, value("whatif analytics"), user=OPERATOR))
    (call,) = await bot.fake.wait_for("views.open")
    view = call.body["view"]
    assert view["callback_id"] == CallbackId.WHATIF_MODAL
    assert ModalMetadata.model_validate_json(view["private_metadata"]).cluster == "analytics"


async def test_opening_the_whatif_form_is_audited(bot: Bot):
    await bot.interact(bot.block_action(ActionId.WHATIF, value("whatif analytics"), user=OPERATOR))
    await bot.fake.wait_for("views.open")
    entries = await bot.audited()
    assert (entries[0].command, entries[0].arguments, entries[0].outcome) == (
        "button:oke-whatif", "whatif analytics", "ok")


def submission(callback_id: str, values: dict[str, str | None], metadata: ModalMetadata, user: str) -> dict[str, Any]:
    state = {block: {"value": {"type": "plain_text_input", "value": text}} for block, text in values.items()}
    return {"type": "view_submission", "team": {"id": "T0FAKE"}, "user": {"id": user}, "api_app_id": "A0FAKE",
            "token": "legacy", "trigger_id": "t",
            "view": {"id": "V1", "type": "modal", "callback_id": callback_id,
                     "private_metadata": metadata.model_dump_json(), "state": {"values": state}}}


async def test_unparsable_plan_is_shown_inline_in_the_modal(bot: Bot):
    meta = ModalMetadata(channel_id=OPEN_CHANNEL, user_id=VIEWER)
    response = await bot.interact(submission(CallbackId.VALIDATE_MODAL,
                                             {BlockId.PLAN_TEXT: "vcn: [unclosed", BlockId.AGAINST: None},
                                             meta, VIEWER))
    assert response.status == 200
    body = json.loads(await response.text())
    assert body["response_action"] == "errors"
    assert BlockId.PLAN_TEXT in body["errors"]


async def test_whatif_form_with_a_bad_number_errors_under_that_field(bot: Bot):
    meta = ModalMetadata(channel_id=OPEN_CHANNEL, user_id=OPERATOR, cluster="analytics")
    response = await bot.interact(submission(CallbackId.WHATIF_MODAL,
                                             {BlockId.WHATIF_POOL: "analytics-spark", BlockId.WHATIF_SIZE: "-3"},
                                             meta, OPERATOR))
    body = json.loads(await response.text())
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [BlockId.WHATIF_SIZE]


async def test_whatif_form_posts_the_answer_privately_in_the_channel(bot: Bot):
    meta = ModalMetadata(channel_id=OPEN_CHANNEL, user_id=OPERATOR, cluster="analytics")
    response = await bot.interact(submission(CallbackId.WHATIF_MODAL,
                                             {BlockId.WHATIF_POOL: "analytics-spark", BlockId.WHATIF_SIZE: "2"},
                                             meta, OPERATOR))
    assert response.status == 200
    (call,) = await bot.fake.wait_for("chat.postEphemeral")
    assert call.body["channel"] == OPEN_CHANNEL
    assert call.body["user"] == OPERATOR
    assert "What-if: analytics" in texts(call.body["blocks"])


async def test_message_shortcut_without_a_code_block_says_how_to_use_it(bot: Bot):
    payload = {"type": "message_action", "callback_id": CallbackId.VALIDATE_SHORTCUT, "team": {"id": "T0FAKE"},
               "user": {"id": VIEWER}, "channel": {"id": OPEN_CHANNEL}, "trigger_id": "t", "token": "legacy",
               "response_url": bot.fake.response_url, "message": {"type": "message", "text": "no plan here"},
               "message_ts": "1.1", "api_app_id": "A0FAKE"}
    await bot.interact(payload)
    (answer,) = await bot.fake.wait_for("webhook")
    assert "no code block" in answer.body["text"]


async def test_app_home_lists_clusters_with_their_worst_finding(bot: Bot):
    response = await bot.event({"type": "app_home_opened", "user": VIEWER, "channel": "D1", "tab": "home"},
                               event_id="Ev1")
    assert response.status == 200
    (call,) = await bot.fake.wait_for("views.publish")
    assert call.body["user_id"] == VIEWER
    home = texts(call.body["view"]["blocks"])
    for name in ("analytics", "payments-native", "retail-flannel", "platform-healthy"):
        assert name in home


async def test_a_whatif_name_longer_than_any_oci_name_errors_under_its_field(bot: Bot):
    # The query bounds every name at 255 characters, so no what-if grows too long to ride in a button.
    meta = ModalMetadata(channel_id=OPEN_CHANNEL, user_id=OPERATOR, cluster="analytics")
    response = await bot.interact(submission(CallbackId.WHATIF_MODAL,
                                             {BlockId.WHATIF_ADD_POOL: "p" * 1600, BlockId.WHATIF_SIZE: "2"},
                                             meta, OPERATOR))
    body = await response.json()
    assert body["response_action"] == "errors"
    assert body["errors"] == {BlockId.WHATIF_ADD_POOL: "is 1600 characters long; at most 255"}


async def test_whatif_form_fields_are_capped_at_255_characters(bot: Bot):
    await bot.interact(bot.block_action(ActionId.WHATIF, value("whatif analytics"), user=OPERATOR))
    (call,) = await bot.fake.wait_for("views.open")
    inputs = [b["element"] for b in call.body["view"]["blocks"] if b["type"] == "input"]
    assert len(inputs) == 6
    assert all(e["max_length"] == 255 for e in inputs)


async def test_an_answer_that_cannot_go_to_the_channel_goes_to_the_dm_with_a_logged_warning(
        bot: Bot, caplog: pytest.LogCaptureFixture):
    bot.fake.fail("chat.postEphemeral", "not_in_channel")
    meta = ModalMetadata(channel_id="CPRIVATE", user_id=OPERATOR, cluster="analytics")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        await bot.interact(submission(CallbackId.WHATIF_MODAL,
                                      {BlockId.WHATIF_POOL: "analytics-spark", BlockId.WHATIF_SIZE: "2"},
                                      meta, OPERATOR))
        (dm,) = await bot.fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == OPERATOR
    assert "could not answer privately in CPRIVATE" in caplog.text
    assert "not_in_channel" in caplog.text  # the traceback is logged too


@pytest.mark.parametrize("callback_id", [CallbackId.VALIDATE_MODAL, CallbackId.WHATIF_MODAL])
@pytest.mark.parametrize("metadata", ["", "not json", '{"user_id": 5, "extra": 1}'])
async def test_a_form_with_damaged_metadata_says_so_inside_the_modal(bot: Bot, callback_id: str, metadata: str):
    payload = submission(callback_id, {BlockId.PLAN_TEXT: GOOD_PLAN, BlockId.WHATIF_SIZE: "2"},
                         ModalMetadata(user_id=OPERATOR), OPERATOR)
    payload["view"]["private_metadata"] = metadata
    response = await bot.interact(payload)
    assert response.status == 200
    body = json.loads(await response.text())
    assert body["response_action"] == "errors"
    assert "open it again" in next(iter(body["errors"].values()))


async def test_a_form_rejected_with_inline_errors_is_audited(bot: Bot):
    meta = ModalMetadata(channel_id=OPEN_CHANNEL, user_id=OPERATOR, cluster="analytics")
    await bot.interact(submission(CallbackId.WHATIF_MODAL,
                                  {BlockId.WHATIF_POOL: "analytics-spark", BlockId.WHATIF_SIZE: "-3"}, meta, OPERATOR))
    entries = await bot.audited()
    (entry,) = entries
    assert (entry.user, entry.command, entry.outcome) == (OPERATOR, "modal:whatif", "bad-input")


async def test_the_whatif_button_refuses_a_viewer_before_opening_the_form(bot: Bot):
    await bot.interact(bot.block_action(ActionId.WHATIF, value("whatif analytics"), user=VIEWER))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "needs the operator role" in answer.body["text"]
    assert bot.fake.calls_to("views.open") == []


@pytest.mark.parametrize("action_id", [ActionId.WHATIF, ActionId.REFRESH])
async def test_a_button_value_with_an_unbalanced_quote_gets_a_usage_answer_not_an_error_id(bot: Bot,
                                                                                         action_id: str):
    await bot.interact(bot.block_action(action_id, value("whatif 'analytics"), user=OPERATOR))
    (answer,) = await bot.fake.wait_for("webhook")
    assert "Error id" not in texts(answer.body["blocks"])
    assert bot.fake.calls_to("views.open") == []


async def test_a_button_that_carries_no_question_is_audited(bot: Bot):
    await bot.interact(bot.block_action(ActionId.REFRESH, value("help"), user=OPERATOR))
    await bot.fake.wait_for("webhook")
    entries = await bot.audited()
    (entry,) = entries
    assert (entry.command, entry.arguments, entry.outcome) == ("button:oke-refresh", "help", "bad-input")

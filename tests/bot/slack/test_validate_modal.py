"""The validate modal takes a real plan: a text box within Slack's 3,000-character cap with a valid plan as its
placeholder, and a file input for plans longer than that, fetched as the "Validate plan" shortcut fetches one;
what goes wrong is said under the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.planfile import load_plan_text
from bot.slack.ids import BlockId, CallbackId, InputId, ModalMetadata
from bot.slack.render.messages import MAX_PASTED_PLAN, PLAN_PLACEHOLDER, validate_modal, view_text
from engine.usecases.validate import validate_plan
from tests.bot.slack.harness import OPEN_CHANNEL, VIEWER, Bot, texts

PLAN = (Path(__file__).parents[3] / "examples" / "plans" / "vcn-native.yaml").read_text()


def _blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if "block_id" in block}


def test_the_example_plan_is_longer_than_slack_lets_anyone_paste():
    assert len(PLAN) > MAX_PASTED_PLAN  # so the modal must take files


def test_the_modal_caps_the_text_box_and_takes_one_yaml_or_json_file():
    view = validate_modal(ModalMetadata(channel_id=OPEN_CHANNEL, user_id=VIEWER))
    blocks = _blocks(view)
    text = blocks[BlockId.PLAN_TEXT]["element"]
    assert text["max_length"] == 3000
    assert blocks[BlockId.PLAN_TEXT]["optional"] is True  # a file may come instead
    upload = blocks[BlockId.PLAN_FILE]["element"]
    assert upload == {"type": "file_input", "action_id": InputId.VALUE, "filetypes": ["yaml", "yml", "json"],
                      "max_files": 1}
    said = texts(view["blocks"])
    assert "upload" in said
    assert "Validate plan" in said


def test_the_placeholder_is_a_whole_valid_plan_within_slacks_150_characters():
    view = validate_modal(ModalMetadata(channel_id=OPEN_CHANNEL, user_id=VIEWER))
    placeholder = _blocks(view)[BlockId.PLAN_TEXT]["element"]["placeholder"]["text"]
    assert placeholder == PLAN_PLACEHOLDER
    assert len(placeholder) <= 150
    assert validate_plan(load_plan_text(placeholder, source="placeholder"), plan_name="placeholder").valid


def test_the_modal_reads_as_text_for_okebot_run():
    said = view_text(validate_modal(ModalMetadata(channel_id=OPEN_CHANNEL, user_id=VIEWER)))
    assert said.startswith("[modal] Check a network plan")
    assert "at most 3,000 characters; optional" in said
    assert "file: yaml, yml, json, at most 1; optional" in said
    assert "| apiVersion: okebot.plan/v1" in said
    assert "[Check] / [Cancel]" in said


def submission(values: dict[str, Any], files: list[dict[str, Any]] | None) -> dict[str, Any]:
    state: dict[str, Any] = {block: {InputId.VALUE: {"type": "plain_text_input", "value": text}}
                             for block, text in values.items()}
    if files is not None:
        state[BlockId.PLAN_FILE] = {InputId.VALUE: {"type": "file_input", "files": files}}
    metadata = ModalMetadata(channel_id=OPEN_CHANNEL, user_id=VIEWER)
    return {"type": "view_submission", "team": {"id": "T0FAKE"}, "user": {"id": VIEWER}, "api_app_id": "A0FAKE",
            "token": "legacy", "trigger_id": "t",
            "view": {"id": "V1", "type": "modal", "callback_id": CallbackId.VALIDATE_MODAL,
                     "private_metadata": metadata.model_dump_json(), "state": {"values": state}}}


def uploaded(bot: Bot, name: str) -> dict[str, Any]:
    return {"id": "F1", "name": name, "size": 100, "url_private": bot.fake.file_url(name),
            "url_private_download": bot.fake.file_url(name)}


async def test_an_uploaded_plan_file_is_fetched_and_checked(bot: Bot):
    bot.fake.files["net.yaml"] = PLAN
    response = await bot.interact(submission({BlockId.PLAN_TEXT: None, BlockId.AGAINST: None},
                                             [uploaded(bot, "net.yaml")]))
    assert response.status == 200
    (call,) = await bot.fake.wait_for("chat.postEphemeral")
    said = texts(json.loads(call.body["blocks"]) if isinstance(call.body["blocks"], str) else call.body["blocks"])
    assert "Plan check: net.yaml" in said
    assert ":white_check_mark: valid" in said


async def test_a_plan_file_that_is_not_utf8_is_refused_under_the_file_field(bot: Bot):
    bot.fake.files["latin1.yaml"] = PLAN.replace("name: general", "name: g\xe9n\xe9ral", 1).encode("latin-1")
    response = await bot.interact(submission({BlockId.PLAN_TEXT: None}, [uploaded(bot, "latin1.yaml")]))
    body = json.loads(await response.text())
    assert body["response_action"] == "errors"
    assert "UTF-8" in body["errors"][BlockId.PLAN_FILE]


async def test_a_plan_given_twice_or_not_at_all_is_said_under_the_field(bot: Bot):
    bot.fake.files["net.yaml"] = PLAN
    both = await bot.interact(submission({BlockId.PLAN_TEXT: "apiVersion: okebot.plan/v1"},
                                         [uploaded(bot, "net.yaml")]))
    assert json.loads(await both.text())["errors"] == {BlockId.PLAN_FILE: "give the plan once: pasted or as a "
                                                                          "file, not both"}
    neither = await bot.interact(submission({BlockId.PLAN_TEXT: None}, None))
    assert json.loads(await neither.text())["errors"] == {BlockId.PLAN_TEXT: "paste a plan, or upload the plan file"}


async def test_a_file_not_stored_in_slack_is_refused_without_sending_the_token(bot: Bot):
    evil = {"id": "F2", "name": "x.yaml", "url_private": "http://127.0.0.2:9/x.yaml"}
    response = await bot.interact(submission({BlockId.PLAN_TEXT: None}, [evil]))
    body = json.loads(await response.text())
    assert "is not stored in Slack" in body["errors"][BlockId.PLAN_FILE]


def test_okebot_run_shows_the_modal_it_would_open(capsys, monkeypatch):
    from bot.cli.main import main

    monkeypatch.delenv("OKEBOT_CONFIG", raising=False)
    main(["run", "/oke validate"])
    out = capsys.readouterr().out
    assert "--- views.open ---\n[modal] Check a network plan" in out
    assert "(file: yaml, yml, json, at most 1; optional)" in out

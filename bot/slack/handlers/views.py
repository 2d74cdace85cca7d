"""Modal submissions: the plan check and the what-if form. Bad input stays in the modal as inline errors."""

from __future__ import annotations

import asyncio
import logging
import shlex
import time
from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.planfile import load_located_plan
from bot.queries import ValidateQuery, WhatIfQuery, problem_sentence
from bot.slack.audit import record_audit
from bot.slack.deps import Deps, deps_of
from bot.slack.errors import Send
from bot.slack.handlers.shortcuts import fetch_plan_file
from bot.slack.ids import BlockId, InputId, ModalMetadata
from bot.slack.observe import arrived_at
from bot.slack.parse import Ask
from bot.slack.pipeline import Asker, answer_ask
from bot.slack.render.messages import Message
from engine.errors import InputError
from engine.words import sentence

PLAN_SOURCE = "plan pasted in Slack"
VALIDATE_ORIGIN = "modal:validate"
WHATIF_ORIGIN = "modal:whatif"
DAMAGED_FORM = "This form lost what it was for; close it and open it again from okebot."
MAX_INLINE_ERROR = 1900
# Slack waits 3 seconds for a form's answer, and errors can be shown under a field only in that answer.
FORM_DOWNLOAD_SECONDS = 2.0

_WHATIF_FIELDS = {
    BlockId.WHATIF_POOL: "pool",
    BlockId.WHATIF_SIZE: "size",
    BlockId.WHATIF_SHAPE: "shape",
    BlockId.WHATIF_OCPUS: "ocpus",
    BlockId.WHATIF_MAX_PODS: "max_pods",
    BlockId.WHATIF_ADD_POOL: "add_pool",
}


def _value(view: dict[str, Any], block_id: str) -> str | None:
    """The trimmed text of one input block, or None when it was left empty."""
    state = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    raw = (state.get(InputId.VALUE) or {}).get("value")
    return raw.strip() or None if isinstance(raw, str) else None


def private_poster(client: AsyncWebClient, metadata: ModalMetadata, *, logger: logging.Logger) -> Send:
    """A Send for answers to a modal: privately in the channel it came from, else in the app's DM."""

    async def send(message: Message) -> None:
        if metadata.channel_id:
            try:
                await client.chat_postEphemeral(
                    channel=metadata.channel_id, user=metadata.user_id, text=message.text, blocks=message.blocks
                )
                return
            except Exception:  # e.g. not_in_channel in a private channel: fall back to the DM
                logger.warning("could not answer privately in %s; sending the answer as a DM",
                               metadata.channel_id, exc_info=True)
        await client.chat_postMessage(channel=metadata.user_id, text=message.text, blocks=message.blocks)

    return send


def _asker(
    client: AsyncWebClient, metadata: ModalMetadata, body: dict[str, Any], *, logger: logging.Logger
) -> Asker:
    user = str((body.get("user") or {}).get("id") or metadata.user_id)
    return Asker(user=user, channel=metadata.channel_id or "",
                 send=private_poster(client, metadata, logger=logger))


def _metadata(view: dict[str, Any]) -> ModalMetadata | None:
    """The modal's private_metadata, or None when it is missing or not okebot's."""
    try:
        return ModalMetadata.model_validate_json(view.get("private_metadata") or "")
    except ValidationError:
        return None


def inline_error(error: InputError) -> str:
    """What a form shows under the field it rejects: the reason, then the fix, as one line."""
    return error.message if error.remedy is None else f"{sentence(error.message)} {error.remedy}"


async def _reject(
    ack: AsyncAck, errors: dict[str, str], *, deps: Deps, body: dict[str, Any], command: str, started: float
) -> None:
    """Keep the modal open with `errors` under their fields, and audit the rejected submission."""
    await ack(response_action="errors", errors=errors)
    user = str((body.get("user") or {}).get("id") or "")
    await record_audit(deps, user=user, channel="", command=command, arguments="; ".join(errors.values()),
                       outcome="bad-input", error_id=None, started=started)


def _files(view: dict[str, Any], block_id: str) -> list[dict[str, Any]]:
    """The files of a file_input block (Slack file objects, or bare ids), or [] when none was uploaded."""
    state = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    files = (state.get(InputId.VALUE) or {}).get("files") or []
    return [item if isinstance(item, dict) else {"id": str(item)} for item in files]


async def _uploaded_plan(file: dict[str, Any], client: AsyncWebClient) -> tuple[str, str]:
    """The uploaded plan's text and name, fetched as the "Validate plan" shortcut fetches a message's file.

    A submission may carry only the file's id: then files.info says where it is. InputError (or PlanError)
    says what went wrong, for the form to show under the file field.
    """
    if not (file.get("url_private_download") or file.get("url_private")) and file.get("id"):
        try:
            info = await client.files_info(file=str(file["id"]))
        except Exception as exc:  # SlackApiError, a network failure: the form says it could not read the file
            raise InputError("Slack did not give okebot the uploaded file",
                             remedy="check okebot has the files:read scope, or paste the plan") from exc
        file = dict(info.get("file") or {})
    name = str(file.get("name") or "uploaded plan")
    async with asyncio.timeout(FORM_DOWNLOAD_SECONDS):
        text = await fetch_plan_file(file, token=str(client.token or ""), api_url=str(client.base_url or ""),
                                     remedy="upload it again, or use the Validate plan shortcut on a message "
                                            "with the file")
    return text, name


async def handle_validate_submission(
    ack: AsyncAck, view: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Check the pasted or uploaded plan; an unreadable plan is shown as an error under its field."""
    started = time.monotonic()
    deps = deps_of(context)
    metadata = _metadata(view)
    if metadata is None:
        await _reject(ack, {BlockId.PLAN_TEXT: DAMAGED_FORM}, deps=deps, body=body, command=VALIDATE_ORIGIN,
                      started=started)
        return
    plan_text = _value(view, BlockId.PLAN_TEXT)
    files = _files(view, BlockId.PLAN_FILE)
    field, name = (BlockId.PLAN_FILE, "") if files else (BlockId.PLAN_TEXT, PLAN_SOURCE)
    try:
        if files and plan_text:
            raise InputError("give the plan once: pasted or as a file, not both")
        if files:
            plan_text, name = await _uploaded_plan(files[0], client)
        if not plan_text:
            raise InputError("paste a plan, or upload the plan file")
        # Reading is pure and fast, so it fits before the ack, the only way to show errors inline; the read
        # plan then travels on in the query, never read twice. (A file is fetched first, within 2 seconds.)
        located = load_located_plan(plan_text, source=name)
    except TimeoutError:
        await _reject(ack, {field: "Slack took too long to hand over the file; submit again, or use the Validate "
                                   "plan shortcut on a message with the file."}, deps=deps, body=body,
                      command=VALIDATE_ORIGIN, started=started)
        return
    except InputError as error:
        await _reject(ack, {field: inline_error(error)[:MAX_INLINE_ERROR]}, deps=deps, body=body,
                      command=VALIDATE_ORIGIN, started=started)
        return
    await ack()
    query = ValidateQuery(plan=located.plan, plan_name=name, locations=located.locations,
                          against=_value(view, BlockId.AGAINST))
    asker = _asker(client, metadata, body, logger=deps.logger)
    await answer_ask(Ask(query, None), deps=deps, asker=asker, origin=VALIDATE_ORIGIN, arrived=arrived_at(context))


async def handle_whatif_submission(
    ack: AsyncAck, view: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Run the what-if the form describes; a bad number is shown under its field."""
    started = time.monotonic()
    deps = deps_of(context)
    metadata = _metadata(view)
    fields = {name: value for block, name in _WHATIF_FIELDS.items() if (value := _value(view, block))}
    errors: dict[str, str] = {}
    if metadata is None:
        errors = {BlockId.WHATIF_POOL: DAMAGED_FORM}
    elif not fields.keys() - {"pool"}:
        errors = {BlockId.WHATIF_SIZE: "Fill in at least one change."}
    else:
        try:
            query = WhatIfQuery.model_validate({"cluster": metadata.cluster or "", **fields})
        except ValidationError as exc:
            errors = _field_errors(exc)
    if errors or metadata is None:
        await _reject(ack, errors, deps=deps, body=body, command=WHATIF_ORIGIN, started=started)
        return
    await ack()
    words = [f"{k.replace('_', '-')}={v}" for k, v in sorted(fields.items())]
    ask = Ask(query, shlex.join(["whatif", query.cluster, *words]))
    await answer_ask(ask, deps=deps, asker=_asker(client, metadata, body, logger=deps.logger), origin=WHATIF_ORIGIN,
                     arrived=arrived_at(context))


def _field_errors(exc: ValidationError) -> dict[str, str]:
    by_name = {name: block for block, name in _WHATIF_FIELDS.items()}
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        errors[by_name.get(name, BlockId.WHATIF_SIZE)] = problem_sentence(error)
    return errors

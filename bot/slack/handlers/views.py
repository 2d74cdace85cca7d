"""Modal submissions: the plan check and the what-if form. Bad input stays in the modal as inline errors."""

from __future__ import annotations

import logging
import shlex
import time
from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.planfile import load_plan_text
from bot.queries import ValidateQuery, WhatIfQuery, problem_sentence
from bot.slack.audit import record_audit
from bot.slack.deps import Deps, deps_of
from bot.slack.errors import Send
from bot.slack.ids import BlockId, InputId, ModalMetadata
from bot.slack.parse import Ask
from bot.slack.pipeline import Asker, answer_ask
from bot.slack.render.messages import Message
from engine.errors import PlanError

PLAN_SOURCE = "plan pasted in Slack"
VALIDATE_ORIGIN = "modal:validate"
WHATIF_ORIGIN = "modal:whatif"
DAMAGED_FORM = "This form lost what it was for; close it and open it again from okebot."
MAX_INLINE_ERROR = 1900

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


async def _reject(
    ack: AsyncAck, errors: dict[str, str], *, deps: Deps, body: dict[str, Any], command: str, started: float
) -> None:
    """Keep the modal open with `errors` under their fields, and audit the rejected submission."""
    await ack(response_action="errors", errors=errors)
    user = str((body.get("user") or {}).get("id") or "")
    await record_audit(deps, user=user, channel="", command=command, arguments="; ".join(errors.values()),
                       outcome="bad-input", error_id=None, started=started)


async def handle_validate_submission(
    ack: AsyncAck, view: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Check the pasted plan; an unreadable plan is shown as an error under the text box."""
    started = time.monotonic()
    deps = deps_of(context)
    metadata = _metadata(view)
    if metadata is None:
        await _reject(ack, {BlockId.PLAN_TEXT: DAMAGED_FORM}, deps=deps, body=body, command=VALIDATE_ORIGIN,
                      started=started)
        return
    plan_text = _value(view, BlockId.PLAN_TEXT) or ""
    try:
        # Parsing is pure and fast, so it fits before the ack, the only way to show errors inline; the parsed
        # plan then travels on in the query, never parsed twice.
        plan = load_plan_text(plan_text, source=PLAN_SOURCE)
    except PlanError as error:
        await _reject(ack, {BlockId.PLAN_TEXT: error.message[:MAX_INLINE_ERROR]}, deps=deps, body=body,
                      command=VALIDATE_ORIGIN, started=started)
        return
    await ack()
    query = ValidateQuery(plan=plan, plan_name=PLAN_SOURCE, against=_value(view, BlockId.AGAINST))
    asker = _asker(client, metadata, body, logger=deps.logger)
    await answer_ask(Ask(query, None), deps=deps, asker=asker, origin=VALIDATE_ORIGIN)


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
    await answer_ask(ask, deps=deps, asker=_asker(client, metadata, body, logger=deps.logger), origin=WHATIF_ORIGIN)


def _field_errors(exc: ValidationError) -> dict[str, str]:
    by_name = {name: block for block, name in _WHATIF_FIELDS.items()}
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        errors[by_name.get(name, BlockId.WHATIF_SIZE)] = problem_sentence(error)
    return errors

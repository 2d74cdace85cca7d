"""Buttons on answers: Refresh, Node pools, Diagnose, What-if, Share in channel."""

from __future__ import annotations

import shlex
from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.access import current_policy, require
from bot.slack.deps import Deps, deps_of
from bot.slack.handlers.common import asker_for, private_uploader, responder, uploader
from bot.slack.ids import ActionId, ButtonValue, ModalMetadata
from bot.slack.observe import arrived_at
from bot.slack.parse import Ask, parse_command
from bot.slack.pipeline import Asker, View, answer_ask, audited, yield_to_acks
from bot.slack.render.messages import usage_message, whatif_modal
from engine.access import Action
from engine.errors import InputError


def _button(action: dict[str, Any]) -> tuple[ActionId, ButtonValue]:
    """The button's id (without the uniqueness suffix) and its typed value."""
    action_id = ActionId(str(action.get("action_id", "")).split(":", 1)[0])
    try:
        return action_id, ButtonValue.model_validate_json(action.get("value") or "")
    except ValidationError as exc:
        raise InputError("this button carries no okebot command", where="button value") from exc


async def handle_answer_button(
    ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Re-ask the question a button carries, and answer where the button says."""
    await ack()
    await yield_to_acks()
    deps = deps_of(context)
    private = bool((body.get("container") or {}).get("is_ephemeral", True))
    asker = asker_for(body, send=responder(respond), client=client)
    action_id = str(action.get("action_id", "")).split(":", 1)[0]
    ask: Ask | None = None
    button_id: ActionId | None = None
    async with audited(deps, user=asker.user, channel=asker.channel, command=f"button:{action_id}",
                       arguments=str(action.get("value") or ""), send=asker.send) as audit:
        button_id, value = _button(action)
        audit.arguments = value.command
        parsed = parse_command(value.command)
        if isinstance(parsed, Ask):
            ask = parsed
            audit.hand_off()
        else:
            await asker.send(usage_message(None, f"the button's command {value.command!r} is not a question"))
            audit.outcome = "bad-input"
    if audit.handed_off and ask is not None and button_id is not None:
        await _answer_button(button_id, ask, deps=deps, asker=asker, respond=respond, client=client,
                             private=private, arrived=arrived_at(context))  # audits and counts itself


async def _answer_button(
    action_id: ActionId,
    ask: Ask,
    *,
    deps: Deps,
    asker: Asker,
    respond: AsyncRespond,
    client: AsyncWebClient,
    private: bool,
    arrived: float | None,
) -> None:
    origin = f"button:{action_id}"
    view: View = "node-pools" if action_id is ActionId.NODE_POOLS else "answer"
    if action_id is ActionId.SHARE:
        shared = Asker(
            user=asker.user,
            channel=asker.channel,
            send=responder(respond, response_type="in_channel"),
            upload=uploader(client, channel=asker.channel),
            notify=responder(respond),  # "working on it" stays private
        )
        await answer_ask(ask, deps=deps, asker=shared, origin=origin, shareable=False, arrived=arrived)
        return
    if action_id is ActionId.REFRESH:
        # Refresh redraws the message it sits on, keeping it private or shared as it was.
        same = Asker(
            user=asker.user,
            channel=asker.channel,
            send=responder(
                respond, response_type="ephemeral" if private else "in_channel", replace_original=True
            ),
            # An over-long answer is attached where the message is: no Share button leads there otherwise.
            upload=private_uploader(client, user=asker.user) if private else uploader(client, channel=asker.channel),
            notify=responder(respond),  # a private notice beside the message, never in its place
        )
        await answer_ask(ask, deps=deps, asker=same, origin=origin, shareable=private, fresh=True,
                         arrived=arrived)
        return
    await answer_ask(ask, deps=deps, asker=asker, origin=origin, view=view, arrived=arrived)


async def handle_whatif_button(
    ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Open the what-if form for the cluster the button is about (trigger_id lives 3 s: open it first)."""
    await ack()
    deps = deps_of(context)
    asker = asker_for(body, send=responder(respond), client=client)
    async with audited(deps, user=asker.user, channel=asker.channel, command=f"button:{ActionId.WHATIF}",
                       arguments="", send=asker.send) as audit:
        _, value = _button(action)
        audit.arguments = value.command
        cluster = _cluster_of(value.command)
        # Refuse the form to someone who could not submit it, before it opens.
        await require(deps, await current_policy(deps), user=asker.user, channel=asker.channel,
                      action=Action.WHAT_IF)
        metadata = ModalMetadata(channel_id=asker.channel or None, user_id=asker.user, cluster=cluster)
        trigger_id = body.get("trigger_id")
        if not trigger_id:
            raise InputError("Slack sent no trigger id with this click, so the what-if form cannot open",
                             remedy="type `/oke whatif <cluster> <pool> size=N` instead")
        await client.views_open(trigger_id=trigger_id, view=whatif_modal(metadata))


def _cluster_of(command: str) -> str | None:
    """The cluster a `whatif <cluster>` button is about."""
    try:
        words = shlex.split(command)
    except ValueError as exc:  # a crafted value: Slack never sends one okebot did not make
        raise InputError("this button carries no okebot command", where="button value",
                         remedy="type `/oke whatif <cluster> <pool> size=N` instead") from exc
    return words[1] if len(words) > 1 else None

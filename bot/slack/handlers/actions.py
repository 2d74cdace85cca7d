"""Buttons on answers: Refresh, Node pools, Diagnose, What-if, Share in channel."""

from __future__ import annotations

import shlex
import time
from typing import Any

from pydantic import ValidationError

from bot.slack.audit import record_audit
from bot.slack.authorize import current_policy
from bot.slack.deps import Deps, deps_of
from bot.slack.errors import answer_failure
from bot.slack.flow import Asker, View, answer_ask, yield_to_acks
from bot.slack.handlers.common import asker_for, private_uploader, responder, uploader
from bot.slack.ids import ActionId, ButtonValue, ModalMetadata
from bot.slack.parse import Ask, parse_command
from bot.slack.render.messages import usage_message, whatif_modal
from engine.access import Action, decide
from engine.audit import Outcome
from engine.errors import AccessDeniedError, InputError


def _button(action: dict[str, Any]) -> tuple[ActionId, ButtonValue]:
    """The button's id (without the uniqueness suffix) and its typed value."""
    action_id = ActionId(str(action.get("action_id", "")).split(":", 1)[0])
    try:
        return action_id, ButtonValue.model_validate_json(action.get("value") or "")
    except ValidationError as exc:
        raise InputError("this button carries no okebot command", where="button value") from exc


async def handle_answer_button(
    ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any, client: Any, context: dict[str, Any]
) -> None:
    """Re-ask the question a button carries, and answer where the button says."""
    await ack()
    await yield_to_acks()
    deps = deps_of(context)
    private = bool((body.get("container") or {}).get("is_ephemeral", True))
    asker = asker_for(body, send=responder(respond), client=client)
    started = time.monotonic()
    action_id = str(action.get("action_id", "")).split(":", 1)[0]
    command = str(action.get("value") or "")
    try:
        button_id, value = _button(action)
        command = value.command
        parsed = parse_command(value.command)
        if isinstance(parsed, Ask):  # answer_ask audits itself
            await _answer_button(button_id, parsed, deps=deps, asker=asker, body=body, respond=respond,
                                 client=client, private=private)
            return
        await asker.send(usage_message(None, f"the button's command {value.command!r} is not a question"))
        outcome: Outcome = "bad-input"
        error_id: str | None = None
    except Exception as error:
        outcome, error_id = await answer_failure(error, send=asker.send, logger=deps.logger)
    await record_audit(deps, user=asker.user, channel=asker.channel, command=f"button:{action_id}",
                       arguments=command, outcome=outcome, error_id=error_id, started=started)


async def _answer_button(
    action_id: ActionId,
    ask: Ask,
    *,
    deps: Any,
    asker: Asker,
    body: dict[str, Any],
    respond: Any,
    client: Any,
    private: bool,
) -> None:
    origin = f"button:{action_id}"
    view: View = "node-pools" if action_id is ActionId.NODE_POOLS else "answer"
    if action_id is ActionId.SHARE:
        shared = Asker(
            user=asker.user,
            channel=asker.channel,
            send=responder(respond, response_type="in_channel"),
            upload=uploader(client, channel=asker.channel),
        )
        await answer_ask(ask, deps=deps, asker=shared, origin=origin, shareable=False)
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
        )
        await answer_ask(ask, deps=deps, asker=same, origin=origin, shareable=private, fresh=True)
        return
    await answer_ask(ask, deps=deps, asker=asker, origin=origin, view=view)


async def handle_whatif_button(
    ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any, client: Any, context: dict[str, Any]
) -> None:
    """Open the what-if form for the cluster the button is about (trigger_id lives 3 s: open it first)."""
    await ack()
    deps = deps_of(context)
    asker = asker_for(body, send=responder(respond), client=client)
    started = time.monotonic()
    outcome: Outcome = "ok"
    error_id: str | None = None
    command = ""
    try:
        _, value = _button(action)
        command = value.command
        cluster = _cluster_of(command)
        await _may_whatif(deps, asker=asker)
        metadata = ModalMetadata(channel_id=asker.channel or None, user_id=asker.user, cluster=cluster)
        trigger_id = body.get("trigger_id")
        if not trigger_id:
            raise InputError("Slack sent no trigger id with this click, so the what-if form cannot open",
                             remedy="type `/oke whatif <cluster> <pool> size=N` instead")
        await client.views_open(trigger_id=trigger_id, view=whatif_modal(metadata))
    except Exception as error:
        outcome, error_id = await answer_failure(error, send=asker.send, logger=deps.logger)
    await record_audit(deps, user=asker.user, channel=asker.channel, command=f"button:{ActionId.WHATIF}",
                       arguments=command, outcome=outcome, error_id=error_id, started=started)


def _cluster_of(command: str) -> str | None:
    """The cluster a `whatif <cluster>` button is about."""
    try:
        words = shlex.split(command)
    except ValueError as exc:  # a crafted value: Slack never sends one okebot did not make
        raise InputError("this button carries no okebot command", where="button value",
                         remedy="type `/oke whatif <cluster> <pool> size=N` instead") from exc
    return words[1] if len(words) > 1 else None


async def _may_whatif(deps: Deps, *, asker: Asker) -> None:
    """Refuse the form to someone who could not submit it, before it opens."""
    policy = await current_policy(deps)
    groups = await deps.groups.groups_of(asker.user)
    decision = decide(policy, user=asker.user, groups=groups, channel=asker.channel, action=Action.WHAT_IF,
                      cluster=None)
    if not decision.allowed:
        raise AccessDeniedError(f"Not allowed: {decision.reason}.", remedy="ask an okebot admin for the role")

"""`/oke`: ack at once, then parse, authorize, answer, render and respond (privately)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import OTHER
from bot.slack.access import current_policy
from bot.slack.admin.run import run_admin
from bot.slack.deps import Deps, deps_of
from bot.slack.handlers.common import asker_for, responder
from bot.slack.ids import COMMAND, ModalMetadata
from bot.slack.observe import arrived_at, command_name, since_arrival
from bot.slack.parse import Administer, Ask, Help, OpenValidateModal, Parsed, Usage, parse_command
from bot.slack.pipeline import Asker, answer_ask, audited, yield_to_acks
from bot.slack.render.messages import help_message, usage_message, validate_modal
from engine.access import AccessPolicy, default_cluster
from engine.audit import Outcome
from engine.errors import InputError


async def handle_oke_command(
    ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Answer `/oke <subcommand …>`; the answer is ephemeral until someone shares it."""
    await ack()
    acked = since_arrival(context)
    await yield_to_acks()
    deps = deps_of(context)
    deps.metrics.acked(acked)
    asker = asker_for(command, send=responder(respond), client=client)
    text = str(command.get("text") or "")
    parsed: Parsed | None = None
    arrived = arrived_at(context)
    # Counted as "other" until parsed: a failure before that (the store is down) is counted too.
    async with audited(deps, user=asker.user, channel=asker.channel, command=COMMAND, arguments=text,
                       send=asker.send, counted_as=OTHER, arrived=arrived) as audit:
        policy = await current_policy(deps)
        parsed = parse_command(text, default_cluster=default_cluster(policy, asker.channel))
        audit.counted_as = command_name(parsed)
        if isinstance(parsed, Ask):
            audit.hand_off()
        else:
            audit.outcome = await _reply(parsed, asker=asker, client=client, trigger_id=command.get("trigger_id"),
                                         deps=deps, policy=policy)
    if audit.handed_off and isinstance(parsed, Ask):
        await answer_ask(parsed, deps=deps, asker=asker, origin=COMMAND, arrived=arrived)  # audits, counts


async def _reply(
    parsed: Parsed, *, asker: Asker, client: AsyncWebClient, trigger_id: str | None, deps: Deps,
    policy: AccessPolicy,
) -> Outcome:
    """Everything that is not a question for the engine: help, usage, the validate modal, admin commands."""
    match parsed:
        case Help(topic=topic):
            await asker.send(help_message(topic))
        case Usage(subcommand=sub, problem=problem):
            await asker.send(usage_message(sub, problem))
            return "bad-input"
        case OpenValidateModal(against=against):
            if not trigger_id:
                raise InputError("Slack sent no trigger id with this command, so the plan form cannot open",
                                 remedy="use the Validate plan message shortcut on a message with the plan")
            metadata = ModalMetadata(channel_id=asker.channel, user_id=asker.user, cluster=against)
            await client.views_open(trigger_id=trigger_id, view=validate_modal(metadata))
        case Administer(command=admin):
            await asker.send(await run_admin(admin, deps=deps, policy=policy, asker=asker, client=client))
    return "ok"

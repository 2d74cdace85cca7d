"""App Home: the clusters this user may see, each with its worst finding."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import read_for
from bot.queries import ClustersQuery
from bot.slack.access import current_policy, require
from bot.slack.answer_job import compose_home
from bot.slack.deps import Deps, deps_of
from bot.slack.errors import explain_failure
from bot.slack.escape import escape
from bot.slack.render.kit import section
from engine.access import Action
from engine.errors import AccessDeniedError

# The Home tab belongs to no channel, so it sees what an unbound channel sees.
HOME_CHANNEL = "app-home"


async def handle_app_home_opened(
    ack: AsyncAck, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Publish the user's Home tab (events are acked by Bolt before this runs)."""
    await ack()
    if event.get("tab", "home") != "home":
        return
    deps = deps_of(context)
    user = str(event.get("user", ""))
    try:
        view = await _home_for(user, deps=deps)
    except Exception as error:
        message, _, _ = explain_failure(error, logger=deps.logger)
        view = {"type": "home", "blocks": message.blocks}  # the error id and remedy, not just the summary
    await client.views_publish(user_id=user, view=view)


async def _home_for(user: str, *, deps: Deps) -> dict[str, Any]:
    policy = await current_policy(deps)
    try:
        await require(deps, policy, user=user, channel=HOME_CHANNEL, action=Action.CLUSTERS)
    except AccessDeniedError as refused:
        return {"type": "home", "blocks": [section(f":lock: {escape(refused.message.removeprefix('Not allowed: '))}")]}
    tenancy = await read_for(ClustersQuery(), deps.reader)
    # Every cluster's checks: the heaviest answer there is, so it runs in a worker (bot.work).
    return dict(await deps.work.run(compose_home, policy, HOME_CHANNEL, tenancy, deps.reader.description))

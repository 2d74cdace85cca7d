"""App Home: the clusters this user may see, each with its worst finding."""

from __future__ import annotations

from typing import Any

from bot.answers import answer
from bot.queries import ClustersQuery
from bot.slack.authorize import current_policy, only_visible, visible_ids
from bot.slack.deps import deps_of
from bot.slack.errors import explain_failure
from bot.slack.escape import escape
from bot.slack.render.kit import section
from bot.slack.render.messages import home_view
from engine.access import Action, decide
from engine.reports import ClusterListReport

# The Home tab belongs to no channel, so it sees what an unbound channel sees.
HOME_CHANNEL = "app-home"


async def handle_app_home_opened(
    ack: Any, event: dict[str, Any], client: Any, context: dict[str, Any]
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


async def _home_for(user: str, *, deps: Any) -> dict[str, Any]:
    policy = await current_policy(deps)
    groups = await deps.groups.groups_of(user)
    decision = decide(
        policy, user=user, groups=groups, channel=HOME_CHANNEL, action=Action.CLUSTERS, cluster=None
    )
    if not decision.allowed:
        return {"type": "home", "blocks": [section(f":lock: {escape(decision.reason)}")]}
    report = await answer(ClustersQuery(), reader=deps.reader)
    if not isinstance(report, ClusterListReport):
        raise TypeError(f"clusters answered with {type(report).__name__}")
    report = only_visible(report, await visible_ids(deps, policy=policy, channel=HOME_CHANNEL))
    return home_view(report.clusters, source=report.source)

"""Build the bot's Deps from settings and a --source: the adapters the Slack app runs on."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from adapters.access_config import load_access_policy
from adapters.store.factory import open_store
from bot.compose import build_reader
from bot.slack.app import create_client
from bot.slack.deps import Deps
from bot.slack.groups import GroupDirectory, NoGroups, SlackGroupDirectory
from bot.slack.settings import SlackSettings
from engine.access import AccessPolicy


def _now() -> datetime:
    return datetime.now(UTC)


async def build_deps(
    settings: SlackSettings, *, source: str, store_url: str | None = None, slack_groups: bool = True
) -> Deps:
    """Reader for `source`, the state store, and the access policy (OKEBOT_ACCESS_CONFIG, else the default)."""
    reader = build_reader(source)
    path = settings.okebot_access_config
    policy = load_access_policy(path) if path is not None else AccessPolicy()
    store = await open_store(store_url or settings.okebot_store_url)
    logger = logging.getLogger("okebot.slack")
    # Group grants need Slack's answer on who is in which group; without a bot token there is no one to ask.
    groups: GroupDirectory = NoGroups()
    if slack_groups and settings.slack_bot_token is not None:
        groups = SlackGroupDirectory(create_client(settings), logger=logger)
    return Deps(reader=reader, store=store, policy=policy, clock=_now, logger=logger, groups=groups)

"""What every job needs: the bot's Deps, a Slack client and poster, the settings, and the digests from config."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.jobs.delivery import Poster
from bot.jobs.settings import JobSettings
from bot.slack.deps import Deps
from engine.digest.definition import DigestDefinition

BOT_USER = "okebot"  # the audit trail's user for work nobody asked for


@dataclass(frozen=True)
class JobContext:
    """The runner's dependencies. `owner` names this replica in every claim and lease."""

    deps: Deps
    client: AsyncWebClient
    settings: JobSettings
    poster: Poster
    owner: str
    config_digests: tuple[DigestDefinition, ...] = ()

    async def digests(self) -> list[DigestDefinition]:
        """Every digest: the config file's, then the stored ones (a stored one never shadows a config name)."""
        names = {d.name for d in self.config_digests}
        stored = [d for d in await self.deps.store.list_digests() if d.name not in names]
        return [*self.config_digests, *stored]

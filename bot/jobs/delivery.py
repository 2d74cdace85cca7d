"""Posting a job's message to Slack exactly once, across replicas and crashes.

Slack delivery is at-least-once: a post that Slack accepted may never have its answer read (the replica died, the
connection broke). So every post carries Slack message metadata naming its occurrence
(`{"event_type": "okebot_digest", "event_payload": {"occurrence": "<job>@<slot>"}}`), and the run goes
claimed → posting → posted(ts) | failed in the store:

- `posting` is written, with the message, *before* the post; a run found there (its replica died, its lease ran
  out and another replica took it over) is looked up in the channel (conversations.history with
  include_all_metadata, from a minute before the occurrence) before it is posted again.
- After any failed attempt the channel is looked up too, since a timeout may hide an accepted post.
- Slack's `ok: false` is a failure: retried with a doubling backoff, then recorded as failed with Slack's error
  (each try logged at info; the runner logs the outcome once, as a warning with the fix: `refusal_fix`).
- Every store write names this replica as the owner, so a replica that lost its lease changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.render.messages import Message
from engine.digest.definition import JobRun
from engine.ports import StateStore

LOOKBACK = timedelta(minutes=1)  # clocks differ: Slack's ts and the database's instants are compared
HISTORY_PAGES = 10
# Slack's refusals of a post that an operator fixes (chat.postMessage and conversations.history errors), and how.
# "{channel}" is the channel the post was for.
REFUSAL_FIXES: Mapping[str, str] = {
    "not_in_channel": "invite okebot: type /invite @okebot in {channel}",
    "channel_not_found": "check the channel id ({channel}) of the digest (okebot.yaml, or /oke digest list); a "
                         "private channel needs /invite @okebot first",
    "is_archived": "unarchive {channel}, or post the digest to another channel",
    "missing_scope": "add the scopes deploy/slack-manifest.yml asks for (chat:write, channels:history, "
                     "groups:history) under OAuth & Permissions, reinstall the app and use its new token",
    "restricted_action": "{channel} does not let apps post: let okebot post there (channel settings), or post "
                         "to another channel",
    "ekm_access_denied": "{channel}'s messages are locked by Enterprise Key Management: ask the workspace admins",
    "invalid_auth": "SLACK_BOT_TOKEN is wrong: copy the Bot User OAuth Token (xoxb-…) again",
    "token_revoked": "the token was revoked: reinstall the app and use the new xoxb- token",
    "account_inactive": "the app was uninstalled: reinstall it and use the new xoxb- token",
    "ratelimited": "Slack is rate-limiting okebot: nothing to fix if it passes; fewer digests per channel if not",
}


class DeliveryFailed(Exception):
    """A post that did not go out after every attempt; `error` is Slack's error code or the exception's text."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def refusal_fix(error: str, *, channel: str) -> str:
    """What an operator does about Slack refusing a post to `channel` with `error` (a Slack error code, or the
    text of a connection failure)."""
    fix = REFUSAL_FIXES.get(error)
    if fix is not None:
        return fix.format(channel=channel)
    return f"see Slack's description of {error!r} (docs.slack.dev, chat.postMessage); a timeout or a broken " \
           "connection passes by itself"


@dataclass(frozen=True)
class Poster:
    """Posts runs' messages through `client`, tracking each in `store` as `owner`."""

    client: AsyncWebClient
    store: StateStore
    owner: str
    lease_seconds: float
    attempts: int
    retry_seconds: float
    logger: logging.Logger

    async def deliver(
        self, run: JobRun, message: Message, *, event_type: str, snapshot: str | None = None
    ) -> str | None:
        """Post `message` for `run` once and record it; the message ts, or None when this replica lost the run.

        Raises DeliveryFailed (after recording the run as failed) when every attempt was refused.
        """
        channel = run.channel or ""
        stored = json.dumps({"text": message.text, "blocks": message.blocks})
        if not await self.store.mark_posting(run, owner=self.owner, message=stored, snapshot=snapshot,
                                             lease_seconds=self.lease_seconds):
            self.logger.warning("run %s was taken over by another replica before posting", run.key)
            return None
        return await self._post(run, channel, message, event_type=event_type)

    async def resume(self, run: JobRun, *, event_type: str) -> str | None:
        """Finish a run taken over in `posting`: find its post in the channel, or post its stored message."""
        found = await self.find_posted(run, event_type=event_type)
        if found is not None:
            self.logger.info("run %s was already posted (ts %s); recording it, not posting again", run.key, found)
            await self.store.finish_run(run, owner=self.owner, state="posted", message_ts=found)
            return found
        stored = json.loads(run.message or "{}")
        message = Message(text=str(stored.get("text") or ""), blocks=list(stored.get("blocks") or []))
        return await self._post(run, run.channel or "", message, event_type=event_type)

    async def find_posted(self, run: JobRun, *, event_type: str) -> str | None:
        """The ts of a message in the run's channel whose metadata names this occurrence, posted since a minute
        before it was scheduled; None when there is none."""
        oldest = (run.scheduled_for - LOOKBACK).timestamp()
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            page = await self.client.conversations_history(channel=run.channel or "", oldest=f"{oldest:.6f}",
                                                           include_all_metadata=True, limit=200, cursor=cursor)
            for item in page.get("messages") or []:
                if _names(item, event_type, run.key):
                    return str(item["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or cursor is None:
                return None
        return None

    async def _post(self, run: JobRun, channel: str, message: Message, *, event_type: str) -> str | None:
        error = "no attempt was made"
        for attempt in range(1, self.attempts + 1):
            try:
                answer = await self.client.chat_postMessage(
                    channel=channel, text=message.text, blocks=message.blocks,
                    metadata={"event_type": event_type, "event_payload": {"occurrence": run.key}},
                    unfurl_links=False, unfurl_media=False,
                )
            except SlackApiError as exc:
                error = str(exc.response.get("error") or exc)
            except Exception as exc:  # a timeout or a broken connection: Slack may have accepted it
                error = f"{type(exc).__name__}: {exc}"
            else:
                ts = str(answer["ts"])
                if not await self.store.finish_run(run, owner=self.owner, state="posted", message_ts=ts):
                    self.logger.warning("run %s was posted (ts %s) after another replica took it over", run.key, ts)
                return ts
            # One warning says how it ended (the runner's); each try is only worth an info line.
            self.logger.info("posting %s to %s failed (attempt %d of %d): %s", run.key, channel, attempt,
                             self.attempts, error)
            found = await self._quietly_find(run, event_type=event_type)
            if found is not None:
                await self.store.finish_run(run, owner=self.owner, state="posted", message_ts=found)
                return found
            if attempt < self.attempts:
                await asyncio.sleep(self.retry_seconds * 2 ** (attempt - 1))
        await self.store.finish_run(run, owner=self.owner, state="failed", error=error)
        raise DeliveryFailed(error)

    async def _quietly_find(self, run: JobRun, *, event_type: str) -> str | None:
        try:
            return await self.find_posted(run, event_type=event_type)
        except Exception:
            self.logger.warning("could not look for %s in %s", run.key, run.channel, exc_info=True)
            return None


def _names(item: dict[str, Any], event_type: str, key: str) -> bool:
    metadata = item.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return bool(metadata.get("event_type") == event_type and payload.get("occurrence") == key)

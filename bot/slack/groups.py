"""Which Slack user groups a user belongs to, so that group grants in the access policy apply.

One `usergroups.list(include_users=true)` call answers for every group; the answer is kept for a few minutes.
A lookup that fails (no `usergroups:read` scope, Slack down) yields no groups: groups only ever raise a role,
so failing closed costs a refusal, never an unwanted permission.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol


class UserGroupsApi(Protocol):
    """The one Web API method this needs (slack_sdk's AsyncWebClient has it)."""

    async def usergroups_list(self, **kwargs: Any) -> Any: ...


class SlackGroupDirectory:
    """Group ids and @handles per user, from Slack, cached for `ttl_seconds`."""

    def __init__(
        self,
        client: UserGroupsApi,
        *,
        logger: logging.Logger,
        ttl_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._logger = logger
        self._ttl = ttl_seconds
        self._clock = clock
        self._members: Mapping[str, tuple[str, ...]] = {}
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    async def groups_of(self, user: str) -> tuple[str, ...]:
        """The ids and @handles of the groups the user belongs to (empty when Slack could not say)."""
        async with self._lock:
            if self._loaded_at is None or self._clock() - self._loaded_at > self._ttl:
                self._members = await self._load()
                self._loaded_at = self._clock()
        return self._members.get(user, ())

    async def _load(self) -> Mapping[str, tuple[str, ...]]:
        try:
            response = await self._client.usergroups_list(include_users=True, include_disabled=False)
        except Exception as error:  # SlackApiError, a timeout: group grants are then simply not applied
            self._logger.warning("could not list Slack user groups, group grants do not apply: %s", error)
            return {}
        return members_by_user(response.get("usergroups") or [])


def members_by_user(groups: list[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Invert Slack's group list into user id -> (group id, @handle, ...)."""
    found: dict[str, list[str]] = {}
    for group in groups:
        names = [str(group["id"])] if group.get("id") else []
        if group.get("handle"):
            names.append(f"@{group['handle']}")
        for user in group.get("users") or []:
            found.setdefault(str(user), []).extend(names)
    return {user: tuple(names) for user, names in found.items()}


class NoGroups:
    """A directory that knows no groups: for `okebot run` and tests without Slack."""

    async def groups_of(self, user: str) -> tuple[str, ...]:
        """Always empty."""
        return ()


class GroupDirectory(Protocol):
    async def groups_of(self, user: str) -> tuple[str, ...]: ...

"""Which Slack user groups a user belongs to, so that group grants in the access policy apply.

One `usergroups.list(include_users=true)` call answers for every group; the answer is kept for a few minutes.
A lookup that fails (no `usergroups:read` scope, Slack down, slower than 3 s) keeps the last good answer and
is tried again after 30 s; with no answer yet it yields no groups: groups only ever raise a role, so failing
closed costs a refusal, never an unwanted permission.
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
        retry_seconds: float = 30.0,
        timeout_seconds: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._logger = logger
        self._ttl = ttl_seconds
        self._retry = retry_seconds
        self._timeout = timeout_seconds
        self._clock = clock
        self._groups: list[dict[str, Any]] | None = None  # the last good answer; None: never had one
        self._members: Mapping[str, tuple[str, ...]] = {}
        self._next_load: float | None = None
        self._lock = asyncio.Lock()

    async def groups_of(self, user: str) -> tuple[str, ...]:
        """The ids and @handles of the groups the user belongs to (empty when Slack could not say)."""
        await self._refresh()
        return self._members.get(user, ())

    async def group_id(self, handle: str) -> str | None:
        """The S… id of the group with this @handle (any case, @ optional), or None when no group has it."""
        await self._refresh()
        wanted = handle.removeprefix("@").casefold()
        return next((str(g["id"]) for g in self._groups or [] if g.get("id")
                     and str(g.get("handle") or "").casefold() == wanted), None)

    async def _refresh(self) -> None:
        async with self._lock:
            if self._next_load is not None and self._clock() < self._next_load:
                return
            try:
                # Bounded: the client may sleep out 429s, and every request waits on this lock meanwhile.
                response = await asyncio.wait_for(
                    self._client.usergroups_list(include_users=True, include_disabled=False), self._timeout
                )
            except Exception as error:  # SlackApiError, a timeout: keep the last good answer, retry soon
                kept = "the last list is kept" if self._groups is not None else "group grants do not apply"
                self._logger.warning("could not list Slack user groups, %s: %r", kept, error)
                self._next_load = self._clock() + self._retry
                return
            self._groups = list(response.get("usergroups") or [])
            self._members = members_by_user(self._groups)
            self._next_load = self._clock() + self._ttl


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

    async def group_id(self, handle: str) -> str | None:
        """No group has any handle."""
        return None


class GroupDirectory(Protocol):
    async def groups_of(self, user: str) -> tuple[str, ...]: ...

    async def group_id(self, handle: str) -> str | None: ...

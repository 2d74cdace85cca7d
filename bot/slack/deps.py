"""What every listener needs, built once by the composition root and injected through one middleware."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.inflight import InFlight
from bot.metrics import Metrics
from bot.slack.groups import GroupDirectory, NoGroups
from bot.work import WorkService
from engine.access import AccessPolicy
from engine.digest.definition import DigestDefinition
from engine.ports import StateStore, TenancyReader

Attach = Callable[[str, str], Awaitable[str]]
"""Where a too-long answer's full text goes instead of a Slack file: (text, file name) -> where it went."""


@dataclass(frozen=True)
class Answered:
    """One question answered: its registry name, whether the answer holds error findings, and the CLI's exit
    status for it (`okebot run` exits with it)."""

    question: str
    failed: bool
    exit_status: int = 0


@dataclass(frozen=True)
class Deps:
    """The bot's adapters and services. Listeners read it as `context["deps"]`.

    `work` runs CPU-bound work off the event loop (bot.work); `inflight` tracks work in flight for the drain
    on SIGTERM (bot.inflight): both are shared with background jobs. `attach`, when set, takes the full text
    of a too-long answer instead of a Slack file (`okebot run` prints it); `answered` hears of every answer.
    """

    reader: TenancyReader
    store: StateStore
    policy: AccessPolicy
    clock: Callable[[], datetime]
    logger: logging.Logger
    groups: GroupDirectory = field(default_factory=NoGroups)
    metrics: Metrics = field(default_factory=Metrics)  # what /metrics serves; build_deps shares one instance
    digests: tuple[DigestDefinition, ...] = ()  # the config file's digests (read-only from Slack)
    work: WorkService = field(default_factory=WorkService)
    inflight: InFlight = field(default_factory=InFlight)
    attach: Attach | None = None
    answered: Callable[[Answered], None] | None = None


def deps_middleware(deps: Deps) -> Callable[..., Awaitable[None]]:
    """A global middleware that puts `deps` into every request's context.

    Bolt injects listener arguments by name and overwrites unknown ones with None, so functools.partial
    cannot carry dependencies; the context can.
    """

    async def inject_deps(context: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
        context["deps"] = deps
        await next()

    return inject_deps


def deps_of(context: dict[str, Any]) -> Deps:
    """The Deps the middleware put into this request's context."""
    deps = context.get("deps")
    if not isinstance(deps, Deps):
        raise RuntimeError("no Deps in the context: create the app with bot.slack.app.create_app")
    return deps

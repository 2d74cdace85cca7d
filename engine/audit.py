"""The audit trail: one entry per command the bot ran, written by the bot and kept by the state store."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from engine.model import Frozen

Outcome = Literal["ok", "refused", "error", "bad-input"]
# Entries of scheduled jobs (digests, the sampler, alerts) have commands "job:digest", "job:sample", "job:alert";
# every other entry is a person's: a command, a button, a shortcut, a form.
JOB_COMMAND_PREFIX = "job:"
AuditKind = Literal["people", "jobs"]


class AuditEntry(Frozen):
    """One command run: who, where, what (arguments already redacted), how it ended and how long it took.

    `at` is passed in by the caller (the engine has no clock) and must carry a time zone.
    """

    at: AwareDatetime
    user: str
    channel: str
    command: str
    arguments: str = ""
    outcome: Outcome
    error_id: str | None = None
    duration_ms: int = Field(ge=0, le=2**63 - 1)

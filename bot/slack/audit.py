"""Record every command and button press in the state store: who, where, what, how it ended, how long."""

from __future__ import annotations

import time

from bot.slack.deps import Deps
from engine.audit import AuditEntry, Outcome

MAX_ARGUMENTS = 500


async def record_audit(
    deps: Deps,
    *,
    user: str,
    channel: str,
    command: str,
    arguments: str,
    outcome: Outcome,
    error_id: str | None,
    started: float,
) -> None:
    """Append one audit entry; a store failure is logged, never shown to the user as their failure."""
    duration_ms = max(0, int((time.monotonic() - started) * 1000))
    entry = AuditEntry(
        at=deps.clock(),
        user=user,
        channel=channel,
        command=command,
        arguments=arguments[:MAX_ARGUMENTS],
        outcome=outcome,
        error_id=error_id,
        duration_ms=duration_ms,
    )
    try:
        await deps.store.record_audit(entry)
    except Exception:
        deps.logger.exception("could not record the audit entry for %s by %s", command, user)

"""Drop Slack's redeliveries: Bolt does not deduplicate them, and a retried event must not act twice."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.slack.deps import deps_of

CLAIM_TTL_SECONDS = 3600  # Slack's last retry comes about 5 minutes after the first delivery
CLAIM_TIMEOUT_SECONDS = 1.0  # the claim runs before the Events ack, which Slack wants within 3 s


def delivery_key(body: dict[str, Any], headers: dict[str, Any]) -> str | None:
    """The idempotency key of a delivery: the event id, when Slack gives one."""
    event_id = body.get("event_id") if isinstance(body, dict) else None
    return f"slack-event:{event_id}" if event_id else None


def is_retry(headers: dict[str, Any]) -> bool:
    """Whether Slack marked this delivery as a retry (HTTP header, or Socket Mode's retry_attempt)."""
    value = headers.get("x-slack-retry-num")
    return bool(value and value != ["0"] and value != "0")


async def drop_retries(
    req: Any, context: dict[str, Any], next: Callable[[], Awaitable[None]]
) -> BoltResponse | None:
    """Global middleware: claim every event id once (across replicas); a delivery already claimed gets
    200 and is not processed. Requests without an event id pass through untouched."""
    key = delivery_key(req.body, req.headers)
    if key is None:
        await next()
        return None
    deps = deps_of(context)
    try:
        first = await asyncio.wait_for(
            deps.store.claim_once(key, ttl_seconds=CLAIM_TTL_SECONDS), CLAIM_TIMEOUT_SECONDS
        )
    except Exception:  # includes TimeoutError: a slow store must not make Slack retry
        # Without the store, answering twice beats not answering: process it.
        deps.logger.warning("could not claim %s; processing it anyway", key, exc_info=True)
        first = True
    if first:
        await next()
        return None
    deps.logger.info("dropped redelivery of %s (retry=%s)", key, is_retry(req.headers))
    return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})

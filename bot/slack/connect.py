"""Before `okebot serve` takes traffic: are the Slack tokens good, and is Slack there?

A token Slack refuses (revoked, mistyped, the wrong kind) will never work, however often okebot retries:
start-up stops with exit code 2 and says which variable to fix, instead of logging a traceback every few
seconds while the pod looks alive. Slack being unreachable or busy (a network error, a 5xx, a rate limit)
is different: it passes, so okebot says why once per attempt, as a WARNING, and tries again with backoff,
until it connects or is asked to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from engine.errors import InputError

# Slack's answers that mean "this token will never work" (api.slack.com/methods/auth.test and
# apps.connections.open, "Errors"); anything else is worth another try.
REFUSED_TOKEN_ERRORS = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "not_allowed_token_type", "no_permission", "missing_scope", "team_access_not_granted",
    "ekm_access_denied", "team_not_found", "app_missing_action_url",
})
FIRST_RETRY_SECONDS = 1.0
_WHERE_TOKENS_ARE = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…) on your Slack app's OAuth & Permissions page",
    "SLACK_APP_TOKEN": "an App-Level Token (xapp-…) with the connections:write scope, from your Slack app's "
                       "Basic Information page",
}
LAST_RETRY_SECONDS = 30.0  # backoff doubles up to this: Slack's own Socket Mode client waits 10 s


class SlackUnreachable(Exception):
    """Slack could not be asked (network, 5xx, rate limit): `reason` says how, for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def check_bot_token(client: AsyncWebClient) -> str:
    """auth.test with the bot token; returns "bot-name in team-name".

    Raises:
        InputError: Slack refused SLACK_BOT_TOKEN (one of REFUSED_TOKEN_ERRORS).
        SlackUnreachable: Slack could not be asked.
    """
    try:
        answer = await client.auth_test()
    except SlackApiError as error:
        raise _refused_or_unreachable(error, "SLACK_BOT_TOKEN", "auth.test") from None
    except (TimeoutError, OSError, ClientError) as error:
        raise SlackUnreachable(_reason(error)) from None
    return f"{answer.get('user') or answer.get('user_id') or '?'} in {answer.get('team') or '?'}"


async def check_app_token(client: AsyncWebClient, app_token: str) -> None:
    """apps.connections.open with the app token (the URL it hands out is left unused: it expires).

    Raises:
        InputError: Slack refused SLACK_APP_TOKEN (one of REFUSED_TOKEN_ERRORS).
        SlackUnreachable: Slack could not be asked.
    """
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        raise _refused_or_unreachable(error, "SLACK_APP_TOKEN", "apps.connections.open") from None
    except (TimeoutError, OSError, ClientError) as error:
        raise SlackUnreachable(_reason(error)) from None


async def until_slack_answers(
    attempt: Callable[[], Awaitable[None]], *, stop: asyncio.Event, logger: logging.Logger,
) -> bool:
    """Run `attempt` until it succeeds (True) or `stop` is set (False, at once, even mid-attempt);
    SlackUnreachable is logged as one WARNING per attempt, with the reason and the wait before the next;
    InputError propagates at once.

    Waits FIRST_RETRY_SECONDS, doubling up to LAST_RETRY_SECONDS, between attempts.
    """
    delay = FIRST_RETRY_SECONDS
    while not stop.is_set():
        trying = asyncio.ensure_future(attempt())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({trying, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not trying.done():
            trying.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await trying
            return False
        try:
            trying.result()
            return True
        except SlackUnreachable as unreachable:
            logger.warning("cannot reach Slack yet (%s); trying again in %.0f s", unreachable.reason, delay)
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
        except TimeoutError:
            delay = min(delay * 2, LAST_RETRY_SECONDS)
    return False


def _refused_or_unreachable(error: SlackApiError, variable: str, method: str) -> InputError | SlackUnreachable:
    response = error.response
    code = str(response.get("error") or "") if response is not None else ""
    status = getattr(response, "status_code", None)
    if code in REFUSED_TOKEN_ERRORS:
        return InputError(f"Slack refused {variable} ({method}: {code})",
                          remedy=f"set {variable} to {_WHERE_TOKENS_ARE[variable]}; a token stops working when it "
                                 "is revoked or the app is uninstalled")
    if status == 429 or code == "ratelimited":
        return SlackUnreachable(f"{method} was rate limited")
    return SlackUnreachable(f"{method} answered {code or f'HTTP {status}'}")


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__

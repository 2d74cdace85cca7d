"""What the Slack side reports to bot.metrics: Web API errors by method, and a command's metric name.

Bolt builds a new AsyncWebClient for every request but copies the app client's retry handlers into it
(slack_bolt AsyncApp, per-request clients), so a retry handler is the one seam that sees every Web API
answer of every client okebot uses. `SlackApiErrorObserver` is such a handler that never retries: it only
looks at each attempt's answer, and counts `{"ok": false}` (by Slack's error code), HTTP errors and
connection errors, per method. Put it first in `retry_handlers`: slack_sdk asks the handlers in order and
stops at the first that retries.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.metrics import COMMANDS, OTHER, Metrics
from bot.questions import question_of
from bot.slack.admin import commands as admin
from bot.slack.admin import digest_commands as digest
from bot.slack.parse import Administer, Ask, Help, OpenValidateModal, Parsed, Usage

ARRIVED = "okebot_arrived_at"  # the context key note_arrival sets: time.monotonic() when Bolt handed us the request
# Slack's file uploads go to a one-time URL outside the Web API; counted under one name.
UPLOAD_METHOD = "upload"
# Every admin command by the subcommand typed first (bot.slack.admin.commands.ADMIN_USAGE): `digest preview` and
# `digest add` are both "digest", so the label stays one of a fixed few whatever the verb.
ADMIN_NAMES: dict[type[Any], str] = {
    admin.ListBindings: "bindings", admin.Bind: "bind", admin.Unbind: "unbind", admin.Grant: "grant",
    admin.Revoke: "revoke", admin.ShowAudit: "audit",
    digest.DigestPreview: "digest", digest.DigestAdd: "digest", digest.DigestList: "digest",
    digest.DigestChange: "digest",
}


class SlackApiErrorObserver(AsyncRetryHandler):
    """A retry handler that never retries and counts every failed Web API attempt in `metrics`.

    Args:
        metrics: where `okebot_slack_api_errors_total{method,error}` is counted.
        base_url: the client's Web API base URL (SLACK_API_URL); the method is what follows it.
    """

    def __init__(self, metrics: Metrics, *, base_url: str) -> None:
        super().__init__(max_retry_count=0)
        self._metrics = metrics
        self._base = base_url if base_url.endswith("/") else base_url + "/"

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        """Count this attempt if it failed; always False, so the real retry handlers decide."""
        code = failure_code(response, error)
        if code is not None:
            self._metrics.slack_api_error(self.method_of(request.url), code)
        return False

    def method_of(self, url: str) -> str:
        """"chat.postMessage" for base_url + "chat.postMessage"; "upload" for anything else."""
        if not url.startswith(self._base):
            return UPLOAD_METHOD
        method = url[len(self._base):].split("?", 1)[0]
        return method if method and "/" not in method and len(method) <= 64 else OTHER


def failure_code(response: HttpResponse | None, error: Exception | None) -> str | None:
    """Slack's error code for a failed attempt ("not_in_channel"), "http_<status>" for an HTTP error
    without one, the exception's class name for a connection error; None when the attempt succeeded."""
    if error is not None and response is None:
        return type(error).__name__
    if response is None:
        return None
    body = response.body if isinstance(response.body, dict) else {}
    if body.get("ok") is False:
        return str(body.get("error") or f"http_{response.status_code}")[:64]
    if response.status_code >= 400:
        return f"http_{response.status_code}"
    return None


def command_name(parsed: Parsed) -> str:
    """The `command` label of what `/oke` parsed: the question's registry name, the admin subcommand's
    name ("digest" for every `digest …`), "help", or "validate" (the plan modal). A malformed command counts
    under its subcommand when that is known (`whatif size=lots` is "whatif"), else as "usage" (an unknown
    subcommand, unreadable text). Never the text typed."""
    match parsed:
        case Ask(query=query):
            return question_of(query).name
        case Administer(command=command):
            return ADMIN_NAMES.get(type(command), OTHER)
        case Help():
            return "help"
        case Usage(subcommand=subcommand):
            return subcommand if subcommand in COMMANDS else "usage"
        case OpenValidateModal():
            return "validate"
    return OTHER


def arrived_at(context: Any) -> float | None:
    """The time.monotonic() instant note_arrival saw this request, or None when it did not run."""
    arrived = context.get(ARRIVED) if hasattr(context, "get") else None
    return arrived if isinstance(arrived, float) else None


async def note_arrival(context: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
    """A global middleware (register it first) noting when the request reached okebot, for ack and answer
    times."""
    context[ARRIVED] = time.monotonic()
    await next()


def since_arrival(context: Any) -> float:
    """Seconds since note_arrival saw this request (0.0 when it did not run)."""
    arrived = arrived_at(context)
    return time.monotonic() - arrived if arrived is not None else 0.0

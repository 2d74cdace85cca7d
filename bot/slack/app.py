"""The composition of the Slack app: one AsyncApp per call, with its client, middleware and listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import Metrics
from bot.slack.dedup import drop_retries
from bot.slack.deps import Deps, deps_middleware
from bot.slack.errors import handle_unexpected
from bot.slack.observe import SlackApiErrorObserver, note_arrival
from bot.slack.routes import register
from bot.slack.settings import SlackSettings


def create_client(settings: SlackSettings, *, metrics: Metrics | None = None) -> AsyncWebClient:
    """The Web API client: SLACK_API_URL as base, retrying connection errors, 5xx and 429 (Retry-After);
    with `metrics`, every failed call is counted in okebot_slack_api_errors_total.

    Bolt copies base_url and retry handlers from this client into the client of every request.
    """
    retries = settings.okebot_rate_limit_retries
    observers = [SlackApiErrorObserver(metrics, base_url=settings.slack_api_url)] if metrics is not None else []
    return AsyncWebClient(
        token=settings.token(),
        base_url=settings.slack_api_url,
        retry_handlers=[
            *observers,
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncServerErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=retries),
        ],
    )


def create_app(settings: SlackSettings, deps: Deps) -> AsyncApp:
    """Build the app: client, the deps and retry-dedup middleware, the error handler, the listeners."""
    app = AsyncApp(
        client=create_client(settings, metrics=deps.metrics),
        signing_secret=settings.signing_secret(),
        logger=deps.logger,
        # Long-lived process: ack first, work after (process_before_response is for FaaS).
        process_before_response=False,
    )
    app.use(note_arrival)
    app.use(deps_middleware(deps))
    app.use(drop_retries)
    app.error(handle_unexpected)
    register(app)
    return app

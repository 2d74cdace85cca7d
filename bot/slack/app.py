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
    with `metrics`, every failed call is counted in okebot_slack_api_errors_total."""
    client = AsyncWebClient(token=settings.token())
    configure_client(client, settings, metrics=metrics)
    return client


def configure_client(client: AsyncWebClient, settings: SlackSettings, *, metrics: Metrics | None = None) -> None:
    """Point a Web API client at SLACK_API_URL and give it okebot's retry handlers (and the error observer).

    Bolt copies base_url and retry handlers from the app's client into the client of every request.
    """
    observers = [SlackApiErrorObserver(metrics, base_url=settings.slack_api_url)] if metrics is not None else []
    client.base_url = settings.slack_api_url
    client.retry_handlers = [
        *observers,
        AsyncConnectionErrorRetryHandler(max_retry_count=1),
        AsyncServerErrorRetryHandler(max_retry_count=1),
        AsyncRateLimitErrorRetryHandler(max_retry_count=settings.okebot_rate_limit_retries),
    ]


def create_app(settings: SlackSettings, deps: Deps) -> AsyncApp:
    """Build the app: client, the arrival/deps/retry-dedup middleware, the error handler, the listeners.

    The token is given as `token=` (Bolt then makes the client, configured here), never with `client=`:
    Bolt would also read SLACK_BOT_TOKEN from the environment and warn that one of them goes unused.
    """
    app = AsyncApp(
        token=settings.token() or None,
        signing_secret=settings.signing_secret(),
        logger=deps.logger,
        # Long-lived process: ack first, work after (process_before_response is for FaaS).
        process_before_response=False,
    )
    configure_client(app.client, settings, metrics=deps.metrics)
    app.use(note_arrival)
    app.use(deps_middleware(deps))
    app.use(drop_retries)
    app.error(handle_unexpected)
    register(app)
    return app

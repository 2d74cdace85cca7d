"""Every metric okebot exports, on a registry of its own, and the `/metrics` handler transports mount.

Names follow Prometheus' conventions: the `okebot_` prefix, base units (seconds), `_total` on counters,
`_timestamp_seconds` for instants, `_info` for constant labels. No label takes user text: a command is a
question name from the registry (bot/questions.py), an admin subcommand ("digest" for every `digest …`), "help"
or "usage" (bot.slack.observe.command_name), and anything else is counted as "other"; an outcome is the audit's
word (engine.audit.Outcome); OCI operations and Slack methods are the fixed sets okebot's own code calls.

    metrics = Metrics()                                  # one per process; tests make fresh ones
    metrics.command_answered("capacity", "ok", 1.42)
    web_app.router.add_get("/metrics", metrics_handler(metrics))

Every method is cheap and never raises on a label it does not know: it files it under "other" instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from importlib import metadata
from typing import Final, Literal

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.aiohttp import make_aiohttp_handler

from bot.questions import QUESTIONS
from bot.slack.admin.commands import ADMIN_USAGE
from engine.audit import Outcome

OTHER: Final = "other"
# Slack retries a request it has not had an ack for in 3 s: the ack buckets are dense below that.
ACK_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
# An answer reads the tenancy: from milliseconds (cache, snapshot) to a minute (a large live tenancy).
ANSWER_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)
COMMANDS: Final = frozenset(
    {name for question in QUESTIONS for name in (question.name, *question.aliases)}
    | set(ADMIN_USAGE)
    | {"help", "usage"}
)
OUTCOMES: Final = frozenset({"ok", "refused", "error", "bad-input"})
SOURCES: Final = frozenset({"demo", "snapshot", "oci"})
DigestResult = Literal["posted", "failed", "skipped"]
DIGEST_RESULTS: Final = frozenset({"posted", "failed", "skipped"})


def _bounded(value: str, allowed: Iterable[str]) -> str:
    return value if value in allowed else OTHER


def package_version() -> str:
    """okebot's installed version ("0.1.0"), or "unknown" when running from a tree that is not installed."""
    try:
        return metadata.version("okebot")
    except metadata.PackageNotFoundError:
        return "unknown"


class Metrics:
    """okebot's metrics on their own `CollectorRegistry` (never the process-wide default).

    Args:
        version: the `version` label of `okebot_build_info` (default: the installed package's).
    """

    def __init__(self, *, version: str | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.commands = Counter("okebot_commands_total", "Commands answered, by command and outcome.",
                                ("command", "outcome"), registry=r)
        self.ack_seconds = Histogram("okebot_ack_seconds", "Time from a Slack request's arrival to its ack.",
                                     buckets=ACK_BUCKETS, registry=r)
        self.answer_seconds = Histogram("okebot_answer_seconds", "Time from a command's arrival to its answer.",
                                        ("command",), buckets=ANSWER_BUCKETS, registry=r)
        self.oci_requests = Counter("okebot_oci_requests_total", "OCI API requests, by operation and HTTP status.",
                                    ("operation", "status"), registry=r)
        self.read_seconds = Histogram("okebot_read_seconds", "Time to read the tenancy, by source kind.",
                                      ("source",), buckets=ANSWER_BUCKETS, registry=r)
        self.slack_api_errors = Counter("okebot_slack_api_errors_total",
                                        "Slack Web API calls that failed, by method and Slack's error code.",
                                        ("method", "error"), registry=r)
        self.digest_runs = Counter("okebot_digest_runs_total", "Scheduled digest runs, by result.",
                                   ("result",), registry=r)
        self.digest_missed = Counter("okebot_digest_missed_total",
                                     "Scheduled digests that were not posted in their window.", registry=r)
        self.digest_last_success = Gauge("okebot_digest_last_success_timestamp_seconds",
                                         "When a digest was last posted, by any replica (as the store records "
                                         "it), as Unix seconds.", registry=r)
        self._digest_last_success = 0.0
        self.alerts_sent = Counter("okebot_alerts_sent_total", "Capacity alerts posted.", registry=r)
        self.store_errors = Counter("okebot_store_errors_total", "State store operations that failed.",
                                    ("operation",), registry=r)
        self.build_info = Gauge("okebot_build_info", "The running okebot's version (always 1).",
                                ("version",), registry=r)
        self.build_info.labels(version=version or package_version()).set(1)
        for source in SOURCES:  # so a dashboard sees every source kind, at 0, before the first read
            self.read_seconds.labels(source=source)

    def command_answered(self, command: str, outcome: Outcome | str, seconds: float) -> None:
        """One command answered: `command` a question or admin name (else "other"), `outcome` as audited,
        `seconds` from its arrival to the answer."""
        name = _bounded(command, COMMANDS)
        self.commands.labels(command=name, outcome=_bounded(outcome, OUTCOMES)).inc()
        self.answer_seconds.labels(command=name).observe(max(seconds, 0.0))

    def acked(self, seconds: float) -> None:
        """One Slack request acknowledged `seconds` after it arrived."""
        self.ack_seconds.observe(max(seconds, 0.0))

    def oci_request(self, operation: str, status: str) -> None:
        """One OCI request: `operation` an SDK method name (list_clusters), `status` its HTTP status ("200",
        "404") or, when no answer came, the kind of failure ("timeout", "connection")."""
        self.oci_requests.labels(operation=operation, status=status).inc()

    def read_finished(self, source: str, seconds: float) -> None:
        """One tenancy read took `seconds`; `source` is demo, snapshot or oci."""
        self.read_seconds.labels(source=_bounded(source, SOURCES)).observe(max(seconds, 0.0))

    def slack_api_error(self, method: str, error: str) -> None:
        """One Slack Web API call failed: `method` (chat.postMessage), `error` Slack's code (not_in_channel),
        "http_<status>" or a connection error's kind."""
        self.slack_api_errors.labels(method=method, error=error).inc()

    def digest_finished(self, result: DigestResult | str, *, at: datetime | None = None) -> None:
        """One scheduled digest run ended; a "posted" run at `at` (aware) moves the last-success timestamp."""
        label = _bounded(result, DIGEST_RESULTS)
        self.digest_runs.labels(result=label).inc()
        if label == "posted" and at is not None:
            self.digest_posted_at(at)

    def digest_posted_at(self, at: datetime | None) -> None:
        """A digest was posted at `at` (aware), by this replica or, as the store says, by any: the last-success
        timestamp moves forward to it, never back (None, no digest posted yet, changes nothing)."""
        if at is not None and at.timestamp() > self._digest_last_success:
            self._digest_last_success = at.timestamp()
            self.digest_last_success.set(self._digest_last_success)

    def digests_missed(self, count: int = 1) -> None:
        """`count` scheduled digests were missed (found when the scheduler catches up)."""
        if count > 0:
            self.digest_missed.inc(count)

    def alert_sent(self, count: int = 1) -> None:
        """`count` capacity alerts were posted."""
        if count > 0:
            self.alerts_sent.inc(count)

    def store_error(self, operation: str) -> None:
        """One state-store operation (a StateStore method name, or "open") failed."""
        self.store_errors.labels(operation=operation).inc()


def metrics_handler(metrics: Metrics) -> Handler:
    """The aiohttp handler for GET /metrics: the registry in Prometheus' text format (OpenMetrics when the
    scraper asks for it), gzip when it accepts it."""
    return make_aiohttp_handler(metrics.registry)


def metrics_routes(metrics: Metrics) -> list[web.RouteDef]:
    """`GET /metrics`, ready for `web_app.add_routes(...)` beside /healthz and /readyz."""
    return [web.get("/metrics", metrics_handler(metrics))]

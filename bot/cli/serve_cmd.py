"""`okebot serve`: run the Slack bot, over Socket Mode (default) or HTTP (`--http PORT`).

Answers are computed in worker processes (OKEBOT_ANSWER_CONCURRENCY at once), so acks and health checks
never wait for them. On SIGTERM or SIGINT: /readyz answers 503 at once; no new work is taken (HTTP stops
listening and refuses requests on open connections with 503; Socket Mode closes its websocket, so Slack
sends to other replicas); answers and audit writes in flight get OKEBOT_DRAIN_SECONDS (default 25) to
finish (scheduled jobs stop first, within the same grace); whoever still waits then is told that okebot
restarted; the workers, the store and the OCI and Kubernetes clients close; exit 0. A second signal exits
at once with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.compose import SOURCE_HELP
from engine.errors import EngineError

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.jobs.settings import JobSettings
    from bot.slack.deps import Deps
    from bot.slack.settings import SlackSettings, Transport

ACK_WAIT_SECONDS = 2.0  # Socket Mode: how long the websocket stays open for acks of requests already received


def add_parser(subparsers: Any) -> None:
    """Register `okebot serve`."""
    parser = subparsers.add_parser("serve", help="run the Slack bot", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--http", type=int, metavar="PORT", help="serve HTTP on PORT instead of Socket Mode")
    parser.add_argument("--host", default="0.0.0.0", help="address to bind in HTTP mode (default 0.0.0.0)")
    parser.add_argument("--health-port", type=int, metavar="PORT",
                        help="Socket Mode: serve /healthz and /readyz on PORT")
    parser.add_argument("--source", default="oci", help=SOURCE_HELP)
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))


class Shutdown:
    """The first SIGTERM/SIGINT asks for a graceful stop; a second one exits at once (128 + its number)."""

    def __init__(self, logger: logging.Logger) -> None:
        self.requested = asyncio.Event()
        self.at: float | None = None  # time.monotonic() of the first signal
        self.on_exit_now: Callable[[], None] | None = None  # e.g. kill the worker processes
        self._logger = logger

    def install(self) -> None:
        """Handle SIGINT and SIGTERM on the running loop (not on Windows)."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, self._signalled, sig)

    def _signalled(self, sig: signal.Signals) -> None:
        if self.requested.is_set():
            self._logger.error("second %s: exiting now, without finishing the answers in flight", sig.name)
            if self.on_exit_now is not None:
                with contextlib.suppress(Exception):
                    self.on_exit_now()
            for handler in logging.getLogger().handlers:
                with contextlib.suppress(Exception):
                    handler.flush()
            os._exit(128 + sig.value)
        self.at = time.monotonic()
        self._logger.info("%s: draining (a second signal exits at once)", sig.name)
        self.requested.set()


async def run(args: argparse.Namespace) -> int:
    """Start the bot and run until SIGINT/SIGTERM, then drain; 2 when the configuration is incomplete (every
    problem with the environment and okebot.yaml named at once, as `okebot: error: …` and `  fix: …`)."""
    # Slack's libraries load only when this command runs, so every other command starts fast.
    from bot.compose import build_deps
    from bot.logs import configure_logging
    from bot.settings import require_settings
    from bot.slack.app import create_app
    from bot.slack.settings import Transport

    transport = Transport.HTTP if args.http is not None else Transport.SOCKET
    try:
        settings = require_settings(transport, source=args.source)
    except EngineError as error:
        return _refuse(error)
    configure_logging(settings.slack.okebot_log_format, args.log_level, settings.slack.secrets())
    shutdown = Shutdown(logging.getLogger("okebot.serve"))
    shutdown.install()
    try:
        deps = await build_deps(settings.slack, source=args.source)
    except EngineError as error:
        return _refuse(error)
    shutdown.on_exit_now = deps.work.kill
    try:
        await _serve(args, settings.slack, deps, create_app(settings.slack, deps), transport, shutdown,
                     settings.jobs)
    finally:
        await deps.work.close()
        await deps.store.close()
        close = getattr(deps.reader, "close", None)  # the live OCI reader holds SDK sessions; files hold nothing
        if close is not None:
            await close()
    return 0


def _refuse(error: EngineError) -> int:
    """Say why okebot cannot start, as every command says an error; exit code 2."""
    from bot.cli.output import Output

    Output(fmt="text", stream=sys.stdout).error(error)
    return 2


def _freeze_what_lives_forever() -> None:
    """Leave everything made while starting (modules, classes, Slack's and pydantic's schemas) out of the
    cycle collector's full passes: walking it all took ~70 ms on the event loop (an ack's whole budget, and
    more) every time the collector ran one; without it a pass takes ~10 ms."""
    gc.collect()
    gc.freeze()


async def _serve(
    args: argparse.Namespace, settings: SlackSettings, deps: Deps, app: AsyncApp, transport: Transport,
    shutdown: Shutdown, job_settings: JobSettings,
) -> None:
    """Serve until the shutdown is requested, then stop taking work and drain (see the module docstring)."""
    from bot.jobs.runner import build_runner
    from bot.slack.settings import Transport
    from bot.slack.transport import (
        health_only_app,
        http_web_app,
        socket_mode_handler,
        socket_ready,
        start_site,
        stop_listening,
    )

    runner = None
    handler: Any = None
    inflight = deps.inflight
    # Scheduled digests, the history sampler and alerts (bot/jobs): started once serving, stopped first.
    jobs = build_runner(deps, client=app.client, settings=job_settings, config_digests=deps.digests)

    async def ready() -> bool:
        if inflight.draining:
            return False
        return True if handler is None else await socket_ready(handler)()

    try:
        await deps.work.start()
        if transport is Transport.HTTP:
            web_app = http_web_app(app, signing_secret=settings.signing_secret(), ready=ready,
                                   draining=lambda: inflight.draining, metrics=deps.metrics)
            runner = await start_site(web_app, host=args.host, port=args.http)
        else:
            handler = socket_mode_handler(app, settings)
            await handler.connect_async()
            if args.health_port is not None:
                runner = await start_site(health_only_app(ready, metrics=deps.metrics), host=args.host,
                                          port=args.health_port)
        _freeze_what_lives_forever()
        deps.logger.info("okebot serving over %s (source %s); answers in %d worker %s", transport,
                         deps.reader.description, deps.work.concurrency,
                         "processes" if deps.work.kind == "process" else "threads")
        jobs.start()
        await shutdown.requested.wait()
        # Draining: /readyz says 503 from here on, and no new work is taken.
        inflight.stop_taking_work()
        if transport is Transport.HTTP and runner is not None:
            await stop_listening(runner)
        if handler is not None:
            await inflight.wait_acked(within=ACK_WAIT_SECONDS)  # acks of what arrived go out on the websocket
            await asyncio.sleep(0.05)  # Bolt sends an ack at its next 10 ms poll
            await handler.close_async()
            handler = None
        # Jobs and answers share the grace. A job cut short keeps its lease: another replica finishes it,
        # posting at most once.
        grace = max(0.0, _grace_left(settings, shutdown))
        _, report = await asyncio.gather(jobs.stop(wait=grace), inflight.drain(grace))
        deps.logger.info("drained in %.1f s: %d finished, %d abandoned (told to ask again)", report.seconds,
                         report.finished, report.abandoned)
    finally:
        await jobs.stop(wait=0)
        if handler is not None:
            await handler.close_async()
        if runner is not None:
            await runner.cleanup()


def _grace_left(settings: SlackSettings, shutdown: Shutdown) -> float:
    """Seconds of OKEBOT_DRAIN_SECONDS left since the first signal."""
    return settings.okebot_drain_seconds - (time.monotonic() - (shutdown.at or time.monotonic()))

"""`okebot serve`: run the Slack bot, over Socket Mode (default) or HTTP (`--http PORT`).

Starting: the health port listens first (liveness never waits on Slack); then the tokens are checked with
Slack (auth.test, and apps.connections.open in Socket Mode): one Slack refuses stops okebot with exit code 2,
while an unreachable Slack is waited for (one WARNING per try) until it answers or a signal comes.

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
import errno
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.compose import SOURCE_HELP, check_source
from engine.errors import EngineError, InputError

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
    parser.add_argument("--http", type=tcp_port, metavar="PORT",
                        help="serve HTTP on PORT instead of Socket Mode (/slack/events, /healthz, /readyz, /metrics)")
    parser.add_argument("--host", default="0.0.0.0",
                        help="address to bind for --http and --health-port (default 0.0.0.0)")
    parser.add_argument("--health-port", type=tcp_port, metavar="PORT",
                        help="Socket Mode: serve /healthz, /readyz and /metrics on PORT (with --http they are on "
                             "the --http port)")
    parser.add_argument("--source", default="oci", help=SOURCE_HELP)
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))


def tcp_port(text: str) -> int:
    """argparse type: a TCP port to listen on, 1-65535, or 0 for any free one (the start-up log names it)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


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
    from bot.logs import JsonFormatter, configure_logging
    from bot.settings import require_settings
    from bot.slack.app import create_app
    from bot.slack.settings import Transport

    transport = Transport.HTTP if args.http is not None else Transport.SOCKET
    if args.http is not None and args.health_port is not None:
        return _refuse(InputError("--health-port is for Socket Mode only",
                                  remedy=f"drop --health-port: with --http, /healthz, /readyz and /metrics are "
                                         f"served on the --http port ({args.http})"))
    try:
        settings = require_settings(transport, source=args.source)
        check_source(args.source)
    except EngineError as error:
        return _refuse(error)
    handler = configure_logging(settings.slack.okebot_log_format, args.log_level, settings.slack.secrets())
    logger = logging.getLogger("okebot.serve")
    as_json = isinstance(handler.formatter, JsonFormatter)
    shutdown = Shutdown(logger)
    shutdown.install()
    try:
        deps = await build_deps(settings.slack, source=args.source)
    except EngineError as error:
        return _refuse(error, logger=logger if as_json else None)
    shutdown.on_exit_now = deps.work.kill
    try:
        await _serve(args, settings.slack, deps, create_app(settings.slack, deps), transport, shutdown,
                     settings.jobs)
    except EngineError as error:  # a token Slack refuses, a port already taken
        return _refuse(error, logger=logger if as_json else None)
    finally:
        await deps.work.close()
        await deps.store.close()
        close = getattr(deps.reader, "close", None)  # the live OCI reader holds SDK sessions; files hold nothing
        if close is not None:
            await close()
    return 0


def _refuse(error: EngineError, *, logger: logging.Logger | None = None) -> int:
    """Say why okebot cannot start, as every command says an error (or as one ERROR record to `logger`, when
    the logs are JSON, so that a log pipeline reads it like every other line); exit code 2."""
    from bot.cli.output import Output

    if logger is not None:
        logger.error("okebot cannot start: %s", error.message, extra={"fix": error.remedy} if error.remedy else {})
        return 2
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
    from bot.slack.connect import SlackUnreachable, until_slack_answers
    from bot.slack.settings import Transport
    from bot.slack.transport import (
        health_only_app,
        http_web_app,
        socket_mode_handler,
        socket_ready,
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
        if transport is Transport.HTTP:
            return True
        return handler is not None and await socket_ready(handler)()

    try:
        # Before the first scrape can see it: the last digest posted, by any replica, not 0 after every restart.
        await jobs.load_last_digest_success()
        if transport is Transport.HTTP:
            web_app = http_web_app(app, signing_secret=settings.signing_secret(), ready=ready,
                                   draining=lambda: inflight.draining, metrics=deps.metrics)
            runner = await _listen(web_app, host=args.host, port=args.http, option="--http")
            await deps.work.start()
            # Slack reaches okebot here, so a Slack that is down only delays answers: say so and go on.
            with contextlib.suppress(SlackUnreachable):
                await _check_tokens(app, settings, deps.logger, socket=False)
        else:
            if args.health_port is not None:
                # Before Slack: a liveness probe must not fail while Slack is slow to answer.
                runner = await _listen(health_only_app(ready, metrics=deps.metrics), host=args.host,
                                       port=args.health_port, option="--health-port")
            await deps.work.start()
            if not await until_slack_answers(lambda: _check_tokens(app, settings, deps.logger, socket=True),
                                             stop=shutdown.requested, logger=deps.logger):
                return  # asked to stop before Slack answered: nothing was taken, nothing to drain
            connecting = socket_mode_handler(app, settings)
            if not await _connect(connecting, shutdown):
                return
            handler = connecting
        _freeze_what_lives_forever()
        deps.logger.info("okebot serving over %s%s%s (source %s); answers in %d worker %s", transport,
                         "" if transport is Transport.HTTP or runner is None else ", health checks",
                         _listening(runner), deps.reader.description, deps.work.concurrency,
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


async def _listen(web_app: Any, *, host: str, port: int, option: str) -> Any:
    """start_site, with a port that cannot be listened on as an InputError naming the option."""
    from bot.slack.transport import start_site

    try:
        return await start_site(web_app, host=host, port=port)
    except OSError as error:
        reason = error.strerror or str(error)
        taken = error.errno == errno.EADDRINUSE
        raise InputError(f"cannot listen on {host}:{port} ({option}): {reason}",
                         remedy=f"choose a free port for {option}, or stop what listens on {port}" if taken
                         else "check --host: an address of this machine (0.0.0.0 for all), and the port") from None


def _listening(runner: Any) -> str:
    """" on 0.0.0.0:3000" for the start-up log: the address really bound (port 0 picks a free one)."""
    addresses = [a for a in (getattr(runner, "addresses", None) or []) if isinstance(a, tuple) and len(a) >= 2]
    return "".join(f" on {a[0]}:{a[1]}" for a in addresses[:1])


async def _check_tokens(app: AsyncApp, settings: SlackSettings, logger: logging.Logger, *, socket: bool) -> None:
    """auth.test (and apps.connections.open for Socket Mode); logs who okebot is in Slack.

    Raises InputError for a token Slack refuses, SlackUnreachable when Slack could not be asked (after one
    WARNING in HTTP mode, where Slack comes to okebot and nothing waits on this)."""
    from bot.slack.connect import SlackUnreachable, check_app_token, check_bot_token

    try:
        who = await check_bot_token(app.client)
        if socket:
            await check_app_token(app.client, settings.app_token())
    except SlackUnreachable as unreachable:
        if not socket:
            logger.warning("could not check SLACK_BOT_TOKEN with Slack (%s); serving anyway", unreachable.reason)
        raise
    logger.info("Slack accepted the bot token: %s", who)


async def _connect(handler: Any, shutdown: Shutdown) -> bool:
    """Open the Socket Mode websocket; False (and the handler closed) when the shutdown comes first."""
    connecting = asyncio.ensure_future(handler.connect_async())
    stopping = asyncio.ensure_future(shutdown.requested.wait())
    await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if connecting.done():
        stopping.cancel()
        connecting.result()
        return True
    await handler.close_async()  # the client's connect loop ends once it is closed
    connecting.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await connecting
    return False


def _grace_left(settings: SlackSettings, shutdown: Shutdown) -> float:
    """Seconds of OKEBOT_DRAIN_SECONDS left since the first signal."""
    return settings.okebot_drain_seconds - (time.monotonic() - (shutdown.at or time.monotonic()))

"""`okebot serve`: run the Slack bot, over Socket Mode (default) or HTTP (`--http PORT`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any

from bot.compose import SOURCE_HELP
from engine.errors import EngineError


def add_parser(subparsers: Any) -> None:
    """Register `okebot serve`."""
    parser = subparsers.add_parser("serve", help="run the Slack bot", description=__doc__)
    parser.add_argument("--http", type=int, metavar="PORT", help="serve HTTP on PORT instead of Socket Mode")
    parser.add_argument("--host", default="0.0.0.0", help="address to bind in HTTP mode (default 0.0.0.0)")
    parser.add_argument("--health-port", type=int, metavar="PORT",
                        help="Socket Mode: serve /healthz and /readyz on PORT")
    parser.add_argument("--source", default="oci", help=SOURCE_HELP)
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):   # not on Windows
            loop.add_signal_handler(sig, stop.set)


async def run(args: argparse.Namespace) -> int:
    """Start the bot and run until SIGINT/SIGTERM; 2 when the configuration is incomplete."""
    # Slack's libraries load only when this command runs, so every other command starts fast.
    from bot.compose import build_deps
    from bot.jobs.runner import build_runner
    from bot.jobs.settings import load_job_settings
    from bot.logs import configure_logging
    from bot.slack.app import create_app
    from bot.slack.settings import Transport, load_slack_settings
    from bot.slack.transport import (
        health_only_app,
        http_web_app,
        run_forever,
        socket_mode_handler,
        socket_ready,
        start_site,
    )

    settings = load_slack_settings()
    transport = Transport.HTTP if args.http is not None else Transport.SOCKET
    configure_logging(settings.okebot_log_format, args.log_level, settings.secrets())
    try:
        settings.require(transport)
        job_settings = load_job_settings()
        deps = await build_deps(settings, source=args.source)
    except EngineError as error:
        remedy = f"\n  {error.remedy}" if error.remedy else ""
        print(f"okebot serve: {error.message}{remedy}", file=sys.stderr)
        return 2
    app = create_app(settings, deps)
    # Scheduled digests, the history sampler and alerts (bot/jobs): started once serving, stopped first.
    jobs = build_runner(deps, client=app.client, settings=job_settings, config_digests=deps.digests)
    stop = asyncio.Event()
    _stop_on_signals(stop)
    runner = None
    handler: Any = None
    try:
        if transport is Transport.HTTP:
            runner = await start_site(http_web_app(app), host=args.host, port=args.http)
        else:
            handler = socket_mode_handler(app, settings)
            await handler.connect_async()
            if args.health_port is not None:
                runner = await start_site(health_only_app(socket_ready(handler)), host=args.host,
                                          port=args.health_port)
        deps.logger.info("okebot serving over %s (source %s)", transport, deps.reader.description)
        jobs.start()
        await run_forever(stop)
    finally:
        await jobs.stop()
        if handler is not None:
            await handler.close_async()
        if runner is not None:
            await runner.cleanup()
        await deps.store.close()
        close = getattr(deps.reader, "close", None)  # the live OCI reader holds SDK sessions; files hold nothing
        if close is not None:
            await close()
    return 0

"""`okebot run "/oke capacity prod"`: the bot's own routing and rendering, without Slack; prints what Slack
would be sent (and the full text of an answer too long for one message, instead of attaching it).

Each run starts from nothing: a fresh in-memory state store, so runtime grants, bindings and the audit log
of earlier runs do not exist, and this run's are gone when it ends. Access comes from the `access:` section of
okebot.yaml (OKEBOT_CONFIG, ./okebot.yaml or /etc/okebot/okebot.yaml; the default policy without one), as for
the bot.

Exit codes, as the CLI's: 0 answered, 1 the answer holds error findings, 2 bad input (usage, an unknown
cluster, a bad plan or snapshot) or a refusal, 3 the source could not be read, 4 a bug in okebot, 5 whatif's
verdict is unknown.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import re
import sys
from typing import Any

from bot.compose import SOURCE_HELP
from engine.errors import EngineError

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_SOURCE, EXIT_INTERNAL = 0, 1, 2, 3, 4


def add_parser(subparsers: Any) -> None:
    """Register `okebot run`."""
    parser = subparsers.add_parser("run", help="run one /oke command through the Slack bot, offline",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", help='the command as typed in Slack, e.g. "/oke capacity prod"')
    parser.add_argument("--source", default="demo", help=SOURCE_HELP)
    parser.add_argument("--format", type=str.lower, choices=("blocks", "text"), default="text", dest="output_format",
                        help="blocks: the JSON Slack would receive; text: the text of each message")
    parser.add_argument("--user", default="ULOCAL", help="Slack user id to ask as (for access rules)")
    parser.add_argument("--channel", default="CLOCAL", help="Slack channel id to ask in (for bindings)")


def _command_text(command: str) -> str:
    words = command.strip()
    return re.sub(r"^/oke(?:\s+|$)", "", words, flags=re.IGNORECASE)


def _unescaped(text: str) -> str:
    """Slack's three escapes undone, for a terminal: "&lt;cluster&gt;" is "<cluster>" to a person."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _message_text(body: dict[str, Any]) -> str:
    view = body.get("view")
    if view:  # views.open: the modal, readable (bot.slack.render.messages.view_text)
        from bot.slack.render.messages import view_text

        return view_text(json.loads(view) if isinstance(view, str) else view)
    blocks = body.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    lines: list[str] = []
    for block in blocks or []:
        text = block.get("text")
        if isinstance(text, dict):
            lines.append(str(text.get("text", "")))
        for element in block.get("elements", []) if block.get("type") == "context" else []:
            lines.append(str(element.get("text", "")))
    return _unescaped("\n".join(lines) or str(body.get("text", "")))


class _Quiet(logging.Formatter):
    """One line per problem, "okebot run: ..."; the stack trace only with OKEBOT_DEBUG=1."""

    def formatException(self, ei: Any) -> str:  # logging's own name
        return super().formatException(ei) if os.environ.get("OKEBOT_DEBUG") else ""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).rstrip()


def _logger() -> logging.Logger:
    """Warnings and errors of this run, on this run's standard error."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Quiet("okebot run: %(message)s"))
    logger = logging.getLogger("okebot.run")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    return logger


def refusal_hint(user: str, config: str) -> str:
    """What to do when the offline bot refused: who was asking, which policy applied, and how to ask as
    someone else."""
    return (f"okebot run: asked as user {user}, under {config}.\n"
            "  To ask as someone else, run with --user U… and an okebot.yaml that grants it, e.g.\n"
            "    access:\n      users: {U…: admin}\n"
            "  in ./okebot.yaml or the file OKEBOT_CONFIG names (docs/configuration.md).")


def exit_code(run: Any) -> int:
    """The CLI's exit code for an offline run (see the module docstring)."""
    audit = run.audit
    if audit is None or run.sent[0]["body"]["status"] != 200:
        return EXIT_INTERNAL
    if audit.outcome in ("bad-input", "refused"):
        return EXIT_BAD_INPUT
    if audit.outcome == "error":
        return EXIT_INTERNAL if audit.error_id else EXIT_SOURCE
    return max((answer.exit_status for answer in run.answers), default=EXIT_OK)


async def run(args: argparse.Namespace) -> int:
    """Dispatch the command into a real AsyncApp, print what it sent, and exit as the CLI would."""
    # Slack's libraries load only when this command runs, so every other command starts fast.
    from bot.compose import build_deps
    from bot.config_file import find_config
    from bot.slack.offline import run_offline
    from bot.slack.settings import load_slack_settings
    from bot.work import WorkService

    try:
        settings = load_slack_settings()
        found = find_config(settings)
        # Offline: nothing may reach Slack, so group membership is not looked up there; one question needs
        # no worker processes.
        deps = await build_deps(
            settings, source=args.source, store_url="sqlite:///:memory:", slack_groups=False, announce=False,
            work=WorkService(kind="thread", concurrency=1),
        )
    except EngineError as error:
        remedy = f"\n  fix: {error.remedy}" if error.remedy else ""
        print(f"okebot run: {error.message}{remedy}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if found.warning:
        print(f"okebot run: warning: {found.warning}", file=sys.stderr)
    deps = dataclasses.replace(deps, logger=_logger())
    try:
        done = await run_offline(_command_text(args.command), deps=deps, user=args.user, channel=args.channel)
    finally:
        await deps.work.close()
        await deps.store.close()
    if done.audit is not None and done.audit.outcome == "refused":
        print(refusal_hint(args.user, found.reason), file=sys.stderr)
    if args.output_format == "blocks":
        print(json.dumps([*done.sent, *({"method": "attached", "body": a} for a in done.attached)], indent=2,
                         ensure_ascii=False))
    else:
        for item in done.sent[1:]:
            print(f"--- {item['method']} ---\n{_message_text(item['body'])}")
        for attached in done.attached:
            print(f"--- full answer ({attached['filename']}) ---\n{attached['content']}", end="")
    return exit_code(done)

"""`okebot run "/oke capacity prod"`: the bot's own routing and rendering, without Slack; prints what Slack
would be sent."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.compose import SOURCE_HELP
from engine.errors import EngineError


def add_parser(subparsers: Any) -> None:
    """Register `okebot run`."""
    parser = subparsers.add_parser("run", help="run one /oke command through the Slack bot, offline",
                                   description=__doc__)
    parser.add_argument("command", help='the command as typed in Slack, e.g. "/oke capacity prod"')
    parser.add_argument("--source", default="demo", help=SOURCE_HELP)
    parser.add_argument("--format", choices=("blocks", "text"), default="text", dest="output_format",
                        help="blocks: the JSON Slack would receive; text: the text of each message")
    parser.add_argument("--user", default="ULOCAL",
                        help="Slack user id to ask as (default ULOCAL); its role comes from okebot.yaml "
                             "(OKEBOT_CONFIG, ./okebot.yaml or /etc/okebot/okebot.yaml)")
    parser.add_argument("--channel", default="CLOCAL", help="Slack channel id to ask in (for bindings)")


def _command_text(command: str) -> str:
    words = command.strip()
    return words.removeprefix("/oke").strip()


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
    return "\n".join(lines) or str(body.get("text", ""))


def refusal_hint(user: str, config: str) -> str:
    """What to do when the offline bot refused: who was asking, which policy applied, and how to ask as
    someone else."""
    return (f"okebot run: asked as user {user}, under {config}.\n"
            "  To ask as someone else, run with --user U… and an okebot.yaml that grants it, e.g.\n"
            "    access:\n      users: {U…: admin}\n"
            "  in ./okebot.yaml or the file OKEBOT_CONFIG names (docs/configuration.md).")


async def run(args: argparse.Namespace) -> int:
    """Dispatch the command into a real AsyncApp and print what it sent; 0 when it answered."""
    # Slack's libraries load only when this command runs, so every other command starts fast.
    from bot.compose import build_deps
    from bot.config_file import find_config
    from bot.slack.offline import run_offline
    from bot.slack.settings import load_slack_settings

    try:
        settings = load_slack_settings()
        found = find_config(settings)
        # Offline: nothing may reach Slack, so group membership is not looked up there.
        deps = await build_deps(
            settings, source=args.source, store_url="sqlite:///:memory:", slack_groups=False, announce=False
        )
    except EngineError as error:
        remedy = f"\n  fix: {error.remedy}" if error.remedy else ""
        print(f"okebot run: {error.message}{remedy}", file=sys.stderr)
        return 2
    if found.warning:
        print(f"okebot run: warning: {found.warning}", file=sys.stderr)
    try:
        sent = await run_offline(_command_text(args.command), deps=deps, user=args.user, channel=args.channel)
        audit = await deps.store.list_audit(limit=1)
    finally:
        await deps.store.close()
    if audit and audit[0].outcome == "refused":
        print(refusal_hint(args.user, found.reason), file=sys.stderr)
    if args.output_format == "blocks":
        print(json.dumps(sent, indent=2, ensure_ascii=False))
    else:
        for item in sent[1:]:
            print(f"--- {item['method']} ---\n{_message_text(item['body'])}")
    answered = len(sent) > 1 and sent[0]["body"]["status"] == 200
    return 0 if answered else 1

"""`okebot`: the same answers as the Slack bot, in a terminal or a CI pipeline.

Exit codes: 0 fine, 1 error findings, 2 bad input, 3 the source could not be read, 4 a bug in okebot.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import sys
import traceback
import uuid
from collections.abc import Sequence
from typing import Any

from bot.cli import commands, config_cmd, digest_cmd, history_cmd, run_cmd, serve_cmd, snapshot_cmd
from bot.cli.output import Output
from bot.questions import Question
from engine.errors import EngineError, InputError, NotFoundError, SourceError

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_SOURCE, EXIT_INTERNAL = 0, 1, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error names the command and exits 2 without a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    parser = _Parser(
        prog="okebot",
        description="Pod-network capacity, network-plan validation and CNI status for OKE clusters.",
        epilog="Exit codes: 0 fine, 1 error findings, 2 bad input, 3 source could not be read, 4 a bug in okebot.",
    )
    parser.add_argument("--version", action="version", version=f"okebot {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    commands.add_core_commands(sub)
    for module in (run_cmd, serve_cmd, snapshot_cmd, config_cmd, digest_cmd, history_cmd):
        module.add_parser(sub)
        sub.choices[module.__name__.rsplit(".", 1)[1].removesuffix("_cmd")].set_defaults(handler=module.run)
    return parser


def _version() -> str:
    try:
        return importlib.metadata.version("okebot")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed as a package)"


async def _run(args: argparse.Namespace, output: Output) -> int:
    result = await args.handler(args)
    if isinstance(result, int):
        return result
    output.report(result)
    question: Question[Any, Any] | None = getattr(args, "question", None)
    return EXIT_FINDINGS if question is not None and question.failed(result) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run okebot with these arguments; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    output = Output(fmt=getattr(args, "format", "text"), stream=sys.stdout)
    try:
        return asyncio.run(_run(args, output))
    except (InputError, NotFoundError) as exc:
        output.error(exc)
        return EXIT_BAD_INPUT
    except SourceError as exc:
        output.error(exc)
        return EXIT_SOURCE
    except EngineError as exc:
        output.error(exc)
        return EXIT_SOURCE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: a bug gets an id, not a bare traceback
        return _internal_error(exc)


def _internal_error(exc: Exception) -> int:
    error_id = uuid.uuid4().hex[:12]
    sys.stderr.write(
        f"okebot: internal error {error_id}: {type(exc).__name__}: {exc}\n"
        "  This is a bug in okebot; please report it with the error id"
        + ("" if os.environ.get("OKEBOT_DEBUG") else " (set OKEBOT_DEBUG=1 to print the stack trace)")
        + ".\n"
    )
    if os.environ.get("OKEBOT_DEBUG"):
        traceback.print_exception(exc, file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())

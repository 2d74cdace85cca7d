"""`okebot`: the same answers as the Slack bot, in a terminal or a CI pipeline.

Exit codes: 0 fine, 1 error findings (whatif: does not fit), 2 bad input, 3 the source could not be read, 4 a
bug in okebot, 5 whatif: the verdict is unknown, 141 the reader of the output went away (`| head`), as for any
tool killed by SIGPIPE.
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import difflib
import errno
import importlib.metadata
import json
import os
import re
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
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a process SIGPIPE ended


_INVALID_CHOICE = re.compile(
    r"argument (?P<arg>[^:]+): invalid choice: '(?P<given>[^']*)' \(choose from (?P<choices>.*)\)"
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error names the command, suggests what was meant ("did you mean capacity?"), is
    JSON on standard output too when JSON was asked for, and exits 2 without a traceback."""

    json_errors = False  # set by `main` when the command line asks for --format json

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # "--form json" must not silently mean --format: a prefix is a typo to name, not a guess to make.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        message, remedy = _said_better(message)
        if _Parser.json_errors:
            error = {"type": "UsageError", "message": message, "remedy": remedy, "usage": self.format_usage().strip()}
            sys.stdout.write(json.dumps({"error": error}, indent=2) + "\n")
        self.print_usage(sys.stderr)
        fix = f"  fix: {remedy}\n" if remedy else ""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n{fix}")


def _said_better(message: str) -> tuple[str, str | None]:
    """argparse's message, with "did you mean ...?" for a mistyped choice, and a remedy when there is one."""
    found = _INVALID_CHOICE.fullmatch(message)
    if found is None:
        return message, None
    choices = [choice.strip().strip("'") for choice in found["choices"].split(",")]
    close = difflib.get_close_matches(found["given"], choices, n=1, cutoff=0.6)
    what = "command" if found["arg"] in ("COMMAND", "PLAN_COMMAND") else found["arg"]
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown {what} {found['given']!r}{hint}", f"choose from {', '.join(choices)}"


def _unrecognized(extra: Sequence[str], parser: argparse.ArgumentParser) -> str:
    """ "unrecognized arguments: --clustr x; did you mean --cluster?" for the first mistyped option."""
    options = [option for action in parser._actions for option in action.option_strings]
    for word in extra:
        if word.startswith("--"):
            close = difflib.get_close_matches(word.split("=", 1)[0], options, n=1, cutoff=0.6)
            if close:
                return f"unrecognized arguments: {' '.join(extra)}; did you mean {close[0]}?"
    return f"unrecognized arguments: {' '.join(extra)}"


def _wants_json(argv: Sequence[str]) -> bool:
    for index, word in enumerate(argv):
        if word.lower() == "--format=json":
            return True
        if word == "--format" and index + 1 < len(argv) and argv[index + 1].lower() == "json":
            return True
    return False


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    parser = _Parser(
        prog="okebot",
        description="Pod-network capacity, network-plan validation and CNI status for OKE clusters.",
        epilog="Exit codes: 0 fine, 1 error findings (whatif: does not fit), 2 bad input, 3 source could not be "
               "read, 4 a bug in okebot, 5 whatif: the verdict is unknown. `okebot help COMMAND` shows a command's "
               "options.",
    )
    parser.add_argument("--version", action="version", version=f"okebot {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    commands.add_core_commands(sub)
    for module in (run_cmd, serve_cmd, snapshot_cmd, config_cmd, digest_cmd, history_cmd):
        module.add_parser(sub)
        sub.choices[module.__name__.rsplit(".", 1)[1].removesuffix("_cmd")].set_defaults(handler=module.run)
    helper = sub.add_parser("help", help="show the help of okebot, or of one command",
                            description="show the help of okebot, or of one command")
    helper.add_argument("topic", nargs="*", metavar="COMMAND", help="a command, e.g. capacity or plan export")

    async def show_help(args: argparse.Namespace) -> int:
        target: argparse.ArgumentParser = parser
        for word in args.topic:
            choices = _subcommands(target)
            if word not in choices:
                target.error(f"argument COMMAND: invalid choice: {word!r} (choose from "
                             f"{', '.join(repr(c) for c in choices)})")
            target = choices[word]
        sys.stdout.write(target.format_help())
        return EXIT_OK

    helper.set_defaults(handler=show_help)
    return parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps subparsers here; there is no public accessor
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _given_twice(words: Sequence[str], command: argparse.ArgumentParser) -> str | None:
    """"--size is given twice (9 and 10); give it once" for the first single-valued option given twice with
    two values (argparse would keep the last one silently, as Slack's parser does not); else None."""
    single = {option: action for action in command._actions if isinstance(action, argparse._StoreAction)
              for option in action.option_strings}
    seen: dict[str, tuple[str, str]] = {}  # dest -> (option as given, value)
    for index, word in enumerate(words):
        if word == "--":
            break
        name, equals, value = word.partition("=")
        action = single.get(name)
        if action is None:
            continue
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        if action.dest in seen and seen[action.dest][1] != value:
            return f"{seen[action.dest][0]} is given twice ({seen[action.dest][1]} and {value}); give it once"
        seen[action.dest] = (name, value)
    return None


def _said_with_options(exc: EngineError, command: argparse.ArgumentParser) -> EngineError:
    """The error with the query field it names ("pool: which node pool?") said as the command's option
    ("--pool: which node pool?"): the queries are shared with Slack, where `pool=` is how one says it. A
    field the command has no option for ("query", the question as a whole) is left out."""
    if not isinstance(exc, InputError) or not exc.where or exc.problems or " " in exc.where:
        return exc
    flag = "--" + exc.where.replace("_", "-")
    options = {option for action in command._actions for option in action.option_strings}
    message = exc.message.removeprefix(f"{exc.where}: ")
    if flag in options:
        return InputError(message, where=flag, remedy=exc.remedy)
    if exc.where == "query":
        return InputError(message, remedy=exc.remedy)
    return exc


def _command_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the (sub)command the arguments chose."""
    target = parser
    for name in (getattr(args, "command", None), getattr(args, "plan_command", None)):
        choices = _subcommands(target)
        if name is None or name not in choices:
            break
        target = choices[name]
    return target


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
    if question is not None and question.exit_status is not None:
        return question.exit_status(result)
    return EXIT_FINDINGS if question is not None and question.failed(result) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run okebot with these arguments; return the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    _Parser.json_errors = _wants_json(words)
    parser = build_parser()
    args, extra = parser.parse_known_args(words)
    if extra:
        # Said by the command's own parser, so its usage (not okebot's) comes with it.
        command = _command_parser(parser, args)
        command.error(_unrecognized(extra, command))
    twice = _given_twice(words, _command_parser(parser, args))
    if twice:
        _command_parser(parser, args).error(twice)
    _replace_unencodable(sys.stdout)
    output = Output(fmt=getattr(args, "format", "text"), stream=sys.stdout)
    try:
        return asyncio.run(_run(args, output))
    except BrokenPipeError:
        # The reader went away (`okebot capacity | head`): nothing more to say, and nowhere to say it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except (InputError, NotFoundError) as exc:
        output.error(_said_with_options(exc, _command_parser(parser, args)))
        return EXIT_BAD_INPUT
    except SourceError as exc:
        output.error(exc)
        return EXIT_SOURCE
    except EngineError as exc:
        output.error(exc)
        return EXIT_SOURCE
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if exc.errno not in _FULL:
            return _internal_error(exc)
        # The output could not be written (okebot capacity > /dev/full): say so, and drop what is left of it,
        # so that the interpreter's last flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        output.errors.write(f"okebot: error: cannot write the output: {exc.strerror or exc}\n")
        return EXIT_BAD_INPUT
    except Exception as exc:  # the last line of defence: a bug gets an id, not a bare traceback
        return _internal_error(exc)


_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}  # writing failed for want of room, or the device

# What okebot's answers say beyond Latin-1, in ASCII: "≤+16" must not become "?+16" ("?" means unknown).
_ASCII = {"→": "->", "≈": "~", "–": "-", "—": "-", "−": "-", "≤": "<=", "≥": ">=", "✓": "ok", "✗": "x",
          "▲": "^", "▼": "v", "…": "...", "•": "*", "·": "-", "×": "x"}


def _transliterate(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    part = error.object[error.start:error.end]
    return "".join(_ASCII.get(char, "?") for char in part), error.end



def _replace_unencodable(stream: Any) -> None:
    """On a terminal or file whose encoding cannot say "→" or "≥" (PYTHONIOENCODING=ascii, latin-1), print "->"
    and ">=" for them rather than fail with UnicodeEncodeError halfway through an answer."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and (getattr(stream, "encoding", None) or "").lower().replace("-", "") != "utf8":
        codecs.register_error("okebot-ascii", _transliterate)
        reconfigure(errors="okebot-ascii")


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

"""`/oke` command text → a typed query (through the registry, bot/questions.py), a help request, the validate
modal, an admin command (bot.slack.admin), or a usage answer.

Every input ends in one of those five: unknown or malformed text gets that subcommand's usage, never silence
and never an exception. The grammar of each question comes from its registry entry: positional words in
order, then `key=value` options.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from bot.queries import Query, describe_problem
from bot.questions import BY_NAME, QUESTIONS, Argument, Question
from bot.slack.admin.commands import ADMIN_USAGE, AdminCommand, parse_admin, shorten_mentions
from bot.slack.escape import unescape

USAGE: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "help": ("help [subcommand]", "this help"),
        **{q.name: (q.slack_usage, q.slack_summary or q.summary) for q in QUESTIONS},
        **ADMIN_USAGE,
    }
)
ADMIN_SUBCOMMANDS = frozenset(ADMIN_USAGE)
MAX_COMMAND_CHARS = 1400  # the command rides in its answer's buttons, whose value Slack caps at 2,000 characters
# Slack clients (macOS, iOS) turn typed quotes into curly ones; a quoted cron expression must survive that.
_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


@dataclass(frozen=True)
class Ask:
    """A question for the engine; `command` is the canonical text that re-asks it (for buttons)."""

    query: Query[Any]
    command: str | None


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class Usage:
    """Input that is not a valid command: what was wrong and the subcommand's usage."""

    subcommand: str | None
    problem: str


@dataclass(frozen=True)
class OpenValidateModal:
    against: str | None = None


@dataclass(frozen=True)
class Administer:
    """An admin subcommand; it changes or shows okebot's own state, never asks the engine."""

    command: AdminCommand


Parsed = Ask | Help | Usage | OpenValidateModal | Administer


def parse_command(text: str, *, default_cluster: str | None = None) -> Parsed:
    """Parse the text after `/oke`; a channel bound to one cluster supplies `default_cluster`."""
    if len(text) > MAX_COMMAND_CHARS:
        return Usage(None, f"the command is {len(text):,} characters long; okebot takes at most {MAX_COMMAND_CHARS:,}")
    try:
        # Mentions are shortened before unescaping so that only Slack's own encoding is touched.
        words = shlex.split(unescape(shorten_mentions(text)).translate(_SMART_QUOTES))
    except ValueError as exc:
        return Usage(None, f"could not read the command: {exc}")
    if not words:
        return Help()
    name, args = words[0].lower(), words[1:]
    if name == "help":
        return Help(args[0].lower()) if args and args[0].lower() in USAGE else Help()
    if name in ADMIN_USAGE:
        parsed = parse_admin(name, args)
        return Usage(name, parsed) if isinstance(parsed, str) else Administer(parsed)
    question = BY_NAME.get(name)
    if question is None:
        return Usage(None, f"unknown subcommand {name!r}{did_you_mean(name, list(USAGE))}")
    return parse_question(question, args, default_cluster=default_cluster)


def did_you_mean(given: str, choices: list[str]) -> str:
    """ "; did you mean capacity?" for a close match among `choices`, else ""."""
    close = difflib.get_close_matches(given.lower(), choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def _flag_as_option(words: list[str], index: int, by_key: Mapping[str, Argument]) -> str | None:
    """Slack's spelling of a CLI-style `--key value` (or `--key=value`) at `index`, when key is an option."""
    word = words[index]
    if not word.startswith("--"):
        return None
    key, equals, value = word[2:].partition("=")
    if key.lower() not in by_key:
        return None
    if not equals and index + 1 < len(words) and "=" not in words[index + 1]:
        value = words[index + 1]
    return f"{key.lower()}={value or '…'}"


def usage_line(subcommand: str) -> str:
    """`/oke <syntax>` for one subcommand."""
    return f"/oke {USAGE[subcommand][0]}"


def parse_question(question: Question[Any, Any], args: list[str], *, default_cluster: str | None) -> Parsed:
    """One question's words: positionals in the registry's order, then `key=value` options."""
    name = question.name
    by_key = {a.key: a for a in question.arguments if a.slack in ("option", "both")}
    positionals = [a for a in question.arguments if a.slack in ("positional", "both")]
    values: dict[str, object] = {}
    words = []
    for index, arg in enumerate(args):
        slack_spelling = _flag_as_option(args, index, by_key)
        if slack_spelling is not None:
            return Usage(name, f"options are written key=value in Slack: did you mean {slack_spelling}?")
        key, equals, value = arg.partition("=")
        if not equals or not by_key:
            words.append(arg)
            continue
        argument = by_key.get(key.lower())
        if argument is None:
            return Usage(name, f"unknown option {key!r}{did_you_mean(key, list(by_key))} "
                               f"(options: {', '.join(by_key)})")
        if not value:
            return Usage(name, f"{key} needs a value, as in {key}=…")
        if argument.field in values and values[argument.field] != value:
            return Usage(name, f"{argument.key} is given twice ({values[argument.field]} and {value}); give it once")
        values[argument.field] = value
    if len(words) > len(positionals):
        return Usage(name, f"too many arguments: {' '.join(words[len(positionals):])!r}")
    for argument, word in zip(positionals, words, strict=False):
        values.setdefault(argument.field, word)
    for argument in positionals:
        if argument.from_channel and argument.field not in values and default_cluster is not None:
            values[argument.field] = default_cluster
    if question.slack_opens_modal:
        return OpenValidateModal(against=_text(values.get("against")))
    missing = _missing(positionals, values, question)
    if missing is not None:
        return Usage(name, missing)
    try:
        query = question.query.model_validate(values)
    except ValidationError as exc:
        field, problem = describe_problem(exc, question.query)
        return Usage(name, problem if field == "query" else f"{field.replace('_', '-')}: {problem}")
    return Ask(query, _command(question, values))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _missing(positionals: list[Argument], values: dict[str, object], question: Question[Any, Any]) -> str | None:
    for argument in positionals:
        if argument.field not in values and question.query.model_fields[argument.field].is_required():
            return argument.missing or f"name the {argument.key}"
    return None


def _command(question: Question[Any, Any], values: dict[str, object]) -> str:
    """The canonical text that re-asks this question: positionals in order, then options sorted by key."""
    words = [question.name]
    words += [str(values[a.field]) for a in question.arguments if a.slack == "positional" and a.field in values]
    options = sorted(
        (a.key, str(values[a.field])) for a in question.arguments if a.slack != "positional" and a.field in values
    )
    words += [f"{key}={value}" for key, value in options]
    return shlex.join(words)

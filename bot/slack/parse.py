"""`/oke` command text → a typed query (bot.queries), a help request, the validate modal, an admin command
(bot.slack.admin), or a usage answer.

Every input ends in one of those five: unknown or malformed text gets that subcommand's usage, never silence
and never an exception.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from bot.queries import (
    CapacityQuery,
    ClustersQuery,
    CniQuery,
    DiagnoseQuery,
    ExplainQuery,
    Query,
    RulesQuery,
    WhatIfQuery,
)
from bot.slack.admin import ADMIN_USAGE, AdminCommand, parse_admin, shorten_mentions
from bot.slack.escape import unescape

USAGE: Mapping[str, tuple[str, str]] = {
    "help": ("help [subcommand]", "this help"),
    "clusters": ("clusters", "every cluster you may see, with its worst finding"),
    "capacity": ("capacity [cluster] [pool]", "pod-network capacity: node pools, subnets, headroom"),
    "diagnose": ("diagnose <cluster>", "every check on one cluster, worst first"),
    "cni": ("cni [cluster]", "CNI add-on version and nodes waiting for a CNI update"),
    "whatif": (
        "whatif <cluster> [pool] [pool=NAME] [size=N] [shape=S] [ocpus=N] [max-pods=N] [add-pool=NAME]",
        "change a node pool (or add one), validate, compare capacity before and after",
    ),
    "validate": ("validate [cluster]", "open a form to paste a network plan (YAML or JSON) and check it"),
    "explain": ("explain <CODE>", "what a finding code means, why it matters, how to fix it"),
    "rules": ("rules", "every finding code okebot knows"),
    **ADMIN_USAGE,
}
ADMIN_SUBCOMMANDS = frozenset(ADMIN_USAGE)


@dataclass(frozen=True)
class Ask:
    """A question for the engine; `command` is the canonical text that re-asks it (for buttons)."""

    query: Query
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

_WHATIF_KEYS = {
    "pool": "pool",
    "size": "size",
    "shape": "shape",
    "ocpus": "ocpus",
    "max-pods": "max_pods",
    "add-pool": "add_pool",
}


MAX_COMMAND_CHARS = 1400  # the command rides in its answer's buttons, whose value Slack caps at 2,000 characters


def parse_command(text: str, *, default_cluster: str | None = None) -> Parsed:
    """Parse the text after `/oke`; a channel bound to one cluster supplies `default_cluster`."""
    if len(text) > MAX_COMMAND_CHARS:
        return Usage(None, f"the command is {len(text):,} characters long; okebot takes at most {MAX_COMMAND_CHARS:,}")
    try:
        # Mentions are shortened before unescaping so that only Slack's own encoding is touched.
        words = shlex.split(unescape(shorten_mentions(text)))
    except ValueError as exc:
        return Usage(None, f"could not read the command: {exc}")
    if not words:
        return Help()
    name, args = words[0].lower(), words[1:]
    name = _ALIASES.get(name, name)
    parser = _PARSERS.get(name)
    if parser is None:
        return Usage(None, f"unknown subcommand {name!r}")
    try:
        return parser(args, default_cluster)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or name
        return Usage(name, f"{field.replace('_', '-')}: {first['msg']}")


def usage_line(subcommand: str) -> str:
    """`/oke <syntax>` for one subcommand."""
    return f"/oke {USAGE[subcommand][0]}"


def _cmd(*words: str | None) -> str:
    return shlex.join(w for w in words if w is not None)


def _at_most(args: list[str], count: int, name: str) -> Usage | None:
    if len(args) > count:
        return Usage(name, f"too many arguments: {' '.join(args[count:])!r}")
    return None


def _help(args: list[str], default: str | None) -> Parsed:
    if args and args[0].lower() in USAGE:
        return Help(args[0].lower())
    return Help()


def _clusters(args: list[str], default: str | None) -> Parsed:
    return _at_most(args, 0, "clusters") or Ask(ClustersQuery(), "clusters")


def _capacity(args: list[str], default: str | None) -> Parsed:
    if bad := _at_most(args, 2, "capacity"):
        return bad
    cluster = args[0] if args else default
    pool = args[1] if len(args) > 1 else None
    return Ask(CapacityQuery(cluster=cluster, pool=pool), _cmd("capacity", cluster, pool))


def _diagnose(args: list[str], default: str | None) -> Parsed:
    if bad := _at_most(args, 1, "diagnose"):
        return bad
    cluster = args[0] if args else default
    if cluster is None:
        return Usage("diagnose", "name the cluster to diagnose")
    return Ask(DiagnoseQuery(cluster=cluster), _cmd("diagnose", cluster))


def _cni(args: list[str], default: str | None) -> Parsed:
    if bad := _at_most(args, 1, "cni"):
        return bad
    cluster = args[0] if args else default
    return Ask(CniQuery(cluster=cluster), _cmd("cni", cluster))


def _whatif(args: list[str], default: str | None) -> Parsed:
    positional = [a for a in args if "=" not in a]
    options: dict[str, str] = {}
    for arg in (a for a in args if "=" in a):
        key, _, value = arg.partition("=")
        if key.lower() not in _WHATIF_KEYS:
            return Usage("whatif", f"unknown option {key!r} (options: {', '.join(_WHATIF_KEYS)})")
        if not value:
            return Usage("whatif", f"{key} needs a value, as in {key}=…")
        options[_WHATIF_KEYS[key.lower()]] = value
    if bad := _at_most(positional, 2, "whatif"):
        return bad
    cluster = positional[0] if positional else default
    if cluster is None:
        return Usage("whatif", "name the cluster to change")
    if len(positional) > 1:
        options.setdefault("pool", positional[1])
    if not options.keys() - {"pool"}:
        return Usage("whatif", "say what to change: size=, shape=, ocpus=, max-pods= or add-pool=")
    query = WhatIfQuery.model_validate({"cluster": cluster, **options})
    words = [f"{k.replace('_', '-')}={v}" for k, v in sorted(options.items())]
    return Ask(query, _cmd("whatif", cluster, *words))


def _validate(args: list[str], default: str | None) -> Parsed:
    if bad := _at_most(args, 1, "validate"):
        return bad
    return OpenValidateModal(against=args[0] if args else default)


def _explain(args: list[str], default: str | None) -> Parsed:
    if len(args) != 1:
        return Usage("explain", "name exactly one finding code, such as PODS_CIDR_OVERLAP")
    return Ask(ExplainQuery(code=args[0]), _cmd("explain", args[0]))


def _rules(args: list[str], default: str | None) -> Parsed:
    return _at_most(args, 0, "rules") or Ask(RulesQuery(), "rules")


def _admin(name: str) -> Callable[[list[str], str | None], Parsed]:
    def parse(args: list[str], default: str | None) -> Parsed:
        parsed = parse_admin(name, args)
        return Usage(name, parsed) if isinstance(parsed, str) else Administer(parsed)

    return parse


_ALIASES = {"what-if": "whatif"}

_PARSERS: Mapping[str, Callable[[list[str], str | None], Parsed]] = {
    "help": _help,
    "clusters": _clusters,
    "capacity": _capacity,
    "diagnose": _diagnose,
    "cni": _cni,
    "whatif": _whatif,
    "validate": _validate,
    "explain": _explain,
    "rules": _rules,
    **{name: _admin(name) for name in ADMIN_USAGE},
}

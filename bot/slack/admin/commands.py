"""The admin subcommands of `/oke` (bindings, bind, unbind, grant, revoke, audit) as typed commands.

Pure parsing: words in, a command or a problem (a sentence naming the argument) out; never an exception.
Slack sends a mention as `<@U123|name>` when the command has should_escape on and as the text `@name` when it
is off; user groups as `<!subteam^S123|@handle>` or `@handle`. A bare `@name` is therefore a group handle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.slack.admin.digest_commands import (
    DigestAdd,
    DigestChange,
    DigestCommand,
    DigestList,
    DigestPreview,
    parse_digest,
)
from engine.access import Action, GrantKind, Role, is_compartment_ocid

ADMIN_USAGE: Mapping[str, tuple[str, str]] = {
    "bindings": ("bindings", "admin: every channel binding, stored and configured"),
    "bind": (
        "bind <cluster|compartment-ocid> [...] [default=<cluster>]",
        "admin: bind this channel to those clusters (names or OCIDs) and compartments, replacing its binding",
    ),
    "unbind": ("unbind", "admin: remove this channel's stored binding"),
    "grant": (
        "grant <@user|U-id|@group-handle|S-group-id> <viewer|operator|admin>",
        "admin: give a user or a user group a role",
    ),
    "revoke": ("revoke <@user|U-id|@group-handle|S-group-id>", "admin: remove a stored role grant"),
    "audit": (
        "audit [N] [user=<@user|U-id>] | audit jobs [N]",
        "admin: the last N audit entries of people's commands (default 20, at most 100), newest first; "
        "audit jobs: of scheduled jobs (digests, samples, alerts)",
    ),
    "digest": (
        'digest preview [cluster ...] | digest add "<cron>"|every <N><d|h|m|s> [tz=ZONE] [name=NAME] '
        "[mode=always|on-change] [chart=yes|no] [cluster ...] | digest list | digest remove|pause|resume|run <name>",
        "scheduled capacity digests: preview for anyone (privately); admin: add one to this channel, list, remove, "
        "pause, resume, post one now",
    ),
}

DEFAULT_AUDIT_ENTRIES = 20
MAX_AUDIT_ENTRIES = 100
MAX_TARGETS = 50
MAX_WORD = 255

_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")
_GROUP_MENTION = re.compile(r"<!subteam\^(S[A-Z0-9]+)(?:\|[^<>]*)?>")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_GROUP_ID = re.compile(r"S[A-Z0-9]{2,}")
_HANDLE = re.compile(r"@[a-z0-9][a-z0-9._-]{0,79}", re.IGNORECASE)


@dataclass(frozen=True)
class Subject:
    """Who a grant is for: a user (by id) or a user group (by id or @handle)."""

    kind: GrantKind
    id: str

    @property
    def shown(self) -> str:
        """How answers name it."""
        return f"user {self.id}" if self.kind == "user" else f"user group {self.id}"


@dataclass(frozen=True)
class ListBindings:
    pass


@dataclass(frozen=True)
class Bind:
    """Bind the asking channel; `clusters` are names or OCIDs as typed, checked against the source later."""

    clusters: tuple[str, ...]
    compartments: tuple[str, ...]
    default: str | None = None


@dataclass(frozen=True)
class Unbind:
    pass


@dataclass(frozen=True)
class Grant:
    subject: Subject
    role: Role


@dataclass(frozen=True)
class Revoke:
    subject: Subject


@dataclass(frozen=True)
class ShowAudit:
    """The newest `limit` entries: people's commands (one user's when `user`), or scheduled jobs' (`jobs`)."""

    limit: int = DEFAULT_AUDIT_ENTRIES
    user: str | None = None
    jobs: bool = False


AdminCommand = ListBindings | Bind | Unbind | Grant | Revoke | ShowAudit | DigestCommand


def action_of(command: AdminCommand) -> Action:
    """The access action an admin command needs."""
    match command:
        case DigestPreview():
            return Action.DIGEST_PREVIEW
        case DigestAdd() | DigestList() | DigestChange():
            return Action.CHANGE_DIGESTS
        case Grant() | Revoke():
            return Action.CHANGE_CONFIG
        case ShowAudit():
            return Action.VIEW_AUDIT
    return Action.CHANGE_BINDINGS


def parse_admin(name: str, args: list[str]) -> AdminCommand | str:
    """The command for `/oke <name> <args…>`, or the problem with it (a sentence for the usage answer)."""
    long = next((a for a in args if len(a) > MAX_WORD), None)
    if long is not None:
        return f"an argument is longer than {MAX_WORD} characters: {long[:40]!r}…"
    return _PARSERS[name](args)


def parse_subject(word: str) -> Subject | None:
    """A user or group from a mention, an id or an @handle; None when it names neither."""
    if match := _USER_MENTION.fullmatch(word):
        return Subject("user", match.group(1))
    if match := _GROUP_MENTION.fullmatch(word):
        return Subject("group", match.group(1))
    if _USER_ID.fullmatch(word):
        return Subject("user", word)
    if _GROUP_ID.fullmatch(word):
        return Subject("group", word)
    if _HANDLE.fullmatch(word):
        return Subject("group", word.lower())
    return None


def shorten_mentions(text: str) -> str:
    """Drop the display-name part of Slack's encoded mentions, which may hold spaces or quotes."""
    text = _USER_MENTION.sub(lambda m: f"<@{m.group(1)}>", text)
    return _GROUP_MENTION.sub(lambda m: f"<!subteam^{m.group(1)}>", text)


def _no_arguments(name: str, command: AdminCommand) -> Callable[[list[str]], AdminCommand | str]:
    def parse(args: list[str]) -> AdminCommand | str:
        return f"{name} takes no arguments, got {' '.join(args)!r}" if args else command

    return parse


def _bind(args: list[str]) -> AdminCommand | str:
    default: str | None = None
    targets: list[str] = []
    for arg in args:
        key, eq, value = arg.partition("=")
        if not eq:
            if arg not in targets:
                targets.append(arg)
        elif key.lower() != "default":
            return f"unknown option {key!r} (the only option is default=<cluster>)"
        elif not value:
            return "default needs a cluster, as in default=payments-native"
        else:
            default = value
    if not targets:
        return "name at least one cluster (name or OCID) or compartment OCID to bind this channel to"
    if len(targets) > MAX_TARGETS:
        return f"at most {MAX_TARGETS} clusters and compartments per channel, got {len(targets)}"
    compartments = tuple(t for t in targets if is_compartment_ocid(t))
    clusters = tuple(t for t in targets if t not in compartments)
    return Bind(clusters=clusters, compartments=compartments, default=default)


def _subject(word: str) -> Subject | str:
    subject = parse_subject(word)
    if subject is None:
        return (
            f"{word!r} is not a user or user group: mention a user (@name, sent as <@U…> when the command "
            "escapes mentions), or give a member ID (U…), a user group @handle or a group ID (S…)"
        )
    return subject


def _grant(args: list[str]) -> AdminCommand | str:
    if len(args) != 2:
        return "name who and which role, as in grant @oke-oncall operator"
    subject = _subject(args[0])
    if isinstance(subject, str):
        return subject
    role = args[1].lower()
    if role not in set(Role):
        return f"role {args[1]!r} is not one of viewer, operator, admin"
    return Grant(subject, Role(role))


def _revoke(args: list[str]) -> AdminCommand | str:
    if len(args) != 1:
        return "name exactly one user or user group, as in revoke @oke-oncall"
    subject = _subject(args[0])
    return subject if isinstance(subject, str) else Revoke(subject)


def _audit(args: list[str]) -> AdminCommand | str:
    limit = DEFAULT_AUDIT_ENTRIES
    user: str | None = None
    jobs = False
    for arg in args:
        key, eq, value = arg.partition("=")
        if not eq and arg.lower() == "jobs":
            jobs = True
        elif eq and key.lower() == "user":
            subject = parse_subject(value)
            if subject is None or subject.kind != "user":
                return f"user={value!r} is not a user: mention them (<@U…>) or give their member ID (U…)"
            user = subject.id
        elif eq:
            return f"unknown option {key!r} (the only option is user=<@user>)"
        elif arg.isascii() and arg.isdigit() and 1 <= int(arg) <= MAX_AUDIT_ENTRIES:
            limit = int(arg)
        else:
            return f"N must be a whole number from 1 to {MAX_AUDIT_ENTRIES}, got {arg!r}"
    if jobs and user is not None:
        return "jobs are run by okebot itself, so user= does not apply to audit jobs"
    return ShowAudit(limit=limit, user=user, jobs=jobs)


_PARSERS: Mapping[str, Callable[[list[str]], AdminCommand | str]] = {
    "bindings": _no_arguments("bindings", ListBindings()),
    "bind": _bind,
    "unbind": _no_arguments("unbind", Unbind()),
    "grant": _grant,
    "revoke": _revoke,
    "audit": _audit,
    "digest": parse_digest,
}

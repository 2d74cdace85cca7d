"""`/oke digest …` as typed commands. Pure parsing: words in, a command or a problem (a sentence) out.

    digest preview [cluster ...]                       anyone: this channel's digest now, privately
    digest add <schedule> [tz=ZONE] [name=NAME] [mode=always|on-change] [chart=yes|no] [cluster ...]
    digest list | digest remove <name> | digest pause <name> | digest resume <name> | digest run <name>

A schedule is a quoted cron expression ("0 9 * * MON-FRI"), or `every 6h`; an unquoted cron expression is read
as the first five words. Schedules and zones are checked here (adapters/schedule), so a bad one is refused with
the reason before anything is stored.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from adapters.schedule.cron import parse_schedule
from engine.access import is_compartment_ocid
from engine.digest.definition import NAME_PATTERN
from engine.errors import InputError

MAX_TARGETS = 50
_NAME = re.compile(NAME_PATTERN)
_VERBS = ("preview", "add", "list", "remove", "pause", "resume", "run")
_TRUE, _FALSE = {"yes", "true", "on", "1"}, {"no", "false", "off", "0"}


@dataclass(frozen=True)
class DigestPreview:
    clusters: tuple[str, ...] = ()
    compartments: tuple[str, ...] = ()


@dataclass(frozen=True)
class DigestAdd:
    """Add a digest to the asking channel; `schedule` and `timezone` are already known to parse."""

    schedule: str
    timezone: str = "UTC"
    name: str | None = None
    mode: Literal["always", "on-change"] = "always"
    chart: bool = True
    clusters: tuple[str, ...] = ()
    compartments: tuple[str, ...] = ()


@dataclass(frozen=True)
class DigestList:
    pass


@dataclass(frozen=True)
class DigestChange:
    """remove, pause, resume or run (post now) one digest, by name."""

    verb: Literal["remove", "pause", "resume", "run"]
    name: str


DigestCommand = DigestPreview | DigestAdd | DigestList | DigestChange


def parse_digest(args: list[str]) -> DigestCommand | str:
    """The `/oke digest` command these words make, or the problem with them."""
    if not args or args[0].lower() not in _VERBS:
        given = f" {args[0]!r}" if args else ""
        close = difflib.get_close_matches(args[0].lower(), _VERBS, n=1) if args else []
        hint = f"; did you mean {close[0]}?" if close else ""
        return f"say what to do with digests{given}{hint}: {', '.join(_VERBS)}"
    verb, rest = args[0].lower(), args[1:]
    if verb == "list":
        return f"list takes no arguments, got {' '.join(rest)!r}" if rest else DigestList()
    if verb == "preview":
        targets = _targets(rest)
        return targets if isinstance(targets, str) else DigestPreview(*targets)
    if verb == "add":
        return _add(rest)
    if len(rest) != 1:
        return f"{verb} takes the digest's name, as in digest {verb} payments-daily (see digest list)"
    name = rest[0].lower()
    if not _NAME.fullmatch(name):
        return f"{rest[0]!r} is not a digest name (see digest list)"
    return DigestChange(verb, name)  # type: ignore[arg-type]


def _targets(words: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | str:
    if len(words) > MAX_TARGETS:
        return f"at most {MAX_TARGETS} clusters and compartments, got {len(words)}"
    for word in words:
        if "=" in word:
            return f"unknown option {word.split('=', 1)[0]!r}"
    unique = list(dict.fromkeys(words))
    compartments = tuple(w for w in unique if is_compartment_ocid(w))
    return tuple(w for w in unique if w not in compartments), compartments


def _split_schedule(words: list[str]) -> tuple[str, list[str]] | str:
    if not words:
        return 'give a schedule: a quoted cron expression such as "0 9 * * MON-FRI", or every 6h'
    first = words[0]
    if " " in first.strip():
        return first, words[1:]
    if first.lower() == "every":
        if len(words) < 2:
            return "every needs a duration, as in every 6h"
        return f"every {words[1]}", words[2:]
    if first.lower().startswith("every"):
        return first, words[1:]
    plain = [w for w in words[:5] if "=" not in w]
    if len(plain) < 5:
        return 'quote the cron expression, as in digest add "0 9 * * MON-FRI" (5 fields)'
    return " ".join(words[:5]), words[5:]


def _add(words: list[str]) -> DigestCommand | str:
    split = _split_schedule(words)
    if isinstance(split, str):
        return split
    schedule, rest = split
    options: dict[str, str] = {}
    targets = []
    for word in rest:
        key, equals, value = word.partition("=")
        if not equals:
            targets.append(word)
            continue
        key = {"timezone": "tz", "zone": "tz"}.get(key.lower(), key.lower())
        if key not in ("tz", "name", "mode", "chart"):
            return f"unknown option {key!r} (options: tz, name, mode, chart)"
        if not value:
            return f"{key} needs a value, as in {key}=…"
        if key in options and options[key] != value:
            return f"{key} is given twice ({options[key]} and {value}); give it once"
        options[key] = value
    timezone = options.get("tz", "UTC")
    try:
        parse_schedule(schedule, timezone)
    except InputError as exc:
        reason = exc.message.removeprefix(f"{exc.where}: ")
        if exc.where == "timezone":
            return f"tz={timezone}: {reason}"
        return f"schedule {schedule!r}: {reason}"
    name = options.get("name")
    if name is not None and not _NAME.fullmatch(name):
        return f"name {name!r}: use lowercase letters, digits, '.', '_' or '-' (at most 63)"
    mode = options.get("mode", "always").lower()
    if mode not in ("always", "on-change"):
        return f"mode {options['mode']!r} is not always or on-change"
    chart = options.get("chart", "yes").lower()
    if chart not in _TRUE | _FALSE:
        return f"chart {options['chart']!r} is not yes or no"
    parsed = _targets(targets)
    if isinstance(parsed, str):
        return parsed
    return DigestAdd(schedule=schedule, timezone=timezone, name=name, mode=mode,  # type: ignore[arg-type]
                     chart=chart in _TRUE, clusters=parsed[0], compartments=parsed[1])

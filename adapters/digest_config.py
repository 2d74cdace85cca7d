"""Read scheduled digests from the `digests:` list of okebot.yaml (beside `access:`); every error names its key and
line, as adapters/access_config.py does for access.

    digests:
      - name: payments-daily
        channel: C0PAYMENTS
        schedule: "0 9 * * MON-FRI"     # 5-field cron, or an interval: "every 6h" (at least 10 s)
        timezone: Europe/Berlin         # IANA name; default UTC
        clusters: [payments-native]     # optional; default: what the channel's binding covers
        compartments: []                # optional
        thresholds: {warning: 80, error: 95}
        forecastDays: 30
        mode: on-change                 # always (default) | on-change
        chart: true

Config digests are read-only from Slack: `/oke digest remove|pause|resume` refuse them and say to edit the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from adapters.schedule.cron import load_zone, parse_schedule
from adapters.yaml_lines import (
    Lines,
    problem,
    problems_error,
    read_yaml,
    unknown_sections,
    validation_problems,
)
from engine.access import CHANNEL_ID_HELP, channel_key, is_channel_id
from engine.digest.alerts import Thresholds
from engine.digest.definition import NAME_PATTERN, DigestDefinition
from engine.errors import InputError, InputProblem

REMEDY = "see docs/digests.md and deploy/okebot.example.yaml"


class _Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    warning: float = Field(default=80.0, gt=0, le=100)
    error: float = Field(default=95.0, gt=0, le=100)


class _Digest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=False)
    name: str = Field(pattern=NAME_PATTERN)
    channel: str = Field(min_length=1, max_length=255)
    schedule: str = Field(min_length=1, max_length=255)
    timezone: str = "UTC"
    clusters: tuple[str, ...] = ()
    compartments: tuple[str, ...] = ()
    thresholds: _Thresholds = Field(default_factory=_Thresholds)
    forecast_days: float = Field(default=30.0, gt=0, le=365)
    mode: Literal["always", "on-change"] = "always"
    chart: bool = True


class _File(BaseModel):
    model_config = ConfigDict(extra="ignore")  # other sections belong to other readers
    digests: list[Any] = []  # each item is read on its own, so one bad digest hides no other's mistakes


def parse_digests(text: str, *, source: str = "okebot.yaml") -> tuple[DigestDefinition, ...]:
    """Parse the `digests:` list of a YAML document; each schedule and time zone is checked as it will run.

    Raises InputError listing every problem of every digest (and of the file's shape: a key given twice, an
    unknown top-level section), each with its line and key (`problems`); the first is its headline.
    """
    document = read_yaml(text, source, remedy=REMEDY)
    if document.data is not None and not isinstance(document.data, Mapping):
        raise problems_error([InputProblem(source, None, "", "expected a mapping with a 'digests' list")],
                             remedy=REMEDY)
    digests, problems = read_digests(document.data, document.lines, source)
    problems = [*document.problems, *unknown_sections(document.data, document.lines, source), *problems]
    if problems:
        raise problems_error(problems, remedy=REMEDY)
    return digests


def read_digests(data: Any, lines: Lines, source: str) -> tuple[tuple[DigestDefinition, ...], list[InputProblem]]:
    """The digests of a document's `digests:` list and every problem with them (the digests that have none are
    returned either way). Nothing for a document that is not a mapping or has no `digests:`.

    Each digest is checked whole, even when another is wrong: its keys and types, then its channel (an ID, not
    a name), its time zone and its schedule (as they will run), its thresholds, and its name (unique).
    """
    if not isinstance(data, Mapping) or "digests" not in data:
        return (), []
    try:
        items = _File.model_validate({"digests": data["digests"]}).digests
    except ValidationError as exc:
        return (), validation_problems(exc, lines, source)
    problems: list[InputProblem] = []
    seen: dict[str, int] = {}
    out = []
    for index, item in enumerate(items):
        here = ("digests", str(index))
        entry, found = _digest(item, here, lines, source)
        name = entry.name if entry is not None else _raw_name(item, found)
        if name is not None and name in seen:
            found.append(problem((*here, "name"), f"digest {name!r} is defined twice (also item "
                                                  f"{seen[name]})", lines, source))
        elif name is not None:
            seen[name] = index
        problems += found
        if entry is not None and not found:
            out.append(_definition(entry))
    return tuple(out), problems


def _digest(item: Any, here: tuple[str, ...], lines: Lines, source: str) -> tuple[_Digest | None, list[InputProblem]]:
    """One digest as read (None when its keys or types are wrong) and every problem with it."""
    try:
        entry: _Digest | None = _Digest.model_validate(item)
        problems: list[InputProblem] = []
    except ValidationError as exc:
        entry, problems = None, validation_problems(exc, lines, source, prefix=here)
    if not isinstance(item, Mapping):
        return entry, problems
    # The checks below read the keys pydantic accepted, so one wrong key does not hide another's mistake.
    wrong = {path.split(".")[2] for path in (p.path for p in problems) if path.count(".") >= 2}

    def text(key: str, default: str | None = None) -> str | None:
        value = item.get(key, default)
        return value if key not in wrong and isinstance(value, str) else None

    channel = text("channel")
    if channel is not None and not is_channel_id(channel):
        problems.append(problem((*here, "channel"), f"channel {channel!r} is not a Slack channel ID; "
                                                    f"{CHANNEL_ID_HELP}", lines, source))
    zone = text("timezone", "UTC")
    if zone is not None:
        try:
            load_zone(zone)
        except InputError as exc:
            problems.append(problem((*here, "timezone"), _reason(exc), lines, source))
            zone = None
    schedule = text("schedule")
    if schedule is not None:
        try:
            parse_schedule(schedule, zone or "UTC")  # a wrong zone is named above; the schedule is read in UTC
        except InputError as exc:
            problems.append(problem((*here, "schedule"), _reason(exc), lines, source))
    limits = entry.thresholds if entry is not None else _raw_thresholds(item, wrong)
    if limits is not None:
        try:
            Thresholds(warning=limits.warning, error=limits.error)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            problems.append(problem((*here, "thresholds"), message, lines, source))
    return entry, problems


def _raw_name(item: Any, problems: list[InputProblem]) -> str | None:
    """The name of a digest whose other keys are wrong, when the name itself is right (to find it twice)."""
    name = item.get("name") if isinstance(item, Mapping) else None
    if not isinstance(name, str) or any(p.path.endswith(".name") for p in problems):
        return None
    return name if re.fullmatch(NAME_PATTERN, name) else None


def _raw_thresholds(item: Mapping[str, Any], wrong: set[str]) -> _Thresholds | None:
    """The thresholds of a digest whose other keys are wrong, when they themselves are well-typed."""
    if "thresholds" in wrong or "thresholds" not in item:
        return None
    try:
        return _Thresholds.model_validate(item["thresholds"])
    except ValidationError:
        return None


def _reason(exc: InputError) -> str:
    return exc.message.removeprefix(f"{exc.where}: ") if exc.where else exc.message


def _definition(entry: _Digest) -> DigestDefinition:
    return DigestDefinition(
        name=entry.name, channel=channel_key(entry.channel.strip()), schedule=entry.schedule.strip(),
        timezone=entry.timezone, clusters=entry.clusters, compartments=entry.compartments,
        thresholds=Thresholds(warning=entry.thresholds.warning, error=entry.thresholds.error),
        forecast_days=entry.forecast_days, mode=entry.mode, chart=entry.chart, origin="config",
    )

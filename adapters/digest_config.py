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
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from adapters.schedule.cron import parse_schedule
from adapters.yaml_lines import first_problem, read_yaml, where
from engine.access import channel_key
from engine.digest.alerts import Thresholds
from engine.digest.definition import NAME_PATTERN, DigestDefinition
from engine.errors import InputError

_REMEDY = "see docs/digests.md and deploy/okebot.example.yaml"
CHANNEL_ID = re.compile(r"#?[CGD][A-Z0-9]{2,}")


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
    digests: list[_Digest] = []


def load_digests(path: Path) -> tuple[DigestDefinition, ...]:
    """The digests of a config file (none when it has no `digests:` list); InputError naming file, line and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the digests: {exc}", where=str(path), remedy=_REMEDY) from exc
    return parse_digests(text, source=str(path))


def parse_digests(text: str, *, source: str = "okebot.yaml") -> tuple[DigestDefinition, ...]:
    """Parse the `digests:` list of a YAML document; each schedule and time zone is checked as it will run."""
    data, lines = read_yaml(text, source, remedy=_REMEDY)
    if data is None:
        return ()
    if not isinstance(data, Mapping):
        raise InputError("expected a mapping with a 'digests' list", where=source, remedy=_REMEDY)
    try:
        parsed = _File.model_validate(data).digests
    except ValidationError as exc:
        raise first_problem(exc, lines, source, remedy=_REMEDY) from None
    seen: dict[str, int] = {}
    out = []
    for index, entry in enumerate(parsed):
        here = ("digests", str(index))
        if entry.name in seen:
            raise InputError(f"digest {entry.name!r} is defined twice (also item {seen[entry.name]})",
                             where=where((*here, "name"), lines, source), remedy=_REMEDY)
        seen[entry.name] = index
        if not CHANNEL_ID.fullmatch(entry.channel.strip()):
            raise InputError(f"channel {entry.channel!r} is not a Slack channel id (C…, G…)",
                             where=where((*here, "channel"), lines, source),
                             remedy="use the channel's id (channel details → About), not its name")
        try:
            parse_schedule(entry.schedule, entry.timezone)
        except InputError as exc:
            key = "timezone" if exc.where == "timezone" else "schedule"
            reason = exc.message.removeprefix(f"{exc.where}: ")
            raise InputError(reason, where=where((*here, key), lines, source), remedy=_REMEDY) from None
        try:
            thresholds = Thresholds(warning=entry.thresholds.warning, error=entry.thresholds.error)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise InputError(message, where=where((*here, "thresholds"), lines, source), remedy=_REMEDY) from None
        out.append(DigestDefinition(
            name=entry.name, channel=channel_key(entry.channel), schedule=entry.schedule.strip(),
            timezone=entry.timezone, clusters=entry.clusters, compartments=entry.compartments, thresholds=thresholds,
            forecast_days=entry.forecast_days, mode=entry.mode, chart=entry.chart, origin="config",
        ))
    return tuple(out)

"""Cron schedules in a time zone: the `Schedule` port (engine.digest.schedule) over cronsim.

- Occurrences come from **cronsim**, Healthchecks' parser, which evaluates expressions as Debian's cron does,
  daylight-saving changes included (its README, "DST Transitions"): a job at a specific time whose local time is
  skipped when clocks go forward runs once, right after the change (02:30 on Berlin's spring-forward day runs at
  03:00 CEST); when clocks go back, a specific time that happens twice runs once, at the first. Jobs that run more
  often than hourly follow real (UTC) time.
- Descriptions come from **cron-descriptor** ("At 09:00, Monday through Friday") with the zone appended.
- Zones are IANA names read by zoneinfo from the `tzdata` package, so a slim image without /usr/share/zoneinfo
  works too.

Only 5-field expressions (minute hour day-of-month month day-of-week) are accepted: cronsim's optional seconds
field is not standard cron. Bad input raises engine.errors.InputError naming the field and the reason.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cron_descriptor import ExpressionDescriptor  # type: ignore[import-untyped]
from cronsim import CronSim, CronSimError

from engine.digest.schedule import Schedule, parse_interval
from engine.errors import InputError

FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
RANGES = {"minute": (0, 59), "hour": (0, 23), "day-of-month": (1, 31), "month": (1, 12), "day-of-week": (0, 7)}
NAMES = {
    "month": ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    "day-of-week": ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"),
}
_PROBE = datetime(2026, 1, 1, tzinfo=UTC)
_MAX_SKIPS = 4


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; InputError (where="timezone") with the closest names when there is none."""
    text = name.strip()
    try:
        if not text or text != name or text.startswith("/") or ".." in text:
            raise ValueError(text)
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        close = difflib.get_close_matches(text, sorted(_zone_names()), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else "; use an IANA name such as Europe/Berlin or UTC"
        raise InputError(f"unknown time zone {name!r}{hint}", where="timezone") from error


@dataclass(frozen=True)
class CronSchedule:
    """A 5-field cron expression evaluated in an IANA time zone (default UTC).

    Raises InputError: where="schedule" for a bad expression (naming the field: "minute field '61' is out of range
    (0–59)"), where="timezone" for an unknown zone ("unknown time zone 'Europe/Berln'; did you mean
    Europe/Berlin?").
    """

    expression: str
    timezone: str = "UTC"
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_zone", load_zone(self.timezone))
        _check_expression(self.expression)

    def next_after(self, instant: datetime) -> datetime:
        """The first occurrence strictly after `instant`, in UTC (Debian cron's DST rules, see the module doc)."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise InputError(f"{instant.isoformat()} has no time zone", where="instant")
        after = instant.astimezone(UTC)
        occurrences = CronSim(self.expression, instant.astimezone(self._zone))
        # cronsim walks wall-clock time for specific-time jobs; in the repeated hour after clocks go back that walk
        # can land on an instant already past (the first 02:30 while we are in the second 02:15): skip those.
        for _ in range(_MAX_SKIPS):
            found = next(occurrences).astimezone(UTC)
            if found > after:
                return found
        raise InputError(f"no occurrence of {self.expression!r} after {after.isoformat()}", where="schedule")

    def describe(self) -> str:
        """ "At 09:00, Monday through Friday, Europe/Berlin"; the expression itself if it cannot be described."""
        try:
            words = str(ExpressionDescriptor(self.expression, use_24hour_time_format=True,
                                             locale_code="en_US").get_description())
        except Exception:  # cron-descriptor raises its own types and plain ones on expressions cronsim accepts
            words = f"Cron {self.expression}"
        return f"{words}, {self.timezone}"


def _check_expression(expression: str) -> None:
    fields = expression.split()
    if len(fields) != 5:
        raise InputError(
            f"a cron expression has 5 fields (minute hour day-of-month month day-of-week); {expression.strip()!r} "
            f"has {len(fields)}", where="schedule",
        )
    try:
        CronSim(expression, _PROBE)
    except CronSimError as error:
        raise InputError(_explain(fields, str(error)), where="schedule") from error


def _explain(fields: list[str], cronsim_message: str) -> str:
    """Turn cronsim's "Bad minute" into which value is wrong and why."""
    name = next((n for n in FIELDS if cronsim_message.endswith(n)), FIELDS[0])
    token = fields[FIELDS.index(name)]
    low, high = RANGES[name]
    for value in _numbers(token, name):
        if not low <= value <= high:
            shown = f"{name} field {token!r} is out of range" if token == str(value) else (
                f"{name} field {token!r}: {value} is out of range")
            return f"{shown} ({low}–{high})"
    if re.search(r"/0*(,|$)", token):
        return f"{name} field {token!r} has a step of 0; a step must be at least 1"
    if name == "day-of-month" and _numbers(token, name):
        return f"day-of-month field {token!r} never occurs in month field {fields[3]!r}"
    backwards = _backwards_range(token, name)
    if backwards:
        return f"{name} field {token!r}: the range {backwards} runs backwards"
    return (f"{name} field {token!r} is not valid; use a number {low}–{high}, *, a range a-b, a list a,b or a step "
            "*/n" + (f" (or names {NAMES[name][0]}–{NAMES[name][-1]})" if name in NAMES else ""))


def _value(text: str, name: str) -> int | None:
    if text.isdigit():
        return int(text)
    names = NAMES.get(name, ())
    upper = text.upper()
    return names.index(upper) + (1 if name == "month" else 0) if upper in names else None


def _numbers(token: str, name: str) -> list[int]:
    """Every plain value in the field (not steps), as numbers; names count as their number."""
    found = []
    for term in token.split(","):
        base = term.split("/", 1)[0]
        for part in base.split("-", 1):
            value = _value(part, name)
            if value is not None:
                found.append(value)
    return found


def _backwards_range(token: str, name: str) -> str | None:
    for term in token.split(","):
        base = term.split("/", 1)[0]
        if "-" in base:
            start, end = (_value(p, name) for p in base.split("-", 1))
            if start is not None and end is not None and end < start:
                return base
    return None


def parse_schedule(text: str, timezone: str = "UTC") -> Schedule:
    """A digest schedule from what a person typed: "every 6h" (any `parse_interval` form) or a 5-field cron.

    Intervals are anchored at the Unix epoch in UTC whatever `timezone` says (the zone is still checked); cron
    expressions are evaluated in `timezone`. InputError naming the field for anything else.
    """
    cleaned = text.strip()
    if cleaned.lower().startswith("every"):
        load_zone(timezone)
        return parse_interval(cleaned)
    if not cleaned:
        raise InputError("empty schedule; give a cron expression such as '0 9 * * 1-5' or an interval such as "
                         "'every 6h'", where="schedule")
    return CronSchedule(cleaned, timezone)

"""Schedule maths for digests: when the next occurrence is, and what a run should do after a pause.

Pure: stdlib only, no clock. Every instant is timezone-aware; results are in UTC.

- `Schedule` is the port a digest schedule implements (an interval here; a cron expression in
  adapters/schedule/cron.py).
- `IntervalSchedule` fires at whole multiples of its period counted from the Unix epoch, so every replica computes
  the same instants without sharing state: "every 6h" fires at 00:00, 06:00, 12:00 and 18:00 UTC; "every 10s" at
  every multiple of 10 seconds.
- `plan_run` is the missed-run policy: one catch-up inside a grace period, never a backlog replay; everything
  else since the last run is reported as missed (facts, digests-and-deploy A4.2–3 and A8.2; the n8n "coalesce" and
  pg-boss "once" policies).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from pydantic import Field

from engine.digest.history import utc
from engine.errors import InputError
from engine.model import Frozen

MIN_INTERVAL_SECONDS = 10
MAX_INTERVAL_SECONDS = 366 * 86_400
MAX_MISSED_LISTED = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNITS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_UNIT_WORDS = {"d": "day", "h": "hour", "m": "minute", "s": "second"}
_PART = re.compile(r"(\d+)\s*([a-z]*)")
_EXAMPLES = "'every 6h', 'every 90m', 'every 1d' or 'every 2h30m'"


@runtime_checkable
class Schedule(Protocol):
    """When a digest runs. To move to engine/ports.py with the store and runner."""

    def next_after(self, instant: datetime) -> datetime:
        """The first occurrence strictly after `instant` (aware), as an aware datetime."""
        ...

    def describe(self) -> str:
        """The schedule in words, e.g. "Every 6 hours (at 00:00 UTC and every 6 hours after)"."""
        ...


@dataclass(frozen=True)
class IntervalSchedule:
    """Every `seconds` seconds, at whole multiples of the period since 1970-01-01T00:00:00Z.

    InputError when `seconds` is under 10 (`MIN_INTERVAL_SECONDS`) or over 366 days.
    """

    seconds: int

    def __post_init__(self) -> None:
        if not MIN_INTERVAL_SECONDS <= self.seconds <= MAX_INTERVAL_SECONDS:
            raise InputError(
                f"an interval of {_words(self.seconds)} is outside what okebot runs: from "
                f"{MIN_INTERVAL_SECONDS} seconds to 366 days", where="schedule",
            )

    def next_after(self, instant: datetime) -> datetime:
        """The first multiple of the period after `instant`, exact to the microsecond (integer arithmetic)."""
        elapsed = utc(instant, where="instant") - EPOCH
        period = timedelta(seconds=self.seconds)
        return EPOCH + (elapsed // period + 1) * period

    def describe(self) -> str:
        """ "Every 6 hours (from 00:00 UTC)" when the period divides a day, else counted from the epoch."""
        anchor = "from 00:00 UTC" if 86_400 % self.seconds == 0 else "counted from 1970-01-01 00:00 UTC"
        return f"Every {_words(self.seconds)} ({anchor})"

    @property
    def text(self) -> str:
        """The canonical "every …" form that `parse_interval` reads back, e.g. "every 2h30m"."""
        rest, parts = self.seconds, []
        for unit, size in _UNITS.items():
            count, rest = divmod(rest, size)
            if count:
                parts.append(f"{count}{unit}")
        return "every " + "".join(parts)


def _words(seconds: int) -> str:
    rest, parts = seconds, []
    for unit, size in _UNITS.items():
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count} {_UNIT_WORDS[unit]}" + ("" if count == 1 else "s"))
    return " ".join(parts) or "0 seconds"


def parse_interval(text: str) -> IntervalSchedule:
    """Read "every 6h", "every 90m", "every 10s", "every 1d" or "every 2h30m" (also "every 2h 30m", any case).

    Components are a whole number and a unit, d, h, m or s, largest unit first, each unit at most once.
    Raises InputError (where="schedule") naming what is wrong: a missing "every", a missing number or unit, an
    unknown or repeated unit, units out of order, or a total outside 10 seconds to 366 days.
    """
    cleaned = text.strip().lower()
    if not cleaned.startswith("every"):
        raise InputError(f"expected an interval such as {_EXAMPLES}, got {text.strip()!r}", where="schedule")
    body = cleaned[len("every"):].strip()
    if not body:
        raise InputError(f"'every' needs a duration, such as {_EXAMPLES}", where="schedule")
    total, pos, seen = 0, 0, ""
    while pos < len(body):
        match = _PART.match(body, pos)
        if match is None:
            raise InputError(f"expected a number at {body[pos:]!r} in {text.strip()!r} (use {_EXAMPLES})",
                             where="schedule")
        number, unit = match.group(1), match.group(2)
        if not unit:
            raise InputError(f"{number!r} has no unit; write {number}d, {number}h, {number}m or {number}s",
                             where="schedule")
        if unit not in _UNITS:
            raise InputError(f"unknown unit {unit!r} in {match.group(0)!r}; use d, h, m or s", where="schedule")
        if unit in seen:
            raise InputError(f"the unit {unit!r} appears twice in {text.strip()!r}", where="schedule")
        if seen and "dhms".index(unit) < "dhms".index(seen[-1]):
            raise InputError(f"units go from largest to smallest (d, h, m, s): {unit!r} comes after {seen[-1]!r} "
                             f"in {text.strip()!r}", where="schedule")
        if len(number) > 9:
            raise InputError(f"{number}{unit} is far longer than 366 days", where="schedule")
        seen += unit
        total += int(number) * _UNITS[unit]
        pos = match.end()
        while pos < len(body) and body[pos] == " ":
            pos += 1
    return IntervalSchedule(total)


class RunPlan(Frozen):
    """What a scheduler pass should do now.

    Fields:
        due: the occurrence to run now (run it with this as its `scheduled_for`), or None.
        missed: occurrences that will not run, oldest first; at most the newest 20.
        missed_total: how many occurrences were missed in all (can exceed len(missed)).
    """

    due: datetime | None
    missed: list[datetime] = Field(default_factory=list)
    missed_total: int = 0


def plan_run(
    schedule: Schedule,
    *,
    last_scheduled_for: datetime | None,
    created_at: datetime,
    now: datetime,
    grace: timedelta,
) -> RunPlan:
    """Which occurrence is due at `now`, and which were missed since the last run.

    The occurrences considered are those strictly after `last_scheduled_for` (or, before the first run,
    `created_at`) and at or before `now`. The latest of them is due when `now − occurrence ≤ grace`: a
    scheduler that was down catches up once, with the newest occurrence, and never replays a backlog. Every other
    occurrence is missed and named in the next digest, so a gap is visible instead of silent.

    Cost: one `next_after` call per occurrence in the range, i.e. the downtime divided by the period (a day down
    with "every 10s" is 8,640 calls); the runner records each pass's occurrence, so the range stays short.
    InputError for naive datetimes or a negative grace.
    """
    if grace < timedelta(0):
        raise InputError(f"grace must not be negative, got {grace}", where="grace")
    when = utc(now, where="now")
    start = utc(last_scheduled_for, where="last_scheduled_for") if last_scheduled_for is not None else utc(
        created_at, where="created_at")
    newest: deque[datetime] = deque(maxlen=MAX_MISSED_LISTED + 1)
    total = 0
    occurrence = utc(schedule.next_after(start), where="next_after")
    while occurrence <= when:
        newest.append(occurrence)
        total += 1
        following = utc(schedule.next_after(occurrence), where="next_after")
        if following <= occurrence:
            raise InputError(f"the schedule went backwards after {occurrence.isoformat()}", where="schedule")
        occurrence = following
    if total == 0:
        return RunPlan(due=None)
    latest = newest[-1]
    if when - latest <= grace:
        newest.pop()
        return RunPlan(due=latest, missed=list(newest)[-MAX_MISSED_LISTED:], missed_total=total - 1)
    return RunPlan(due=None, missed=list(newest)[-MAX_MISSED_LISTED:], missed_total=total)

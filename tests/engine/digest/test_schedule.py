from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.digest.schedule import IntervalSchedule, Schedule, parse_interval, plan_run
from engine.errors import InputError

BERLIN = ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("every 6h", 6 * 3600),
        ("every 90m", 90 * 60),
        ("every 10s", 10),
        ("every 1d", 86_400),
        ("every 2h30m", 9000),
        ("Every 2H 30M", 9000),
        ("  every 1d2h3m4s ", 86_400 + 7200 + 180 + 4),
        ("every 366d", 366 * 86_400),
    ],
)
def test_intervals_parse_to_seconds(text, seconds):
    assert parse_interval(text).seconds == seconds


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("6h", "expected an interval such as 'every 6h'"),
        ("every", "'every' needs a duration"),
        ("every 6", "'6' has no unit; write 6d, 6h, 6m or 6s"),
        ("every 6x", "unknown unit 'x' in '6x'; use d, h, m or s"),
        ("every 6hours", "unknown unit 'hours'"),
        ("every 1h1h", "the unit 'h' appears twice"),
        ("every 30m2h", "units go from largest to smallest (d, h, m, s): 'h' comes after 'm'"),
        ("every -5m", "expected a number at '-5m'"),
        ("every 5s", "an interval of 5 seconds is outside what okebot runs: from 10 seconds to 366 days"),
        ("every 0s", "an interval of 0 seconds is outside"),
        ("every 367d", "an interval of 367 days is outside"),
        ("every 9999999999s", "far longer than 366 days"),
    ],
)
def test_bad_intervals_say_what_is_wrong(text, complaint):
    with pytest.raises(InputError) as caught:
        parse_interval(text)
    assert caught.value.where == "schedule"
    assert complaint in caught.value.message


parts = st.tuples(*(st.one_of(st.none(), st.integers(min_value=0, max_value=99)) for _ in range(4)))


@given(parts)
def test_any_well_formed_interval_parses_to_its_total_or_says_it_is_out_of_range(counts):
    text = "every " + "".join(f"{n}{u}" for n, u in zip(counts, "dhms", strict=True) if n is not None)
    total = sum(n * size for n, size in zip(counts, (86_400, 3600, 60, 1), strict=True) if n is not None)
    if all(n is None for n in counts):
        with pytest.raises(InputError, match="needs a duration"):
            parse_interval(text)
    elif 10 <= total <= 366 * 86_400:
        assert parse_interval(text).seconds == total
    else:
        with pytest.raises(InputError, match="outside what okebot runs"):
            parse_interval(text)


@given(st.text(max_size=30))
def test_any_text_either_parses_or_raises_input_error(text):
    outcome: object
    try:
        outcome = parse_interval(text)
    except InputError as error:
        outcome = error
    if isinstance(outcome, InputError):
        assert outcome.where == "schedule"
    else:
        assert isinstance(outcome, IntervalSchedule)
        assert outcome.seconds >= 10


@given(st.integers(min_value=10, max_value=366 * 86_400))
def test_an_interval_reads_back_from_its_canonical_text(seconds):
    schedule = IntervalSchedule(seconds)
    assert parse_interval(schedule.text) == schedule


@pytest.mark.parametrize(
    ("text", "instant", "expected"),
    [
        ("every 6h", utc(2026, 11, 26, 9, 0), utc(2026, 11, 26, 12, 0)),
        ("every 6h", utc(2026, 11, 26, 12, 0), utc(2026, 11, 26, 18, 0)),  # strictly after
        ("every 6h", utc(2026, 11, 26, 23, 59, 59), utc(2026, 11, 27, 0, 0)),
        ("every 10s", utc(2026, 11, 26, 9, 0, 3), utc(2026, 11, 26, 9, 0, 10)),
        ("every 1d", datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN), utc(2026, 11, 27, 0, 0)),
        ("every 7m", utc(1970, 1, 1, 0, 0), utc(1970, 1, 1, 0, 7)),
    ],
)
def test_interval_occurrences_are_anchored_at_the_unix_epoch(text, instant, expected):
    assert parse_interval(text).next_after(instant) == expected


@settings(max_examples=200)
@given(st.integers(min_value=10, max_value=40 * 86_400),
       st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_the_next_occurrence_is_strictly_after_a_whole_multiple_and_none_is_skipped(seconds, instant):
    schedule = IntervalSchedule(seconds)
    following = schedule.next_after(instant)
    assert following > instant
    assert (following - datetime(1970, 1, 1, tzinfo=UTC)) % timedelta(seconds=seconds) == timedelta(0)
    assert following - instant <= timedelta(seconds=seconds)
    assert schedule.next_after(following - timedelta(microseconds=1)) == following


def test_interval_schedules_describe_themselves():
    assert parse_interval("every 6h").describe() == "Every 6 hours (from 00:00 UTC)"
    assert parse_interval("every 7m").describe() == "Every 7 minutes (counted from 1970-01-01 00:00 UTC)"
    assert parse_interval("every 2h30m").describe() == "Every 2 hours 30 minutes (counted from 1970-01-01 00:00 UTC)"
    assert isinstance(parse_interval("every 1d"), Schedule)


def test_an_interval_keeps_its_utc_rhythm_across_berlins_dst_changes():
    schedule = parse_interval("every 6h")
    for day in (datetime(2026, 3, 28, 12, tzinfo=BERLIN), datetime(2026, 10, 24, 12, tzinfo=BERLIN)):
        instants, at = [], day
        for _ in range(8):
            at = schedule.next_after(at)
            instants.append(at)
        assert all(b - a == timedelta(hours=6) for a, b in pairwise(instants))
        assert {i.hour for i in instants} == {0, 6, 12, 18}
    # In Berlin the same UTC instants read an hour later in summer than in winter.
    assert schedule.next_after(utc(2026, 3, 28, 23)).astimezone(BERLIN).hour == 1
    assert schedule.next_after(utc(2026, 3, 29, 23)).astimezone(BERLIN).hour == 2


def test_next_after_refuses_a_naive_instant():
    with pytest.raises(InputError, match="instant: "):
        parse_interval("every 1h").next_after(datetime(2026, 1, 1))


# --- plan_run ---------------------------------------------------------------------------------------------------

HOURLY = parse_interval("every 1h")
GRACE = timedelta(minutes=10)
CREATED = utc(2026, 11, 1, 0, 30)


@pytest.mark.parametrize(
    ("last", "now", "due", "missed", "total"),
    [
        # On time: the 09:00 occurrence, two minutes late, is due; nothing missed.
        (utc(2026, 11, 26, 8), utc(2026, 11, 26, 9, 2), utc(2026, 11, 26, 9), [], 0),
        # Exactly at the end of the grace period it is still due.
        (utc(2026, 11, 26, 8), utc(2026, 11, 26, 9, 10), utc(2026, 11, 26, 9), [], 0),
        # Past the grace period: missed, not run late.
        (utc(2026, 11, 26, 8), utc(2026, 11, 26, 9, 11), None, [utc(2026, 11, 26, 9)], 1),
        # Down from 05:30 to 09:05: one catch-up (09:00), the rest named as missed.
        (utc(2026, 11, 26, 5), utc(2026, 11, 26, 9, 5), utc(2026, 11, 26, 9),
         [utc(2026, 11, 26, h) for h in (6, 7, 8)], 3),
        # Already ran the latest occurrence: nothing to do.
        (utc(2026, 11, 26, 9), utc(2026, 11, 26, 9, 30), None, [], 0),
        # A clock behind the last run: nothing.
        (utc(2026, 11, 26, 9), utc(2026, 11, 26, 8, 30), None, [], 0),
    ],
)
def test_plan_run_runs_the_latest_occurrence_once_within_grace_and_names_the_missed(last, now, due, missed, total):
    plan = plan_run(HOURLY, last_scheduled_for=last, created_at=CREATED, now=now, grace=GRACE)
    assert (plan.due, plan.missed, plan.missed_total) == (due, missed, total)


def test_before_the_first_run_occurrences_count_from_creation():
    plan = plan_run(HOURLY, last_scheduled_for=None, created_at=utc(2026, 11, 26, 8, 30),
                    now=utc(2026, 11, 26, 10, 1), grace=GRACE)
    assert (plan.due, plan.missed, plan.missed_total) == (utc(2026, 11, 26, 10), [utc(2026, 11, 26, 9)], 1)
    fresh = plan_run(HOURLY, last_scheduled_for=None, created_at=utc(2026, 11, 26, 9), now=utc(2026, 11, 26, 9, 5),
                     grace=GRACE)
    assert (fresh.due, fresh.missed_total) == (None, 0)  # created exactly at 09:00: that occurrence is not owed


def test_a_long_outage_never_replays_a_backlog_and_lists_only_the_newest_20_missed():
    plan = plan_run(parse_interval("every 10s"), last_scheduled_for=utc(2026, 11, 25, 9),
                    now=utc(2026, 11, 26, 9, 0, 5), created_at=CREATED, grace=timedelta(seconds=30))
    assert plan.due == utc(2026, 11, 26, 9)
    assert plan.missed_total == 8640 - 1
    assert len(plan.missed) == 20
    assert plan.missed[-1] == utc(2026, 11, 26, 8, 59, 50)
    assert plan.missed == sorted(plan.missed)


def test_plan_run_across_a_dst_change_counts_utc_occurrences():
    daily = parse_interval("every 1d")
    plan = plan_run(daily, last_scheduled_for=datetime(2026, 3, 28, 1, tzinfo=BERLIN),  # = 00:00 UTC
                    now=datetime(2026, 3, 30, 2, 5, tzinfo=BERLIN), created_at=CREATED, grace=GRACE)
    assert plan.due == utc(2026, 3, 30)  # 02:00 in Berlin summer time
    assert plan.missed == [utc(2026, 3, 29)]


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"grace": timedelta(seconds=-1)}, "grace"),
        ({"now": datetime(2026, 11, 26)}, "now"),
        ({"created_at": datetime(2026, 11, 26), "last_scheduled_for": None}, "created_at"),
        ({"last_scheduled_for": datetime(2026, 11, 26)}, "last_scheduled_for"),
    ],
)
def test_plan_run_refuses_naive_times_and_negative_grace(kwargs, where):
    args = {"last_scheduled_for": utc(2026, 11, 26), "created_at": CREATED, "now": utc(2026, 11, 26, 1),
            "grace": GRACE, **kwargs}
    with pytest.raises(InputError) as caught:
        plan_run(HOURLY, **args)
    assert caught.value.where == where


class Stuck:
    def next_after(self, instant: datetime) -> datetime:
        return utc(2026, 11, 26)

    def describe(self) -> str:
        return "stuck"


def test_a_schedule_that_does_not_move_forward_is_reported_not_looped_on():
    with pytest.raises(InputError, match="went backwards"):
        plan_run(Stuck(), last_scheduled_for=utc(2026, 11, 25), created_at=CREATED, now=utc(2026, 11, 27),
                 grace=GRACE)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=10, max_value=7 * 86_400), st.integers(min_value=0, max_value=30 * 86_400),
       st.integers(min_value=0, max_value=86_400), st.integers(min_value=0, max_value=3600))
def test_plan_run_accounts_for_every_occurrence_exactly_once(period, since, gap, grace):
    schedule = IntervalSchedule(period)
    last = utc(2026, 11, 1) + timedelta(seconds=since)
    now = last + timedelta(seconds=gap)
    plan = plan_run(schedule, last_scheduled_for=last, created_at=CREATED, now=now, grace=timedelta(seconds=grace))
    expected = (now - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=period) - (
        last - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=period)
    assert plan.missed_total + (plan.due is not None) == expected
    assert len(plan.missed) == min(plan.missed_total, 20)
    assert all(last < m <= now for m in plan.missed)
    if plan.due is not None:
        assert timedelta(0) <= now - plan.due <= timedelta(seconds=grace)
        assert all(m < plan.due for m in plan.missed)

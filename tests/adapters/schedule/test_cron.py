from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.schedule.cron import CronSchedule, load_zone, parse_schedule
from engine.digest.schedule import IntervalSchedule, Schedule, plan_run
from engine.errors import InputError

BERLIN = ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def occurrences(schedule: Schedule, start: datetime, count: int) -> list[datetime]:
    found, at = [], start
    for _ in range(count):
        at = schedule.next_after(at)
        found.append(at)
    return found


# Berlin, 2026: clocks go forward on 29 March at 02:00 CET (→ 03:00 CEST) and back on 25 October at 03:00 CEST.


def test_nine_oclock_daily_in_berlin_fires_once_a_day_at_the_right_utc_instant_across_spring_forward():
    schedule = CronSchedule("0 9 * * *", "Europe/Berlin")
    assert occurrences(schedule, utc(2026, 3, 27, 12), 3) == [
        utc(2026, 3, 28, 8),  # CET, UTC+1
        utc(2026, 3, 29, 7),  # CEST, UTC+2, the day clocks go forward
        utc(2026, 3, 30, 7),
    ]


def test_nine_oclock_daily_in_berlin_fires_once_a_day_across_fall_back():
    schedule = CronSchedule("0 9 * * *", "Europe/Berlin")
    assert occurrences(schedule, utc(2026, 10, 23, 12), 3) == [
        utc(2026, 10, 24, 7),  # CEST
        utc(2026, 10, 25, 8),  # CET, the day clocks go back
        utc(2026, 10, 26, 8),
    ]


def test_a_job_in_the_skipped_hour_runs_right_after_clocks_go_forward_as_debian_cron_does():
    # 02:30 does not exist in Berlin on 29 March 2026; Debian cron (and cronsim) run it at 03:00 CEST instead.
    schedule = CronSchedule("30 2 * * *", "Europe/Berlin")
    found = occurrences(schedule, utc(2026, 3, 27, 12), 3)
    assert found == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)]
    assert found[1].astimezone(BERLIN).strftime("%H:%M %Z") == "03:00 CEST"


def test_a_job_in_the_repeated_hour_runs_once_when_clocks_go_back():
    # 02:30 happens twice in Berlin on 25 October 2026 (CEST, then CET): the job runs at the first only.
    schedule = CronSchedule("30 2 * * *", "Europe/Berlin")
    assert occurrences(schedule, utc(2026, 10, 24, 12), 2) == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_asked_from_inside_the_repeated_hour_the_next_occurrence_is_still_in_the_future():
    schedule = CronSchedule("30 2 * * *", "Europe/Berlin")
    second_0215 = datetime(2026, 10, 25, 2, 15, tzinfo=BERLIN, fold=1)  # 01:15 UTC, after the first 02:30
    assert schedule.next_after(second_0215) == utc(2026, 10, 26, 1, 30)


def test_a_job_more_frequent_than_hourly_follows_real_time_through_the_repeated_hour():
    schedule = CronSchedule("*/30 * * * *", "Europe/Berlin")
    assert occurrences(schedule, utc(2026, 10, 24, 23, 59), 5) == [
        utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 0), utc(2026, 10, 25, 1, 30),
        utc(2026, 10, 25, 2, 0),
    ]


def test_plan_run_with_a_berlin_cron_across_spring_forward_catches_up_once():
    schedule = CronSchedule("0 9 * * *", "Europe/Berlin")
    plan = plan_run(schedule, last_scheduled_for=utc(2026, 3, 28, 8), created_at=utc(2026, 3, 1),
                    now=utc(2026, 3, 30, 7, 5), grace=timedelta(minutes=10))
    assert (plan.due, plan.missed, plan.missed_total) == (utc(2026, 3, 30, 7), [utc(2026, 3, 29, 7)], 1)


def test_weekdays_skip_the_weekend():
    schedule = CronSchedule("0 9 * * 1-5", "UTC")
    assert occurrences(schedule, utc(2026, 11, 27, 10), 2) == [utc(2026, 11, 30, 9), utc(2026, 12, 1, 9)]


@pytest.mark.parametrize(
    ("expression", "zone", "text"),
    [
        ("0 9 * * 1-5", "Europe/Berlin", "At 09:00, Monday through Friday, Europe/Berlin"),
        ("*/15 * * * *", "UTC", "Every 15 minutes, UTC"),
        ("0 9 1 * *", "America/New_York", "At 09:00, on day 1 of the month, America/New_York"),
    ],
)
def test_cron_schedules_describe_themselves_in_words_and_zone(expression, zone, text):
    assert CronSchedule(expression, zone).describe() == text


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("61 9 * * *", "minute field '61' is out of range (0–59)"),
        ("0 24 * * *", "hour field '24' is out of range (0–23)"),
        ("0 9 0 * *", "day-of-month field '0' is out of range (1–31)"),
        ("0 9 * 13 *", "month field '13' is out of range (1–12)"),
        ("0 9 * * 8", "day-of-week field '8' is out of range (0–7)"),
        ("5,61 9 * * *", "minute field '5,61': 61 is out of range (0–59)"),
        ("0 0 30 2 *", "day-of-month field '30' never occurs in month field '2'"),
        ("*/0 * * * *", "minute field '*/0' has a step of 0"),
        ("0 9 * * 5-1", "day-of-week field '5-1': the range 5-1 runs backwards"),
        ("0 9 * FOO *", "month field 'FOO' is not valid; use a number 1–12, *, a range a-b, a list a,b or a step "
                        "*/n (or names JAN–DEC)"),
        ("0 9 * *", "a cron expression has 5 fields (minute hour day-of-month month day-of-week); '0 9 * *' has 4"),
        ("0 0 9 * * *", "has 6"),
    ],
)
def test_a_bad_cron_expression_names_the_field_and_the_reason(expression, message):
    with pytest.raises(InputError) as caught:
        CronSchedule(expression)
    assert caught.value.where == "schedule"
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("zone", "message"),
    [
        ("Europe/Berln", "unknown time zone 'Europe/Berln'; did you mean Europe/Berlin?"),
        ("Mars/Olympus", "unknown time zone 'Mars/Olympus'; use an IANA name such as Europe/Berlin or UTC"),
        ("../../etc/passwd", "unknown time zone '../../etc/passwd'"),
        ("", "unknown time zone ''"),
    ],
)
def test_an_unknown_time_zone_is_refused_with_the_closest_name(zone, message):
    with pytest.raises(InputError) as caught:
        CronSchedule("0 9 * * *", zone)
    assert caught.value.where == "timezone"
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("text", "kind"),
    [("every 6h", IntervalSchedule), ("  Every 90m", IntervalSchedule), ("0 9 * * 1-5", CronSchedule)],
)
def test_parse_schedule_takes_an_interval_or_a_cron_expression(text, kind):
    assert isinstance(parse_schedule(text, "Europe/Berlin"), kind)


def test_parse_schedule_checks_the_zone_even_for_intervals_and_refuses_empty_text():
    with pytest.raises(InputError, match="timezone: unknown time zone"):
        parse_schedule("every 6h", "Nowhere/Atall")
    with pytest.raises(InputError, match="schedule: empty schedule"):
        parse_schedule("   ")
    with pytest.raises(InputError, match="schedule: unknown unit 'x' in '5x'"):
        parse_schedule("every 5x")


def test_next_after_refuses_a_naive_instant():
    with pytest.raises(InputError, match="instant: "):
        CronSchedule("0 9 * * *").next_after(datetime(2026, 1, 1))


def test_a_cron_schedule_is_a_schedule():
    assert isinstance(CronSchedule("0 9 * * *"), Schedule)


def field(low: int, high: int) -> st.SearchStrategy[str]:
    number = st.integers(min_value=low, max_value=high)
    return st.one_of(
        st.just("*"),
        number.map(str),
        st.tuples(number, number).map(lambda p: f"{min(p)}-{max(p)}"),
        st.integers(min_value=1, max_value=high or 1).map(lambda n: f"*/{n}"),
        st.lists(number, min_size=2, max_size=4).map(lambda v: ",".join(map(str, v))),
    )


zones = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"])


@settings(max_examples=120, deadline=None)
@given(field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 6), zones,
       st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)))
def test_any_valid_cron_expression_gives_a_later_occurrence(minute, hour, dom, month, dow, zone, instant):
    schedule = CronSchedule(f"{minute} {hour} {dom} {month} {dow}", zone)
    following = schedule.next_after(instant)
    assert following > instant
    assert following.tzinfo is UTC
    assert schedule.describe().endswith(f", {zone}")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789*/-, abcLW#JANMONery\t"), max_size=24))
def test_any_text_is_a_schedule_or_an_input_error(text):
    outcome: object
    try:
        outcome = parse_schedule(text)
    except InputError as error:
        outcome = error
    if isinstance(outcome, InputError):
        assert outcome.where == "schedule"
    else:
        assert isinstance(outcome, Schedule)
        assert outcome.next_after(utc(2026, 1, 1)) > utc(2026, 1, 1)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_zone_name_loads_or_is_refused_clearly(name):
    outcome: object
    try:
        outcome = load_zone(name)
    except InputError as error:
        outcome = error
    if isinstance(outcome, InputError):
        assert outcome.where == "timezone"
        assert outcome.message.startswith("timezone: unknown time zone")
    else:
        assert isinstance(outcome, ZoneInfo)

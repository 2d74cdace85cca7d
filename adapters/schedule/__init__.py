"""Schedules that need a library: cron expressions in a time zone (cronsim, cron-descriptor, zoneinfo)."""

from adapters.schedule.cron import CronSchedule, parse_schedule

__all__ = ["CronSchedule", "parse_schedule"]

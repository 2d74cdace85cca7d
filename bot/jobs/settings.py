"""The scheduler's settings, from OKEBOT_* environment variables, checked at start-up by name."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.env import load
from engine.digest.schedule import MIN_INTERVAL_SECONDS


class JobSettings(BaseSettings):
    """How often and how long the scheduled jobs run. Units are in each name.

    okebot_sample_interval_seconds: take a history sample every N seconds (900); 0 turns the sampler (and its
        alerts) off.
    okebot_history_retention_days: keep samples this long (400); every sample for 30 days, then one a day.
    okebot_forecast_window_days: how far back a forecast's trend looks (14).
    okebot_digest_grace_seconds: after downtime, an occurrence at most this old still runs once (600).
    okebot_scheduler_tick_seconds: how often a replica looks for due work (5).
    okebot_job_lease_seconds: how long a replica holds a claimed run before another may take it over (120); keep it
        well above the time a digest takes to build and post.
    okebot_slack_post_attempts / okebot_slack_retry_seconds: tries of a refused post, and the first backoff (doubled
        each time).
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    okebot_sample_interval_seconds: int = Field(default=900, ge=0, le=86_400)
    okebot_history_retention_days: int = Field(default=400, ge=31, le=3650)
    okebot_forecast_window_days: float = Field(default=14.0, ge=1, le=90, allow_inf_nan=False)
    okebot_digest_grace_seconds: int = Field(default=600, ge=0, le=7 * 86_400)
    okebot_scheduler_tick_seconds: float = Field(default=5.0, gt=0, le=300, allow_inf_nan=False)
    okebot_job_lease_seconds: float = Field(default=120.0, ge=1, le=3600, allow_inf_nan=False)
    okebot_slack_post_attempts: int = Field(default=3, ge=1, le=10)
    okebot_slack_retry_seconds: float = Field(default=1.0, ge=0, le=60, allow_inf_nan=False)

    @field_validator("okebot_sample_interval_seconds")
    @classmethod
    def _off_or_long_enough(cls, value: int) -> int:
        if 0 < value < MIN_INTERVAL_SECONDS:
            raise ValueError(f"must be 0 (off) or at least {MIN_INTERVAL_SECONDS} seconds")
        return value

    @field_validator("okebot_job_lease_seconds")
    @classmethod
    def _lease_outlasts_ticks(cls, value: float, info: ValidationInfo) -> float:
        # A run's lease is checked only at ticks: one shorter than two ticks expires before its own replica
        # looks again, inviting another replica to take over work still under way.
        tick = info.data.get("okebot_scheduler_tick_seconds")
        if isinstance(tick, float) and value < 2 * tick:
            raise ValueError("must be at least twice OKEBOT_SCHEDULER_TICK_SECONDS")
        return value

    @property
    def grace(self) -> timedelta:
        """OKEBOT_DIGEST_GRACE_SECONDS as a timedelta."""
        return timedelta(seconds=self.okebot_digest_grace_seconds)


def load_job_settings() -> JobSettings:
    """JobSettings from the environment; InputError naming every variable that is wrong."""
    return load(JobSettings, prefix="")

"""A digest definition: what to post where and when, and how a scheduled run of it is tracked.

Pure data. Definitions come from two places that behave the same: the `digests:` list of okebot.yaml (origin
"config", read-only from Slack) and `/oke digest add` (origin "slack", kept in the state store). The schedule text
is checked where it is read (adapters/schedule/cron.py `parse_schedule`), since cron needs a library.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import Field

from engine.digest.alerts import Thresholds
from engine.model import Frozen

DigestMode = Literal["always", "on-change"]
Origin = Literal["config", "slack"]
RunState = Literal["queued", "claimed", "posting", "posted", "failed", "missed", "skipped", "done"]
NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,62}$"
DIGEST_JOB_PREFIX = "digest:"
REQUESTED_SLOT_PREFIX = "run:"  # a run someone asked for (`/oke digest run`), not a scheduled occurrence


class DigestDefinition(Frozen):
    """One scheduled digest.

    Fields:
        name: unique among every digest (config and stored); lowercase letters, digits, '.', '_', '-'.
        channel: the Slack channel id it posts to.
        schedule: a 5-field cron expression ("0 9 * * MON-FRI") or an interval ("every 6h", at least 10 s).
        timezone: IANA zone the cron expression is read in (intervals are anchored at the epoch in UTC).
        clusters, compartments: what it covers, within the channel's bindings; both empty = the channel's
            bindings (every cluster the channel sees).
        thresholds: warning/error marks in percent (80/95); forecast_days: alert when days to full drop under it.
        mode: "always" posts every run; "on-change" posts only when something changed, plus a weekly heartbeat.
        chart: upload the PNG chart into the digest's thread.
        paused: a stored digest an admin paused (config digests are never paused).
        origin: "config" (okebot.yaml) or "slack" (`/oke digest add`); created_by: who added it from Slack.
    """

    name: str = Field(pattern=NAME_PATTERN)
    channel: str = Field(min_length=1, max_length=255)
    schedule: str = Field(min_length=1, max_length=255)
    timezone: str = "UTC"
    clusters: tuple[str, ...] = ()
    compartments: tuple[str, ...] = ()
    thresholds: Thresholds = Field(default_factory=Thresholds)
    forecast_days: float = Field(default=30.0, gt=0, le=365)
    mode: DigestMode = "always"
    chart: bool = True
    paused: bool = False
    origin: Origin = "slack"
    created_by: str | None = None

    @property
    def job(self) -> str:
        """The job name its runs are recorded under: "digest:<name>"."""
        return DIGEST_JOB_PREFIX + self.name


class JobRun(Frozen):
    """One run of a job, as the store tracks it: a scheduled digest occurrence, an alert post, a sampler pass.

    The key is (job, slot): "digest:daily" + "2026-11-26T09:00:00Z", or "alert:C0PAY" + a series and sample time;
    a run someone asked for (`/oke digest run`) has the slot "run:" + the instant it was asked ("requested").
    A post goes claimed → posting → posted(ts) | failed; a requested run starts "queued" (no owner, no lease, no
    attempt) until a replica claims it. A run that never started is "missed", a digest with nothing to say in
    on-change mode "skipped", a job that posts nothing "done". While claimed or posting, `owner` holds the lease
    until `lease_until` (database clock); another replica takes over an expired lease.

    Fields:
        scheduled_for: the occurrence instant (UTC); attempts: how many leases were taken on it.
        message: the rendered post (JSON {"text", "blocks"}) once built; snapshot: the digest snapshot JSON.
        represents: how many occurrences a "missed" row stands for (the oldest listed one also counts those
            beyond the 20 listed).
    """

    job: str
    slot: str
    state: RunState
    scheduled_for: datetime
    owner: str | None = None
    lease_until: datetime | None = None
    attempts: int = 0
    channel: str | None = None
    message_ts: str | None = None
    error: str | None = None
    message: str | None = None
    snapshot: str | None = None
    represents: int = 1

    @property
    def key(self) -> str:
        """The occurrence key carried in the Slack message's metadata: "<job>@<slot>"."""
        return f"{self.job}@{self.slot}"

    @property
    def requested(self) -> bool:
        """A run someone asked for (`/oke digest run`), not a scheduled occurrence."""
        return self.slot.startswith(REQUESTED_SLOT_PREFIX)


class ScheduledClaim(Frozen):
    """What one planning pass of a schedule did: the run it claimed (None when nothing is due or another replica
    has it), and the occurrences it recorded as missed."""

    run: JobRun | None
    missed: list[datetime] = Field(default_factory=list)
    missed_total: int = 0


def slot_for(instant: datetime) -> str:
    """A scheduled occurrence's slot: its instant in UTC as ISO 8601 with a Z ("2026-11-26T09:00:00Z")."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def requested_slot(instant: datetime) -> str:
    """The slot of a run asked for at `instant`: "run:2026-11-26T09:00:05.123456Z"."""
    return REQUESTED_SLOT_PREFIX + slot_for(instant)

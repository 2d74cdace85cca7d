"""The state store's schema, as ordered migrations applied once each and recorded in `schema_version`.

Each migration holds the same change in both dialects (statements both share are written once, as
_PORTABLE_V1 is); a new one is appended with the next version and never edited once released. Statements
are in the store's neutral form (adapters/store/dialect.py): no `?`, and `{`/`}` only around a fragment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.errors import SourceError


@dataclass(frozen=True)
class Migration:
    """One schema change: statements for SQLite and for PostgreSQL, run in one transaction."""

    version: int
    name: str
    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]


SCHEMA_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_us BIGINT NOT NULL)"
)

_PORTABLE_V1 = (
    "CREATE INDEX audit_log_newest ON audit_log (at_us DESC, id DESC)",
    "CREATE INDEX audit_log_user ON audit_log (user_id, at_us DESC)",
    "CREATE INDEX audit_log_channel ON audit_log (channel, at_us DESC)",
    "CREATE TABLE channel_bindings ("
    " channel TEXT PRIMARY KEY, clusters TEXT NOT NULL, compartments TEXT NOT NULL, default_cluster TEXT)",
    "CREATE TABLE role_grants ("
    " kind TEXT NOT NULL, subject_key TEXT NOT NULL, subject TEXT NOT NULL, role TEXT NOT NULL,"
    " PRIMARY KEY (kind, subject_key))",
    # Expiry is seconds since the epoch so both dialects compare it the same way.
    "CREATE TABLE claims (claim_key TEXT PRIMARY KEY, expires_at DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX claims_expiry ON claims (expires_at)",
)

_AUDIT_COLUMNS = (
    " at_us BIGINT NOT NULL, user_id TEXT NOT NULL, channel TEXT NOT NULL, command TEXT NOT NULL,"
    " arguments TEXT NOT NULL, outcome TEXT NOT NULL, error_id TEXT, duration_ms BIGINT NOT NULL)"
)

# History: a series table (its OCIDs and names once) and a narrow sample table keyed (series, second), so a sample
# costs a few integers. Times are whole seconds since the epoch (UTC); day boundaries are `at / 86400`.
_SERIES_COLUMNS = (
    " cluster_id TEXT NOT NULL, kind TEXT NOT NULL, series_key TEXT NOT NULL, cluster_name TEXT NOT NULL,"
    " name TEXT NOT NULL, UNIQUE (cluster_id, kind, series_key))"
)
_SAMPLES = (
    "CREATE TABLE capacity_samples (series_id INTEGER NOT NULL, at BIGINT NOT NULL, usable INTEGER,"
    " used INTEGER, reserved INTEGER, nodes INTEGER, max_pods INTEGER, PRIMARY KEY (series_id, at))"
)
_PORTABLE_V2 = (
    "CREATE INDEX capacity_series_cluster ON capacity_series (cluster_id)",
    "CREATE TABLE digests (name TEXT PRIMARY KEY, definition TEXT NOT NULL)",
    # When a job's occurrences start counting: set on add and resume, or when a replica first sees a config digest.
    "CREATE TABLE job_schedules (job TEXT PRIMARY KEY, since DOUBLE PRECISION NOT NULL)",
    # One row per (job, slot): a digest occurrence, an alert post, a sampler pass. Times are database-clock epoch
    # seconds. The primary key is what makes each occurrence happen once across replicas.
    "CREATE TABLE job_runs (job TEXT NOT NULL, slot TEXT NOT NULL, state TEXT NOT NULL,"
    " scheduled_for DOUBLE PRECISION NOT NULL, owner TEXT, lease_until DOUBLE PRECISION,"
    " attempts INTEGER NOT NULL, channel TEXT, message_ts TEXT, error TEXT, message TEXT, snapshot TEXT,"
    " represents INTEGER NOT NULL, updated_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (job, slot))",
    "CREATE INDEX job_runs_by_time ON job_runs (job, scheduled_for)",
    "CREATE INDEX job_runs_leases ON job_runs (state, lease_until)",
    "CREATE TABLE alert_states (scope TEXT NOT NULL, cluster_id TEXT NOT NULL, kind TEXT NOT NULL,"
    " series_key TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (scope, cluster_id, kind, series_key))",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        name="audit log, channel bindings, role grants, claims",
        sqlite=(
            "CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT," + _AUDIT_COLUMNS,
            *_PORTABLE_V1,
        ),
        postgres=(
            "CREATE TABLE audit_log (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY," + _AUDIT_COLUMNS,
            *_PORTABLE_V1,
        ),
    ),
    Migration(
        version=2,
        name="capacity history, digests, job runs, alert states",
        sqlite=(
            "CREATE TABLE capacity_series (id INTEGER PRIMARY KEY AUTOINCREMENT," + _SERIES_COLUMNS,
            _SAMPLES + " WITHOUT ROWID",
            *_PORTABLE_V2,
        ),
        postgres=(
            "CREATE TABLE capacity_series (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY," + _SERIES_COLUMNS,
            _SAMPLES,
            *_PORTABLE_V2,
        ),
    ),
)


def pending(current: int, migrations: Sequence[Migration] = MIGRATIONS) -> list[Migration]:
    """The migrations still to apply to a database at version `current`, in order."""
    known = max((m.version for m in migrations), default=0)
    if current > known:
        raise SourceError(
            f"the state database is at schema version {current}, newer than this okebot knows ({known})",
            remedy="upgrade okebot, or point it at another database",
        )
    return sorted((m for m in migrations if m.version > current), key=lambda m: m.version)

"""The StateStore written once for every database: each query appears here, once, in the neutral form
adapters/store/dialect.py describes; SqliteStore and PostgresStore differ only in their `Dialect` and in
how they open.

A new query is a method here (SQL once, rows mapped in rows.py) plus a contract test that runs on both
databases; a new table is a migration appended in migrations.py.

A `StoreObserver` given at open hears of every operation that failed (the method's name), for metrics:
`@_observed_methods` wraps each public coroutine of the class, so a new query is counted without more code.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from adapters.store import rows
from adapters.store.dialect import Dialect, Row, Session
from adapters.store.migrations import SCHEMA_VERSION_TABLE, Migration, pending
from engine.access import ChannelBinding, GrantKind, RoleGrant
from engine.audit import AuditEntry
from engine.errors import SourceError

_AUDIT_COLUMNS = "at_us, user_id, channel, command, arguments, outcome, error_id, duration_ms"
_BINDING_COLUMNS = "channel, clusters, compartments, default_cluster"

Prepare = Callable[[Session], Awaitable[None]]
# Told the name of each store operation that failed with SourceError ("record_audit", "migrate"; "open" when
# the database could not be reached at all).
StoreObserver = Callable[[str], None]
_Class = TypeVar("_Class", bound=type)


def _observed_methods(cls: _Class) -> _Class:
    """Wrap every public coroutine method (but close) so a SourceError it raises is reported by name."""

    def observed(name: str, method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(method)
        async def run(self: SqlStore, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except SourceError:
                if self.observer is not None:
                    self.observer(name)
                raise

        return run

    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and name != "close" and inspect.iscoroutinefunction(member):
            setattr(cls, name, observed(name, member))
    return cls


@_observed_methods
class SqlStore:
    """The StateStore on a `Dialect`. Open it through a backend: SqliteStore.open, PostgresStore.open.

    Args:
        observer: told the name of every operation that fails (see StoreObserver).
    """

    def __init__(self, dialect: Dialect, *, observer: StoreObserver | None = None) -> None:
        self._dialect: Dialect | None = dialect
        self._name = dialect.name
        self.observer = observer

    async def migrate(self, migrations: Sequence[Migration], *, prepare: Prepare | None = None) -> None:
        """Apply the migrations the database lacks, in one transaction, after `prepare` (a lock, a schema)."""
        dialect = self._live()
        with self._translated():
            async with dialect.transaction() as tx:
                if prepare is not None:
                    await prepare(tx)
                await tx.execute(SCHEMA_VERSION_TABLE)
                (found,) = await tx.fetch("SELECT COALESCE(MAX(version), 0) FROM schema_version")
                for migration in pending(int(found[0]), migrations):
                    for statement in dialect.statements(migration):
                        await tx.execute(statement)
                    await tx.execute(
                        "INSERT INTO schema_version (version, name, applied_at_us)"
                        " VALUES (?, ?, CAST({now} * 1000000 AS BIGINT))",
                        (migration.version, migration.name),
                    )

    async def schema_version(self) -> int:
        """The schema version the database is at."""
        (found,) = await self._fetch("SELECT MAX(version) FROM schema_version")
        return int(found[0])

    async def record_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit trail."""
        await self._execute(
            f"INSERT INTO audit_log ({_AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.audit_row(entry)
        )

    async def list_audit(
        self, *, limit: int = 50, user: str | None = None, channel: str | None = None
    ) -> list[AuditEntry]:
        """The newest `limit` entries, newest first, optionally only one user's or one channel's."""
        rows.check_limit(limit)
        where, params = _audit_filter(user, channel)
        found = await self._fetch(
            f"SELECT {_AUDIT_COLUMNS} FROM audit_log{where} ORDER BY at_us DESC, id DESC LIMIT ?", (*params, limit)
        )
        return [rows.audit_entry(row) for row in found]

    async def put_binding(self, binding: ChannelBinding) -> None:
        """Create or replace the binding of `binding.channel`."""
        await self._execute(
            f"INSERT INTO channel_bindings ({_BINDING_COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT (channel)"
            " DO UPDATE SET clusters = excluded.clusters, compartments = excluded.compartments,"
            " default_cluster = excluded.default_cluster",
            rows.binding_row(binding),
        )

    async def get_binding(self, channel: str) -> ChannelBinding | None:
        """The stored binding of a channel, if any."""
        found = await self._fetch(
            f"SELECT {_BINDING_COLUMNS} FROM channel_bindings WHERE channel = ?", (rows.binding_key(channel),)
        )
        return rows.channel_binding(found[0]) if found else None

    async def list_bindings(self) -> list[ChannelBinding]:
        """Every stored binding, ordered by channel."""
        found = await self._fetch(f"SELECT {_BINDING_COLUMNS} FROM channel_bindings ORDER BY channel{{binary}}")
        return [rows.channel_binding(row) for row in found]

    async def delete_binding(self, channel: str) -> bool:
        """Remove a channel's binding; False when there was none."""
        return await self._execute("DELETE FROM channel_bindings WHERE channel = ?", (rows.binding_key(channel),)) > 0

    async def put_role_grant(self, grant: RoleGrant) -> None:
        """Create or replace the grant of one user or group."""
        await self._execute(
            "INSERT INTO role_grants (kind, subject_key, subject, role) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, subject_key) DO UPDATE SET subject = excluded.subject, role = excluded.role",
            rows.grant_row(grant),
        )

    async def get_role_grant(self, kind: GrantKind, subject: str) -> RoleGrant | None:
        """The stored grant of one user or group, if any."""
        found = await self._fetch(
            "SELECT kind, subject, role FROM role_grants WHERE kind = ? AND subject_key = ?",
            rows.grant_key(kind, subject),
        )
        return rows.role_grant(found[0]) if found else None

    async def list_role_grants(self) -> list[RoleGrant]:
        """Every stored grant, ordered by kind then subject."""
        found = await self._fetch(
            "SELECT kind, subject, role FROM role_grants ORDER BY kind{binary}, subject_key{binary}"
        )
        return [rows.role_grant(row) for row in found]

    async def delete_role_grant(self, kind: GrantKind, subject: str) -> bool:
        """Remove a grant; False when there was none."""
        sql = "DELETE FROM role_grants WHERE kind = ? AND subject_key = ?"
        return await self._execute(sql, rows.grant_key(kind, subject)) > 0

    async def claim_once(self, key: str, *, ttl_seconds: int) -> bool:
        """Claim `key` for `ttl_seconds`: True for exactly one caller, across replicas, until it expires."""
        rows.check_ttl(ttl_seconds)
        # One statement, so the check and the write are atomic across processes; the database's clock, not
        # each replica's, decides expiry.
        claimed = await self._execute(
            "INSERT INTO claims (claim_key, expires_at) VALUES (?, {now} + ?) ON CONFLICT (claim_key)"
            " DO UPDATE SET expires_at = excluded.expires_at WHERE claims.expires_at <= {now}",
            (rows.text(key), float(ttl_seconds)),
        )
        if claimed:
            await self._execute("DELETE FROM claims WHERE expires_at < {now}")
        return claimed > 0

    async def close(self) -> None:
        """Release the connection(s). The store cannot be used afterwards."""
        dialect, self._dialect = self._dialect, None
        if dialect is not None:
            await dialect.close()

    async def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        dialect = self._live()
        with self._translated():
            return await dialect.fetch(sql, params)

    async def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        dialect = self._live()
        with self._translated():
            return await dialect.execute(sql, params)

    def _live(self) -> Dialect:
        if self._dialect is None:
            raise SourceError(f"the {self._name} state store is closed")
        return self._dialect

    @contextmanager
    def _translated(self) -> Iterator[None]:
        with rows.translated(self._name, self._live().errors):
            yield


def _audit_filter(user: str | None, channel: str | None) -> tuple[str, list[str]]:
    chosen = (("user_id", user), ("channel", channel))
    filters = [(column, rows.text(value)) for column, value in chosen if value is not None]
    where = " WHERE " + " AND ".join(f"{column} = ?" for column, _ in filters) if filters else ""
    return where, [value for _, value in filters]

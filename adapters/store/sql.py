"""The StateStore written once for every database: each query appears once, in the neutral form
adapters/store/dialect.py describes; SqliteStore and PostgresStore differ only in their `Dialect` and in
how they open.

`SqlStore` is the sum of the query modules, one a concern, each a mixin on the typed base that holds the
dialect (base.SqlBase):

    queries_state.py     StateQueries    the audit trail, channel bindings, role grants, idempotency claims
    queries_history.py   HistoryQueries  capacity samples
    queries_digests.py   DigestQueries   digest definitions, job schedules and runs, alert states

and keeps the schema itself here (migrate, schema_version). Mixins rather than query objects the store
delegates to: each public method is written once, beside its SQL and with its docstring, and SqlStore has
them all by inheritance; a delegating store would repeat every signature to forward it.

A new query is a method in the module of its concern (SQL once, rows mapped in rows.py) plus a contract test
that runs on both databases; a new concern is a new mixin listed in SqlStore's bases; a new table is a
migration appended in migrations.py.

A `StoreObserver` given at open hears of every operation that failed (the method's name), for metrics:
`@_observed_methods` wraps each public coroutine of the class and of its mixins, so a new query is counted
without more code.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from adapters.store.base import SqlBase, StoreObserver
from adapters.store.dialect import Session
from adapters.store.migrations import SCHEMA_VERSION_TABLE, Migration, pending
from adapters.store.queries_digests import DigestQueries
from adapters.store.queries_history import HistoryQueries
from adapters.store.queries_state import StateQueries
from engine.errors import SourceError

__all__ = ["Prepare", "SqlStore", "StoreObserver"]

Prepare = Callable[[Session], Awaitable[None]]
_Class = TypeVar("_Class", bound=type)


def _observed_methods(cls: _Class) -> _Class:
    """Wrap every public coroutine method (but close), its bases' too, so a SourceError it raises is reported
    by name. The wrappers are set on `cls` alone: the mixins stay as written."""

    def observed(name: str, method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(method)
        async def run(self: SqlBase, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except SourceError:
                if self.observer is not None:
                    self.observer(name)
                raise

        return run

    for name in dir(cls):
        member = inspect.getattr_static(cls, name)
        if not name.startswith("_") and name != "close" and inspect.iscoroutinefunction(member):
            setattr(cls, name, observed(name, member))
    return cls


@_observed_methods
class SqlStore(StateQueries, HistoryQueries, DigestQueries):
    """The StateStore on a `Dialect`. Open it through a backend: SqliteStore.open, PostgresStore.open.

    Args:
        observer: told the name of every operation that fails (see StoreObserver).
    """

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
        """The schema version the database is at: the newest migration applied, 0 when it holds no okebot tables
        yet (a new database, which opening with migrations fills)."""
        dialect = self._live()
        with self._translated():
            if not await dialect.has_table("schema_version"):
                return 0
        (found,) = await self._fetch("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        return int(found[0])

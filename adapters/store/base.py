"""The base every query module of the store extends: one `Dialect`, and the few ways a query reaches it.

`SqlBase` holds the dialect (SQLite or PostgreSQL, adapters/store/dialect.py) and gives the query modules
`_fetch` and `_execute` (one statement on its own), `_transaction` (several, all or nothing), each with the
driver's errors translated to SourceError once (rows.translated). After `close` every one of them raises
SourceError ("the SQLite state store is closed"), so a late audit write fails the way an unreachable database
does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from adapters.store import rows
from adapters.store.dialect import Dialect, Row, Session
from engine.errors import SourceError

# Told the name of each store operation that failed with SourceError ("record_audit", "migrate"; "open" when
# the database could not be reached at all).
StoreObserver = Callable[[str], None]


class SqlBase:
    """A store on one `Dialect`: where statements run. The query modules (queries_*.py) extend it.

    Args:
        dialect: the backend's connection(s) and SQL fragments.
        observer: told the name of every operation that fails (see StoreObserver; sql.SqlStore wires it).
    """

    def __init__(self, dialect: Dialect, *, observer: StoreObserver | None = None) -> None:
        self._dialect: Dialect | None = dialect
        self._name = dialect.name
        self.observer = observer

    async def close(self) -> None:
        """Release the connection(s). The store cannot be used afterwards."""
        dialect, self._dialect = self._dialect, None
        if dialect is not None:
            await dialect.close()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Session]:
        dialect = self._live()
        with self._translated():
            async with dialect.transaction() as tx:
                yield tx

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

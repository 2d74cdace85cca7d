"""What differs between the store's databases, in one small interface: a `Dialect` per backend.

The store's SQL (adapters/store/queries_*.py, composed in sql.py) is written once, in a neutral form that each
dialect renders:

- `?` marks each parameter, in order; PostgreSQL's dialect numbers them `$1, $2, ...`. So a statement never
  holds a literal `?` (nor `{` or `}`, which mark fragments).
- `{now}`: the database clock, as seconds since the epoch (a double). Expiry and due-ness are judged by
  it, never by one replica's clock.
- `{binary}` after a text column in ORDER BY: compare bytes, as SQLite does (PostgreSQL: COLLATE "C").
- `{lock_rows}` at the end of a SELECT inside `transaction()`: claim the rows read, skipping rows another
  transaction claims (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite needs nothing, as its transactions are
  BEGIN IMMEDIATE and so run one at a time).

A statement that differs by more than a fragment gets a new fragment here, or, if it differs wholly, a
method on the dialects. Upserts (`INSERT ... ON CONFLICT ... DO UPDATE SET x = excluded.x`) are the same
in both and need neither.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from adapters.store.migrations import Migration

Row = tuple[Any, ...]


class Session(Protocol):
    """Where statements run: the database itself (each statement on its own), or one open transaction."""

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """The rows a neutral statement returns."""
        ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a neutral statement; the number of rows it inserted, updated or deleted."""
        ...

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one neutral statement once per row of parameters (bulk writes), all or nothing."""
        ...


class Dialect(Session, Protocol):
    """One backend: its SQL fragments, its connection(s) and transactions, and its driver's errors."""

    name: str  # "SQLite" or "PostgreSQL", as messages name the store
    errors: tuple[type[BaseException], ...]  # the driver's errors, translated to SourceError by the store

    def statements(self, migration: Migration) -> tuple[str, ...]:
        """The migration's statements in this dialect."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Session]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        ...

    async def has_table(self, name: str) -> bool:
        """Whether the table `name` exists where the store keeps its tables (PostgreSQL: its search path)."""
        ...

    async def close(self) -> None:
        """Release the connection(s)."""
        ...


@functools.cache
def render(sql: str, *, now: str, binary: str, lock_rows: str, numbered: bool) -> str:
    """A neutral statement in one dialect: its fragments filled, and `?` numbered `$n` when `numbered`."""
    text = sql.format(now=now, binary=binary, lock_rows=lock_rows)
    if not numbered:
        return text
    parts = text.split("?")
    return "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, 1))

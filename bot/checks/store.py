"""The store area of `okebot config check`: the database is reachable and its schema is the one this okebot
expects (schema_version equal to the newest migration), or one okebot serve brings there when it starts (a new
SQLite file, an empty database, an older schema) with the rights to do so. It never migrates or creates
anything."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from adapters.store.dsn import redact_dsn
from adapters.store.factory import open_store, sqlite_file, store_kind
from adapters.store.migrations import MIGRATIONS
from adapters.store.postgres import PostgresStore
from adapters.store.sql import SqlStore
from bot.checks import Check
from engine.access import RoleGrant
from engine.errors import SourceError

NEWEST = max(migration.version for migration in MIGRATIONS)
SERVE_CREATES = "okebot serve creates"


async def check_store(url: str, *, network: bool) -> tuple[list[Check], list[RoleGrant] | None]:
    """The store's checks, and its stored role grants when it could be read (for the admin check)."""
    kind = store_kind(url)
    shown = url if kind == "sqlite" else redact_dsn(url)  # a SQLite URL holds no password
    if kind == "postgresql" and not network:
        return [Check("store", shown, "skip", "a remote PostgreSQL store is not contacted with --no-network")], None
    try:
        path = sqlite_file(url)
    except SourceError as error:
        return [Check("store", shown, "fail", error.message, error.remedy, unreadable=True)], None
    if kind == "sqlite" and path is None:
        return [Check("store", shown, "warn", "in memory: the audit log, bindings and grants are lost at exit",
                      "set OKEBOT_STORE_URL to sqlite:///okebot.db or postgresql://…")], []
    if path is not None and not await asyncio.to_thread(os.path.exists, path):
        return [await asyncio.to_thread(_fresh_sqlite, shown, Path(path))], []
    try:
        store = await open_store(url, migrate=False)
    except SourceError as error:
        return [Check("store", shown, "fail", error.message, error.remedy or "check OKEBOT_STORE_URL")], None
    try:
        check, version = await _schema(shown, store, path)
        if version == 0:
            return [check], []  # no tables, so nothing granted at run time yet
        try:
            grants: list[RoleGrant] | None = await store.list_role_grants()
        except SourceError:
            grants = None
        return [check], grants
    finally:
        await store.close()


def _fresh_sqlite(shown: str, path: Path) -> Check:
    folder = path.parent if str(path.parent) else Path(".")
    if _writable(folder):
        return Check("store", shown, "pass", f"{path} does not exist yet; {SERVE_CREATES} it at start")
    return Check("store", shown, "fail", f"{path} does not exist and {folder} is not a writable directory",
                 "create the directory, make it writable for okebot, or change OKEBOT_STORE_URL")


def _writable(path: Path) -> bool:
    return path.exists() and os.access(path, os.W_OK)


async def _schema(shown: str, store: object, sqlite_path: str | None) -> tuple[Check, int | None]:
    """The schema's version against this okebot's: current passes; none yet (a new database) or older passes
    or warns when okebot serve may create or migrate the tables at start, as it does; newer fails. With the
    version found (None when it could not be read)."""
    if not isinstance(store, SqlStore):
        return Check("store", shown, "skip", "this store does not report its schema version"), None
    try:
        version = await store.schema_version()
    except SourceError as error:
        return Check("store", shown, "fail", f"reachable, but its schema cannot be read: {error.message}",
                     error.remedy or "check that okebot's database user may read its tables"), None
    if version > NEWEST:
        return Check("store", shown, "fail", f"schema version {version} is newer than this okebot knows ({NEWEST})",
                     "upgrade okebot to the version that wrote it, or point OKEBOT_STORE_URL elsewhere"), version
    if version == NEWEST:
        return Check("store", shown, "pass", f"reachable; schema version {version} is current"), version
    refused = await _may_not_create(store, sqlite_path)
    if refused is not None:
        return Check("store", shown, "fail", f"reachable, but {refused[0]}", refused[1]), version
    where = f"{sqlite_path} holds" if sqlite_path is not None else "reachable; holds"
    if version == 0:
        # A new database: okebot serve creates the tables before it takes any work, as it does a new SQLite file.
        return Check("store", shown, "pass", f"{where} no okebot tables yet; {SERVE_CREATES} them at start"), 0
    # An older schema is what an upgrade meets before its first pod starts: worth knowing, not a failure.
    return Check("store", shown, "warn", f"reachable; schema version {version}, this okebot needs {NEWEST}",
                 "okebot serve applies the missing migrations when it starts; check again after it started"), version


async def _may_not_create(store: SqlStore, sqlite_path: str | None) -> tuple[str, str] | None:
    """(what, fix) when okebot serve could not create or migrate the tables at start; None when it can."""
    if isinstance(store, PostgresStore):
        try:
            allowed = await store.may_create_tables()
        except SourceError as error:
            return f"okebot's privileges cannot be read: {error.message}", "check okebot's database user"
        if not allowed:
            return ("okebot's database user may not create its tables there (no CREATE privilege on the schema, "
                    "or on the database to create the schema)",
                    "GRANT CREATE ON SCHEMA <schema> TO <okebot's user> (or GRANT CREATE ON DATABASE <db> for a "
                    "?schema= that does not exist yet), or run okebot serve once as a user who may")
    elif sqlite_path is not None:
        file = Path(sqlite_path)
        if not (await asyncio.to_thread(_writable, file) and await asyncio.to_thread(_writable, file.parent)):
            return (f"{file} or its directory is not writable, so the tables cannot be created",
                    "make the file and its directory writable for okebot, or change OKEBOT_STORE_URL")
    return None

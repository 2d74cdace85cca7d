"""The store area of `okebot config check`: the database is reachable and its schema is the one this okebot
expects (schema_version equal to the newest migration). It never migrates or creates anything."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from adapters.store.dsn import redact_dsn
from adapters.store.factory import open_store, sqlite_file, store_kind
from adapters.store.migrations import MIGRATIONS
from adapters.store.sql import SqlStore
from bot.checks import Check
from engine.access import RoleGrant
from engine.errors import SourceError

NEWEST = max(migration.version for migration in MIGRATIONS)


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
        check = await _schema(shown, store)
        try:
            grants: list[RoleGrant] | None = await store.list_role_grants()
        except SourceError:
            grants = None
        return [check], grants
    finally:
        await store.close()


def _fresh_sqlite(shown: str, path: Path) -> Check:
    folder = path.parent if str(path.parent) else Path(".")
    if folder.is_dir() and os.access(folder, os.W_OK):
        return Check("store", shown, "pass", f"{path} does not exist yet; okebot serve creates it at start")
    return Check("store", shown, "fail", f"{path} does not exist and {folder} is not a writable directory",
                 "create the directory, make it writable for okebot, or change OKEBOT_STORE_URL")


async def _schema(shown: str, store: object) -> Check:
    if not isinstance(store, SqlStore):
        return Check("store", shown, "skip", "this store does not report its schema version")
    try:
        version = await store.schema_version()
    except SourceError:
        return Check("store", shown, "fail", "reachable, but holds no okebot tables yet",
                     "start okebot serve once: it creates and migrates the tables")
    except (TypeError, ValueError):  # MAX(version) of an empty table
        version = 0
    if version < NEWEST:
        return Check("store", shown, "fail", f"reachable; schema version {version}, this okebot needs {NEWEST}",
                     "okebot serve applies the missing migrations when it starts; check again after it started")
    if version > NEWEST:
        return Check("store", shown, "fail", f"schema version {version} is newer than this okebot knows ({NEWEST})",
                     "upgrade okebot to the version that wrote it, or point OKEBOT_STORE_URL elsewhere")
    return Check("store", shown, "pass", f"reachable; schema version {version} is current")

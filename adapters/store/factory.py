"""Open the state store a URL names: `sqlite:///path`, `sqlite:///:memory:` or `postgresql://...`."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from adapters.store.dsn import redact_dsn
from adapters.store.postgres import SCHEMA_NAME, PostgresStore
from adapters.store.sql import StoreObserver
from adapters.store.sqlite import SqliteStore
from engine.errors import SourceError
from engine.ports import StateStore

_USAGE = "use sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite:///:memory: or postgresql://user@host/db"


async def open_store(url: str, *, observer: StoreObserver | None = None, migrate: bool = True) -> StateStore:
    """Open and migrate the store `url` names; SourceError, with the password hidden, when it cannot.

    `observer` hears of each failed operation by name ("open" when the database cannot be opened or migrated);
    `migrate=False` opens without applying migrations (`schema_version()` then says where the database is).
    """
    try:
        store = await _open(url, migrate=migrate)
    except SourceError:
        if observer is not None:
            observer("open")
        raise
    store.observer = observer
    return store


async def _open(url: str, *, migrate: bool) -> SqliteStore | PostgresStore:
    scheme = store_kind(url)
    if scheme == "sqlite":
        return await SqliteStore.open(_sqlite_path(url), migrate=migrate)
    if scheme == "postgresql":
        dsn, schema = _split_schema(url)
        return await PostgresStore.open(dsn, schema=schema, migrate=migrate)
    raise SourceError(f"unsupported state store URL {redact_dsn(url)!r}", remedy=_USAGE)


def check_url(url: str) -> None:
    """Whether `url` names a store okebot can open, judged without opening it: SourceError (password hidden)
    for another scheme, a SQLite URL without a path or with a query, or a bad `schema` parameter."""
    kind = store_kind(url)
    if kind == "sqlite":
        _sqlite_path(url)
    elif kind == "postgresql":
        _split_schema(url)
    else:
        raise SourceError(f"unsupported state store URL {redact_dsn(url)!r}", remedy=_USAGE)


def store_kind(url: str) -> str:
    """"sqlite", "postgresql" (for postgresql:// and postgres://), or the URL's scheme as written."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    return "postgresql" if scheme in ("postgresql", "postgres") else scheme


def sqlite_file(url: str) -> str | None:
    """The file a sqlite:/// URL names (None for :memory: or another kind of URL); SourceError when bad."""
    if store_kind(url) != "sqlite":
        return None
    path = _sqlite_path(url)
    return None if path == ":memory:" else path


def _sqlite_path(url: str) -> str:
    # SQLAlchemy's convention: three slashes then a relative path, four for an absolute one.
    rest = url.split("://", 1)[1]
    if not rest.startswith("/") or rest == "/":
        raise SourceError(f"a SQLite URL needs a path after sqlite:///, got {url!r}", remedy=_USAGE)
    path = rest[1:]
    if "?" in path or "#" in path:
        raise SourceError(f"a SQLite URL takes no query or fragment, got {url!r}", remedy=_USAGE)
    return path


def _split_schema(url: str) -> tuple[str, str | None]:
    """The DSN for asyncpg without okebot's own `schema` query parameter, and that schema."""
    try:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as exc:
        message = f"cannot read the PostgreSQL URL {redact_dsn(url)!r}: {exc}"
        raise SourceError(message, remedy=_USAGE) from exc
    schemas = [value for key, value in query if key == "schema"]
    if len(schemas) > 1 or (schemas and not SCHEMA_NAME.fullmatch(schemas[0])):
        raise SourceError(
            f"the schema parameter of {redact_dsn(url)!r} must be one plain identifier (letters, digits, _)",
            remedy="for example postgresql://okebot@db/okebot?schema=okebot",
        )
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    return urlunsplit(parts._replace(query=rest)), (schemas[0] if schemas else None)

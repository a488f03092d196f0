"""Turns a database URL into a configured peewee Database (SQLite in WAL mode or PostgreSQL).
Opening is lazy: only the SQLite file's directory is created before the first query."""

from __future__ import annotations

import importlib
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from atendimento.storage.errors import StorageError

# journal_mode comes first: the other pragmas are per connection, WAL is persistent in the file.
# synchronous=NORMAL is durable enough under WAL (a power cut may lose the last commits, never
# corrupt the file) and avoids an fsync per commit. cache_size is negative: KiB, so 16 MiB.
# libpq's PQTRANS_INERROR, as psycopg2 and psycopg report it.
_PG_IN_ERROR = 3

SQLITE_PRAGMAS = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("synchronous", "normal"),
    ("busy_timeout", 5000),
    ("cache_size", -16000),
    ("temp_store", "memory"),
)

POSTGRES_SCHEMES = ("postgresql", "postgres")


def redact_url(url: str) -> str:
    """The URL with its password (if any) replaced by ***, safe for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable database URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def open_database(url: str) -> Database:
    """A peewee Database for `url`; raises StorageError for what cannot work.

    Accepted: sqlite:///relative.db, sqlite:////absolute.db, sqlite:///:memory:,
    postgresql://user:pass@host:port/db (or postgres://), query parameters passed to libpq.
    An SQLite :memory: database exists per connection, so per thread: use it through one
    Storage, from one thread.
    """
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "sqlite":
        return _open_sqlite(url)
    if scheme in POSTGRES_SCHEMES:
        return _open_postgres(url)
    raise StorageError(
        f"unsupported database URL {redact_url(url)!r}: use sqlite:///path/to/file.db "
        "or postgresql://user:password@host:port/database"
    )


def database_error(db: Database, exc: BaseException, doing: str) -> StorageError:
    """A StorageError describing a driver error, with the connection password scrubbed."""
    text = f"{doing}: {exc}".strip()
    password = db.connect_params.get("password")
    if password:
        text = text.replace(str(password), "***")
    return StorageError(text)


def transaction_failed(db: Database) -> bool:
    """True when the connection's transaction is aborted by a failed statement (PostgreSQL;
    SQLite undoes only the failed statement). Read from the driver, no round trip."""
    if not is_postgres(db) or db.is_closed():
        return False
    info = getattr(db.connection(), "info", None)
    return getattr(info, "transaction_status", None) == _PG_IN_ERROR


def is_sqlite(db: Database) -> bool:
    return isinstance(db, SqliteDatabase)


def is_postgres(db: Database) -> bool:
    return isinstance(db, PostgresqlDatabase)


def _open_sqlite(url: str) -> Database:
    prefix = "sqlite:///"
    if not url.lower().startswith(prefix) or len(url) == len(prefix):
        raise StorageError(
            f"bad SQLite URL {url!r}: use sqlite:///relative/path.db, "
            "sqlite:////absolute/path.db or sqlite:///:memory:"
        )
    path = unquote(url[len(prefix) :].split("?", 1)[0])
    if path != ":memory:":
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the directory for {path!r}: {exc}") from exc
    # IMMEDIATE: a write transaction takes the write lock when it begins, so two processes
    # (the bot and a CLI command) wait on busy_timeout instead of failing on a lock upgrade.
    return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", timeout=5)


def _open_postgres(url: str) -> Database:
    safe = redact_url(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        # The exception text may quote the netloc, password included: do not chain its message.
        raise StorageError(f"bad PostgreSQL URL {safe!r}: check the host and port") from None
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise StorageError(f"bad PostgreSQL URL {safe!r}: the database name is missing")
    if not _postgres_driver_available():
        raise StorageError(
            f"cannot open {safe!r}: the PostgreSQL driver is not installed; "
            "install it with `pip install 'atendimento[postgres]'` (psycopg2)"
        )
    params: dict[str, object] = dict(parse_qsl(parts.query))
    if parts.username:
        params["user"] = unquote(parts.username)
    if parts.password is not None:
        params["password"] = unquote(parts.password)
    if parts.hostname:
        params["host"] = parts.hostname
    if port is not None:
        params["port"] = port
    return PostgresqlDatabase(name, **params)


def _postgres_driver_available() -> bool:
    for module in ("psycopg2", "psycopg"):
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        return True
    return False

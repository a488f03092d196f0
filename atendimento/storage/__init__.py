"""Storage: the only code that imports peewee (tables, migrations, database access).

Telegram holds the conversation; this database holds the map: ids, states and metadata, never
message bodies (saved replies are the one exception, being content by nature).

Layout: `db` opens a URL, `migrator` + `migrations/` build the schema, `tables` holds the current
models (built per database, nothing bound globally), and one repository module per group of
tables (`clients`, `threads`, `links`, `team`, `replies`, `settings`) exposes plain functions
taking a `Tables` first and returning immutable records from `records`. `Storage` (in `runner`)
runs those functions off the event loop.

How peewee's blocking calls stay off the event loop (decision):

    Every call goes through `Storage.run(fn, *args)`, which queues `fn(tables, *args)` on ONE
    dedicated worker thread and returns an awaitable. One thread, not a pool, because:

    - SQLite (the default) has a single writer anyway; one thread never contends for the write
      lock inside the process, so "database is locked" cannot come from ourselves, and the
      sqlite3 connection stays on the thread that created it.
    - Calls run in the order `run` was called, so the per-conversation order the desk promises
      (design §4.3) is not undone by the storage layer; a pool would reorder two quick writes.
    - The desk's load is bounded by Telegram's rate limits (about 30 messages/s in total), and
      each call is a few indexed statements (well under a millisecond on SQLite), so one thread
      has ample headroom; PostgreSQL gets the same shape (one connection, which also makes a
      connection pool pointless).
    - A unit of work that must be atomic is one function run in one call, inside
      `tables.atomic()`; nothing else can interleave with it on that thread.

    Rejected: peewee's asyncio integration (playhouse.pwasyncio) needs greenlet and an async
    driver per backend (aiosqlite, asyncpg), doubling the dependencies and the code paths the
    tests must cover; `asyncio.to_thread` per call uses the shared default pool, losing both the
    ordering and the single-connection property. The cost of the choice: a slow query delays the
    calls queued behind it, which is acceptable at this scale and visible in benchmarks.

    `Storage.run_sync` (and `migrate_url`) serve the CLI and start-up; `close()`/`aclose()` let
    queued calls finish, close the connection on its own thread and stop the thread. Database
    errors leave `Storage.run` and the migrator as `StorageError` (never peewee's types), with
    any password scrubbed; a connection found dead is dropped so the next call reconnects.

Timestamps are aware UTC datetimes in Python, stored as naive UTC (TIMESTAMP on PostgreSQL,
fixed-width ISO text on SQLite). Telegram ids are BIGINT everywhere. Priorities and states are
short strings ('urgent'/'high'/'normal'/'low', 'open'/'ended') guarded by CHECK constraints.
"""

from __future__ import annotations

from peewee import Database

from atendimento.storage.db import open_database, redact_url
from atendimento.storage.errors import (
    ConflictError,
    DuplicateLinkError,
    NotFoundError,
    StorageError,
)
from atendimento.storage.migrator import current_version, latest_version, migrate, pending
from atendimento.storage.runner import Storage, migrate_url
from atendimento.storage.tables import Tables, bind_tables

__all__ = [
    "ConflictError",
    "Database",
    "DuplicateLinkError",
    "NotFoundError",
    "Storage",
    "StorageError",
    "Tables",
    "bind_tables",
    "current_version",
    "latest_version",
    "migrate",
    "migrate_url",
    "open_database",
    "pending",
    "redact_url",
]

"""Storage: the only code that imports peewee (tables, migrations, database access).

Telegram holds the conversation; this database holds the map: ids, states and metadata, never
message bodies (saved replies are the one exception, being content by nature; with FAQ_LEARN
on, so are the words of the questions the team answered with one: faq_learned).

Layout: `db` opens a URL, `migrator` + `migrations/` build the schema, `tables` holds the current
models (built per database, nothing bound globally), and one repository module per group of
tables (`clients`, `threads`, `links`, `team`, `replies`, `settings`) exposes plain functions
taking a `Tables` first and returning immutable records from `records`. `Storage` (in `runner`)
runs those functions, one at a time, in the order they were asked for.

Where the blocking calls run (decision, revised in issue 6 by the relay benchmark):

    Every call goes through `Storage.run(fn, *args)`, which runs `fn(tables, *args)` and returns
    an awaitable. Calls run one at a time, in the order `run` was called, on one connection:

    - The per-conversation order the desk promises (design §4.3) is not undone by the storage
      layer, and a unit of work that must be atomic is one function run in one call, inside
      `tables.atomic()`; nothing else can interleave with it.
    - One connection: "database is locked" cannot come from ourselves, and a pool is pointless.

    On SQLite (the default) the call runs right away on the caller's thread, the event loop's.
    Its statements take microseconds, while handing each call to a thread cost more than the
    call: the GIL changes hands at every statement while the loop is busy. `atendimento bench
    relay` measured the desk at about 1,570 µs of CPU per relayed message with a storage
    thread and about 1,000 µs inline (a bare pyrogram bot: about 660). The price: while another
    process holds SQLite's write lock (a CLI command writing), the loop waits up to the busy
    timeout (5 s), and a WAL checkpoint pauses it for a moment; the desk's own work would have
    waited for the database either way.

    On PostgreSQL every statement is a round trip to the server, so calls are queued on ONE
    dedicated worker thread instead; one wake-up of the loop hands back every result finished
    meanwhile.

    Group commit on SQLite: a commit is most of what a small SQLite write costs (the pages it
    writes to the WAL), so writes that can wait a moment share one. `Storage.later(fn)` (the
    record of a delivered send) waits for the next call's transaction, at most `LATER_WAIT`
    (2 ms); `Storage.soon(fn)` (a decision) runs at once when the desk is at rest, and joins
    the waiting calls under load (when `later` calls wait, or the previous `soon` came less
    than 2 ms before). `bench relay` measured 2 commits per relayed message without it, about
    0.2 with it, and the desk at rest answers as fast as before. Inside such a group
    `tables.atomic()` opens nothing; any error rolls the group back and each call runs again
    alone. Statements that cannot run in a transaction go through `run_alone`.

    On PostgreSQL the worker thread does the same with the `later`/`soon` calls it finds queued
    behind each other (the queue fills while it waits on the server): one transaction, one
    round trip for BEGIN and one for COMMIT and its flush, instead of one each per call
    (`bench relay --database postgres`: 386 relays/s without, 536 with). A failed statement
    aborts a PostgreSQL transaction, and COMMIT then rolls back without an error: a group whose
    transaction is found aborted (a call swallowed the error) is rolled back and run call by
    call, never reported as committed (tests/storage/test_runner.py shows the loss without
    this check).

    Rejected: peewee's asyncio integration (playhouse.pwasyncio) needs greenlet and an async
    driver per backend (aiosqlite, asyncpg), doubling the dependencies and the code paths the
    tests must cover; `asyncio.to_thread` per call uses the shared default pool, losing both the
    ordering and the single-connection property.

    `Storage.run_sync` (and `migrate_url`) serve the CLI and start-up; `close()`/`aclose()` let
    queued calls finish, close the connection and stop the thread. Database errors leave
    `Storage.run` and the migrator as `StorageError` (never peewee's types), with any password
    scrubbed; a connection found dead is dropped so the next call reconnects. The hottest
    lookups skip peewee's SQL building (`compiled`).

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
from atendimento.storage.migrator import (
    FeatureMigrations,
    current_version,
    feature_versions,
    latest_version,
    migrate,
    migrate_features,
    pending,
    pending_features,
)
from atendimento.storage.runner import Storage, migrate_url
from atendimento.storage.tables import Tables, bind_tables

__all__ = [
    "ConflictError",
    "Database",
    "DuplicateLinkError",
    "FeatureMigrations",
    "NotFoundError",
    "Storage",
    "StorageError",
    "Tables",
    "bind_tables",
    "current_version",
    "feature_versions",
    "latest_version",
    "migrate",
    "migrate_features",
    "migrate_url",
    "open_database",
    "pending",
    "pending_features",
    "redact_url",
]

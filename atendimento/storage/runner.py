"""`Storage`: one database plus the single worker thread every storage call runs on
(the package docstring says why one thread)."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Concatenate, ParamSpec, TypeVar

from peewee import Database, PeeweeException

from atendimento.storage import migrator
from atendimento.storage.db import database_error, open_database
from atendimento.storage.errors import StorageError
from atendimento.storage.tables import Tables, bind_tables

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

THREAD_NAME = "atendimento-storage"


class Storage:
    """Runs repository functions on one dedicated thread, in the order they were submitted."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._tables = bind_tables(db)
        # The thread itself starts on the first submission, so constructing does no I/O.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        self._local = threading.local()
        self._closed = False

    @classmethod
    def open(cls, url: str) -> Storage:
        """A Storage for a database URL (see `open_database`); connects on first use."""
        return cls(open_database(url))

    @property
    def db(self) -> Database:
        return self._db

    @property
    def tables(self) -> Tables:
        return self._tables

    @property
    def closed(self) -> bool:
        return self._closed

    def run(
        self, fn: Callable[Concatenate[Tables, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> asyncio.Future[T]:
        """Queues `fn(tables, *args, **kwargs)` on the storage thread; await the result.

        The call is queued when `run` is called (not when awaited), so calls run in the order
        `run` was called. Cancelling the await does not stop a call that already started.
        """
        loop = asyncio.get_running_loop()
        job = functools.partial(self._call, fn, args, kwargs)
        return asyncio.wrap_future(self._submit(job), loop=loop)

    def run_sync(
        self, fn: Callable[Concatenate[Tables, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Like `run`, blocking: for the CLI and start-up code, never for the event loop."""
        if getattr(self._local, "inside", False):
            # Already on the storage thread: waiting for our own queue would deadlock.
            return fn(self._tables, *args, **kwargs)
        return self._submit(functools.partial(self._call, fn, args, kwargs)).result()

    async def migrate(self) -> list[int]:
        """Applies pending migrations; returns the versions applied."""
        return await self.run(_migrate)

    def close(self) -> None:
        """Lets queued calls finish, closes the connection and stops the thread (blocking)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._executor.submit(self._close_connection).result()
        finally:
            self._executor.shutdown(wait=True)

    async def aclose(self) -> None:
        """`close` without blocking the event loop."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.wrap_future(self._executor.submit(self._close_connection))
        finally:
            # The close job was the last one queued, so the thread is idle: joining is quick.
            self._executor.shutdown(wait=True)

    async def __aenter__(self) -> Storage:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _submit(self, job: Callable[[], T]) -> Any:
        if self._closed:
            raise StorageError("storage is closed")
        return self._executor.submit(job)

    def _call(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        self._local.inside = True
        try:
            return fn(self._tables, *args, **kwargs)
        except PeeweeException as exc:
            self._drop_broken_connection()
            raise database_error(self._db, exc, "database error") from exc
        finally:
            self._local.inside = False

    def _drop_broken_connection(self) -> None:
        # A server restart leaves a dead connection behind; closing it lets the next call
        # reconnect (peewee connects on demand) instead of failing forever.
        db = self._db
        if db.is_closed() or db.in_transaction() or db.is_connection_usable():
            return
        log.warning("database connection lost; reconnecting on the next call")
        try:
            db.close()
        except PeeweeException as exc:
            log.warning("%s", database_error(db, exc, "closing the lost connection failed"))

    def _close_connection(self) -> None:
        if not self._db.is_closed():
            self._db.close()


def migrate_url(url: str) -> list[int]:
    """Opens `url`, applies pending migrations and closes: what `atendimento migrate` runs."""
    storage = Storage.open(url)
    try:
        return storage.run_sync(_migrate)
    finally:
        storage.close()


def _migrate(t: Tables) -> list[int]:
    return migrator.migrate(t.db)

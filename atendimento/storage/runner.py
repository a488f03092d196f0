"""`Storage`: one database plus the single worker thread every storage call runs on
(the package docstring says why one thread)."""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar

from peewee import Database, PeeweeException

from atendimento.storage import migrator
from atendimento.storage.db import database_error, is_sqlite, open_database, transaction_failed
from atendimento.storage.errors import StorageError
from atendimento.storage.tables import Tables, bind_tables

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

THREAD_NAME = "atendimento-storage"

# How long a `later` call waits for another call to share its transaction (seconds).
LATER_WAIT = 0.002

_NOW, _LATER, _SOON = "now", "later", "soon"
MAX_TOGETHER = 64  # calls in one transaction at most (PostgreSQL's worker)


class Storage:
    """Runs repository functions in the order they were submitted: on SQLite on the caller's
    thread (the event loop's), on PostgreSQL on one dedicated thread (the package docstring
    says why)."""

    def __init__(self, db: Database, *, inline: bool | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self._db = db
        self._clock = clock  # seconds, for `soon`; default: the event loop's clock
        self._inline = is_sqlite(db) if inline is None else inline
        self._tables = bind_tables(db)
        # The thread itself starts on the first submission, so constructing does no I/O.
        self._worker = _Worker(self._run_calls)
        self._local = threading.local()
        self._closed = False
        # Results waiting to be handed back to their event loops, and the loops already asked
        # to take them: one wake-up per loop carries every result finished meanwhile.
        self._lock = threading.Lock()
        self._done: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], bool, Any]] = []
        self._waking: set[asyncio.AbstractEventLoop] = set()
        # Inline: `later` calls waiting to share the next call's transaction, and when the
        # last `soon` call came (the loop's clock).
        self._later: list[_Call] = []
        self._last_soon = -math.inf

    @classmethod
    def open(cls, url: str, *, inline: bool | None = None) -> Storage:
        """A Storage for a database URL (see `open_database`); connects on first use.
        `inline`: run calls on the caller's thread (default: on SQLite)."""
        return cls(open_database(url), inline=inline)

    @property
    def inline(self) -> bool:
        """True when calls run on the caller's thread rather than a worker thread."""
        return self._inline

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
        """Queues `fn(tables, *args, **kwargs)`; await the result.

        The call is queued when `run` is called (not when awaited), so calls run in the order
        `run` was called. Cancelling the await skips a call that has not started yet; one that
        started runs to its end.
        """
        return self._queue(_NOW, fn, args, kwargs)

    def later(
        self, fn: Callable[Concatenate[Tables, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> asyncio.Future[T]:
        """Like `run`, for a write whose caller can wait a moment for its commit: on SQLite it
        shares the transaction of the next call (`run`, `later` or `soon`), one commit for all
        of them, and is committed within `LATER_WAIT` at the latest. It still runs before any
        call made after it, so every later read sees it. On PostgreSQL: `run`.

        A commit is most of what a small SQLite write costs (the pages written to the WAL);
        in a burst, the record of each delivered message rides with the next decision.
        """
        return self._queue(_LATER, fn, args, kwargs)

    def soon(
        self, fn: Callable[Concatenate[Tables, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> asyncio.Future[T]:
        """A write that waits for company only under load (on PostgreSQL: `run`). On SQLite
        it joins the `later` calls waiting, if any; otherwise, when the previous `soon` call
        came less than `LATER_WAIT` ago (a burst), it waits at most that long for more; a
        lone call runs at once. The decisions of a burst are so committed together rather
        than one by one, while a desk at rest answers without delay (group commit, the way
        PostgreSQL's commit_delay waits only when other transactions are active)."""
        return self._queue(_SOON, fn, args, kwargs)

    def _queue(self, kind: str, fn: Callable[..., T], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> asyncio.Future[T]:
        if self._closed:
            raise StorageError("storage is closed")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        call = _Call(loop, future, fn, args, kwargs, kind != _NOW)
        if not self._inline:
            self._worker.submit(call)
            return future
        if kind == _SOON:
            now = self._clock() if self._clock is not None else loop.time()
            kind = _LATER if self._later or now - self._last_soon < LATER_WAIT else _NOW
            self._last_soon = now
        if kind == _NOW:
            self._run_later(call)
            return future
        self._later.append(call)
        if len(self._later) == 1:
            loop.call_later(LATER_WAIT, self._run_later)
        return future

    def run_alone(
        self, fn: Callable[Concatenate[Tables, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> asyncio.Future[T]:
        """Like `run`, never inside a transaction shared with `later` calls: for statements
        that cannot run in a transaction (a WAL checkpoint, migrations)."""
        if self._inline and self._later:
            self._run_later()
        return self.run(fn, *args, **kwargs)

    def _run_later(self, call: _Call | None = None) -> None:
        """Inline: the waiting `later` calls, then `call`, in one transaction."""
        calls, self._later = self._later, []
        calls = [waiting for waiting in calls if not waiting.future.cancelled()]
        if call is not None:
            calls.append(call)
        if not calls:
            return
        outcomes = self._run_together(calls) if len(calls) > 1 else [self._run_alone(calls[0])]
        for done, outcome in zip(calls, outcomes, strict=True):
            if not done.future.cancelled():
                _resolve(done.future, *outcome)

    def _run_together(self, calls: list[_Call]) -> list[tuple[bool, Any]]:
        """The calls one after the other in one transaction, each seeing the writes of those
        before it; results are handed back only after the commit. Inside, `tables.atomic()`
        opens nothing: if any call raises, or the commit fails, the whole group is rolled back
        and each call runs again alone, which is how it would have met its error anyway (the
        calls are repository functions: running one again after a rollback is harmless).
        Errors are rare, so a savepoint per call would cost more than these second runs."""
        outcomes: list[tuple[bool, Any]] = []
        tables = self._tables
        self._local.inside = True
        tables.grouped[0] = True
        try:
            with self._db.atomic():
                for call in calls:
                    outcomes.append((True, call.fn(tables, *call.args, **call.kwargs)))
                if transaction_failed(self._db):
                    # PostgreSQL: a statement failed and a call swallowed the error; COMMIT
                    # would quietly roll everything back, and we would report success.
                    raise StorageError("a statement failed inside a group of calls")
            return outcomes
        except Exception as exc:  # noqa: BLE001 - each call meets it again, alone
            log.debug("%d storage calls in one transaction failed (%s); running each alone",
                      len(calls), exc)
        finally:
            tables.grouped[0] = False
            self._local.inside = False
        return [self._run_alone(call) for call in calls]

    def _run_calls(self, calls: list[_Call]) -> None:
        """Runs on the storage thread: the calls (several only when all are `later`/`soon`
        ones queued together), then their results handed to their loops (one wake-up of a
        loop carries every result finished meanwhile)."""
        calls = [call for call in calls if not call.future.cancelled()]
        if not calls:
            return
        outcomes = self._run_together(calls) if len(calls) > 1 else [self._run_alone(calls[0])]
        with self._lock:
            self._done += [(call.loop, call.future, *outcome)
                           for call, outcome in zip(calls, outcomes, strict=True)]
            loops = {call.loop for call in calls} - self._waking
            self._waking |= loops
        for loop in loops:
            try:
                loop.call_soon_threadsafe(self._hand_back, loop)
            except RuntimeError:  # the loop is closed: nobody is left to await the results
                with self._lock:
                    self._waking.discard(loop)
                    self._done = [done for done in self._done if done[0] is not loop]

    def _run_alone(self, call: _Call) -> tuple[bool, Any]:
        try:
            return True, self._call(call.fn, call.args, call.kwargs)
        except BaseException as error:  # noqa: BLE001 - handed to the awaiting caller
            return False, error

    def _hand_back(self, loop: asyncio.AbstractEventLoop) -> None:
        """Runs on `loop`: settle the futures of every call finished for it."""
        with self._lock:
            self._waking.discard(loop)
            mine = [done for done in self._done if done[0] is loop]
            self._done = [done for done in self._done if done[0] is not loop]
        for _loop, future, ok, value in mine:
            if not future.cancelled():
                _resolve(future, ok, value)

    def run_sync(
        self, fn: Callable[Concatenate[Tables, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Like `run`, blocking: for the CLI and start-up code, never for the event loop."""
        if getattr(self._local, "inside", False):
            # Already on the storage thread: waiting for our own queue would deadlock.
            return fn(self._tables, *args, **kwargs)
        if self._inline:
            if self._closed:
                raise StorageError("storage is closed")
            self._run_later()
            return self._call(fn, args, kwargs)
        return self._blocking(functools.partial(self._call, fn, args, kwargs)).result()

    async def migrate(self, *, features: Iterable[migrator.FeatureMigrations] = ()) -> list[int]:
        """Applies pending migrations, the core's then those of `features`; returns the core
        versions applied."""
        return await self.run_alone(_migrate, tuple(features))

    def close(self) -> None:
        """Lets queued calls finish, closes the connection and stops the thread (blocking)."""
        if self._closed:
            return
        self._closed = True
        if self._inline:
            self._run_later()
            self._close_connection()
            return
        try:
            self._worker.call(self._close_connection).result()
        finally:
            self._worker.stop()

    async def aclose(self) -> None:
        """`close` without blocking the event loop."""
        if self._closed:
            return
        self._closed = True
        if self._inline:
            self._run_later()
            self._close_connection()
            return
        try:
            await asyncio.wrap_future(self._worker.call(self._close_connection))
        finally:
            # The close job was the last one queued, so the thread is idle: joining is quick.
            self._worker.stop()

    async def __aenter__(self) -> Storage:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _blocking(self, job: Callable[[], T]) -> Future[T]:
        if self._closed:
            raise StorageError("storage is closed")
        return self._worker.call(job)

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


def migrate_url(url: str, *, features: Iterable[migrator.FeatureMigrations] = ()) -> list[int]:
    """Opens `url`, applies pending migrations (the core's, then those of `features`) and
    closes: what `atendimento migrate` runs. Returns the core versions applied."""
    storage = Storage.open(url)
    try:
        return storage.run_sync(_migrate, tuple(features))
    finally:
        storage.close()


def _migrate(t: Tables, features: tuple[migrator.FeatureMigrations, ...] = ()) -> list[int]:
    return migrator.migrate(t.db, features=features)


def _resolve(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


@dataclass(frozen=True, slots=True)
class _Call:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    together: bool = False  # `later` or `soon`: may share a transaction with its neighbours


class _Worker:
    """One thread running jobs in the order they were submitted: plain callables, or `_Call`s
    handed to `run_calls`, consecutive `later`/`soon` ones together (lighter than a one-thread
    ThreadPoolExecutor)."""

    def __init__(self, run_calls: Callable[[list[_Call]], None]) -> None:
        self._run_calls = run_calls
        self._jobs: queue.SimpleQueue[_Call | Callable[[], object] | None] = (
            queue.SimpleQueue())
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def submit(self, job: _Call | Callable[[], object]) -> None:
        if self._thread is None:
            with self._starting:
                if self._thread is None:
                    # A daemon: a Storage never closed must not keep the process from exiting.
                    thread = threading.Thread(target=self._work, name=THREAD_NAME, daemon=True)
                    thread.start()
                    self._thread = thread
        self._jobs.put(job)

    def call(self, fn: Callable[[], T]) -> Future[T]:
        """Run `fn` in turn, alone; its outcome in a future any thread can wait on."""
        done: Future[T] = Future()

        def job() -> None:
            try:
                done.set_result(fn())
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits
                done.set_exception(error)

        self.submit(job)
        return done

    def stop(self) -> None:
        """Let the queued jobs run, then end the thread."""
        if self._thread is None:
            return
        self._jobs.put(None)
        if self._thread is not threading.current_thread():
            self._thread.join()

    def _work(self) -> None:
        jobs = self._jobs
        waiting: list[_Call | Callable[[], object] | None] = []  # taken early, not run yet
        while True:
            job = waiting.pop() if waiting else jobs.get()
            if job is None:
                return
            if not isinstance(job, _Call):
                job()
                continue
            calls = [job]
            # Group commit: `later`/`soon` calls already queued behind this one share its
            # transaction (the queue fills while the thread waits on the server).
            while job.together and len(calls) < MAX_TOGETHER and not jobs.empty():
                more = jobs.get()
                if not isinstance(more, _Call) or not more.together:
                    waiting.append(more)
                    break
                calls.append(more)
            self._run_calls(calls)

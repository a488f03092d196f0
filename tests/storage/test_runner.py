"""Storage: calls run in submission order, inline (SQLite's default) or on one worker thread
off the event loop (PostgreSQL's)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest

from atendimento.storage import (
    ConflictError,
    Storage,
    StorageError,
    Tables,
    clients,
    settings,
    threads,
)
from atendimento.storage.db import open_database
from atendimento.storage.runner import THREAD_NAME

from .conftest import NOW

WAIT = 5  # seconds; only reached if something is broken


@pytest.fixture(params=[True, False], ids=["inline", "worker"])
async def storage(request: pytest.FixtureRequest, database_url: str
                  ) -> AsyncIterator[Storage]:
    """A migrated Storage in each mode, whatever the backend's default."""
    store = Storage.open(database_url, inline=request.param)
    try:
        await store.migrate()
        yield store
    finally:
        await store.aclose()


@pytest.fixture
async def worker(database_url: str) -> AsyncIterator[Storage]:
    """A migrated Storage with its worker thread."""
    store = Storage.open(database_url, inline=False)
    try:
        await store.migrate()
        yield store
    finally:
        await store.aclose()


def current_thread(t: Tables) -> threading.Thread:
    return threading.current_thread()


def test_the_backend_chooses_the_mode(database_url: str) -> None:
    storage = Storage.open(database_url)
    try:
        # SQLite's statements take microseconds: handing each to a thread would cost more.
        assert storage.inline is database_url.startswith("sqlite")
    finally:
        storage.close()


async def test_inline_calls_run_on_the_loop_thread(database_url: str) -> None:
    async with Storage.open(database_url, inline=True) as storage:
        assert await storage.run(current_thread) is threading.current_thread()
        assert storage.run_sync(current_thread) is threading.current_thread()


async def test_calls_run_on_one_worker_thread_off_the_loop(worker: Storage) -> None:
    storage = worker
    workers = {await storage.run(current_thread) for _ in range(5)}

    assert len(workers) == 1
    worker = workers.pop()
    assert worker is not threading.current_thread()
    assert worker.name.startswith(THREAD_NAME)


async def test_loop_keeps_running_while_a_call_blocks(worker: Storage) -> None:
    storage = worker
    release = threading.Event()
    blocked = storage.run(lambda t: release.wait(WAIT))

    # If the call ran on the loop thread, this coroutine could not run until it timed out.
    await asyncio.sleep(0)
    release.set()

    assert await asyncio.wait_for(blocked, WAIT) is True


async def test_calls_run_in_submission_order(worker: Storage) -> None:
    storage = worker
    gate = threading.Event()
    seen: list[int] = []

    def record(t: Tables, n: int) -> int:
        if n == 0:
            gate.wait(WAIT)  # lets the queue fill up behind the first call
        settings.put(t, f"k{n:03d}", n, now=NOW)
        seen.append(n)
        return n

    futures = [storage.run(record, n) for n in range(40)]
    gate.set()
    results = await asyncio.wait_for(asyncio.gather(*futures), WAIT)

    assert results == list(range(40))
    assert seen == list(range(40))
    assert await storage.run(settings.get_all) == {f"k{n:03d}": n for n in range(40)}


async def test_tasks_keep_their_start_order(storage: Storage) -> None:
    order: list[str] = []

    async def write(name: str) -> None:
        await storage.run(lambda t: order.append(name))

    tasks = [asyncio.create_task(write(f"task{n}")) for n in range(10)]
    await asyncio.wait_for(asyncio.gather(*tasks), WAIT)

    assert order == [f"task{n}" for n in range(10)]


async def test_repository_functions_through_run(storage: Storage) -> None:
    await storage.run(clients.upsert, user_id=7_000_000_000, first_name="Ana", now=NOW)
    thread = await storage.run(threads.create, client_id=7_000_000_000, now=NOW)

    with pytest.raises(ConflictError):
        await storage.run(threads.create, client_id=7_000_000_000, now=NOW)
    assert (await storage.run(threads.get_by_client, 7_000_000_000)) == thread
    assert await storage.migrate() == []


async def test_database_errors_become_storage_errors(storage: Storage) -> None:
    with pytest.raises(StorageError, match="database error"):
        await storage.run(lambda t: t.db.execute_sql("SELECT * FROM no_such_table"))
    naive = NOW.replace(tzinfo=None)
    with pytest.raises(ValueError, match="naive"):
        await storage.run(clients.upsert, user_id=1, first_name="A", now=naive)
    assert await storage.run(lambda t: 1 + 1) == 2  # the worker survived both


async def test_lost_connection_is_dropped_and_reopened(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await storage.run(lambda t: t.db.connection())
    # As after a server restart: the driver reports the connection unusable.
    monkeypatch.setattr(storage.db, "is_connection_usable", lambda: False)
    with pytest.raises(StorageError):
        await storage.run(lambda t: t.db.execute_sql("SELECT * FROM no_such_table"))
    monkeypatch.undo()

    second = await storage.run(lambda t: t.db.connection())
    assert second is not first
    assert await storage.run(settings.get, "missing", 3) == 3


async def test_run_sync_and_nested_calls(worker: Storage) -> None:
    storage = worker

    def outer(t: Tables) -> str:
        # Re-entering from the worker runs inline instead of deadlocking on its own queue.
        return storage.run_sync(lambda inner: threading.current_thread().name)

    assert (await storage.run(outer)).startswith(THREAD_NAME)
    result = await asyncio.to_thread(storage.run_sync, lambda t: threading.current_thread())
    assert result.name.startswith(THREAD_NAME)


async def test_aclose_finishes_queued_calls_then_stops(database_url: str) -> None:
    storage = Storage.open(database_url, inline=False)
    await storage.migrate()
    worker = await storage.run(current_thread)
    queued = [storage.run(settings.put, f"k{n}", n, now=NOW) for n in range(5)]

    await storage.aclose()

    await asyncio.wait_for(asyncio.gather(*queued), WAIT)
    assert storage.closed and not worker.is_alive()
    with pytest.raises(StorageError, match="closed"):
        storage.run(settings.get, "k1")
    await storage.aclose()  # idempotent
    storage.close()

    reopened = Storage.open(database_url)
    try:
        assert await reopened.run(settings.get, "k4") == 4
    finally:
        reopened.close()


def test_sync_close_without_a_loop(database_url: str) -> None:
    storage = Storage.open(database_url)
    assert storage.run_sync(lambda t: t.db.execute_sql("SELECT 1").fetchone()[0]) == 1
    storage.close()
    with pytest.raises(StorageError, match="closed"):
        storage.run_sync(lambda t: None)


def test_unused_storage_closes_cleanly(database_url: str) -> None:
    before = {t for t in threading.enumerate() if t.name.startswith(THREAD_NAME)}
    Storage.open(database_url).close()
    after = {t for t in threading.enumerate() if t.name.startswith(THREAD_NAME)}
    assert after <= before


async def test_inline_storage_refuses_calls_once_closed(database_url: str) -> None:
    storage = Storage.open(database_url, inline=True)
    await storage.migrate()
    await storage.aclose()
    with pytest.raises(StorageError, match="closed"):
        storage.run(settings.get, "k1")
    with pytest.raises(StorageError, match="closed"):
        storage.run_sync(settings.get, "k1")


def put_then_fail(t: Tables, key: str) -> None:
    with t.atomic():
        settings.put(t, key, True, now=NOW)
        raise ValueError("refused after writing")


def commits_of(storage: Storage) -> list[int]:
    """Counts the commits of `storage`'s connection from now on."""
    counted = [0]
    db = storage.db
    commit = db.commit

    def counting() -> None:
        counted[0] += 1
        commit()

    db.commit = counting  # type: ignore[method-assign]
    return counted


async def test_a_later_call_shares_the_next_calls_transaction(storage: Storage) -> None:
    commits = commits_of(storage)
    first = storage.later(settings.put, "a", 1, now=NOW)
    second = storage.later(settings.put, "b", 2, now=NOW)
    if storage.inline:
        assert not first.done()  # waiting for company
    # The next call runs after them, so it sees their writes.
    assert await storage.run(settings.get_all) == {"a": 1, "b": 2}
    assert first.done() and second.done() and await first is None
    if storage.inline:  # one transaction for the three (a worker runs each by itself)
        assert commits[0] == 1


async def test_a_later_call_alone_is_committed_within_moments(storage: Storage) -> None:
    done = storage.later(settings.put, "a", 1, now=NOW)
    await asyncio.wait_for(done, WAIT)
    assert storage.run_sync(settings.get, "a") == 1


async def test_a_call_that_fails_in_a_group_fails_alone(storage: Storage) -> None:
    before = storage.later(settings.put, "before", 1, now=NOW)
    failing = storage.later(put_then_fail, "failing")
    after = storage.later(settings.put, "after", 2, now=NOW)
    assert await storage.run(settings.get_all) == {"before": 1, "after": 2}
    with pytest.raises(ValueError, match="refused after writing"):
        await failing
    assert (await before, await after) == (None, None)


async def test_run_alone_commits_later_calls_first(storage: Storage) -> None:
    done = storage.later(settings.put, "a", 1, now=NOW)

    def outside_a_transaction(t: Tables) -> bool:
        return t.db.in_transaction()

    assert await storage.run_alone(outside_a_transaction) is False
    assert done.done() and await storage.run(settings.get, "a") == 1


async def test_closing_commits_later_calls(database_url: str) -> None:
    storage = Storage.open(database_url)
    await storage.migrate()
    done = storage.later(settings.put, "a", 1, now=NOW)
    await storage.aclose()
    assert done.done() and done.exception() is None
    again = Storage.open(database_url)
    try:
        assert again.run_sync(settings.get, "a") == 1
    finally:
        again.close()


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "worker"])
async def test_soon_waits_for_company_only_in_a_burst(database_url: str, inline: bool) -> None:
    clock = [1000.0]
    storage = Storage(open_database(database_url), inline=inline, clock=lambda: clock[0])
    try:
        await storage.migrate()
        alone = storage.soon(settings.put, "alone", 1, now=NOW)
        if inline:
            assert alone.done()  # at rest: no waiting
        commits = commits_of(storage)
        burst = [storage.soon(settings.put, f"b{n}", n, now=NOW) for n in range(3)]
        if inline:  # the same instant: a burst, committed together
            assert not any(f.done() for f in burst)
        await asyncio.wait_for(asyncio.gather(alone, *burst), WAIT)
        if inline:
            assert commits[0] == 1
        clock[0] += 1.0  # long after: at rest again
        again = storage.soon(settings.put, "again", 9, now=NOW)
        if inline:
            assert again.done()
        assert await again is None
        assert await storage.run(settings.get_all) == {
            "alone": 1, "b0": 0, "b1": 1, "b2": 2, "again": 9}
    finally:
        await storage.aclose()


async def test_soon_joins_later_calls_waiting(storage: Storage) -> None:
    waiting = storage.later(settings.put, "a", 1, now=NOW)
    joined = storage.soon(settings.get, "a")
    if storage.inline:
        assert not joined.done()
    assert await asyncio.wait_for(joined, WAIT) == 1
    assert waiting.done()


def swallow_a_failed_insert(t: Tables) -> str:
    settings.put(t, "dup", 1, now=NOW)
    try:
        t.settings.insert(key="dup", value="2", updated_at=NOW).execute()
    except Exception as error:  # noqa: BLE001 - what a careless repository function might do
        return type(error).__name__
    return "no error"


async def test_worker_commits_queued_writes_together(worker: Storage) -> None:
    release = threading.Event()
    blocked = worker.run(lambda t: release.wait(WAIT))  # the queue fills behind it
    commits = commits_of(worker)
    writes = [worker.later(settings.put, f"k{n}", n, now=NOW) for n in range(5)]
    release.set()
    await asyncio.wait_for(asyncio.gather(blocked, *writes), WAIT)
    assert commits[0] == 1
    assert await worker.run(settings.get_all) == {f"k{n}": n for n in range(5)}


async def test_a_swallowed_failure_does_not_lose_the_groups_writes(worker: Storage) -> None:
    # On PostgreSQL a failed statement aborts the transaction, and COMMIT then rolls back
    # without an error: the group must notice, and run each call alone.
    release = threading.Event()
    blocked = worker.run(lambda t: release.wait(WAIT))
    before = worker.later(settings.put, "before", 1, now=NOW)
    careless = worker.later(swallow_a_failed_insert)  # last: no statement after it fails
    release.set()
    await asyncio.wait_for(asyncio.gather(blocked, before, careless), WAIT)
    assert await careless == "IntegrityError"
    assert await worker.run(settings.get_all) == {"before": 1, "dup": 1}

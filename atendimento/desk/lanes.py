"""Lanes: work for one key (a conversation, a chat) runs one item at a time, in arrival order.

Different keys run concurrently. A lane's task exists only while it has work, so ten thousand
quiet conversations cost nothing. `idle()` lets tests and shutdown wait for everything queued.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from typing import Any

from atendimento.tasks import Background

log = logging.getLogger("atendimento.desk.lanes")

Job = Callable[[], Awaitable[Any]]


class Lanes:
    def __init__(self, background: Background, name: str = "lane") -> None:
        self._background = background
        self._name = name
        self._queues: dict[Hashable, deque[tuple[Job, asyncio.Future[Any]]]] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self._current: ContextVar[Hashable | None] = ContextVar(f"{name}-lane", default=None)

    def current(self) -> Hashable | None:
        """The key of the lane whose job is running here (None outside every lane): a job
        must not wait for a job it queues in its own lane, which would run only after it."""
        return self._current.get()

    def submit(self, key: Hashable, job: Job) -> asyncio.Future[Any]:
        """Queue `job` behind the key's earlier jobs; the future holds its result or error."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            self._background.spawn(self._drain(key, queue), f"{self._name}:{key}")
        queue.append((job, future))
        self._idle.clear()
        return future

    async def _drain(self, key: Hashable, queue: deque[tuple[Job, asyncio.Future[Any]]]) -> None:
        self._current.set(key)  # this task's context only
        try:
            while queue:
                job, future = queue[0]
                try:
                    result = await job()
                except asyncio.CancelledError:
                    future.cancel()
                    raise
                except Exception as error:  # one failed job must not stop the lane
                    if not future.cancelled():
                        future.set_exception(error)
                        future.exception()  # logged below; awaiting callers still get it
                    log.exception("%s %s: job failed", self._name, key)
                else:
                    if not future.cancelled():
                        future.set_result(result)
                queue.popleft()
        finally:
            for _job, future in queue:
                future.cancel()
            del self._queues[key]
            if not self._queues:
                self._idle.set()

    def has(self, key: Hashable) -> bool:
        """Whether lane `key` has work queued or running."""
        return key in self._queues

    @property
    def busy(self) -> int:
        return len(self._queues)

    async def idle(self) -> None:
        """Wait until every lane has run out of work."""
        await self._idle.wait()

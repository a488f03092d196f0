"""When kurigram's update state (the pts it would catch up from) is committed to the session:
only when every update it has handed over has been taken in by the desk.

kurigram writes each update's pts to its session before dispatching the update, and commits at
start, after catching up and at stop, whatever the handlers have done by then. Killed after such
a commit, the desk would never see updates that were only queued. Here kurigram's own commits
are held, and the desk commits at checkpoints: the dispatcher's queue empty, its worker between
updates (the desk runs one worker), and the desk idle, i.e. every decision written to the
outbox. Killed between checkpoints, the desk is handed the updates since the last one again,
and the outbox's keys make deciding them again harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pyrogram

log = logging.getLogger("atendimento.telegram.checkpoints")


class Checkpoints:
    def __init__(self, client: pyrogram.Client, settled: Callable[[], bool]) -> None:
        self._settled = settled
        self._commit = client.storage.save
        client.storage.save = self._hold  # kurigram's own commits wait for a checkpoint
        self._queue: asyncio.Queue[Any] = client.dispatcher.updates_queue
        self._taken = False
        take = self._queue.get

        async def get() -> Any:
            self._taken = False  # the worker asks for the next: it finished the last one
            packet = await take()
            self._taken = packet is not None
            return packet

        self._queue.get = get  # type: ignore[method-assign]
        # kurigram writes an update's pts before it queues the update, and for some updates
        # (a short message, a "min" channel message) it awaits a getDifference in between: a
        # checkpoint then would commit a pts whose update is in nobody's hands.
        self._receiving = 0
        handle = client.handle_updates

        async def handle_updates(updates: Any) -> Any:
            self._receiving += 1
            try:
                return await handle(updates)
            finally:
                self._receiving -= 1

        client.handle_updates = handle_updates  # type: ignore[method-assign]
        self.commits = 0

    async def drained(self) -> None:
        """Until the dispatcher has handed over everything queued (the catch-up at start)."""
        while not self._queue.empty() or self._taken:
            await asyncio.sleep(0)

    async def _hold(self) -> None:
        """kurigram asked to commit: deferred to the next checkpoint."""

    def quiet(self) -> bool:
        return (self._queue.empty() and not self._taken and not self._receiving
                and self._settled())

    async def checkpoint(self) -> bool:
        """Commit the session (update state included) if everything dispatched is taken in."""
        if not self.quiet():
            return False
        await self._commit()
        self.commits += 1
        return True

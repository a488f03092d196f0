"""Checkpoints: kurigram's session (its update state) is committed only when every update it
took from Telegram is in the desk's hands."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from atendimento.telegram.checkpoints import Checkpoints


def fake_client(gate: asyncio.Event, commits: list[int]) -> SimpleNamespace:
    queue: asyncio.Queue = asyncio.Queue()

    async def save() -> None:
        commits.append(len(commits))

    async def handle_updates(updates: object) -> None:
        # As kurigram does for a short message: the pts is written, then a getDifference is
        # awaited before the update is queued.
        await gate.wait()
        queue.put_nowait(updates)

    return SimpleNamespace(storage=SimpleNamespace(save=save), handle_updates=handle_updates,
                           dispatcher=SimpleNamespace(updates_queue=queue))


async def test_no_commit_while_an_update_is_being_received_or_queued() -> None:
    gate, commits, desk_idle = asyncio.Event(), [], [True]
    client = fake_client(gate, commits)
    checkpoints = Checkpoints(client, lambda: desk_idle[0])

    await client.storage.save()  # kurigram's own commit is held
    assert commits == []
    receiving = asyncio.create_task(client.handle_updates("update 1"))
    await asyncio.sleep(0)
    assert not await checkpoints.checkpoint()  # received, not queued yet

    gate.set()
    await receiving
    assert not await checkpoints.checkpoint()  # queued, not taken by the dispatcher
    assert await client.dispatcher.updates_queue.get() == "update 1"
    desk_idle[0] = False
    assert not await checkpoints.checkpoint()  # taken, the desk still deciding
    desk_idle[0] = True
    assert not await checkpoints.checkpoint()  # the worker has not asked for the next yet
    next_one = asyncio.create_task(client.dispatcher.updates_queue.get())
    await asyncio.sleep(0)
    assert await checkpoints.checkpoint() and commits == [0]
    next_one.cancel()

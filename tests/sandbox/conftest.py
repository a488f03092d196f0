"""Fixtures for the sandbox's fidelity tests: a sandbox, a started bot, and its updates."""

from __future__ import annotations

import asyncio

import pytest
from pyrogram import raw
from pyrogram.handlers import RawUpdateHandler


class Recorder:
    """Every raw update the bot's dispatcher handled, in order."""

    def __init__(self) -> None:
        self.updates: list = []

    def handler(self) -> RawUpdateHandler:
        async def record(client, update, users, chats) -> None:
            self.updates.append(update)

        return RawUpdateHandler(record)

    def of(self, kind: type) -> list:
        return [u for u in self.updates if isinstance(u, kind)]

    def messages(self) -> list:
        return [
            u.message
            for u in self.updates
            if isinstance(u, raw.types.UpdateNewMessage | raw.types.UpdateNewChannelMessage)
        ]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def bot(sandbox, recorder):
    client = sandbox.bot_client()
    client.add_handler(recorder.handler(), group=-1)
    await sandbox.start_bot(lambda sb: client.start())
    await asyncio.sleep(0)  # add_handler registers through a task
    return client

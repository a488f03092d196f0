"""The gateway's retry policy: flood waits pause their chat (or every chat, for the bot-wide
limit), errors become reasons."""

from __future__ import annotations

import asyncio
import itertools
from types import SimpleNamespace

import pytest
from pyrogram import errors

from atendimento.desk import ports
from atendimento.desk.ports import Undeliverable
from atendimento.telegram.gateway import Gateway


class Time:
    """A clock whose sleeps block until the test moves time past them."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleepers: list[tuple[float, asyncio.Future]] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.now + seconds, future))
        await future

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for wake, future in list(self.sleepers):
            if wake <= self.now and not future.done():
                future.set_result(None)
                self.sleepers.remove((wake, future))


def failing(*outcomes):
    """An action that raises each outcome in turn (exceptions) and then returns 'sent'."""
    calls = []

    async def action():
        calls.append(len(calls))
        if len(calls) <= len(outcomes):
            raise outcomes[len(calls) - 1]
        return "sent"
    return action, calls


@pytest.fixture
def time():
    return Time()


@pytest.fixture
def gateway(time):
    # The retry loop never reaches the client; it only gives the gateway its random ids.
    client = SimpleNamespace(rnd_id=itertools.count(1).__next__)
    return Gateway(client=client, sleep=time.sleep, monotonic=time.monotonic)


async def test_flood_wait_pauses_only_its_chat_for_exactly_the_time_asked(gateway, time):
    flooded, flooded_calls = failing(errors.FloodWait(value=7))
    other, _ = failing()
    first = asyncio.create_task(gateway.call(111, flooded))
    await asyncio.sleep(0)
    assert await gateway.call(222, other) == "sent"  # another chat is not held up
    same_chat, same_calls = failing()
    queued = asyncio.create_task(gateway.call(111, same_chat))
    await asyncio.sleep(0)
    assert same_calls == []  # the flooded chat waits, even for a new send
    time.advance(6.9)
    await asyncio.sleep(0)
    assert not first.done()
    time.advance(0.1)
    assert await first == "sent" and await queued == "sent"
    assert len(flooded_calls) == 2


async def test_flood_waits_in_several_chats_at_once_pause_every_chat(gateway, time):
    # Telegram's bot-wide limit refuses sends to any chat; nothing says which limit it was.
    tasks = []
    for chat in (111, 222):
        action, _ = failing(errors.FloodWait(value=4))
        tasks.append(asyncio.create_task(gateway.call(chat, action)))
    await asyncio.sleep(0)
    other, other_calls = failing()
    assert await gateway.call(333, other) == "sent"  # two chats: their own limits, maybe
    time.advance(0.5)
    action, _ = failing(errors.FloodWait(value=4))
    tasks.append(asyncio.create_task(gateway.call(444, action)))  # a third within a second
    await asyncio.sleep(0)
    late, late_calls = failing()
    waiting = asyncio.create_task(gateway.call(555, late))
    await asyncio.sleep(0)
    assert late_calls == []  # every chat now waits for the bot-wide pause
    time.advance(3.9)
    await asyncio.sleep(0)
    assert late_calls == []
    time.advance(0.6)
    assert await waiting == "sent" and len(late_calls) == 1
    assert [await task for task in tasks] == ["sent"] * 3


async def test_flood_waits_spread_out_pause_only_their_chats(gateway, time):
    for chat in (111, 222, 333):
        action, _ = failing(errors.FloodWait(value=1))
        task = asyncio.create_task(gateway.call(chat, action))
        await asyncio.sleep(0)
        time.advance(1.5)  # each wait is over before the next chat floods
        assert await task == "sent"
    other, calls = failing()
    assert await gateway.call(444, other) == "sent" and len(calls) == 1


async def test_permanent_errors_become_reasons_without_retry(gateway):
    for error, reason in [(errors.UserIsBlocked(), ports.BLOCKED),
                          (errors.InputUserDeactivated(), ports.DEACTIVATED),
                          (errors.MessageTooLong(), ports.TOO_LONG),
                          (errors.PeerIdInvalid(), ports.NOT_FOUND),
                          (errors.ChatWriteForbidden(), ports.FORBIDDEN)]:
        action, calls = failing(error)
        with pytest.raises(Undeliverable) as caught:
            await gateway.call(1, action)
        assert caught.value.reason == reason and len(calls) == 1


async def test_transient_errors_back_off_then_give_up(gateway, time):
    action, calls = failing(*[TimeoutError()] * 10)
    task = asyncio.create_task(gateway.call(1, action))
    for _ in range(10):
        await asyncio.sleep(0)
        time.advance(60)
    with pytest.raises(Undeliverable) as caught:
        await task
    assert caught.value.reason == ports.GAVE_UP
    assert len(calls) == 5  # max_attempts: nothing is retried forever


async def test_transient_error_then_success(gateway, time):
    action, calls = failing(errors.InternalServerError())
    task = asyncio.create_task(gateway.call(1, action))
    await asyncio.sleep(0)
    time.advance(1)
    assert await task == "sent" and len(calls) == 2


async def test_endless_flood_gives_up(gateway, time):
    action, calls = failing(*[errors.FloodWait(value=1)] * 20)
    task = asyncio.create_task(gateway.call(1, action))
    for _ in range(30):
        await asyncio.sleep(0)
        time.advance(1)
    with pytest.raises(Undeliverable) as caught:
        await task
    assert caught.value.reason == ports.GAVE_UP and len(calls) == 9

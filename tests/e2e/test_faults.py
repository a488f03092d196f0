"""Story: Telegram misbehaves while the team answers — flood waits of several lengths, timeouts
and internal errors, errors that no retry can fix, and a client who blocks the bot in the middle
of a conversation. Nothing is lost, nothing arrives twice, order is kept, a wait is honoured
exactly and holds back only the chat it concerns, and what cannot be delivered is said in the
thread, under the attendant's message.

Telegram's trouble here is confined to one chat (the sandbox's own hook fails a method whatever
the chat), and the flood-wait stories run on a clock where a wait lasts until the story lets
that much time pass, so that what a wait holds back can be seen held back. Dates are the
sandbox's virtual ones, never the wall clock's.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from atendimento.sandbox import Sandbox
from atendimento.sandbox.errors import Fail, flood_wait
from atendimento.sandbox.limits import Clock
from atendimento.sandbox.server import WRAPPERS, method_name
from atendimento.sandbox.wire import Kind

from .conftest import RunningDesk, bot_said, card_of, thread_texts

SENDS = frozenset({"messages.SendMessage", "messages.SendMedia", "messages.SendMultiMedia",
                   "messages.ForwardMessages"})
NOT_DELIVERED = "⚠️ Não entregue"
PATIENCE = 20.0  # real seconds before a story that waits for the desk gives up


# ----- the world's trouble -----------------------------------------------------------------

class StoryClock(Clock):
    """The sandbox's clock, except that a wait lasts until the story lets that much time pass
    (`advance`), instead of passing the moment it begins."""

    def __init__(self) -> None:
        super().__init__()
        self._moved: asyncio.Event | None = None
        self.waiting = 0  # how many waits are under way

    async def sleep(self, seconds: float) -> None:
        end = self.now() + seconds
        await asyncio.sleep(0)
        self.waiting += 1
        try:
            while self.now() < end:
                if self._moved is None:
                    self._moved = asyncio.Event()
                await self._moved.wait()
        finally:
            self.waiting -= 1

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        if self._moved is not None:
            self._moved.set()
            self._moved = None


@dataclass
class _Trouble:
    fail: Callable[[], Fail | None]


class ChatTrouble:
    """Sends into one chat fail as Telegram would fail them; other chats are untouched.

    `refused[chat]` counts the sends into that chat Telegram refused."""

    def __init__(self, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sandbox = sandbox
        self.refused: Counter[int] = Counter()
        self._troubles: dict[int, _Trouble] = {}
        server = sandbox.server
        answer = server.answer

        def troubled(query: object) -> tuple[Kind, bytes, list]:
            inner = query
            while isinstance(inner, WRAPPERS):
                inner = inner.query
            name = method_name(inner)
            chat = _target(inner) if name in SENDS else None
            trouble = self._troubles.get(chat) if chat is not None else None
            fail = trouble.fail() if trouble is not None else None
            if fail is None:
                return answer(query)
            server.calls.append(name)
            self.refused[chat] += 1
            return Kind.ERROR, fail.raw().write(), []

        monkeypatch.setattr(server, "answer", troubled)

    def flood(self, chat: int, seconds: int) -> None:
        """The next send into `chat` gets FLOOD_WAIT_`seconds`; the chat then stays closed
        for that long, every send before the end getting the wait that is left."""
        clock = self.sandbox.clock
        closed_until: list[float] = []

        def fail() -> Fail | None:
            if not closed_until:
                closed_until.append(clock.now() + seconds)
                return flood_wait(seconds)
            left = closed_until[0] - clock.now()
            return flood_wait(max(1, math.ceil(left))) if left > 0 else None

        self._troubles[chat] = _Trouble(fail)

    def fail(self, chat: int, code: int, message: str, *, times: int | None = None) -> None:
        """The next `times` sends into `chat` fail with `code message` (every one if None)."""
        left = [times]

        def fail() -> Fail | None:
            if left[0] is not None:
                if left[0] <= 0:
                    return None
                left[0] -= 1
            return Fail(code, message)

        self._troubles[chat] = _Trouble(fail)

    def end(self, chat: int) -> None:
        self._troubles.pop(chat, None)


def _target(query: object) -> int | None:
    peer = getattr(query, "to_peer", None) or getattr(query, "peer", None)
    return getattr(peer, "user_id", None) or getattr(peer, "channel_id", None)


@pytest.fixture
def trouble(sandbox, monkeypatch) -> ChatTrouble:
    return ChatTrouble(sandbox, monkeypatch)


@pytest.fixture
async def timed(tmp_path, database_url, monkeypatch):
    """A sandbox on a StoryClock with the desk running, and its trouble. The natural rate
    limits are off: the only waits in these stories are the ones injected."""
    box = Sandbox(strict=True, clock=StoryClock())
    box.world.limits.enabled = False
    await box.start()
    running = RunningDesk(box, tmp_path, database_url)
    try:
        await running.start()
        yield box, running, ChatTrouble(box, monkeypatch)
        for _ in range(100):  # the story is over: let any wait still under way run out
            if not box.clock.waiting:
                break
            box.clock.advance(3600)
            await box.settle()
    finally:
        await running.stop()
        await box.close()
    assert box.server.unimplemented == [], "the bot called raw methods the sandbox lacks"


# ----- what the stories share --------------------------------------------------------------

async def until(sandbox: Sandbox, condition: Callable[[], bool], what: str) -> None:
    """Let the desk work until `condition` holds (while a wait may still be under way)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + PATIENCE
    while True:
        await sandbox.settle()
        if condition():
            return
        if loop.time() > give_up:
            pytest.fail(f"the desk never got there: {what}")
        await asyncio.sleep(0.001)


async def settled(desk: RunningDesk) -> None:
    try:
        await asyncio.wait_for(desk.settle(), PATIENCE)
    except TimeoutError:
        pytest.fail("the desk is still busy (waiting on a clock nobody moves?)")


async def let_time_pass(desk: RunningDesk, seconds: float) -> None:
    desk.sandbox.clock.advance(seconds)
    await desk.sandbox.settle()


async def client_in_thread(sandbox: Sandbox, desk: RunningDesk, name: str):
    client = sandbox.client(name, language="pt-br")
    client.send("Oi")
    await settled(desk)
    return client, card_of(sandbox, client)


def dates(messages, texts: list[str]) -> list[int]:
    return [m.raw.date for m in messages if m.text in texts]


def answers_to(person) -> list:
    return [m for m in person.chat() if m.from_bot]


# ----- flood waits -------------------------------------------------------------------------

@pytest.mark.parametrize("wait", [3, 45, 600])
async def test_a_flood_wait_holds_back_only_that_clients_answers(timed, wait):
    sandbox, desk, trouble = timed
    ana, ana_card = await client_in_thread(sandbox, desk, "Ana Souza")
    bruno, bruno_card = await client_in_thread(sandbox, desk, "Bruno Reis")
    eva = sandbox.team_member("Eva Lima")
    trouble.flood(ana.id, wait)
    start = sandbox.clock.now()

    eva.comment(ana_card, "primeira para Ana")
    eva.comment(bruno_card, "primeira para Bruno")
    eva.comment(ana_card, "segunda para Ana")
    eva.comment(bruno_card, "segunda para Bruno")
    await until(sandbox, lambda: len(bot_said(bruno)) >= 2 and trouble.refused[ana.id] >= 1,
                "Bruno answered and Ana's chat refused")

    assert bot_said(bruno) == ["primeira para Bruno", "segunda para Bruno"]
    assert bot_said(ana) == []  # Bruno got his while Ana's wait was still running
    assert dates(answers_to(bruno), bot_said(bruno)) == [int(start)] * 2
    await let_time_pass(desk, wait)
    await settled(desk)
    assert bot_said(ana) == ["primeira para Ana", "segunda para Ana"]


@pytest.mark.parametrize("wait", [3, 45, 600])
async def test_a_flood_wait_is_honoured_exactly_and_the_answers_arrive_in_order(timed, wait):
    sandbox, desk, trouble = timed
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    eva = sandbox.team_member("Eva Lima")
    trouble.flood(ana.id, wait)
    start = sandbox.clock.now()
    answers = ["um", "dois", "três"]
    for text in answers:
        eva.comment(card, text)
    await until(sandbox, lambda: trouble.refused[ana.id] >= 1, "Ana's chat refused a send")

    await let_time_pass(desk, wait - 1)
    assert bot_said(ana) == []
    await let_time_pass(desk, 1)
    await settled(desk)

    assert bot_said(ana) == answers
    assert dates(answers_to(ana), answers) == [int(start) + wait] * 3
    assert trouble.refused[ana.id] == 1  # not tried again before the wait was over


async def test_a_late_delivery_adds_nothing_to_the_thread(timed):
    sandbox, desk, trouble = timed
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    eva = sandbox.team_member("Eva Lima")
    before = thread_texts(sandbox, ana)
    trouble.flood(ana.id, 45)
    eva.comment(card, "já verifico")
    await until(sandbox, lambda: trouble.refused[ana.id] >= 1, "Ana's chat refused a send")
    await let_time_pass(desk, 45)
    await settled(desk)

    assert bot_said(ana) == ["já verifico"]
    assert thread_texts(sandbox, ana) == [*before, "já verifico"]


async def test_a_flood_wait_in_the_group_relays_the_clients_messages_late_once_in_order(timed):
    sandbox, desk, trouble = timed
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    before = thread_texts(sandbox, ana)
    trouble.flood(sandbox.group.id, 30)
    start = sandbox.clock.now()
    written = ["meu pedido não chegou", "o número é 1234", "obrigada"]
    for text in written:
        ana.send(text)
    await until(sandbox, lambda: trouble.refused[sandbox.group.id] >= 1,
                "the group refused a send")

    await let_time_pass(desk, 29)
    assert thread_texts(sandbox, ana) == before
    await let_time_pass(desk, 1)
    await settled(desk)

    assert thread_texts(sandbox, ana) == [*before, *written]
    copies = sandbox.thread(card)
    assert dates(copies, written) == [int(start) + 30] * 3
    assert trouble.refused[sandbox.group.id] == 1


# ----- timeouts and internal errors --------------------------------------------------------

TRANSIENT = [
    pytest.param(500, "INTERNAL", id="500-INTERNAL"),
    pytest.param(500, "RPC_CALL_FAIL", id="500-RPC_CALL_FAIL"),
    pytest.param(500, "TIMEOUT", id="500-TIMEOUT"),
    pytest.param(-503, "Timeout", id="-503-Timeout"),
]


@pytest.mark.parametrize(("code", "message"), TRANSIENT)
async def test_an_answer_that_fails_a_few_times_is_delivered_once(sandbox, desk, trouble,
                                                                  code, message):
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    eva = sandbox.team_member("Eva Lima")
    before = thread_texts(sandbox, ana)
    trouble.fail(ana.id, code, message, times=2)
    eva.comment(card, "seu pedido saiu hoje")
    eva.comment(card, "chega amanhã")
    await settled(desk)

    assert bot_said(ana) == ["seu pedido saiu hoje", "chega amanhã"]
    assert trouble.refused[ana.id] == 2
    assert thread_texts(sandbox, ana) == [*before, "seu pedido saiu hoje", "chega amanhã"]


@pytest.mark.parametrize(("code", "message"), TRANSIENT)
async def test_a_client_message_that_fails_a_few_times_is_relayed_once(sandbox, desk, trouble,
                                                                       code, message):
    ana, _card = await client_in_thread(sandbox, desk, "Ana Souza")
    before = thread_texts(sandbox, ana)
    trouble.fail(sandbox.group.id, code, message, times=2)
    ana.send("alguém aí?")
    ana.send("preciso de ajuda")
    await settled(desk)

    assert thread_texts(sandbox, ana) == [*before, "alguém aí?", "preciso de ajuda"]
    assert trouble.refused[sandbox.group.id] == 2


async def test_telegram_failing_beyond_the_retries_is_reported_under_the_answer(
        sandbox, desk, trouble):
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    eva = sandbox.team_member("Eva Lima")
    trouble.fail(ana.id, 500, "INTERNAL")  # every send into Ana's chat, for as long as it takes
    comment = eva.comment(card, "seu pedido saiu hoje")
    await settled(desk)

    assert bot_said(ana) == []
    assert trouble.refused[ana.id] > 1  # it was retried before giving up
    line = sandbox.thread(card)[-1]
    assert line.from_bot and line.reply_to == comment.id
    assert line.text.startswith(NOT_DELIVERED) and "continuou falhando" in line.text


async def test_answers_after_telegram_recovers_are_delivered(sandbox, desk, trouble):
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    eva = sandbox.team_member("Eva Lima")
    trouble.fail(ana.id, 500, "INTERNAL")
    eva.comment(card, "seu pedido saiu hoje")
    await settled(desk)
    trouble.end(ana.id)
    eva.comment(card, "chega amanhã")
    await settled(desk)

    assert bot_said(ana) == ["chega amanhã"]
    assert thread_texts(sandbox, ana)[-1] == "chega amanhã"


# ----- errors no retry can fix -------------------------------------------------------------

PERMANENT = [
    pytest.param(400, "MESSAGE_TOO_LONG", "a mensagem é longa demais", id="MESSAGE_TOO_LONG"),
    pytest.param(400, "INPUT_USER_DEACTIVATED", "a conta do cliente foi excluída",
                 id="INPUT_USER_DEACTIVATED"),
    pytest.param(400, "PEER_ID_INVALID", "não é possível contatar o cliente",
                 id="PEER_ID_INVALID"),
    pytest.param(403, "USER_IS_BLOCKED", "o cliente bloqueou o bot", id="USER_IS_BLOCKED"),
    pytest.param(403, "CHAT_WRITE_FORBIDDEN", "não permite que o bot escreva ali "
                 "(CHAT_WRITE_FORBIDDEN)", id="CHAT_WRITE_FORBIDDEN"),
    pytest.param(400, "ENTITY_BOUNDS_INVALID", "ENTITY_BOUNDS_INVALID",
                 id="ENTITY_BOUNDS_INVALID"),
]


@pytest.mark.parametrize(("code", "message", "reason"), PERMANENT)
async def test_an_error_no_retry_can_fix_is_reported_once_with_its_reason(
        sandbox, desk, trouble, code, message, reason):
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    eva = sandbox.team_member("Eva Lima")
    trouble.fail(ana.id, code, message)  # however often the desk tries
    comment = eva.comment(card, "seu pedido saiu hoje")
    await settled(desk)

    assert bot_said(ana) == []
    assert trouble.refused[ana.id] == 1  # not retried
    line = sandbox.thread(card)[-1]
    assert line.from_bot and line.reply_to == comment.id
    assert line.text.startswith(NOT_DELIVERED) and reason in line.text
    reports = [t for t in thread_texts(sandbox, ana) if t.startswith(NOT_DELIVERED)]
    assert len(reports) == 1


# ----- a client who blocks the bot mid-conversation ----------------------------------------

async def test_a_client_who_blocks_the_bot_mid_conversation(sandbox, desk):
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "pode me dizer o número do pedido?")
    await settled(desk)
    ana.block_bot()
    comment = eva.comment(card, "ainda está aí?")
    await settled(desk)

    assert bot_said(ana) == ["pode me dizer o número do pedido?"]
    line = sandbox.thread(card)[-1]
    assert line.reply_to == comment.id
    assert line.text == "⚠️ Não entregue: o cliente bloqueou o bot."
    assert "bloqueou o bot" in card_of(sandbox, ana).text


async def test_the_conversation_goes_on_when_the_client_unblocks_the_bot(sandbox, desk):
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "pode me dizer o número do pedido?")
    await settled(desk)
    ana.block_bot()
    eva.comment(card, "ainda está aí?")
    await settled(desk)

    ana.unblock_bot()
    ana.send("desculpe, bloqueei sem querer: é o 1234")
    await settled(desk)
    eva.comment(card, "obrigada, já encontrei")
    await settled(desk)

    assert bot_said(ana) == ["pode me dizer o número do pedido?", "obrigada, já encontrei"]
    assert "bloqueou o bot" not in card_of(sandbox, ana).text
    texts = thread_texts(sandbox, ana)
    assert texts[-2:] == ["desculpe, bloqueei sem querer: é o 1234", "obrigada, já encontrei"]
    assert sum(t.startswith(NOT_DELIVERED) for t in texts) == 1

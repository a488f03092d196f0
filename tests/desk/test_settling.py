"""The outbox's typed records (desk/settling.py): they keep the previous release's wire format,
so rows it left pending settle the same and a decision taken again finds its rows; a feature's
own record is applied in the transaction that settles the send; a decision's tickets are found
by the send they are for."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from atendimento.desk.context import DeskContext, Roots
from atendimento.desk.events import Events
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.outbox import (
    COPY,
    MIRROR,
    PIN,
    REPLY,
    TEXT,
    Outbox,
    Send,
    Tickets,
    album_key,
    text_send,
)
from atendimento.desk.ports import BLOCKED, NOT_FOUND, Undeliverable
from atendimento.desk.settling import (
    CardPosted,
    Failure,
    MessageLink,
    PinSet,
    Records,
    encode,
)
from atendimento.desk.threads import Threads
from atendimento.desk.wording import Wording
from atendimento.domain.text import RichText
from atendimento.i18n import Translator
from atendimento.storage import Storage
from atendimento.storage import clients as client_rows
from atendimento.storage import links as link_rows
from atendimento.storage import outbox as rows
from atendimento.storage import settings as setting_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import TO_CLIENT, TO_TEAM
from atendimento.tasks import Background

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
CHANNEL, GROUP, BOT = -1_001_234_567_890, -1_009_876_543_210, 42
ANA, RUI = 7_123_456_789, 5_550_001  # clients
ROOT = 500  # the thread's root in the group
CAUSE = "c7123456789:5"


def legacy_key(cause: str, chat_id: int, action: str, payload: dict[str, Any]) -> str:
    """A row's key as the previous release computed it from the raw payload."""
    body = json.dumps([chat_id, payload], sort_keys=True, ensure_ascii=False)
    return f"{cause}|{action}|{hashlib.blake2b(body.encode(), digest_size=9).hexdigest()}"


# --- the codecs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("record", [
    MessageLink(7, TO_TEAM, ANA, GROUP),
    MessageLink(7, TO_CLIENT, ANA, GROUP, "13579"),
    CardPosted(3),
    PinSet(3, True),
    PinSet(3, False),
    Failure(),
    Failure(3, root=ROOT),
    Failure(3, root=ROOT, under=77, client_id=ANA),
    Failure(3, root=ROOT, under=78, edit=True),
], ids=repr)
def test_every_record_survives_the_row(record: Any) -> None:
    stored = json.loads(json.dumps(record.encode()))  # as the row's JSON column holds it
    assert type(record).decode(stored) == record


def test_records_are_written_in_the_previous_release_shapes() -> None:
    assert MessageLink(7, TO_TEAM, ANA, GROUP).encode() == {
        "a": 7, "d": TO_TEAM, "cc": ANA, "gc": GROUP, "mg": None}
    assert CardPosted(3).encode() == 3
    assert PinSet(3, True).encode() == [3, True]
    assert Failure(3, root=ROOT).encode() == {"thread": 3, "root": ROOT}
    assert Failure(3, root=ROOT, under=77, client_id=ANA, edit=True).encode() == {
        "thread": 3, "root": ROOT, "under": 77, "client": ANA, "edit": True}
    assert encode({"id": 9}, [PinSet(3, True)], Failure(3)) == {
        "id": 9, "pin": [3, True], "on_fail": {"thread": 3}}


def test_a_payload_is_read_back_into_the_records_registered() -> None:
    records = Records()
    records.register(MessageLink, lambda *args: None)
    records.register(CardPosted, lambda *args: None)
    payload = {"text": "oi", "card_of": 3, "pin": [3, True], "whatever": 1,
               "on_fail": {"thread": 3}}
    assert records.decode(payload) == [CardPosted(3)]  # nobody registered PinSet here
    assert Failure.of(payload) == Failure(3)
    assert Failure.of({"text": "oi"}) is None
    assert Failure.of({"on_fail": {}}) is None  # reported nowhere, as before


def test_a_key_given_twice_is_a_mistake_said_at_once() -> None:
    with pytest.raises(ValueError, match="'link'"):
        encode({"link": {}}, [MessageLink(7, TO_TEAM, ANA, GROUP)])
    with pytest.raises(ValueError, match="'pin'"):
        encode({}, [PinSet(3, True), PinSet(4, False)])
    records = Records()
    records.register(PinSet, lambda *args: None)

    @dataclass(frozen=True)
    class OtherPin(PinSet):
        pass

    with pytest.raises(ValueError, match="PinSet's already"):
        records.register(OtherPin, lambda *args: None)
    with pytest.raises(ValueError, match="refusals"):
        records.register(Failure, lambda *args: None)  # type: ignore[arg-type]


# --- row keys -----------------------------------------------------------------------------------

VALUES = {"nome": "Ana", "sobrenome": "", "usuario": ""}

# Each typed send a builder makes now, and the raw payload it wrote before.
SAME_DECISIONS = {
    "client's message": (
        Send(GROUP, COPY, {"from": ANA, "id": 5, "reply_to": ROOT, "root": ROOT},
             records=(MessageLink(7, TO_TEAM, ANA, GROUP, None),), failure=Failure(3, root=ROOT)),
        {"from": ANA, "id": 5, "reply_to": ROOT, "root": ROOT,
         "link": {"a": 7, "d": TO_TEAM, "cc": ANA, "gc": GROUP, "mg": None},
         "on_fail": {"thread": 3, "root": ROOT}}),
    "team's comment": (
        Send(ANA, COPY, {"from": GROUP, "id": 77, "reply_to": None, "values": VALUES},
             records=(MessageLink(7, TO_CLIENT, ANA, GROUP, None),),
             failure=Failure(3, root=ROOT, under=77, client_id=ANA)),
        {"from": GROUP, "id": 77, "reply_to": None, "values": VALUES,
         "on_fail": {"thread": 3, "under": 77, "root": ROOT, "client": ANA},
         "link": {"a": 7, "d": TO_CLIENT, "cc": ANA, "gc": GROUP, "mg": None}}),
    "team's comment, no atendimento": (
        Send(ANA, COPY, {"from": GROUP, "id": 77, "reply_to": 5, "values": VALUES},
             failure=Failure(3, root=ROOT, under=77, client_id=ANA)),
        {"from": GROUP, "id": 77, "reply_to": 5, "values": VALUES,
         "on_fail": {"thread": 3, "under": 77, "root": ROOT, "client": ANA}}),
    "card posted": (
        text_send(CHANNEL, RichText("🟡 Ana"), silent=True, records=[CardPosted(3)]),
        {"text": "🟡 Ana", "silent": True, "card_of": 3}),
    "card pinned": (
        Send(CHANNEL, PIN, {"id": 900}, records=(PinSet(3, True),)),
        {"id": 900, "pin": [3, True]}),
    "edit mirrored": (
        Send(ANA, MIRROR, {"from": GROUP, "id": 77, "to_id": 12, "values": VALUES},
             failure=Failure(3, root=ROOT, under=77, edit=True)),
        {"from": GROUP, "id": 77, "to_id": 12, "values": VALUES,
         "on_fail": {"thread": 3, "under": 77, "root": ROOT, "edit": True}}),
    "automatic answer": (
        Send(ANA, REPLY, {"reply": 4, "values": VALUES},
             failure=Failure(3, root=ROOT, under=55)),
        {"reply": 4, "values": VALUES, "on_fail": {"thread": 3, "under": 55, "root": ROOT}}),
}


@pytest.mark.parametrize("name", SAME_DECISIONS)
def test_the_same_decision_keeps_its_row_key(name: str) -> None:
    typed, raw = SAME_DECISIONS[name]
    assert typed.row_payload == raw
    old = legacy_key(CAUSE, typed.chat_id, typed.action, raw)
    assert Outbox.key_in(CAUSE, typed) == old
    assert Outbox.key_in(CAUSE, Send(typed.chat_id, typed.action, raw)) == old


# --- settling, on a real database ---------------------------------------------------------------


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class Recorder:
    """Telegram as far as the outbox goes: every send recorded; chats in `refuse` refuse."""

    refuse: dict[int, str] = field(default_factory=dict)
    said: list[tuple[str, int, Any, int | None]] = field(default_factory=list)
    last_id: int = 1000

    def _made(self, kind: str, chat_id: int, what: Any, reply_to: int | None) -> int:
        if chat_id in self.refuse:
            raise Undeliverable(self.refuse[chat_id], self.refuse[chat_id].upper())
        self.last_id += 1
        self.said.append((kind, chat_id, what, reply_to))
        return self.last_id

    async def send_text(self, chat_id: int, text: RichText | str, *, reply_to: int | None = None,
                        buttons: Any = (), silent: bool = False,
                        random_id: int | None = None) -> int:
        return self._made("text", chat_id, str(getattr(text, "text", text)), reply_to)

    async def copy(self, from_chat: int, message_id: int, to_chat: int, *,
                   reply_to: int | None = None, values: Any = None,
                   random_id: int | None = None, mark: Any = None) -> list[tuple[int, int]]:
        return [(message_id, self._made("copy", to_chat, message_id, reply_to))]

    async def mirror_edit(self, from_chat: int, message_id: int, to_chat: int,
                          to_message_id: int, values: Any = None, mark: Any = None) -> None:
        self._made("mirror", to_chat, to_message_id, None)

    async def edit_text(self, chat_id: int, message_id: int, text: Any, *,
                        buttons: Any = ()) -> None:
        self._made("edit", chat_id, message_id, None)

    async def pin(self, chat_id: int, message_id: int) -> None:
        self._made("pin", chat_id, message_id, None)

    async def unpin(self, chat_id: int, message_id: int) -> None:
        self._made("unpin", chat_id, message_id, None)


@dataclass
class Bench:
    storage: Storage
    telegram: Recorder
    ctx: DeskContext
    outbox: Outbox
    thread_id: int
    atendimento_id: int


@pytest.fixture
async def bench(storage: Storage) -> AsyncIterator[Bench]:
    telegram, background = Recorder(), Background()
    ctx = DeskContext(storage=storage, telegram=telegram,  # type: ignore[arg-type]
                      wording=Wording(Translator("pt_BR"), "America/Sao_Paulo"),
                      texts=None,  # type: ignore[arg-type]  # the outbox reads no texts
                      clock=FixedClock(), channel_id=CHANNEL, group_id=GROUP, bot_id=BOT,
                      roots=Roots())
    outbox = ctx.outbox = Outbox(ctx, background)

    async def run_now(key: Any, job: Any, cause: str | None = None) -> Any:
        return await job()

    # Threads registers the card's and the pin's records, as in the desk.
    Threads(ctx, Events(outbox, run_now))

    def seed(t: Any) -> tuple[int, int]:
        for client in (ANA, RUI):
            client_rows.upsert(t, user_id=client, first_name="Ana", now=NOW)
        thread = thread_rows.create(t, client_id=ANA, now=NOW)
        thread_rows.set_root(t, thread.id, ROOT, now=NOW)
        return thread.id, thread_rows.open_atendimento(t, thread.id, now=NOW).id

    thread_id, atendimento_id = await storage.run(seed)
    yield Bench(storage, telegram, ctx, outbox, thread_id, atendimento_id)
    await outbox.idle()
    await background.close()


def decisions(b: Bench) -> list[tuple[Send, dict[str, Any]]]:
    """A client's message, the card posted and pinned, a comment to a client who blocked the
    bot, an edit whose copy is gone: typed, and as the previous release wrote them."""
    th, at = b.thread_id, b.atendimento_id
    return [
        (Send(GROUP, COPY, {"from": ANA, "id": 5, "reply_to": ROOT, "root": ROOT},
              records=(MessageLink(at, TO_TEAM, ANA, GROUP),), failure=Failure(th, root=ROOT)),
         {"from": ANA, "id": 5, "reply_to": ROOT, "root": ROOT,
          "link": {"a": at, "d": TO_TEAM, "cc": ANA, "gc": GROUP, "mg": None},
          "on_fail": {"thread": th, "root": ROOT}}),
        (text_send(CHANNEL, "🟡 Ana", silent=True, records=[CardPosted(th)]),
         {"text": "🟡 Ana", "silent": True, "card_of": th}),
        (Send(CHANNEL, PIN, {"id": 900}, records=(PinSet(th, True),)),
         {"id": 900, "pin": [th, True]}),
        (Send(ANA, COPY, {"from": GROUP, "id": 77, "reply_to": None},
              records=(MessageLink(at, TO_CLIENT, ANA, GROUP),),
              failure=Failure(th, root=ROOT, under=77, client_id=ANA)),
         {"from": GROUP, "id": 77, "reply_to": None,
          "on_fail": {"thread": th, "under": 77, "root": ROOT, "client": ANA},
          "link": {"a": at, "d": TO_CLIENT, "cc": ANA, "gc": GROUP, "mg": None}}),
        (Send(RUI, MIRROR, {"from": GROUP, "id": 78, "to_id": 12},
              failure=Failure(th, root=ROOT, under=78, edit=True)),
         {"from": GROUP, "id": 78, "to_id": 12,
          "on_fail": {"thread": th, "under": 78, "root": ROOT, "edit": True}}),
    ]


@pytest.mark.parametrize("written_by", ["previous release", "typed sends"])
async def test_rows_settle_the_same_whoever_wrote_them(bench: Bench, written_by: str) -> None:
    b = bench
    b.telegram.refuse = {ANA: BLOCKED, RUI: NOT_FOUND}
    pairs = decisions(b)
    keys = [legacy_key(CAUSE, s.chat_id, s.action, raw) for s, raw in pairs]
    if written_by == "previous release":  # still pending when this release starts
        await b.storage.run(rows.put, [
            rows.NewItem(key, s.chat_id, s.action, raw, 1 + 100 * n)
            for n, (key, (s, raw)) in enumerate(zip(keys, pairs, strict=True))], NOW)
        assert await b.outbox.resume() == len(pairs)
    else:
        _, tickets = await b.outbox.commit([s for s, _ in pairs], cause=CAUSE)
        assert len(tickets) == len(pairs)
    await b.outbox.idle()

    def outcome(t: Any) -> Any:
        return ([rows.get(t, key) for key in keys], thread_rows.require(t, b.thread_id),
                client_rows.require(t, ANA), link_rows.find_by_client_message(t, ANA, 5),
                link_rows.find_by_group_message(t, GROUP, 77))

    items, thread, ana, linked, unlinked = await b.storage.run(outcome)
    assert [i.payload for i in items] == [raw for _, raw in pairs]  # same rows, same keys
    assert [i.state for i in items] == [rows.SENT] * 3 + [rows.FAILED] * 2
    said = b.telegram.said
    assert linked is not None and linked.group_message_id == items[0].result[0][1]
    assert linked.atendimento_id == b.atendimento_id and linked.direction == TO_TEAM
    assert unlinked is None  # refused: nothing to link
    card_id = items[1].result[0]
    assert thread.card_message_id == card_id and thread.pinned
    assert ana.blocked_bot
    guard = GuardWording(b.ctx.wording.tr)
    # Each refusal is said in the thread under what was refused (the two lanes race).
    lines = sorted((reply_to, text) for kind, chat, text, reply_to in said
                   if kind == "text" and chat == GROUP)
    assert lines == [(77, b.ctx.wording.undelivered(BLOCKED, "BLOCKED")),
                     (78, guard.edit_target_gone())]
    # The client blocked the bot: the card is redrawn (⛔), after it was posted.
    assert ("edit", CHANNEL, card_id, None) in said


async def test_unknown_payload_keys_are_ignored(bench: Bench) -> None:
    payload = {"text": "oi", "a_newer_release_key": [1, 2]}
    await bench.storage.run(rows.put, [rows.NewItem("old|text|x", GROUP, TEXT, payload, 9)],
                            NOW)
    await bench.outbox.resume()
    delivery = await bench.outbox.after("old|text|x")
    assert delivery is not None and delivery.ok


@dataclass(frozen=True)
class Noted:
    """A feature's own record: a setting written when the send is delivered."""

    key: ClassVar[str] = "noted"
    note: str

    def encode(self) -> str:
        return self.note

    @classmethod
    def decode(cls, value: Any) -> Noted:
        return cls(value)


@dataclass(frozen=True)
class Broken:
    key: ClassVar[str] = "broken"

    def encode(self) -> int:
        return 1

    @classmethod
    def decode(cls, value: Any) -> Broken:
        return cls()


def note(t: Any, record: Noted, delivery: Any, now: datetime) -> None:
    setting_rows.put(t, "noted", [record.note, delivery.message_id], now=now)


def fail(t: Any, record: Broken, delivery: Any, now: datetime) -> None:
    raise RuntimeError("the feature's record cannot be written")


async def test_a_feature_registers_its_own_record(bench: Bench) -> None:
    bench.outbox.settles(Noted, note)
    send = text_send(GROUP, "oi", records=[Noted("first")])
    _, (ticket,) = await bench.outbox.commit([send], cause=CAUSE)
    delivery = await ticket
    assert await bench.storage.run(setting_rows.get, "noted") == ["first", delivery.message_id]
    item = await bench.storage.run(rows.get, Outbox.key_in(CAUSE, send))
    assert item is not None and item.state == rows.SENT
    assert item.payload == {"text": "oi", "noted": "first"}


async def test_a_feature_record_is_settled_with_the_send_or_not_at_all(bench: Bench) -> None:
    bench.outbox.settles(Noted, note)
    bench.outbox.settles(Broken, fail)  # applied after Noted, in the same transaction
    send = text_send(GROUP, "oi", records=[Noted("lost"), Broken()])
    _, (ticket,) = await bench.outbox.commit([send], cause=CAUSE)
    with pytest.raises(RuntimeError, match="cannot be written"):
        await ticket
    await bench.outbox.idle()
    assert await bench.storage.run(setting_rows.get, "noted") is None
    pending = await bench.storage.run(rows.pending)  # sent, settled at the next start
    assert [i.key for i in pending] == [Outbox.key_in(CAUSE, send)]


async def test_a_record_nobody_settles_is_refused_when_decided(bench: Bench) -> None:
    with pytest.raises(LookupError, match="Noted"):
        await bench.outbox.commit([text_send(GROUP, "oi", records=[Noted("x")])])
    assert await bench.storage.run(rows.pending) == []
    assert bench.telegram.said == []


# --- tickets ------------------------------------------------------------------------------------


async def test_a_ticket_is_found_by_its_send(bench: Bench) -> None:
    restart = text_send(ANA, "De volta!")
    relay = Send(GROUP, COPY, {"from": ANA, "id": 5, "reply_to": ROOT},
                 key=album_key(ANA, "13579"))
    line = text_send(GROUP, "Atendimento 2", reply_to=ROOT)
    _, tickets = await bench.outbox.commit([restart, relay, line], cause=CAUSE)
    assert isinstance(tickets, Tickets)
    assert tickets.of(relay) is tickets[1] and tickets.of(line) is tickets[2]
    assert tickets.of(restart) is tickets[0]
    with pytest.raises(LookupError):
        tickets.of(text_send(ANA, "never decided"))
    copied = await tickets.of(relay)
    assert copied.ok and copied.pairs[0][0] == 5
    # Decided again (the update came again after a crash): the same rows, the same outcome.
    _, again = await bench.outbox.commit([restart, relay, line], cause=CAUSE)
    assert (await again.of(relay)).result == copied.result

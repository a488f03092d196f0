"""Webhook delivery against a real HTTP receiver on 127.0.0.1 that checks every signature with
its own HMAC code: order per client, retries with backoff while the receiver fails or is
down, a day's limit, restarts, de-duplication by event id; and the signing and payload
helpers. The clock is a fake one the tests move; nothing sleeps beyond milliseconds."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import socket
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from atendimento.domain.happenings import (
    AtendimentoOpened,
    ClientMessageRelayed,
    ClientStarted,
    TeamAnswerSent,
)
from atendimento.features import webhooks
from atendimento.features.webhooks import delivery, payloads, signing
from atendimento.features.webhooks.delivery import Deliverer
from atendimento.storage import Storage
from atendimento.storage import webhooks as rows

SECRET = "s3cr3t-" + "w" * 25
ANA, BIA, CAIO = 7_123_456_789, 7_123_456_790, 42
START = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.current = START

    def now(self) -> datetime:
        return self.current

    def advance(self, **step: float) -> None:
        self.current += timedelta(**step)


class Receiver:
    """A webhook endpoint that can answer an error, hang, be down and come back on the same
    port. `answer(event)` gives the status of each genuine request."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.port = 0
        self.runner: web.AppRunner | None = None
        self.answer = lambda event: 204
        self.accepted: list[dict] = []  # events answered with a 2xx, in arrival order
        self.requests: list[tuple[dict, bytes, dict[str, str]]] = []  # every genuine one
        self.forged = 0
        self.in_flight: Counter[int] = Counter()
        self.most_in_flight = 0
        self.most_per_client = 0
        self.hang = asyncio.Event()  # set: requests wait on `release` before any answer
        self.release = asyncio.Event()
        self.arrived = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/events?key=query-secret"

    async def up(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        app = web.Application()
        app.router.add_post("/events", self.receive)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.SockSite(self.runner, sock).start()

    async def down(self) -> None:
        if self.runner is not None:
            self.release.set()
            await self.runner.cleanup()
            self.runner = None

    def genuine(self, body: bytes, header: str) -> bool:
        fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        stamp = fields.get("t", "")
        if not stamp.isascii() or not stamp.isdigit():
            return False
        if abs(self.clock.now().timestamp() - int(stamp)) > 300:
            return False
        expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        return hmac.compare_digest(expected.hexdigest().encode(),
                                   fields.get("v1", "").encode())

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self.genuine(body, request.headers.get(signing.SIGNATURE, "")):
            self.forged += 1
            return web.Response(status=401)
        event = json.loads(body.decode("utf-8"))
        self.requests.append((event, body, dict(request.headers)))
        client = event["client_id"]
        self.in_flight[client] += 1
        self.most_per_client = max(self.most_per_client, self.in_flight[client])
        self.most_in_flight = max(self.most_in_flight, sum(self.in_flight.values()))
        try:
            self.arrived.set()
            if self.hang.is_set():
                await self.release.wait()
                return web.Response(status=503)
            await asyncio.sleep(0.002)  # long enough for the other requests to overlap
            status = self.answer(event)
            if 200 <= status < 300:
                self.accepted.append(event)
            return web.Response(status=status)
        finally:
            self.in_flight[client] -= 1

    def of(self, client_id: int) -> list[str]:
        return [e["data"]["text"] for e in self.accepted if e["client_id"] == client_id]

    def tries(self, text: str) -> list[tuple[bytes, dict[str, str]]]:
        return [(body, headers) for event, body, headers in self.requests
                if event["data"].get("text") == text]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def storage(database_url):
    store = Storage.open(database_url)
    await store.migrate(features=[webhooks.migrations()])
    try:
        yield store
    finally:
        await store.aclose()


@pytest.fixture
async def receiver(clock):
    endpoint = Receiver(clock)
    await endpoint.up()
    try:
        yield endpoint
    finally:
        await endpoint.down()


def deliverer(storage, clock, *urls: str) -> Deliverer:
    return Deliverer(storage, secret=SECRET, clock=clock, urls=urls)


async def write(storage, clock, urls, event, cause: str = "") -> int:
    """What the feature's listener does for `event`: its bodies queued once per URL."""
    cause = cause or f"update:{id(event)}"
    new = []
    for kind, data in payloads.events_of(event):
        identifier = payloads.event_id(cause, event, kind)
        body = payloads.body(identifier, kind, event.client_id, data, clock.now())
        new += [rows.NewDelivery(identifier, url, event.client_id, kind, body) for url in urls]
    return await storage.run(rows.enqueue, new, clock.now())


def message(client_id: int, text: str) -> ClientMessageRelayed:
    return ClientMessageRelayed(client_id, thread_id=1, atendimento_id=1, copy_id=len(text),
                                text=text)


async def messages(storage, clock, urls, client_id: int, *texts: str) -> None:
    for text in texts:
        await write(storage, clock, urls, message(client_id, text), cause=f"{client_id}:{text}")


async def test_events_arrive_signed_once_and_in_order_per_client(storage, clock, receiver):
    other = Receiver(clock)
    await other.up()
    try:
        urls = (receiver.url, other.url)
        for n in range(4):
            for client in (ANA, BIA, CAIO):
                await messages(storage, clock, urls, client, f"{client}-{n} olá ✓")
        hooks = deliverer(storage, clock, *urls)
        assert await hooks.deliver_due() == 24
        assert await hooks.deliver_due() == 0
        for endpoint in (receiver, other):
            for client in (ANA, BIA, CAIO):
                assert endpoint.of(client) == [f"{client}-{n} olá ✓" for n in range(4)]
            assert endpoint.forged == 0 and endpoint.most_per_client == 1
            assert len({e["id"] for e in endpoint.accepted}) == 12
        queued = {e["id"] for e in receiver.accepted}
        assert queued == {e["id"] for e in other.accepted}  # one event id for every URL
        event, body, headers = receiver.requests[0]
        assert headers["Content-Type"] == "application/json"
        assert headers[signing.EVENT_ID] == event["id"]
        assert headers[signing.EVENT_TYPE] == event["type"] == "message.received"
        assert headers[signing.SIGNATURE].startswith(f"t={int(clock.now().timestamp())},v1=")
        assert "olá ✓".encode() in body  # UTF-8, not \\u escapes
        assert await storage.run(rows.depth) == (0, None)
    finally:
        await other.down()


async def test_requests_go_out_together_but_one_per_client_at_a_time(storage, clock,
                                                                     receiver):
    for client in range(1, 21):
        await messages(storage, clock, [receiver.url], client, f"{client}-a", f"{client}-b")
    assert await deliverer(storage, clock, receiver.url).deliver_due() == 40
    assert receiver.most_per_client == 1
    assert 1 < receiver.most_in_flight <= delivery.AT_ONCE
    assert all(receiver.of(c) == [f"{c}-a", f"{c}-b"] for c in range(1, 21))


async def test_a_receiver_failing_then_down_loses_nothing_and_keeps_each_clients_order(
        storage, clock, receiver, caplog):
    caplog.set_level(logging.DEBUG)
    url = receiver.url
    hooks = deliverer(storage, clock, url)
    await messages(storage, clock, [url], ANA, "a1", "a2", "a3")
    await messages(storage, clock, [url], BIA, "b1", "b2")
    receiver.answer = lambda event: 500
    assert await hooks.deliver_due() == 0
    assert sorted(e["data"]["text"] for e, _, _ in receiver.requests) == ["a1", "b1"]

    clock.advance(seconds=9)  # the first pause is 10 s: nothing is due yet
    assert await hooks.deliver_due() == 0
    assert len(receiver.requests) == 2
    clock.advance(seconds=1)
    assert await hooks.deliver_due() == 0
    assert len(receiver.requests) == 4  # a1 and b1 again; a2, a3, b2 wait behind them

    await receiver.down()
    clock.advance(seconds=20)  # the second pause: 20 s; the connection is refused
    assert await hooks.deliver_due() == 0
    await messages(storage, clock, [url], ANA, "a4")
    await messages(storage, clock, [url], CAIO, "c1")  # a new client, while down
    assert await hooks.deliver_due() == 0
    assert (await storage.run(rows.depth))[0] == 7

    receiver.answer = lambda event: 200
    await receiver.up()
    assert receiver.url == url
    assert await hooks.deliver_due() == 0  # a1 and b1 wait out their 40 s pause
    assert receiver.of(CAIO) == []  # c1 was tried while down; its pause is running too
    clock.advance(seconds=40)
    assert await hooks.deliver_due() == 7
    assert receiver.of(ANA) == ["a1", "a2", "a3", "a4"]
    assert (receiver.of(BIA), receiver.of(CAIO)) == (["b1", "b2"], ["c1"])
    assert await storage.run(rows.depth) == (0, None)

    tries = receiver.tries("a1")
    assert len(tries) == 3  # twice 500, once accepted (the refused one never arrived)
    assert len({body for body, _ in tries}) == 1  # the same bytes every time
    assert len({h[signing.EVENT_ID] for _, h in tries}) == 1
    assert len({h[signing.SIGNATURE] for _, h in tries}) == 3  # signed when sent
    assert not [r for r in caplog.records if SECRET in r.getMessage()]
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("atendimento"))
    assert "query-secret" not in ours and '"a1"' not in ours  # no query string, no body


async def test_one_clients_failing_event_holds_up_only_that_client(storage, clock, receiver):
    url = receiver.url
    hooks = deliverer(storage, clock, url)
    await messages(storage, clock, [url], ANA, "a1", "a2")
    await messages(storage, clock, [url], BIA, "b1", "b2", "b3")
    receiver.answer = lambda event: 502 if event["client_id"] == ANA else 200
    assert await hooks.deliver_due() == 3
    assert receiver.of(BIA) == ["b1", "b2", "b3"]
    assert [e["data"]["text"] for e, _, _ in receiver.requests if e["client_id"] == ANA] == [
        "a1"]
    await messages(storage, clock, [url], BIA, "b4")
    assert await hooks.deliver_due() == 1
    receiver.answer = lambda event: 200
    clock.advance(seconds=10)
    assert await hooks.deliver_due() == 2
    assert receiver.of(ANA) == ["a1", "a2"]


async def test_pauses_double_up_to_an_hour_and_a_day_later_the_event_is_given_up(
        storage, clock, receiver, caplog):
    url = receiver.url
    hooks = deliverer(storage, clock, url)
    await messages(storage, clock, [url], ANA, "doomed", "next")
    await messages(storage, clock, [url], BIA, "other")
    receiver.answer = lambda event: 500 if event["data"]["text"] == "doomed" else 200
    assert await hooks.deliver_due() == 1  # "other"
    later = START + timedelta(days=2)
    doomed = (await storage.run(rows.heads, later, 10))[0].event_id
    pauses, last = [], 0
    while rows.FAILED not in await storage.run(rows.states) and len(pauses) < 50:
        (head,) = await storage.run(rows.heads, later, 10)
        assert head.event_id == doomed  # "next" never goes before it
        pauses.append((head.next_at - clock.now()).total_seconds())
        clock.current = head.next_at
        last = await hooks.deliver_due()
    assert last == 1  # "next" went in the pass that gave "doomed" up
    assert pauses[:9] == [10 * 2**n for n in range(9)]
    assert set(pauses[9:]) == {3600}
    attempts = len(receiver.tries("doomed"))
    assert attempts == len(pauses) + 1 and attempts < 40
    assert clock.now() - START >= delivery.RETRY_FOR
    assert clock.now() - START < delivery.RETRY_FOR + timedelta(hours=1)
    assert receiver.of(ANA) == ["next"]
    assert await storage.run(rows.states) == {rows.DELIVERED: 2, rows.FAILED: 1}
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert doomed in warnings[0].getMessage()
    assert f"127.0.0.1:{receiver.port}/events" in warnings[0].getMessage()
    assert "query-secret" not in caplog.text and SECRET not in caplog.text


async def test_a_receiver_that_does_not_answer_in_time_is_tried_again(storage, clock, receiver,
                                                                      monkeypatch):
    monkeypatch.setattr(delivery, "TIMEOUT", 0.05)
    url = receiver.url
    hooks = deliverer(storage, clock, url)
    await messages(storage, clock, [url], ANA, "slow", "after")
    receiver.hang.set()
    assert await hooks.deliver_due() == 0
    receiver.hang.clear()
    receiver.release.set()
    cursor = await storage.run(lambda t: t.db.execute_sql(
        "SELECT attempts, last_error FROM webhook_deliveries ORDER BY id").fetchall())
    assert cursor[0][0] == 1 and "Timeout" in cursor[0][1] and cursor[1][0] == 0
    clock.advance(seconds=10)
    assert await hooks.deliver_due() == 2
    assert receiver.of(ANA) == ["slow", "after"]


async def test_pending_events_are_delivered_after_a_restart(database_url, storage, clock,
                                                            receiver):
    url = receiver.url
    await messages(storage, clock, [url], ANA, "a1", "a2")
    await messages(storage, clock, [url], BIA, "b1")
    receiver.hang.set()  # a1 and b1 reach the receiver, and the desk stops before an answer
    first = asyncio.create_task(deliverer(storage, clock, url).deliver_due())
    while len(receiver.requests) < 2:
        await receiver.arrived.wait()
        receiver.arrived.clear()
    first.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await first
    await storage.aclose()
    receiver.hang.clear()
    receiver.release.set()

    again = Storage.open(database_url)
    try:
        await again.migrate(features=[webhooks.migrations()])
        assert (await again.run(rows.depth))[0] == 3
        assert await deliverer(again, clock, url).deliver_due() == 3
    finally:
        await again.aclose()
    assert (receiver.of(ANA), receiver.of(BIA)) == (["a1", "a2"], ["b1"])
    # At least once: a1 arrived twice, with the same event id, for the receiver to de-dup.
    tries = receiver.tries("a1")
    assert len(tries) == 2 and tries[0][0] == tries[1][0]
    assert tries[0][1][signing.EVENT_ID] == tries[1][1][signing.EVENT_ID]


async def test_an_event_heard_twice_is_queued_and_delivered_once(storage, clock, receiver):
    url = receiver.url
    event = message(ANA, "once")
    assert await write(storage, clock, [url], event, cause="row7>1") == 1
    clock.advance(seconds=1)  # the listener runs again after a crash, a moment later
    assert await write(storage, clock, [url], event, cause="row7>1") == 0
    assert await write(storage, clock, [url], event, cause="row8>1") == 1  # another event
    opened = AtendimentoOpened(ANA, 1, 1, 1, False, "Ana", "site", None, "oi", None)
    assert await write(storage, clock, [url], opened, cause="row9>1") == 2
    assert await write(storage, clock, [url], opened, cause="row9>1") == 0
    assert await deliverer(storage, clock, url).deliver_due() == 4
    kinds = [e["type"] for e in receiver.accepted]
    assert kinds == ["message.received", "message.received", "client.created",
                     "atendimento.opened"]
    assert len({e["id"] for e in receiver.accepted}) == 4


async def test_passes_run_one_at_a_time(storage, clock, receiver):
    url = receiver.url
    for client in (ANA, BIA, CAIO):
        await messages(storage, clock, [url], client, f"{client}-1", f"{client}-2")
    hooks = deliverer(storage, clock, url)
    done = await asyncio.gather(*(hooks.deliver_due() for _ in range(3)))
    assert sum(done) == 6
    assert sorted(Counter(e["id"] for e in receiver.accepted).values()) == [1] * 6
    assert receiver.most_per_client == 1


async def test_kicks_ask_for_one_pass_at_a_time(storage, clock, receiver):
    url = receiver.url
    hooks = deliverer(storage, clock, url)
    spawned = []

    def spawn(work, name):
        spawned.append(work)

    await messages(storage, clock, [url], ANA, "k1")
    hooks.kick(spawn)
    hooks.kick(spawn)
    assert len(spawned) == 1
    assert await spawned.pop() == 1
    await messages(storage, clock, [url], ANA, "k2")
    hooks.kick(spawn)
    assert len(spawned) == 1
    assert await spawned.pop() == 1
    assert receiver.of(ANA) == ["k1", "k2"]


def hmac_hex(secret: str, body: bytes, stamp: int) -> str:
    return hmac.new(secret.encode(), str(stamp).encode() + b"." + body,
                    hashlib.sha256).hexdigest()


def test_sign_makes_the_documented_header():
    body = '{"id":"x","texto":"olá"}'.encode()
    assert signing.sign(SECRET, body, 1_700_000_000) == (
        f"t=1700000000,v1={hmac_hex(SECRET, body, 1_700_000_000)}")
    assert (signing.SIGNATURE, signing.EVENT_ID, signing.EVENT_TYPE) == (
        "X-Atendimento-Signature", "X-Atendimento-Event-Id", "X-Atendimento-Event")


def test_verify_accepts_the_signature_and_refuses_everything_else():
    body, stamp = b'{"id":"e1","type":"message.sent"}', 1_700_000_000
    good = signing.sign(SECRET, body, stamp)
    digest = hmac_hex(SECRET, body, stamp)
    assert signing.verify(SECRET, body, good, now=stamp)
    assert signing.verify(SECRET, body, good, now=stamp + 300)
    assert signing.verify(SECRET, body, good, now=stamp - 300)
    assert signing.verify(SECRET, body, f" t={stamp}, v1={digest} ", now=stamp)
    assert not signing.verify(SECRET, body + b" ", good, now=stamp)
    assert not signing.verify(SECRET, body.replace(b"e1", b"e2"), good, now=stamp)
    assert not signing.verify(SECRET + "x", body, good, now=stamp)
    assert not signing.verify(SECRET, body, good, now=stamp + 301)  # too old
    assert not signing.verify(SECRET, body, good, now=stamp - 301)  # from the future
    assert not signing.verify(SECRET, body, good, now=stamp + 20, window=10)
    resigned = signing.sign(SECRET, body, stamp + 60)  # a replay cannot move its time
    assert not signing.verify(SECRET, body, f"t={stamp + 60},v1={digest}", now=stamp + 60)
    assert signing.verify(SECRET, body, resigned, now=stamp + 60)
    malformed = ["", "garbage", "t=,v1=", f"v1={digest}", f"t={stamp}", f"t={stamp},v1=",
                 f"t=abc,v1={digest}", f"t=-{stamp},v1={digest}", f"t={stamp}.5,v1={digest}",
                 f"t={stamp},v1={digest},t={stamp}", f"t={stamp};v1={digest}",
                 f"t={stamp},v1={digest.upper()}x", f"t={stamp},v1={digest[:-1]}é",
                 f"t=¹⁷⁰⁰,v1={digest}", f"t={'٠' * 3},v1={digest}", f"t={stamp}{'0' * 30},"
                 f"v1={digest}"]
    for header in malformed:
        assert not signing.verify(SECRET, body, header, now=stamp), header


def test_bodies_are_compact_utf8_json_with_a_stable_id():
    event = TeamAnswerSent(ANA, atendimento_id=3, author_id=99, via="api")
    ((kind, data),) = payloads.events_of(event)
    assert (kind, data) == ("message.sent", {"by": 99, "via": "api"})
    first = payloads.event_id("upd:5", event, kind)
    assert first == payloads.event_id("upd:5", event, kind)
    assert first != payloads.event_id("upd:6", event, kind)
    assert first != payloads.event_id("upd:5", TeamAnswerSent(ANA, 3, 98, "api"), kind)
    text = payloads.body(first, kind, ANA, {"text": "olá ✓"}, START)
    assert text == (f'{{"id":"{first}","type":"message.sent","created_at":'
                    f'"2026-03-14T12:00:00Z","client_id":{ANA},"data":{{"text":"olá ✓"}}}}')
    assert payloads.events_of(ClientStarted(ANA, "Ana")) == []
    opened = AtendimentoOpened(ANA, 1, 1, 1, False, "Ana", None, None, "oi", None)
    assert [k for k, _ in payloads.events_of(opened)] == ["client.created",
                                                          "atendimento.opened"]
    ids = {payloads.event_id("c", opened, k) for k, _ in payloads.events_of(opened)}
    assert len(ids) == 2
    resumed = AtendimentoOpened(ANA, 1, 2, 2, True, "Ana", None, None, "oi", None)
    assert [k for k, _ in payloads.events_of(resumed)] == ["atendimento.opened"]

"""Story: a CRM receives the desk's events on its webhook URL. Every request is signed (the
receiver here checks the HMAC with its own code), every kind of event arrives, in order per
client, and nothing is lost while the receiver is down or the desk restarts."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
from aiohttp import web

from atendimento.features.csat.asking import LABELS
from atendimento.features.webhooks import signing
from atendimento.features.webhooks.delivery import RETRY_FOR, backoff
from atendimento.storage import webhooks as rows

from .conftest import RunningDesk, opened

SECRET = "w" * 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """A webhook endpoint on a fixed port that can be down, fail, and come back."""

    def __init__(self, port: int, now) -> None:
        self.port, self.now = port, now
        self.url = f"http://127.0.0.1:{port}/events?key=abc"
        self.events: list[dict] = []
        self.headers: list[dict] = []
        self.status = 200
        self.forged = 0
        self.runner: web.AppRunner | None = None

    async def up(self) -> None:
        app = web.Application()
        app.router.add_post("/events", self.receive)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True).start()

    async def down(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    def genuine(self, body: bytes, header: str) -> bool:
        parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
        stamp = parts.get("t", "")
        if not stamp.isdigit() or abs(self.now() - int(stamp)) > 300:
            return False
        mac = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        return hmac.compare_digest(mac.hexdigest(), parts.get("v1", ""))

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self.genuine(body, request.headers.get(signing.SIGNATURE, "")):
            self.forged += 1
            return web.Response(status=401)
        if self.status != 200:
            return web.Response(status=self.status)
        event = json.loads(body)
        assert request.headers[signing.EVENT_ID] == event["id"]
        assert request.headers[signing.EVENT_TYPE] == event["type"]
        self.events.append(event)
        return web.Response(status=204)

    def of(self, client_id: int) -> list[str]:
        return [e["type"] for e in self.events if e["client_id"] == client_id]


@pytest.fixture
async def receiver(sandbox):
    hook = Receiver(free_port(), sandbox.clock.now)
    await hook.up()
    yield hook
    await hook.down()


def hooked(sandbox, tmp_path, database_url, receiver, **settings) -> RunningDesk:
    return RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en",
                       WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET, **settings)


async def delivered(desk: RunningDesk) -> int:
    await desk.settle()
    return await desk.app.desk.api("webhooks").deliver_due()


async def queue(desk: RunningDesk) -> dict[str, int]:
    return await desk.app.storage.run(rows.states)


async def test_every_event_arrives_signed_and_in_order(sandbox, tmp_path, database_url,
                                                       receiver):
    desk = hooked(sandbox, tmp_path, database_url, receiver)
    await desk.start()
    try:
        ana, card = await opened(sandbox, desk, "Ana Souza", "en")
        admin = sandbox.admin("Rui Admin")
        admin.comment(card, "Hello Ana")
        admin.comment(card, "/p alta")
        admin.comment(card, "/marcar vip")
        await desk.settle()
        admin.comment(card, "/fim")
        await desk.settle()
        question = ana.chat()[-1]
        ana.press(question, LABELS[5])
        await desk.settle()
        admin.comment(card, "/ban spam")
        await delivered(desk)
        assert receiver.of(ana.id) == [
            "client.created", "atendimento.opened", "message.received", "message.sent",
            "priority.changed", "tags.changed", "atendimento.ended", "csat.received",
            "client.banned"]
        by_type = {e["type"]: e for e in receiver.events}
        assert by_type["message.received"]["data"]["text"] == "Oi"
        assert by_type["message.sent"]["data"] == {"by": admin.id, "via": "thread"}
        assert by_type["tags.changed"]["data"]["added"] == ["vip"]
        assert by_type["csat.received"]["data"]["rating"] == 5
        assert by_type["priority.changed"]["data"]["priority"] == "high"
        assert len({e["id"] for e in receiver.events}) == len(receiver.events)
        assert receiver.forged == 0
        assert await queue(desk) == {"delivered": len(receiver.events)}
        bodies = await desk.app.storage.run(lambda t: t.db.execute_sql(
            "SELECT body FROM webhook_deliveries").fetchall())
        assert {body for (body,) in bodies} == {""}  # what Ana wrote is not kept
    finally:
        await desk.stop()


async def test_a_receiver_down_for_a_while_loses_nothing_and_keeps_each_clients_order(
        sandbox, tmp_path, database_url, receiver):
    desk = hooked(sandbox, tmp_path, database_url, receiver)
    await desk.start()
    try:
        await receiver.down()
        people = [sandbox.client(name, language="en") for name in ("Ana Souza", "Bia Reis")]
        for round_ in range(3):
            for person in people:
                person.send(f"message {round_}")
            await desk.settle()
        assert await delivered(desk) == 0
        waiting = await queue(desk)
        assert waiting == {"pending": 2 * (2 + 3)}  # created, opened, 3 messages each
        sandbox.clock.advance(3600)  # an hour down
        assert await delivered(desk) == 0
        await receiver.up()
        assert await delivered(desk) == 0  # not due yet: the pause grew
        sandbox.clock.advance(backoff(10).total_seconds())
        assert await delivered(desk) == 10
        for person in people:
            texts = [e["data"]["text"] for e in receiver.events
                     if e["client_id"] == person.id and e["type"] == "message.received"]
            assert texts == ["message 0", "message 1", "message 2"]
            assert receiver.of(person.id)[:2] == ["client.created", "atendimento.opened"]
    finally:
        await desk.stop()


async def test_one_clients_failing_event_holds_up_only_that_client(sandbox, tmp_path,
                                                                   database_url, receiver):
    desk = hooked(sandbox, tmp_path, database_url, receiver)
    await desk.start()
    try:
        ana, _ = await opened(sandbox, desk, "Ana Souza", "en")
        await delivered(desk)
        receiver.status = 500
        ana.send("first")
        await delivered(desk)
        receiver.status = 200
        ana.send("second")
        bia, _ = await opened(sandbox, desk, "Bia Reis", "en")
        await delivered(desk)
        assert receiver.of(bia.id) == ["client.created", "atendimento.opened",
                                       "message.received"]
        assert receiver.of(ana.id).count("message.received") == 1  # "Oi" only: waits
        sandbox.clock.advance(backoff(1).total_seconds())
        await delivered(desk)
        texts = [e["data"]["text"] for e in receiver.events
                 if e["client_id"] == ana.id and e["type"] == "message.received"]
        assert texts == ["Oi", "first", "second"]
    finally:
        await desk.stop()


async def test_an_event_is_given_up_after_a_day_and_the_next_goes(sandbox, tmp_path,
                                                                  database_url, receiver):
    desk = hooked(sandbox, tmp_path, database_url, receiver)
    await desk.start()
    try:
        receiver.status = 503
        ana, _ = await opened(sandbox, desk, "Ana Souza", "en")
        waited = timedelta()
        while waited <= RETRY_FOR:
            await delivered(desk)
            step = backoff(12)
            sandbox.clock.advance(step.total_seconds())
            waited += step
        await delivered(desk)
        assert (await queue(desk)) == {"failed": 3}
        receiver.status = 200
        ana.send("later")
        await delivered(desk)
        assert receiver.of(ana.id) == ["message.received"]
    finally:
        await desk.stop()


async def test_pending_events_are_delivered_after_a_restart(sandbox, tmp_path, database_url,
                                                            receiver):
    desk = hooked(sandbox, tmp_path, database_url, receiver)
    await desk.start()
    await receiver.down()
    ana, _ = await opened(sandbox, desk, "Ana Souza", "en")
    ana.send("are you there?")
    await delivered(desk)
    await desk.stop()
    await receiver.up()
    sandbox.clock.advance(backoff(1).total_seconds())
    await desk.start()  # the delivery job runs once at start
    try:
        for _ in range(300):
            if len(receiver.events) == 4:
                break
            await asyncio.sleep(0.01)
        assert receiver.of(ana.id) == ["client.created", "atendimento.opened",
                                       "message.received", "message.received"]
    finally:
        await desk.stop()


async def test_a_listener_run_again_queues_nothing_twice(sandbox, tmp_path, database_url,
                                                         receiver):
    desk = hooked(sandbox, tmp_path, database_url, receiver)
    await desk.start()
    try:
        ana, card = await opened(sandbox, desk, "Ana Souza", "en")
        hooks = desk.app.desk.api("webhooks")
        from atendimento.domain.happenings import PriorityChanged
        event = PriorityChanged(ana.id, 1, "high", 7)
        outbox = desk.app.desk.outbox
        with outbox.cause("replayed-update"):
            await hooks.heard(event)
            await hooks.heard(event)  # as after a crash, with the same cause
        await delivered(desk)
        assert receiver.of(ana.id).count("priority.changed") == 1
    finally:
        await desk.stop()


def test_verify_accepts_the_signature_and_refuses_everything_else():
    body = b'{"id":"x","type":"message.received"}'
    header = signing.sign(SECRET, body, 1_000_000)
    assert signing.verify(SECRET, body, header, now=1_000_100)
    assert not signing.verify(SECRET, body + b" ", header, now=1_000_100)  # tampered
    assert not signing.verify("z" * 32, body, header, now=1_000_100)  # another key
    assert not signing.verify(SECRET, body, header, now=1_000_301)  # too old: a replay
    assert not signing.verify(SECRET, body, header, now=999_699)  # from the future
    stamp, mac = header.split(",")
    for bad in ("", "t=1000000", mac, f"{stamp},v1=", f"t=abc,{mac}", f"{stamp},{mac},{mac}",
                f"{stamp};{mac}", f"t=1000001,{mac}", f"t=-1000000,{mac}"):
        assert not signing.verify(SECRET, body, bad, now=1_000_100), bad


async def test_events_for_a_url_taken_out_of_webhook_url_are_dropped(sandbox, tmp_path,
                                                                     database_url, receiver):
    desk = hooked(sandbox, tmp_path, database_url, receiver)
    await desk.start()
    await receiver.down()
    ana, _ = await opened(sandbox, desk, "Ana Souza", "en")
    await delivered(desk)
    await desk.stop()
    await receiver.up()
    other = Receiver(free_port(), sandbox.clock.now)
    await other.up()
    try:
        moved = hooked(sandbox, tmp_path, database_url, other)
        await moved.start()
        try:
            ana.send("again")
            sandbox.clock.advance(backoff(1).total_seconds())
            await delivered(moved)
            assert receiver.events == []  # no longer configured: nothing more goes there
            assert other.of(ana.id) == ["message.received"]
            assert (await queue(moved)) == {"failed": 3, "delivered": 1}
        finally:
            await moved.stop()
    finally:
        await other.down()

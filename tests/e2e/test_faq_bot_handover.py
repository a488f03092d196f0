"""Story: a company's FAQ bot works beside the desk. It hears the desk's events through a
signed webhook, answers what it can through the API, and when the client asks for a person it
hands them over; while a person handles the client it keeps quiet, and when the attendant
ends the atendimento it hears handover.ended and may speak again. The bot here is a small
script with its own webhook receiver (checking the signatures itself) and HTTP client."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import aiohttp
from aiohttp import web

from .conftest import RunningDesk, bot_said, card_of, thread_texts

TOKEN = "a" * 32
SECRET = "s" * 32


class FaqBot:
    """Receives the desk's webhooks and acts through its API, as an external system would."""

    def __init__(self, now) -> None:
        self.now = now  # the world's clock: the sandbox's
        self.events: list[dict] = []
        self.refused = 0
        self.api: aiohttp.ClientSession | None = None
        self.runner: web.AppRunner | None = None
        self.url = ""
        self.tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.hook)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"

    def connect(self, port: int) -> None:
        self.api = aiohttp.ClientSession(f"http://127.0.0.1:{port}",
                                         headers={"Authorization": f"Bearer {TOKEN}"})

    async def close(self) -> None:
        for task in self.tasks:
            await task
        if self.api is not None:
            await self.api.close()
        if self.runner is not None:
            await self.runner.cleanup()

    def signed(self, request_body: bytes, header: str) -> bool:
        fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        stamp, given = fields.get("t", ""), fields.get("v1", "")
        if not stamp.isdigit() or abs(self.now() - int(stamp)) > 300:
            return False
        expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + request_body,
                            hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, given)

    async def hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self.signed(body, request.headers.get("X-Atendimento-Signature", "")):
            self.refused += 1
            return web.Response(status=401)
        event = json.loads(body)
        if any(e["id"] == event["id"] for e in self.events):
            return web.Response(status=200)  # at least once: seen already
        self.events.append(event)
        if event["type"] == "message.received":
            task = asyncio.ensure_future(self.answer(event))
            self.tasks.add(task)
        return web.Response(status=200)

    async def answer(self, event: dict) -> None:
        client_id, text = event["client_id"], event["data"].get("text", "").lower()
        async with self.api.get(f"/v1/clients/{client_id}") as response:
            client = await response.json()
        if client["person_handling"]:
            return  # a person is on it: the bot stays quiet
        if "person" in text:
            async with self.api.post(f"/v1/clients/{client_id}/handover", json={
                    "reason": "asked for a person",
                    "summary": "Asked about delivery times, then for a person."}) as response:
                assert response.status == 200, await response.text()
        elif "delivery" in text:
            async with self.api.post(f"/v1/clients/{client_id}/messages",
                                     json={"text": "Deliveries take 3 days."}) as response:
                assert response.status == 201, await response.text()

    def types(self, client_id: int) -> list[str]:
        return [e["type"] for e in self.events if e["client_id"] == client_id]


async def eventually(desk: RunningDesk, condition, what: str) -> None:
    for _ in range(500):
        await desk.settle()
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}; {queue_state(desk)}")


async def test_the_faq_bot_hands_over_and_keeps_quiet_until_the_end(sandbox, tmp_path,
                                                                     database_url):
    bot = FaqBot(sandbox.clock.now)
    await bot.start()
    desk = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en", CSAT="off",
                       HTTP_LISTEN="127.0.0.1:0", API_TOKEN=TOKEN, WEBHOOK_URL=bot.url,
                       WEBHOOK_SECRET=SECRET)
    await desk.start()
    bot.connect(desk.app.http.port)
    try:
        ana = sandbox.client("Ana Souza", language="en")
        ana.send("How long does delivery take?")
        await eventually(desk, lambda: "Deliveries take 3 days." in bot_said(ana),
                         "the FAQ bot answered")
        assert thread_texts(sandbox, ana)[-1].endswith("Deliveries take 3 days.")

        ana.send("I want to talk to a person")
        await eventually(desk, lambda: "handover.started" in bot.types(ana.id),
                         "the hand-over")
        card = card_of(sandbox, ana)
        assert "asked for a person" in thread_texts(sandbox, ana)[-1]

        eva = sandbox.team_member("Eva Lima")
        eva.comment(card, "Hi Ana, Eva here. What do you need?")
        await desk.settle()
        ana.send("When will my delivery arrive?")  # the bot must not answer now
        await eventually(desk, lambda: bot.types(ana.id).count("message.received") == 3,
                         "the third message heard")
        for task in list(bot.tasks):
            await task
        await desk.settle()
        assert bot_said(ana).count("Deliveries take 3 days.") == 1
        async with bot.api.get(f"/v1/clients/{ana.id}") as response:
            assert (await response.json())["person_handling"] is True

        eva.comment(card, "/fim")
        await eventually(desk, lambda: "handover.ended" in bot.types(ana.id),
                         "handover.ended")
        async with bot.api.get(f"/v1/clients/{ana.id}") as response:
            client = await response.json()
        assert client["person_handling"] is False and client["handover"] is None

        types = bot.types(ana.id)
        assert types[:3] == ["client.created", "atendimento.opened", "message.received"]
        assert types.index("handover.started") < types.index("atendimento.ended") < \
            types.index("handover.ended")
        sent = [e for e in bot.events if e["type"] == "message.sent"]
        assert [e["data"]["via"] for e in sent] == ["api", "thread"]
        assert bot.refused == 0
    finally:
        await bot.close()
        await desk.stop()


def queue_state(desk: RunningDesk) -> str:
    """What the webhook queue holds, for the failure message of `eventually`."""
    return str(desk.app.storage.run_sync(lambda t: t.db.execute_sql(
        "SELECT event_type, state, attempts, last_error FROM webhook_deliveries "
        "ORDER BY id").fetchall()))

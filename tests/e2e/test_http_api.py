"""Story: another system drives the desk over HTTP — it lists and reads clients, sends as the
bot, tags, ends, and hands a client over to a person — through the real aiohttp server on
loopback, with the bearer token, against the sandbox."""

from __future__ import annotations

import aiohttp
import pytest

from .conftest import RunningDesk, bot_said, card_of, opened, thread_texts

TOKEN = "t" * 32


@pytest.fixture
async def api_desk(sandbox, tmp_path, database_url):
    running = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en",
                          HTTP_LISTEN="127.0.0.1:0", API_TOKEN=TOKEN, API_RATE_LIMIT="1000")
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def http(api_desk):
    base = f"http://127.0.0.1:{api_desk.app.http.port}"
    async with aiohttp.ClientSession(base, headers={"Authorization": f"Bearer {TOKEN}"}) as s:
        yield s


async def call(session, method, path, **kwargs):
    async with session.request(method, path, **kwargs) as response:
        body = await response.json(content_type=None)
        return response.status, body


async def test_every_v1_endpoint_needs_the_token(api_desk, sandbox):
    ana, _card = await opened(sandbox, api_desk, "Ana Souza", "en")
    base = f"http://127.0.0.1:{api_desk.app.http.port}"
    paths = [("GET", "/v1/clients"), ("GET", f"/v1/clients/{ana.id}"),
             ("GET", f"/v1/clients/{ana.id}/atendimentos/1"),
             ("POST", f"/v1/clients/{ana.id}/messages"), ("POST", f"/v1/clients/{ana.id}/tags"),
             ("POST", f"/v1/clients/{ana.id}/end"), ("POST", f"/v1/clients/{ana.id}/handover")]
    wrong = ["", "Bearer", f"Bearer {TOKEN}x", f"Basic {TOKEN}", f"bearer {TOKEN[:-1]}",
             "Bearer " + "t" * 31 + "\u00e9"]
    async with aiohttp.ClientSession(base) as session:
        for index, (method, path) in enumerate(paths):
            header = wrong[index % len(wrong)]
            headers = {"Authorization": header} if header else {}
            status, body = await call(session, method, path, headers=headers,
                                      json={"text": "hi"})
            assert (status, body["error"]) == (401, "unauthorized"), (method, path, header)
    await api_desk.settle()
    assert "hi" not in bot_said(ana)  # nothing was sent


async def test_failed_authentications_are_slowed_down(api_desk):
    base = f"http://127.0.0.1:{api_desk.app.http.port}"
    async with aiohttp.ClientSession(base) as session:
        statuses = [(await call(session, "GET", "/v1/clients",
                                headers={"Authorization": "Bearer guess"}))[0]
                    for _ in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


async def test_list_read_and_paginate_clients(api_desk, sandbox, http):
    people = []
    for name in ("Ana Souza", "Bruno Reis", "Carla Dias"):
        person, _ = await opened(sandbox, api_desk, name, "en")
        people.append(person)
    sandbox.team_member("Eva Lima").comment(card_of(sandbox, people[1]), "/fim")
    await api_desk.settle()

    seen, cursor = [], None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        status, page = await call(http, "GET", "/v1/clients", params=params)
        assert status == 200
        seen += [client["id"] for client in page["clients"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(p.id for p in people)
    listed = page["clients"][0]
    assert listed["created_at"].endswith("Z") and listed["priority"] == "normal"
    assert listed["first_name"] in ("Ana", "Bruno", "Carla") and listed["tags"] == []

    status, page = await call(http, "GET", "/v1/clients", params={"open": "true"})
    assert {c["id"] for c in page["clients"]} == {people[0].id, people[2].id}
    status, page = await call(http, "GET", "/v1/clients", params={"open": "false"})
    assert [c["id"] for c in page["clients"]] == [people[1].id]

    status, ana = await call(http, "GET", f"/v1/clients/{people[0].id}")
    assert status == 200
    assert ana["first_name"] == "Ana" and ana["open"] is True
    assert ana["atendimento"]["number"] == 1 and ana["person_handling"] is False
    assert ana["thread_link"].startswith("https://t.me/c/")

    status, timeline = await call(http, "GET", f"/v1/clients/{people[0].id}/atendimentos/1")
    assert status == 200 and [m["from"] for m in timeline["messages"]] == ["client"]
    assert timeline["messages"][0]["client_message_id"] > 0


async def test_updated_since_and_tag_filters(api_desk, sandbox, http):
    ana, card = await opened(sandbox, api_desk, "Ana Souza", "en")
    bruno, _ = await opened(sandbox, api_desk, "Bruno Reis", "en")
    sandbox.clock.advance(3600)
    status, _ = await call(http, "POST", f"/v1/clients/{ana.id}/tags",
                           json={"add": ["vip", "atacado"]})
    assert status == 200
    mark = "2000-01-01T00:00:00Z"
    status, page = await call(http, "GET", "/v1/clients", params={"updated_since": mark})
    assert status == 200 and len(page["clients"]) == 2
    status, page = await call(http, "GET", "/v1/clients", params={"tag": "VIP"})
    assert [c["id"] for c in page["clients"]] == [ana.id]
    assert page["clients"][0]["tags"] == ["vip", "atacado"]
    from datetime import UTC, datetime
    later = datetime.fromtimestamp(sandbox.clock.now() - 60, UTC).isoformat()
    bruno.send("still there?")
    await api_desk.settle()
    status, page = await call(http, "GET", "/v1/clients", params={"updated_since": later})
    assert [c["id"] for c in page["clients"]] == [bruno.id]
    status, body = await call(http, "GET", "/v1/clients",
                              params={"updated_since": "2026-01-01T00:00:00"})
    assert status == 400 and body["details"][0]["field"] == "updated_since"


async def test_send_as_the_bot_shows_in_the_thread_and_replies_land_under_it(
        api_desk, sandbox, http):
    ana, card = await opened(sandbox, api_desk, "Ana Souza", "en")
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/messages",
                              json={"text": "Your order shipped 📦"})
    assert status == 201, body
    await api_desk.settle()
    assert bot_said(ana)[-1] == "Your order shipped 📦"
    assert thread_texts(sandbox, ana)[-1].endswith("Your order shipped 📦")
    assert "API" in thread_texts(sandbox, ana)[-1]
    line = sandbox.thread(card)[-1]
    assert body["thread_message_id"] == line.id
    ana.reply(ana.chat()[-1], "great")
    await api_desk.settle()
    assert sandbox.thread(card)[-1].reply_to == line.id
    status, timeline = await call(http, "GET", f"/v1/clients/{ana.id}/atendimentos/1")
    assert [m["from"] for m in timeline["messages"]] == ["client", "team", "client"]


async def test_tags_and_end(api_desk, sandbox, http):
    ana, card = await opened(sandbox, api_desk, "Ana Souza", "en")
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/tags",
                              json={"add": ["vip"], "remove": ["nothere"]})
    assert status == 200 and body["tags"] == ["vip"] and body["added"] == ["vip"]
    await api_desk.settle()
    assert "#vip" in card_of(sandbox, ana).text
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/tags",
                              json={"add": ["no spaces!"]})
    assert status == 422 and body["error"] == "bad_tags"
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/end")
    assert status == 200 and body["ended"]["number"] == 1
    await api_desk.settle()
    assert not card_of(sandbox, ana).pinned
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/end")
    assert (status, body["error"]) == (409, "not_open")


@pytest.mark.parametrize("path, payload, status, code", [
    ("messages", {}, 400, "invalid"),
    ("messages", {"text": ""}, 400, "invalid"),
    ("messages", {"text": "   "}, 400, "invalid"),
    ("messages", {"text": "x" * 4097}, 400, "invalid"),
    ("messages", {"text": 5}, 400, "invalid"),
    ("messages", {"text": "hi", "extra": 1}, 400, "invalid"),
    ("messages", ["hi"], 400, "invalid"),
    ("handover", {"summary": "no reason"}, 400, "invalid"),
    ("handover", {"reason": "x" * 201}, 400, "invalid"),
    ("tags", {"add": "vip"}, 400, "invalid"),
    ("tags", {"add": ["t"] * 21}, 400, "invalid"),
    ("tags", {}, 422, "nothing_to_do"),
])
async def test_bad_bodies_get_a_clear_4xx(api_desk, sandbox, http, path, payload, status,
                                          code):
    ana, _ = await opened(sandbox, api_desk, "Ana Souza", "en")
    got, body = await call(http, "POST", f"/v1/clients/{ana.id}/{path}", json=payload)
    assert (got, body["error"]) == (status, code), body
    assert body["message"]
    if code == "invalid":
        assert body["details"] and all("field" in d and "problem" in d
                                       for d in body["details"])


async def test_malformed_requests(api_desk, sandbox, http):
    ana, _ = await opened(sandbox, api_desk, "Ana Souza", "en")
    cases = [
        ("POST", f"/v1/clients/{ana.id}/messages", {"data": b"{not json",
                                                    "headers": {"Content-Type":
                                                                "application/json"}}, 400),
        ("POST", f"/v1/clients/{ana.id}/messages", {"data": b"text=hi"}, 415),
        ("POST", f"/v1/clients/{ana.id}/messages",
         {"data": b"{" + b" " * (70 * 1024) + b"}",
          "headers": {"Content-Type": "application/json"}}, 413),
        ("GET", "/v1/clients/abc", {}, 400),
        ("GET", "/v1/clients/-5", {}, 400),
        ("GET", "/v1/clients/99999999999999999999999", {}, 400),
        ("GET", "/v1/clients/424242", {}, 404),
        ("GET", f"/v1/clients/{ana.id}/atendimentos/7", {}, 404),
        ("GET", f"/v1/clients/{ana.id}/atendimentos/0", {}, 400),
        ("GET", "/v1/clients?limit=0", {}, 400),
        ("GET", "/v1/clients?limit=201", {}, 400),
        ("GET", "/v1/clients?cursor=%%%", {}, 400),
        ("GET", "/v1/clients?open=maybe", {}, 400),
        ("GET", "/v1/nothing", {}, 404),
        ("POST", "/v1/clients/424242/messages", {"json": {"text": "hi"}}, 404),
    ]
    for method, path, kwargs, status in cases:
        got, body = await call(http, method, path, **kwargs)
        assert got == status, (method, path, body)
        assert body["error"] and body["message"]


async def test_rate_limit_per_token(sandbox, tmp_path, database_url):
    running = RunningDesk(sandbox, tmp_path, database_url, HTTP_LISTEN="127.0.0.1:0",
                          API_TOKEN=TOKEN, API_RATE_LIMIT="1")
    await running.start()
    try:
        base = f"http://127.0.0.1:{running.app.http.port}"
        async with aiohttp.ClientSession(
                base, headers={"Authorization": f"Bearer {TOKEN}"}) as session:
            statuses = []
            for _ in range(4):
                async with session.get("/v1/clients") as response:
                    statuses.append(response.status)
                    retry = response.headers.get("Retry-After")
            assert statuses == [200, 200, 429, 429] and retry is not None and int(retry) >= 1
    finally:
        await running.stop()


async def test_health_metrics_and_openapi(api_desk, sandbox, http):
    await opened(sandbox, api_desk, "Ana Souza", "en")
    status, body = await call(http, "GET", "/healthz")
    assert (status, body) == (200, {"status": "ok"})
    async with http.get("/metrics") as response:
        assert response.status == 200
        text = await response.text()
    assert 'atendimento_relays_total{direction="to_team"} 1.0' in text
    assert "atendimento_outbox_depth 0.0" in text
    assert "atendimento_open_atendimentos 1.0" in text
    assert "atendimento_flood_waits_total" in text
    status, spec = await call(http, "GET", "/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.")
    assert "/v1/clients/{id}/handover" in spec["paths"]
    assert "HandoverBody" in spec["components"]["schemas"]


async def test_health_says_what_is_wrong(api_desk, http):
    client = api_desk.app.client
    client.is_connected = False  # as pyrogram says while its connection is down
    try:
        status, body = await call(http, "GET", "/healthz")
    finally:
        client.is_connected = True
    assert status == 503 and body["reason"] == "not connected to Telegram"


async def test_api_off_without_a_token(sandbox, tmp_path, database_url):
    running = RunningDesk(sandbox, tmp_path, database_url, HTTP_LISTEN="127.0.0.1:0")
    await running.start()
    try:
        base = f"http://127.0.0.1:{running.app.http.port}"
        async with aiohttp.ClientSession(base) as session:
            status, body = await call(session, "GET", "/v1/clients",
                                      headers={"Authorization": "Bearer anything"})
            assert (status, body["error"]) == (503, "api_off")
            status, _ = await call(session, "GET", "/healthz")
            assert status == 200
    finally:
        await running.stop()


async def test_handover_opens_posts_the_summary_and_tells_the_admins(api_desk, sandbox, http):
    ana, card = await opened(sandbox, api_desk, "Ana Souza", "en")
    boss = sandbox.admin("Beatriz Chefe", language="en")
    boss.send("/start")
    await api_desk.settle()
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "/fim")
    await api_desk.settle()
    assert not card_of(sandbox, ana).pinned

    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/handover",
                              json={"reason": "asked for a person",
                                    "summary": "Wants to return order #123."})
    assert status == 200, body
    assert body["started"] is True and body["atendimento"]["number"] == 2
    await api_desk.settle()
    assert card_of(sandbox, ana).pinned  # resumed
    line = thread_texts(sandbox, ana)[-1]
    assert "asked for a person" in line and "Wants to return order #123." in line
    notice = bot_said(boss)[-1]
    assert "Ana Souza" in notice and "asked for a person" in notice
    assert f"/{card.id}?comment={sandbox.thread(card)[-1].id}" in notice
    status, client = await call(http, "GET", f"/v1/clients/{ana.id}")
    assert client["person_handling"] is True
    assert client["handover"]["reason"] == "asked for a person"

    # A second hand-over while the first goes on adds its summary, and no second notice.
    notices = len(bot_said(boss))
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/handover",
                              json={"reason": "still waiting"})
    assert status == 200 and body["started"] is False
    await api_desk.settle()
    assert "still waiting" in thread_texts(sandbox, ana)[-1]
    assert len(bot_said(boss)) == notices

    eva.comment(card, "/fim")
    await api_desk.settle()
    status, client = await call(http, "GET", f"/v1/clients/{ana.id}")
    assert client["handover"] is None and client["person_handling"] is False


async def test_handover_of_a_banned_or_unknown_client_is_refused(api_desk, sandbox, http):
    ana, card = await opened(sandbox, api_desk, "Ana Souza", "en")
    sandbox.admin("Rui Admin").comment(card, "/ban spam")
    await api_desk.settle()
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/handover",
                              json={"reason": "x"})
    assert (status, body["error"]) == (409, "banned")
    status, body = await call(http, "POST", "/v1/clients/777/handover", json={"reason": "x"})
    assert (status, body["error"]) == (404, "no_such_client")


async def test_a_client_who_only_started_the_bot_gets_a_thread_on_handover(
        api_desk, sandbox, http):
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("/start")
    await api_desk.settle()
    assert [p for p in sandbox.posts() if f"#c{ana.id}" in p.text] == []
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/handover",
                              json={"reason": "came from the FAQ bot"})
    assert status == 200, body
    await api_desk.settle()
    card = card_of(sandbox, ana)
    assert card.pinned and "came from the FAQ bot" in thread_texts(sandbox, ana)[-1]
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/messages",
                              json={"text": "Hello from a person soon"})
    assert status == 201
    await api_desk.settle()
    assert bot_said(ana)[-1] == "Hello from a person soon"


async def test_the_webhook_queue_shows_in_metrics(sandbox, tmp_path, database_url):
    running = RunningDesk(sandbox, tmp_path, database_url, HTTP_LISTEN="127.0.0.1:0",
                          WEBHOOK_URL="http://127.0.0.1:9/never", WEBHOOK_SECRET="k" * 32)
    await running.start()
    try:
        await opened(sandbox, running, "Ana Souza", "en")
        await running.app.desk.api("webhooks").deliver_due()  # refused: it waits
        base = f"http://127.0.0.1:{running.app.http.port}"
        async with aiohttp.ClientSession(base) as session, session.get("/metrics") as got:
            text = await got.text()
        assert "atendimento_webhook_queue_depth 3.0" in text  # created, opened, message
        assert "atendimento_webhook_oldest_age_seconds" in text
    finally:
        await running.stop()


async def test_a_database_that_does_not_answer_is_a_503(api_desk, sandbox, http, monkeypatch):
    from atendimento.storage.errors import StorageError
    ana, _ = await opened(sandbox, api_desk, "Ana Souza", "en")

    async def unavailable(*args, **kwargs):
        raise StorageError("connection refused")
    monkeypatch.setattr(api_desk.app.storage, "run", unavailable)
    status, body = await call(http, "GET", f"/v1/clients/{ana.id}")
    assert (status, body["error"]) == (503, "database_unavailable")
    status, body = await call(http, "GET", "/healthz")
    assert status == 503 and body["reason"].startswith("database:")
    monkeypatch.undo()
    status, _ = await call(http, "GET", f"/v1/clients/{ana.id}")
    assert status == 200

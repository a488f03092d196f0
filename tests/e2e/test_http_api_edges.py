"""Edges of the HTTP API and the signed webhooks, found by acting as an attacker or as an
integrator (a CRM, an AI bot handing a client over) would: each test pins a behaviour that was
once broken, and its docstring says how it broke."""

from __future__ import annotations

import asyncio
import base64
import logging

import aiohttp
import pytest
from aiohttp import web

from atendimento.config import ConfigError
from atendimento.storage import webhooks as rows

from .conftest import RunningDesk, bot_said, opened, thread_texts
from .test_webhooks import SECRET, Receiver, free_port

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


@pytest.fixture
async def receiver(sandbox):
    hook = Receiver(free_port(), sandbox.clock.now)
    await hook.up()
    yield hook
    await hook.down()


async def call(session, method, path, **kwargs):
    async with session.request(method, path, **kwargs) as response:
        body = await response.json(content_type=None)
        return response.status, body


async def raw_get(port: int, path: bytes, authorization: bytes) -> bytes:
    """A request written by hand: aiohttp's client will not send a header that is not UTF-8."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: desk\r\nAuthorization: " + authorization
                 + b"\r\nConnection: close\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer


def errors_logged(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


# --- sending through the API ----------------------------------------------------------------

async def test_a_4096_character_api_message_shows_in_the_thread_it_was_sent_from(
        api_desk, sandbox, http):
    """The API takes up to 4096 characters, Telegram's limit. The client gets them, but the
    thread's copy is the line "✉️ Sent through the API:" + newline + the text, over the limit:
    Telegram refuses it, only the log says so, and the API answers 201 with
    thread_message_id null. The thread holds no trace of a message the client did receive
    (the team cannot see what was said), and the client's reply to it lands under nothing."""
    ana, _card = await opened(sandbox, api_desk, "Ana Souza", "en")
    text = "Your refund: " + "x" * (4096 - 13)
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/messages",
                              json={"text": text})
    await api_desk.settle()
    assert status == 201 and bot_said(ana)[-1] == text  # the client got it, whole
    assert not any("Not delivered" in line for line in thread_texts(sandbox, ana))
    assert body["thread_message_id"] is not None
    assert any(text[:200] in line for line in thread_texts(sandbox, ana))


async def test_a_retry_with_the_same_idempotency_key_sends_nothing_again(api_desk, sandbox,
                                                                         http):
    """An integrator whose request timed out sends it again with the same Idempotency-Key:
    the client reads the message once, the thread shows it once, and the answer is the
    first one's. Another key (or none) is another message."""
    ana, _card = await opened(sandbox, api_desk, "Ana Souza", "en")
    path, body = f"/v1/clients/{ana.id}/messages", {"text": "Your order shipped."}
    first = await call(http, "POST", path, json=body, headers={"Idempotency-Key": "crm-71"})
    again = await call(http, "POST", path, json=body, headers={"Idempotency-Key": "crm-71"})
    await api_desk.settle()
    assert first[0] == again[0] == 201 and first[1] == again[1]
    assert bot_said(ana).count("Your order shipped.") == 1
    assert sum("Your order shipped." in t for t in thread_texts(sandbox, ana)) == 1
    other = await call(http, "POST", path, json=body, headers={"Idempotency-Key": "crm-72"})
    await call(http, "POST", path, json=body)
    await api_desk.settle()
    assert other[0] == 201 and other[1] != first[1]
    assert bot_said(ana).count("Your order shipped.") == 3
    status, refused = await call(http, "POST", path, json=body,
                                 headers={"Idempotency-Key": "x" * 256})
    assert (status, refused["error"]) == (400, "bad_idempotency_key")


async def test_a_text_over_telegrams_limit_in_utf16_units_is_a_400(api_desk, sandbox, http):
    """The limit is checked in code points; Telegram counts UTF-16 units (telegram.md §limits,
    domain/text.cut counts them too). 3000 emoji pass validation (6000 units), Telegram
    refuses them, and the integrator gets a 502 "Telegram refused" for a request that could
    have been a 400 naming the field, while the desk logs an ERROR with a traceback."""
    ana, _card = await opened(sandbox, api_desk, "Ana Souza", "en")
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/messages",
                              json={"text": "📦" * 3000})
    assert (status, body["error"]) == (400, "invalid"), body
    assert body["details"][0]["field"] == "text"


@pytest.mark.parametrize("path, body", [
    ("messages", {"text": "\u200b\u200b"}),
    ("handover", {"reason": "\u2063 \u200b"}),
])
async def test_a_text_or_reason_with_nothing_visible_is_a_400(api_desk, sandbox, http, path,
                                                              body):
    """Zero-width characters alone would be an empty message to the client, or an empty
    reason in the admins' notice."""
    ana, _card = await opened(sandbox, api_desk, "Ana Souza", "en")
    before = len(thread_texts(sandbox, ana))
    status, refused = await call(http, "POST", f"/v1/clients/{ana.id}/{path}", json=body)
    assert (status, refused["error"]) == (400, "invalid"), refused
    assert "nothing visible" in refused["details"][0]["problem"]
    assert len(thread_texts(sandbox, ana)) == before and bot_said(ana) == []


async def test_a_refusal_is_not_logged_as_an_error_of_the_desk(api_desk, sandbox, http,
                                                                caplog):
    """An ApiError raised inside the client's lane (409 not_open, 409 no_thread, 502, 503
    thread_unavailable) is logged by the lane as "job failed" with a traceback at ERROR and
    counted in atendimento_errors_total: a CRM that retries `end` fills the log and fires
    the alert on errors, though the desk did nothing wrong."""
    ana, _card = await opened(sandbox, api_desk, "Ana Souza", "en")
    status, _ = await call(http, "POST", f"/v1/clients/{ana.id}/end")
    assert status == 200
    caplog.clear()
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/end")
    assert (status, body["error"]) == (409, "not_open")
    async with http.get("/metrics") as response:
        metrics = await response.text()
    assert errors_logged(caplog) == []
    assert 'atendimento_errors_total{logger="atendimento.desk.lanes"}' not in metrics


async def test_tags_in_add_are_taken_as_tags_not_as_marcar_syntax(api_desk, sandbox, http):
    """The body's lists are joined with spaces into a /marcar line and parsed again: an
    `add` of "-vip" removes vip, and "a b" adds two tags. A CRM copying its own labels
    ("-promo", "cliente antigo") gets the opposite of what it asked, with a 200."""
    ana, _card = await opened(sandbox, api_desk, "Ana Souza", "en")
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/tags", json={"add": ["vip"]})
    assert status == 200 and body["tags"] == ["vip"]
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/tags",
                              json={"add": ["-vip"]})
    assert status == 422 and body["error"] == "bad_tags", body
    status, body = await call(http, "POST", f"/v1/clients/{ana.id}/tags",
                              json={"add": ["cliente antigo"]})
    assert status == 422 and body["error"] == "bad_tags", body
    status, client = await call(http, "GET", f"/v1/clients/{ana.id}")
    assert client["tags"] == ["vip"]


# --- odd input that becomes a 500 -----------------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/clients/%C2%B2", "/v1/clients/{ana}/atendimentos/%C2%B2"])
async def test_a_unicode_digit_in_an_id_is_a_400(api_desk, sandbox, http, caplog, path):
    """str.isdigit() takes "²", int() does not: a 500 and an ERROR with a traceback, where a
    malformed id is a 400 (signing.verify already guards against exactly this)."""
    ana, _card = await opened(sandbox, api_desk, "Ana Souza", "en")
    status, body = await call(http, "GET", path.format(ana=ana.id))
    assert status == 400, body
    assert errors_logged(caplog) == []


@pytest.mark.parametrize("params", [
    {"cursor": base64.urlsafe_b64encode(b"after:" + b"9" * 30).decode().rstrip("=")},
    {"updated_since": "9999-12-31T23:59:59-01:00"},
])
async def test_a_query_value_out_of_range_is_a_400(api_desk, sandbox, http, caplog, params):
    """A forged cursor with a huge number (OverflowError: too large for an SQLite INTEGER)
    and a valid ISO date that cannot be converted to UTC (OverflowError: date value out of
    range) are both answered 500 "the desk failed" with an ERROR logged."""
    await opened(sandbox, api_desk, "Ana Souza", "en")
    status, body = await call(http, "GET", "/v1/clients", params=params)
    assert status == 400, body
    assert errors_logged(caplog) == []


async def test_an_authorization_header_that_is_not_utf8_is_a_401(api_desk, caplog):
    """aiohttp hands over a non-UTF-8 header with surrogate escapes; `token.encode()` raises,
    so anyone without a token gets a 500 and writes an ERROR traceback into the desk's log
    (and atendimento_errors_total) per request, without ever being counted as a failed
    authentication (so never slowed down by the per-address limit)."""
    port = api_desk.app.http.port
    answers = [await raw_get(port, b"/v1/clients", b"Bearer \xff\xfe") for _ in range(12)]
    statuses = [answer.split(b" ", 2)[1] for answer in answers]
    assert statuses[:10] == [b"401"] * 10 and statuses[10:] == [b"429"] * 2, statuses
    assert errors_logged(caplog) == []


# --- webhooks ---------------------------------------------------------------------------------

async def test_one_malformed_webhook_url_does_not_break_delivery_to_the_others(
        sandbox, tmp_path, database_url, receiver):
    """"http://crm..example.com/hook" (a typo: an empty label) passes WEBHOOK_URL's check, and
    aiohttp raises UnicodeError (not a ClientError) for it. `_one` lets it through, the
    gather fails, the pass's session closes under the other URL's requests in flight: the
    healthy receiver (most runs) gets the same event again at every pass and never the next
    one; the bad URL's rows are never tried, so never given up; every pass ends in an
    ERROR traceback (every 5 s, for ever). (Refusing the URL at start passes this test too.)"""
    try:
        desk = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en",
                           WEBHOOK_URL=f"{receiver.url},http://crm..example.com/hook",
                           WEBHOOK_SECRET=SECRET)
        await desk.start()
    except ConfigError as refused:  # a fix may refuse the URL at start instead: fine too
        assert "WEBHOOK_URL" in str(refused)
        return
    try:
        ana, _card = await opened(sandbox, desk, "Ana Souza", "en")
        hooks = desk.app.desk.api("webhooks")
        raised = []
        for _ in range(5):  # as the app's job does: a pass that raises is logged, then again
            await desk.settle()
            try:
                await hooks.deliver_due()
            except Exception as error:  # noqa: BLE001 (what the job's helper would log)
                raised.append(type(error).__name__)
            await asyncio.sleep(0.05)
            sandbox.clock.advance(7 * 3600)  # 35 hours in all: past RETRY_FOR
        assert receiver.of(ana.id) == ["client.created", "atendimento.opened",
                                       "message.received"]  # each once, in order
        assert raised == []
        # the bad URL's three rows given up after a day, like any failing receiver's
        assert await desk.app.storage.run(rows.states) == {"delivered": 3, "failed": 3}
    finally:
        await desk.stop()


async def test_a_webhook_failure_never_logs_the_urls_query_string(
        sandbox, tmp_path, database_url, receiver, caplog):
    """delivery.shown() strips the query and user info from the URL in log lines, because
    they may hold a secret; but the error text logged beside it (and kept in last_error) is
    str(exception), and aiohttp's InvalidUrlClientError is the whole URL. A URL holding an
    invisible character pasted with it (a soft hyphen passes WEBHOOK_URL's check) writes its
    key into the log at every attempt."""
    caplog.set_level(logging.INFO)
    desk = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en",
                       WEBHOOK_URL=f"{receiver.url},https://crm\u00ad.example.com/h?key=s3cr3t",
                       WEBHOOK_SECRET=SECRET)
    await desk.start()
    try:
        await opened(sandbox, desk, "Ana Souza", "en")
        await desk.app.desk.api("webhooks").deliver_due()
        kept = await desk.app.storage.run(lambda t: t.db.execute_sql(
            "SELECT last_error FROM webhook_deliveries WHERE last_error IS NOT NULL"
        ).fetchall())
        assert kept  # the attempt failed and was recorded
        assert "s3cr3t" not in caplog.text
        assert not any("s3cr3t" in error for (error,) in kept)
    finally:
        await desk.stop()


async def test_a_receiver_that_hangs_does_not_hold_up_another_receiver(
        sandbox, tmp_path, database_url, receiver):
    """A pass gathers the due heads of every URL and waits for all of them before reading
    the next: a receiver that accepts the connection and never answers holds every other
    URL's next events for the whole TIMEOUT (10 s) times ceil(its heads / 8), at every
    pass where its retries come due. Here the healthy CRM waits 10 s for the second event of
    its only client, while the request to it took milliseconds."""
    released = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await released.wait()
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/slow", hang)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    desk = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en",
                       WEBHOOK_URL=f"{receiver.url},http://127.0.0.1:{port}/slow",
                       WEBHOOK_SECRET=SECRET)
    await desk.start()
    passing = None
    try:
        ana, _card = await opened(sandbox, desk, "Ana Souza", "en")
        passing = asyncio.ensure_future(desk.app.desk.api("webhooks").deliver_due())
        for _ in range(300):  # up to 3 s: the healthy receiver answers in milliseconds
            if len(receiver.of(ana.id)) == 3:
                break
            await asyncio.sleep(0.01)
        assert receiver.of(ana.id) == ["client.created", "atendimento.opened",
                                       "message.received"]
    finally:
        released.set()
        if passing is not None:
            passing.cancel()
            await asyncio.gather(passing, return_exceptions=True)
        await desk.stop()
        await runner.cleanup()


# --- hand-over ------------------------------------------------------------------------------

async def test_the_handover_summary_is_not_kept_in_the_database(api_desk, sandbox, http):
    """The summary an AI bot writes is what the client told it ("wants to return order #123,
    card ending 4242"). It is posted in the thread (Telegram holds the conversation) and sent
    in handover.started (whose body is cleared once delivered), but it is also written to the
    `handovers` table and kept there for ever, though nothing reads it back: design principle
    1 (never store message bodies)."""
    ana, _card = await opened(sandbox, api_desk, "Ana Souza", "en")
    summary = "Wants to return order #123; card ending 4242."
    status, _ = await call(http, "POST", f"/v1/clients/{ana.id}/handover",
                           json={"reason": "asked for a person", "summary": summary})
    assert status == 200
    status, _ = await call(http, "POST", f"/v1/clients/{ana.id}/end")
    assert status == 200
    await api_desk.settle()
    assert any(summary in line for line in thread_texts(sandbox, ana))
    kept = await api_desk.app.storage.run(lambda t: t.db.execute_sql(
        "SELECT summary FROM handovers").fetchall())
    assert [value for (value,) in kept if value] == []


# --- the description ------------------------------------------------------------------------

async def test_the_openapi_description_lists_the_refusals_the_api_gives(api_desk, http):
    """The server answers 422 (bad_tags, nothing_to_do), 413 (too large) and 415 (not JSON),
    and the README documents them; /openapi.json lists none of them, so a client generated
    from it treats them as unexpected."""
    status, spec = await call(http, "GET", "/openapi.json")
    assert status == 200
    assert "422" in spec["paths"]["/v1/clients/{id}/tags"]["post"]["responses"]
    for path in ("/v1/clients/{id}/messages", "/v1/clients/{id}/handover"):
        responses = spec["paths"][path]["post"]["responses"]
        assert {"413", "415"} <= set(responses), (path, sorted(responses))

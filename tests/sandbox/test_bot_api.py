"""The sandbox's Bot API endpoint (issue 18): python-telegram-bot, a real Bot API library, runs
against it as the bot's other session, over the same world as the MTProto session."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json

import aiohttp
import pytest
import telegram
from aiohttp import web
from pyrogram import filters, raw
from pyrogram.handlers import MessageHandler
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler

from atendimento.sandbox.botapi.formatting import parse
from atendimento.sandbox.callbacks import buttons

T = raw.types
POLL = dt.timedelta(seconds=5)  # never waited out: stopping the updater cancels the poll


@pytest.fixture
async def api(sandbox):
    return await sandbox.bot_api()


@pytest.fixture
async def ptb(api):
    async with telegram.Bot(api.token, base_url=api.base_url,
                            base_file_url=api.base_file_url) as bot:
        yield bot


@contextlib.asynccontextmanager
async def polling(api, *handlers):
    """A python-telegram-bot Application polling the endpoint, as `run_polling` would."""
    app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
           .base_file_url(api.base_file_url).build())
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(timeout=POLL)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def call(api, method: str, token: str | None = None, **params) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        url = f"{api.base_url}{token or api.token}/{method}"
        async with session.post(url, json=params) as answer:
            return answer.status, await answer.json()


# ----- the library's own calls ----------------------------------------------------------------
async def test_get_me_describes_the_sandbox_bot(sandbox, api, ptb):
    me = await ptb.get_me()
    assert (me.id, me.is_bot, me.username) == (sandbox.bot_id, True, "sandbox_bot")
    assert me.first_name == "Sandbox Bot" and me.supports_inline_queries
    assert api.token.startswith(f"{sandbox.bot_id}:")


async def test_a_funnel_bot_answers_start_with_a_keyboard_and_handles_the_press(sandbox, api):
    async def start(update, context):
        keyboard = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Preços", callback_data="prices"),
              telegram.InlineKeyboardButton("Site", url="https://example.org")]])
        await update.message.reply_text(f"Olá, {update.effective_user.first_name}!",
                                        reply_markup=keyboard)

    async def chosen(update, context):
        query = update.callback_query
        await query.answer("Anotado")
        await query.edit_message_text(f"Você escolheu: {query.data}")

    async with polling(api, CommandHandler("start", start), CallbackQueryHandler(chosen)):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await api.until(lambda: len(ana.chat()) == 2)
        welcome = ana.chat()[-1]
        assert welcome.text == "Olá, Ana!" and welcome.from_bot
        assert buttons(welcome) == [("Preços", b"prices")]
        press = ana.press(welcome, "Preços")
        await api.until(lambda: press.answered and ana.chat()[-1].edited)
    assert press.text == "Anotado" and not press.alert
    assert ana.chat()[-1].text == "Você escolheu: prices" and ana.chat()[-1].id == welcome.id
    # What run_polling does on start: getMe (initialize), deleteWebhook, then getUpdates.
    assert api.calls[:3] == ["getMe", "deleteWebhook", "getUpdates"]


async def test_get_updates_long_polls_with_offset_limit_and_allowed_updates(sandbox, api, ptb):
    ana = sandbox.client("Ana")
    assert await ptb.get_updates(timeout=dt.timedelta(milliseconds=20)) == ()
    waiting = asyncio.create_task(ptb.get_updates(timeout=POLL))
    await api.until(lambda: api.calls.count("getUpdates") == 2)
    ana.start()
    [first] = await asyncio.wait_for(waiting, 2)  # returns as soon as the update exists
    assert first.message.text == "/start" and first.message.from_user.id == ana.id
    ana.send("a")
    ana.send("b")
    again = await ptb.get_updates()  # nothing confirmed yet: the first one comes again
    assert [u.update_id for u in again] == [first.update_id + i for i in range(3)]
    assert [u.message.text for u in await ptb.get_updates(offset=first.update_id + 1,
                                                           limit=1)] == ["a"]
    assert [u.message.text for u in await ptb.get_updates(offset=-1)] == ["b"]
    edited = ana.edit(ana.chat()[-1], "b!")
    [update] = await ptb.get_updates(offset=again[-1].update_id + 1)
    assert update.edited_message.text == "b!" and update.edited_message.message_id == edited.id
    await ptb.get_updates(offset=update.update_id + 1, allowed_updates=["callback_query"])
    ana.send("not wanted")
    assert await ptb.get_updates() == ()


async def test_a_second_get_updates_ends_the_waiting_one_with_409(api, ptb):
    waiting = asyncio.create_task(ptb.get_updates(timeout=POLL))
    await api.until(lambda: "getUpdates" in api.calls)
    async with telegram.Bot(api.token, base_url=api.base_url) as another:  # a second instance
        assert await another.get_updates() == ()
    with pytest.raises(telegram.error.Conflict, match="(?i)terminated by other getUpdates"):
        await asyncio.wait_for(waiting, 2)


async def test_photos_documents_and_albums_upload_and_resend_by_file_id(sandbox, api, ptb):
    sandbox.world.limits.enabled = False
    ana = sandbox.client("Ana")
    ana.start()
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
    photo = await ptb.send_photo(ana.id, png, caption="<b>foto</b>", parse_mode="HTML")
    assert photo.caption == "foto" and photo.caption_entities[0].type == "bold"
    assert (photo.photo[-1].width, photo.photo[-1].height) == (640, 480)
    again = await ptb.send_photo(ana.id, photo.photo[-1].file_id)
    assert again.photo[-1].file_unique_id == photo.photo[-1].file_unique_id
    document = await ptb.send_document(ana.id, b"%PDF-1.4 fatura", filename="fatura.pdf")
    assert document.document.file_name == "fatura.pdf"
    assert document.document.mime_type == "application/pdf"
    file = await ptb.get_file(document.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 fatura"
    album = await ptb.send_media_group(ana.id, [
        telegram.InputMediaPhoto(b"first", caption="um"),
        telegram.InputMediaPhoto(photo.photo[-1].file_id, caption="dois")])
    assert len({m.media_group_id for m in album}) == 1 and album[0].media_group_id
    seen = ana.chat()
    assert [m.kind for m in seen] == ["text", "photo", "photo", "document", "photo", "photo"]
    assert seen[-1].grouped_id == seen[-2].grouped_id and seen[-1].text == "dois"
    assert [m.id for m in seen[-2:]] == [m.message_id for m in album]
    with pytest.raises(telegram.error.BadRequest, match="(?i)wrong file identifier"):
        await ptb.send_document(ana.id, "not-a-file-id")
    with pytest.raises(telegram.error.BadRequest, match="(?i)can't use file of type Photo"):
        await ptb.send_document(ana.id, photo.photo[-1].file_id)


async def test_copy_message_of_a_persons_photo_with_a_new_caption(sandbox, ptb):
    ana, rui = sandbox.client("Ana"), sandbox.client("Rui")
    ana.start()
    rui.start()
    original = ana.send_photo("minha foto")
    copied = await ptb.copy_message(rui.id, ana.id, original.id, caption="de Ana")
    [copy] = [m for m in rui.chat() if m.id == copied.message_id]
    assert copy.from_bot and copy.text == "de Ana" and copy.kind == "photo"
    assert copy.raw.media.photo.id == original.raw.media.photo.id
    with pytest.raises(telegram.error.BadRequest, match="(?i)message to copy not found"):
        await ptb.copy_message(rui.id, ana.id, 9999)


async def test_edit_message_text(sandbox, ptb):
    ana = sandbox.client("Ana")
    mine = ana.start()
    sent = await ptb.send_message(ana.id, "antes")
    edited = await ptb.edit_message_text("*depois*", ana.id, sent.message_id,
                                         parse_mode="MarkdownV2")
    assert edited.text == "depois" and edited.edit_date is not None
    assert ana.chat()[-1].text == "depois" and ana.chat()[-1].edited
    with pytest.raises(telegram.error.BadRequest, match="(?i)not modified"):
        await ptb.edit_message_text("depois", ana.id, sent.message_id,
                                    entities=edited.entities)
    with pytest.raises(telegram.error.BadRequest, match="(?i)can't be edited"):
        await ptb.edit_message_text("x", ana.id, mine.id)
    with pytest.raises(telegram.error.BadRequest, match="(?i)message to edit not found"):
        await ptb.edit_message_text("x", ana.id, 9999)


# PTB's own RetryAfter message reads the attribute it deprecates.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_reply_keyboards_replies_and_refusals(sandbox, ptb):
    ana = sandbox.client("Ana")
    question = ana.start()
    keyboard = telegram.ReplyKeyboardMarkup([["Sim", "Não"]], resize_keyboard=True,
                                            one_time_keyboard=True)
    sent = await ptb.send_message(ana.id, "Confirma?", reply_markup=keyboard,
                                  reply_parameters=telegram.ReplyParameters(question.id))
    assert sent.reply_to_message.message_id == question.id and sent.reply_markup is None
    markup = ana.chat()[-1].raw.reply_markup
    assert isinstance(markup, T.ReplyKeyboardMarkup) and markup.resize and markup.single_use
    assert [b.text for b in markup.rows[0].buttons] == ["Sim", "Não"]
    assert ana.chat()[-1].reply_to == question.id
    with pytest.raises(telegram.error.BadRequest, match="(?i)message to be replied not found"):
        await ptb.send_message(ana.id, "?", reply_to_message_id=9999)
    with pytest.raises(telegram.error.Forbidden, match="(?i)can't initiate conversation"):
        await ptb.send_message(sandbox.client("Stranger").id, "oi")
    ana.block_bot()
    with pytest.raises(telegram.error.Forbidden, match="(?i)bot was blocked by the user"):
        await ptb.send_message(ana.id, "oi")
    ana.unblock_bot()
    sandbox.clock.advance(10)
    for text in ("1", "2", "3"):
        await ptb.send_message(ana.id, text)
    with pytest.raises(telegram.error.RetryAfter, match="Retry in 1 seconds"):
        await ptb.send_message(ana.id, "4")


async def test_faults_make_a_method_fail_in_the_bot_apis_words(sandbox, ptb):
    ana = sandbox.client("Ana")
    ana.start()
    sandbox.world.faults.fail("botapi.sendMessage", "USER_IS_BLOCKED", code=403)
    with pytest.raises(telegram.error.Forbidden, match="(?i)bot was blocked by the user"):
        await ptb.send_message(ana.id, "oi")
    assert (await ptb.send_message(ana.id, "oi")).text == "oi"


# ----- the Bot API's answers, as JSON -----------------------------------------------------------
async def test_unknown_methods_and_wrong_tokens_answer_the_bot_apis_error_forms(sandbox, api):
    assert await call(api, "noSuchMethod") == (
        404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert await call(api, "getMe", token=f"{sandbox.bot_id}:wrong") == (
        401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert (await call(api, "getMe", token="garbage"))[0] == 404
    status, body = await call(api, "GETME")  # method names are case-insensitive
    assert status == 200 and body["ok"] and body["result"]["id"] == sandbox.bot_id


async def test_a_sent_message_has_the_documented_fields(sandbox, api):
    ana = sandbox.client("Ana Souza", username="ana")
    ana.start()
    keyboard = {"inline_keyboard": [[{"text": "Sim", "callback_data": "yes"}]]}
    status, body = await call(api, "sendMessage", chat_id=ana.id, text="Oi 👋 *Ana*",
                              parse_mode="Markdown", reply_markup=json.dumps(keyboard))
    assert status == 200 and body["ok"] is True
    message = body["result"]
    assert set(message) == {"message_id", "from", "chat", "date", "text", "entities",
                            "reply_markup"}
    assert message["from"] == {"id": sandbox.bot_id, "is_bot": True,
                               "first_name": "Sandbox Bot", "username": "sandbox_bot"}
    assert message["chat"] == {"id": ana.id, "type": "private", "first_name": "Ana",
                               "last_name": "Souza", "username": "ana"}
    assert message["text"] == "Oi 👋 Ana" and message["date"] == sandbox.world.now()
    # Offsets count UTF-16 code units: the emoji is two.
    assert message["entities"] == [{"type": "bold", "offset": 6, "length": 3}]
    assert message["reply_markup"] == keyboard
    assert message["message_id"] == ana.chat()[-1].id
    ana.send_photo("foto")
    ana.send_document("pdf", file_name="a.pdf")
    _, body = await call(api, "getUpdates", offset=-2)
    got_photo, got_document = (u["message"] for u in body["result"])
    assert got_photo["caption"] == "foto" and got_photo["from"]["is_bot"] is False
    status, body = await call(api, "sendPhoto", chat_id=ana.id,
                              photo=got_photo["photo"][-1]["file_id"])
    photo = body["result"]["photo"]
    assert status == 200 and photo and all(
        set(size) == {"file_id", "file_unique_id", "width", "height", "file_size"}
        for size in photo)
    sandbox.clock.advance(10)
    status, body = await call(api, "sendDocument", chat_id=ana.id,
                              document=got_document["document"]["file_id"])
    assert status == 200 and body["result"]["document"] == got_document["document"]
    assert set(got_document["document"]) == {"file_id", "file_unique_id", "file_name",
                                             "mime_type", "file_size"}


async def test_a_webhook_conflicts_with_get_updates_and_receives_the_updates(sandbox, api,
                                                                             ptb):
    received: list[tuple[dict, str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json(),
                         request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        assert await ptb.set_webhook(url, secret_token="s3cret")
        with pytest.raises(telegram.error.Conflict, match="(?i)webhook is active"):
            await ptb.get_updates()
        ana = sandbox.client("Ana")
        ana.start()
        await api.until(lambda: len(received) == 1)
        update, secret = received[0]
        assert secret == "s3cret" and update["message"]["text"] == "/start"
        info = await ptb.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        assert await ptb.delete_webhook()
        ana.send("polling again")
        [again] = await ptb.get_updates()
        assert again.message.text == "polling again"
    finally:
        await runner.cleanup()


async def test_a_failed_webhook_delivery_is_reported_and_kept(sandbox, api, ptb):
    assert await ptb.set_webhook("http://127.0.0.1:9/nobody")  # the discard port
    sandbox.client("Ana").start()
    await api.feed.deliver()
    info = await ptb.get_webhook_info()
    assert info.pending_update_count == 1 and info.last_error_message
    await ptb.delete_webhook(drop_pending_updates=True)
    assert (await ptb.get_webhook_info()).pending_update_count == 0


# ----- the MTProto session of the same bot -------------------------------------------------------
@pytest.mark.parametrize(("incoming", "outgoing"), [(True, True), (False, True), (True, False)])
async def test_the_mtproto_session_hears_what_the_switches_say(sandbox, api, ptb, bot, recorder,
                                                               incoming, outgoing):
    sandbox.switches.parallel_sessions_receive_incoming = incoming
    sandbox.switches.parallel_sessions_receive_outgoing = outgoing
    parsed = []

    async def keep(_client, message):
        parsed.append(message)

    bot.add_handler(MessageHandler(keep, filters.private))
    await asyncio.sleep(0)  # add_handler registers through a task
    ana = sandbox.client("Ana")
    hello = ana.start()
    [update] = await ptb.get_updates()  # the Bot API side always gets it
    answer = await ptb.send_message(ana.id, "Olá pela Bot API")
    await sandbox.settle()
    seen = {m.id: m for m in recorder.messages()}
    assert (hello.id in seen) is incoming
    assert (answer.message_id in seen) is outgoing
    assert update.message.message_id == hello.id and answer.message_id == hello.id + 1
    if outgoing:
        raw_answer = seen[answer.message_id]
        assert raw_answer.out and raw_answer.from_id.user_id == sandbox.bot_id
        assert raw_answer.peer_id.user_id == ana.id
        [mine] = [m for m in parsed if m.id == answer.message_id]
        assert mine.outgoing and mine.from_user.id == sandbox.bot_id and mine.chat.id == ana.id
    # One message, one id, whichever session sent it.
    direct = await bot.send_message(ana.id, "e pelo MTProto")
    assert direct.id == answer.message_id + 1
    assert [m.text for m in ana.chat()] == ["/start", "Olá pela Bot API", "e pelo MTProto"]


@pytest.mark.parametrize("parallel", [True, False])
async def test_presses_go_to_the_session_that_sent_the_buttons(sandbox, api, ptb, bot, recorder,
                                                               parallel):
    sandbox.switches.parallel_sessions_receive_incoming = parallel
    ana = sandbox.client("Ana")
    ana.start()
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("A", callback_data="a")]])
    from_api = await ptb.send_message(ana.id, "da Bot API", reply_markup=keyboard)
    from_mtproto = await bot.send_message(ana.id, "do MTProto",
                                          reply_markup=_pyrogram_keyboard())
    seen = {m.id: m for m in ana.chat()}
    ana.press(seen[from_api.message_id], "A")
    ana.press(seen[from_mtproto.id], "B")
    await sandbox.settle()
    api_presses = [u.callback_query for u in await ptb.get_updates() if u.callback_query]
    mtproto_presses = recorder.of(T.UpdateBotCallbackQuery)
    assert [q.data for q in api_presses] == (["a", "b"] if parallel else ["a"])
    assert [q.data for q in mtproto_presses] == ([b"a", b"b"] if parallel else [b"b"])
    assert api_presses[0].message.message_id == from_api.message_id


def _pyrogram_keyboard():
    from pyrogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    return InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data="b")]])


# ----- parse modes ------------------------------------------------------------------------------
def test_html_and_markdown_v2_become_entities_in_utf16_units():
    text, found = parse('<b>Oi</b> 😀 <a href="https://x.org">site</a> &lt;3', "HTML")
    assert text == "Oi 😀 site <3"
    assert [(type(e).__name__, e.offset, e.length) for e in found] == [
        ("MessageEntityBold", 0, 2), ("MessageEntityTextUrl", 6, 4)]
    text, found = parse("*negrito* _it_ __sub__ ~r~ ||s|| `c` [l](tg://user?id=5) \\.",
                        "MarkdownV2")
    assert text == "negrito it sub r s c l ."
    assert [type(e).__name__ for e in found] == [
        "MessageEntityBold", "MessageEntityItalic", "MessageEntityUnderline",
        "MessageEntityStrike", "MessageEntitySpoiler", "MessageEntityCode",
        "MessageEntityMentionName"]
    text, found = parse("```python\nprint(1)```", "MarkdownV2")
    assert text == "print(1)" and found[0].language == "python"


@pytest.mark.parametrize(("text", "mode"), [("<b>open", "HTML"), ("<x>no</x>", "HTML"),
                                            ("1.5", "MarkdownV2"), ("*open", "MarkdownV2")])
def test_bad_formatting_is_refused_like_the_bot_api(text, mode):
    from atendimento.sandbox.botapi.errors import ApiError

    with pytest.raises(ApiError, match="(?i)can't parse entities"):
        parse(text, mode)

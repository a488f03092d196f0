"""Story: a company already runs a bot (here python-telegram-bot, a real Bot API library,
polling the sandbox's Bot API endpoint as the bot's other session); the desk is attached to
the same bot in parallel mode. Both sides of every dialog land in the client's thread, the
team steps in as the bot, and the existing bot is told (webhook) to step back."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

import pytest
import telegram
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from atendimento.storage import migrate_url
from atendimento.telegram.check import report

from .conftest import RunningDesk, bot_said, card_of, thread_texts
from .test_webhooks import SECRET, Receiver, free_port

POLL = dt.timedelta(seconds=5)  # never waited out: stopping the updater cancels the poll
AUTOMATIC = ("🤖 The bot is still answering automatically. When someone of the team "
             "answers here, the system behind it is told (webhook event team.took_over) so "
             "it can step back.")


class Funnel:
    """The existing bot: greets with buttons, answers a press, echoes what clients write,
    and stops echoing for a client once its webhook hears that the team took over."""

    def __init__(self) -> None:
        self.paused: set[int] = set()

    async def start(self, update, context) -> None:
        keyboard = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Comprar", callback_data="buy"),
              telegram.InlineKeyboardButton("Site", url="https://example.org")]])
        await update.message.reply_text(f"Olá, {update.effective_user.first_name}!",
                                        reply_markup=keyboard)

    async def pressed(self, update, context) -> None:
        query = update.callback_query
        await query.answer("Anotado")
        await context.bot.send_message(query.from_user.id, "Qual produto?")

    async def text(self, update, context) -> None:
        if update.effective_user.id not in self.paused:
            await update.message.reply_text(f"Recebido: {update.message.text}")

    def heard(self, event: dict) -> None:
        if event["type"] == "team.took_over":
            self.paused.add(event["client_id"])
        elif event["type"] == "atendimento.ended":
            self.paused.discard(event["client_id"])


    def handlers(self) -> list:
        return [CommandHandler("start", self.start), CallbackQueryHandler(self.pressed),
                MessageHandler(filters.TEXT & ~filters.COMMAND, self.text)]


@contextlib.asynccontextmanager
async def running(api, *handlers):
    """The existing bot: a python-telegram-bot Application polling, as `run_polling` would."""
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


class HookedReceiver(Receiver):
    def __init__(self, port, now, funnel: Funnel) -> None:
        super().__init__(port, now)
        self.funnel = funnel

    async def receive(self, request):
        answer = await super().receive(request)
        if answer.status == 204:
            self.funnel.heard(self.events[-1])
        return answer


@pytest.fixture
async def api(sandbox):
    return await sandbox.bot_api()


@pytest.fixture
def funnel():
    return Funnel()


@pytest.fixture
async def receiver(sandbox, funnel):
    hook = HookedReceiver(free_port(), sandbox.clock.now, funnel)
    await hook.up()
    yield hook
    await hook.down()


@pytest.fixture
async def parallel(sandbox, tmp_path, database_url, api, receiver):
    desk = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en", MODE="parallel",
                       BOT_TOKEN=api.token, WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET)
    await desk.start()
    yield desk
    await desk.stop()


async def until(desk: RunningDesk, predicate) -> None:
    """Until `predicate()` holds with both the existing bot and the desk idle."""
    for _ in range(200):
        await desk.settle()
        if predicate():
            await asyncio.sleep(0.01)  # what the existing bot still had in flight
            await desk.settle()
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never came true")


async def delivered(desk: RunningDesk) -> int:
    await desk.settle()
    return await desk.app.desk.api("webhooks").deliver_due()


async def test_a_funnel_dialog_fills_the_thread_and_the_team_steps_in(
        sandbox, api, funnel, parallel, receiver):
    async with running(api, *funnel.handlers()):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await until(parallel, lambda: len(ana.chat()) == 2)
        welcome = ana.chat()[-1]
        # The client sees the existing bot only: the desk said nothing of its own.
        assert [m.text for m in ana.chat()] == ["/start", "Olá, Ana!"]
        await until(parallel, lambda: len(thread_texts(sandbox, ana)) >= 4)
        opened, *dialog = thread_texts(sandbox, ana)
        assert opened.startswith("📂 Atendimento #1 opened")
        assert dialog == [
            "/start", "🤖 Olá, Ana!\n\n🔘 [Comprar] · [Site ↗ https://example.org]", AUTOMATIC]
        copy = sandbox.thread(card_of(sandbox, ana))[3]
        assert copy.raw.reply_markup is None  # nothing in the thread is pressable

        press = ana.press(welcome, "Comprar")
        await until(parallel, lambda: ana.chat()[-1].text == "Qual produto?")
        assert press.answered and press.text == "Anotado"  # the existing bot's answer
        ana.send("Quero o azul")
        await until(parallel, lambda: ana.chat()[-1].text == "Recebido: Quero o azul")
        await until(parallel, lambda: len(thread_texts(sandbox, ana)) == 8)
        assert thread_texts(sandbox, ana)[4:] == [
            "👆 The client pressed «Comprar»", "🤖 Qual produto?", "Quero o azul",
            "🤖 Recebido: Quero o azul"]

        bia = sandbox.team_member("Bia Lima")
        bia.comment(card_of(sandbox, ana), "Oi Ana, sou a Bia. Qual tamanho?")
        await parallel.settle()
        assert ana.chat()[-1].text == "Oi Ana, sou a Bia. Qual tamanho?"
        await delivered(parallel)
        assert "team.took_over" in receiver.of(ana.id)
        took = next(e for e in receiver.events if e["type"] == "team.took_over")
        assert took["data"] == {"atendimento": 1, "by": bia.id}
        assert funnel.paused == {ana.id}

        ana.send("M, por favor")
        await until(parallel, lambda: thread_texts(sandbox, ana)[-1] == "M, por favor")
        await asyncio.sleep(0.05)
        await parallel.settle()
        assert ana.chat()[-1].text == "M, por favor"  # the existing bot stepped back
        assert receiver.forged == 0
    # One conversation on the client's side, in the order it happened.
    assert [m.text for m in ana.chat()] == [
        "/start", "Olá, Ana!", "Qual produto?", "Quero o azul", "Recebido: Quero o azul",
        "Oi Ana, sou a Bia. Qual tamanho?", "M, por favor"]


async def attached(sandbox, tmp_path, database_url, **settings) -> RunningDesk:
    desk = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en", MODE="parallel",
                       BOT_TOKEN=(await sandbox.bot_api()).token, **settings)
    await desk.start()
    return desk


async def test_with_interception_off_the_thread_holds_the_clients_side_only(
        sandbox, tmp_path, database_url, funnel):
    desk = await attached(sandbox, tmp_path, database_url, INTERCEPT_EXTERNAL="off")
    try:
        async with running(await sandbox.bot_api(), *funnel.handlers()):
            ana = sandbox.client("Ana Souza")
            ana.start()
            await until(desk, lambda: len(ana.chat()) == 2)
            ana.send("Quero o azul")
            await until(desk, lambda: len(ana.chat()) == 4)
            await until(desk, lambda: len(thread_texts(sandbox, ana)) >= 3)
        assert [m.text for m in ana.chat()] == [
            "/start", "Olá, Ana!", "Quero o azul", "Recebido: Quero o azul"]
        assert thread_texts(sandbox, ana)[1:] == ["/start", "Quero o azul"]
    finally:
        await desk.stop()


async def test_a_welcome_is_the_only_word_of_the_desks_own_a_client_gets(
        sandbox, tmp_path, database_url, funnel):
    desk = await attached(sandbox, tmp_path, database_url, WELCOME="Bem-vindo, {nome}!")
    try:
        async with running(await sandbox.bot_api(), *funnel.handlers()):
            ana = sandbox.client("Ana Souza")
            ana.start()
            await until(desk, lambda: len(ana.chat()) == 3)
            bia = sandbox.team_member("Bia Lima")
            bia.comment(card_of(sandbox, ana), "/fim")
            await desk.settle()
        texts = [m.text for m in ana.chat()]
        assert sorted(texts[1:]) == sorted(["Olá, Ana!", "Bem-vindo, Ana!"])
        assert len(texts) == 3  # no end text, no rating question: SILENT_MODE is on
    finally:
        await desk.stop()


async def test_what_the_existing_bot_edits_is_edited_in_the_thread(
        sandbox, parallel):
    async def start(update, context):
        keyboard = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Preços", callback_data="prices")]])
        await update.message.reply_text("Escolha:", reply_markup=keyboard)

    async def chosen(update, context):
        await update.callback_query.answer()
        await update.callback_query.edit_message_text("Você escolheu: preços")

    async with running(await sandbox.bot_api(), CommandHandler("start", start),
                       CallbackQueryHandler(chosen)):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await until(parallel, lambda: len(thread_texts(sandbox, ana)) >= 4)
        assert thread_texts(sandbox, ana)[2] == "🤖 Escolha:\n\n🔘 [Preços]"
        ana.press(ana.chat()[-1], "Preços")
        await until(parallel, lambda: "🤖 Você escolheu: preços" in thread_texts(sandbox, ana))
    assert ana.chat()[-1].text == "Você escolheu: preços"
    texts = thread_texts(sandbox, ana)
    assert texts[2] == "🤖 Você escolheu: preços"  # the copy itself, edited in place
    assert texts[-1] == "👆 The client pressed «Preços»"


async def test_dialog_rules_hold_for_what_the_existing_bot_sends(
        sandbox, tmp_path, database_url, funnel):
    ana, bruno = sandbox.client("Ana Souza"), sandbox.client("Bruno Reis")
    desk = await attached(sandbox, tmp_path, database_url, WHITE_LIST=str(bruno.id))
    try:
        async with running(await sandbox.bot_api(), *funnel.handlers()):
            for person in (ana, bruno):
                person.start()
            await until(desk, lambda: len(ana.chat()) == 2 and len(bruno.chat()) == 2)
            await until(desk, lambda: len(sandbox.posts()) == 1)
            await until(desk, lambda: len(thread_texts(sandbox, bruno)) >= 4)
        assert [f"#c{bruno.id}" in post.text for post in sandbox.posts()] == [True]
        assert thread_texts(sandbox, bruno)[2] == (
            "🤖 Olá, Bruno!\n\n🔘 [Comprar] · [Site ↗ https://example.org]")
    finally:
        await desk.stop()


async def test_replies_between_the_client_and_the_existing_bot_keep_their_context(
        sandbox, parallel, funnel):
    async def quoting(update, context):
        await update.message.reply_text(f"Recebido: {update.message.text}", do_quote=True)

    async with running(await sandbox.bot_api(), CommandHandler("start", funnel.start),
                       MessageHandler(filters.TEXT & ~filters.COMMAND, quoting)):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await until(parallel, lambda: len(ana.chat()) == 2)
        ana.reply(ana.chat()[-1], "Quero o azul")
        await until(parallel, lambda: len(ana.chat()) == 4)
        await until(parallel, lambda: len(thread_texts(sandbox, ana)) >= 6)
    thread = sandbox.thread(card_of(sandbox, ana))
    greeting, asked, answered = (
        next(m for m in thread if m.text and m.text.startswith(start))
        for start in ("🤖 Olá", "Quero o azul", "🤖 Recebido"))
    assert asked.reply_to == greeting.id  # the client replied to the bot's greeting
    assert answered.reply_to == asked.id  # the existing bot replied to the client
    assert ana.chat()[-1].reply_to == ana.chat()[-2].id


PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")


async def test_photos_files_and_albums_the_existing_bot_sends_reach_the_thread(
        sandbox, parallel):
    async def catalogue(update, context):
        chat = update.effective_chat.id
        await context.bot.send_photo(chat, PNG, caption="Modelo azul")
        await context.bot.send_document(chat, b"%PDF-1.4 tabela", filename="precos.pdf")
        await context.bot.send_media_group(chat, [
            telegram.InputMediaPhoto(PNG, caption="frente"), telegram.InputMediaPhoto(PNG)])

    async with running(await sandbox.bot_api(), CommandHandler("start", catalogue)):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await until(parallel, lambda: len(ana.chat()) == 5)
        await until(parallel, lambda: len(sandbox.thread(card_of(sandbox, ana))) >= 8)
    copies = [m for m in sandbox.thread(card_of(sandbox, ana))[3:] if m.kind != "text"]
    assert [m.kind for m in copies] == ["photo", "document", "photo", "photo"]
    assert copies[0].text == "🤖 Modelo azul"
    assert copies[1].raw.media.document.attributes[-1].file_name == "precos.pdf"
    assert copies[2].grouped_id and copies[2].grouped_id == copies[3].grouped_id
    assert copies[2].text == "🤖 frente"
    assert all(m.raw.reply_markup is None for m in copies)


@pytest.mark.parametrize("incoming, outgoing", [(True, True), (True, False), (False, True)])
async def test_check_watches_for_clients_and_the_existing_bot_and_sends_nothing(
        sandbox, tmp_path, database_url, capsys, incoming, outgoing):
    sandbox.switches.parallel_sessions_receive_incoming = incoming
    sandbox.switches.parallel_sessions_receive_outgoing = outgoing
    migrate_url(database_url)
    config = RunningDesk(sandbox, tmp_path, database_url, MODE="parallel").config
    ana = sandbox.client("Ana Souza")
    ana.start()
    api = await sandbox.bot_api()
    async with telegram.Bot(api.token, base_url=api.base_url,
                            base_file_url=api.base_file_url) as bot:
        watch = 5 if incoming and outgoing else 0.2
        checking = asyncio.create_task(report(
            config, lambda _config: sandbox.bot_client("check"), watch=watch))
        while not checking.done():  # traffic both ways, whenever the check listens
            ana.send("oi")
            with contextlib.suppress(telegram.error.RetryAfter):  # its flood limit, obeyed
                await bot.send_message(ana.id, "Promoção de hoje")
            await asyncio.sleep(0.02)
        passed = await checking
    out = capsys.readouterr().out
    assert f"watching up to {watch:g} s for a client's message and one the existing bot" in out
    assert ("✓ messages clients write to the bot are seen" in out) is incoming
    assert ("✓ messages the existing bot sends are seen" in out) is outgoing
    assert passed is (incoming and outgoing)
    if not incoming:
        assert "✗ messages clients write to the bot are seen: none in 0.2 s" in out
    if not outgoing:
        assert "✗ messages the existing bot sends are seen: none in 0.2 s" in out
    assert {m.text for m in ana.chat() if m.from_bot} == {"Promoção de hoje"}  # check: silent


async def test_check_without_interception_watches_for_clients_only(
        sandbox, tmp_path, database_url, capsys):
    migrate_url(database_url)
    config = RunningDesk(sandbox, tmp_path, database_url, MODE="parallel",
                         INTERCEPT_EXTERNAL="off").config
    ana = sandbox.client("Ana Souza")
    checking = asyncio.create_task(report(
        config, lambda _config: sandbox.bot_client("check"), watch=5))
    while not checking.done():
        ana.send("oi")
        await asyncio.sleep(0.02)
    assert await checking
    out = capsys.readouterr().out
    assert "✓ messages clients write to the bot are seen" in out
    assert "existing bot sends" not in out
    assert [m for m in ana.chat() if m.from_bot] == []


async def test_novo_opens_a_card_for_a_client_the_dialog_rules_left_out(
        sandbox, tmp_path, database_url, funnel):
    ana, bruno = sandbox.client("Ana Souza", username="ana_s"), sandbox.client("Bruno Reis")
    desk = await attached(sandbox, tmp_path, database_url, WHITE_LIST=str(bruno.id))
    try:
        async with running(await sandbox.bot_api(), *funnel.handlers()):
            ana.start()
            await until(desk, lambda: len(ana.chat()) == 2)
            assert sandbox.posts() == []  # Ana is not on the white list
            eva = sandbox.team_member("Eva Lima", language="en")
            eva.send("/novo @ana_s")
            await until(desk, lambda: len(sandbox.posts()) == 1)
            assert bot_said(eva)[-1].startswith("Thread of Ana Souza: https://t.me/c/")
            ana.send("Quero o azul")
            await until(desk, lambda: "Quero o azul" in thread_texts(sandbox, ana))
            await until(desk, lambda: "🤖 Recebido: Quero o azul" in thread_texts(sandbox, ana))
        assert [m.text for m in ana.chat()] == [
            "/start", "Olá, Ana!", "Quero o azul", "Recebido: Quero o azul"]
    finally:
        await desk.stop()


async def test_autoclose_ends_a_dialog_the_existing_bot_answered_last(
        sandbox, tmp_path, database_url, funnel):
    """The existing bot's answers count for AUTOCLOSE (without them every dialog of the bot
    would stay open and pinned); the end says nothing to the client (SILENT_MODE)."""
    desk = await attached(sandbox, tmp_path, database_url, AUTOCLOSE="2")
    closing = desk.app.desk.api("autoclose")
    try:
        ana, bia = sandbox.client("Ana Souza"), sandbox.client("Bia Reis")
        ana.start()
        bia.send_photo("comprovante")  # the funnel answers no photo: Bia waits for a person
        await desk.settle()
        sandbox.clock.advance(60)  # the existing bot answers a minute later
        async with running(await sandbox.bot_api(), *funnel.handlers()):
            await until(desk, lambda: any(
                text.startswith("🤖 Olá, Ana!") for text in thread_texts(sandbox, ana)))
            sandbox.clock.advance(2 * 3600 - 1)
            assert await closing.run() == 0
            sandbox.clock.advance(1)
            assert await closing.run() == 1
            await desk.settle()
        assert thread_texts(sandbox, ana)[-1].startswith("⏰ Atendimento #1 closed by itself")
        assert not card_of(sandbox, ana).pinned and card_of(sandbox, bia).pinned
        assert [m.text for m in ana.chat()] == ["/start", "Olá, Ana!"]  # silent
    finally:
        await desk.stop()

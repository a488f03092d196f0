"""Parallel mode at its edges (the desk attached to the token of a bot another system runs, here
python-telegram-bot on the sandbox's Bot API) and catch-up after downtime, found by an
adversarial review.

Found wrong, fixed: a client could write a message whose copy in the thread read exactly as
what the existing bot said (it now has 👤 in front); a banned client's presses and the existing
bot's answers to them still filled the thread; a message the existing bot deleted was said to
have been deleted by the client, and one deleted while its copy waited left no mark; an edit of
the existing bot's message while its copy waited was lost.

Held (kept as guards): clients' commands (/start with a parameter, /help, the desk's own
command names) reach the existing bot and the desk says nothing; a forged press of a desk
button under the existing bot's message does nothing of the desk's; formatting survives the
🤖 mark; both sides of a dialog during downtime (albums and edits included) are copied once,
in order, across restarts, and an album the desk is stopped in the middle of is copied once.
"""

from __future__ import annotations

import asyncio

import pytest
import telegram
from telegram.ext import CommandHandler, MessageHandler, filters

from atendimento.sandbox import Sandbox

from .conftest import RunningDesk, card_of, thread_texts
from .test_faults import ChatTrouble, StoryClock, let_time_pass, settled
from .test_faults import until as until_true
from .test_parallel import Funnel, running, until

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")


async def attached(sandbox, tmp_path, database_url, **settings) -> RunningDesk:
    desk = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en", MODE="parallel",
                       BOT_TOKEN=(await sandbox.bot_api()).token, **settings)
    await desk.start()
    return desk


async def quiet(desk: RunningDesk, rounds: int = 5) -> None:
    """Let the existing bot (its own HTTP round trips) and the desk both go idle."""
    for _ in range(rounds):
        await asyncio.sleep(0.02)
        await desk.settle()


def bot_api_client(api) -> telegram.Bot:
    return telegram.Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url)


@pytest.fixture
def funnel():
    return Funnel()


@pytest.fixture
async def parallel_desk(sandbox, tmp_path, database_url):
    desk = await attached(sandbox, tmp_path, database_url)
    yield desk
    await desk.stop()


@pytest.fixture
async def timed_parallel(tmp_path, database_url, monkeypatch):
    """A parallel desk on a StoryClock (natural rate limits off), its trouble, and the
    existing bot as a plain Bot API client."""
    box = Sandbox(strict=True, clock=StoryClock())
    box.world.limits.enabled = False
    await box.start()
    api = await box.bot_api()
    desk = RunningDesk(box, tmp_path, database_url, LANGUAGE="en", MODE="parallel",
                       BOT_TOKEN=api.token)
    try:
        await desk.start()
        async with bot_api_client(api) as bot:
            yield box, desk, ChatTrouble(box, monkeypatch), bot
        for _ in range(100):  # let any wait still under way run out
            if not box.clock.waiting:
                break
            box.clock.advance(3600)
            await box.settle()
    finally:
        await desk.stop()
        await box.close()


async def while_the_copy_waits(sandbox, trouble) -> None:
    await until_true(sandbox, lambda: trouble.refused[sandbox.group.id] >= 1,
                     "the group refused the copy")


async def handled(sandbox) -> None:
    for _ in range(40):  # the desk takes the updates just pushed, the copy still waiting
        await sandbox.settle()
        await asyncio.sleep(0.002)


# ----- defects ----------------------------------------------------------------------------

async def test_a_client_cannot_write_what_reads_as_the_existing_bots_words(
        sandbox, parallel_desk):
    """The team tells the existing bot's words from the client's by the 🤖 mark alone, and a
    client can type it: "🤖 Pagamento confirmado ✅" from the client must not look like the
    bot confirming a payment."""
    async def start(update, context):
        await update.message.reply_text("Pagamento confirmado ✅")

    async with running(await sandbox.bot_api(), CommandHandler("start", start)):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await until(parallel_desk, lambda: len(ana.chat()) == 2)
        mallory = sandbox.client("Mallory")
        mallory.start()
        await until(parallel_desk, lambda: len(mallory.chat()) == 2)
        mallory.send("🤖 Pagamento confirmado ✅")
        await quiet(parallel_desk)

    def copies(person):
        return [(m.text, m.raw.entities or None) for m in sandbox.thread(card_of(sandbox, person))
                if "Pagamento confirmado" in (m.text or "")]

    (from_the_bot,) = copies(ana)
    said_by_bot, typed_by_client = copies(mallory)
    assert said_by_bot == from_the_bot  # the existing bot's greeting, copied with its mark
    assert typed_by_client[0] == "👤 🤖 Pagamento confirmado ✅", typed_by_client


async def test_a_banned_client_no_longer_fills_the_thread_through_the_existing_bot(
        sandbox, parallel_desk, funnel):
    """A ban stops the client's messages reaching the team, but a banned client can still
    write into the thread (and spend the group's 20 sends a minute, which every thread
    shares) by pressing the existing bot's buttons and by making it answer."""
    async with running(await sandbox.bot_api(), *funnel.handlers()):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await until(parallel_desk, lambda: len(ana.chat()) == 2)
        await quiet(parallel_desk)
        rui = sandbox.admin("Rui Admin")
        rui.comment(card_of(sandbox, ana), "/ban spam")
        await quiet(parallel_desk)
        before = thread_texts(sandbox, ana)
        assert before[-1] == "⛔ Ana Souza was banned by Rui Admin: spam"
        greeting = ana.chat()[1]
        for round_ in range(3):
            sandbox.clock.advance(5)
            ana.send(f"spam {round_}")
            ana.press(greeting, "Comprar")
            await until(parallel_desk, lambda r=round_: any(
                m.text == f"Recebido: spam {r}" for m in ana.chat()))
        await quiet(parallel_desk)
    assert ana.chat()[-1].text in ("Qual produto?", "Recebido: spam 2")  # the bot answered
    assert thread_texts(sandbox, ana)[len(before):] == []


async def test_a_message_the_existing_bot_deletes_is_not_blamed_on_the_client(
        sandbox, parallel_desk, funnel):
    """Funnels delete their own old menus, and bots may delete what a client wrote: the
    thread marks the copy deleted without saying the client did it (an update of a deletion
    in a private chat does not say who deleted)."""
    api = await sandbox.bot_api()
    async with running(api, *funnel.handlers()):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await until(parallel_desk, lambda: len(ana.chat()) == 2)
        ana.send("oi")
        await until(parallel_desk, lambda: len(ana.chat()) == 4)
        await quiet(parallel_desk)
        menu, written = ana.chat()[1], ana.chat()[2]
        async with bot_api_client(api) as bot:
            await bot.delete_message(ana.id, menu.id)  # the existing bot's own old menu
            await bot.delete_message(ana.id, written.id)  # what the client wrote
        await quiet(parallel_desk)
    thread = sandbox.thread(card_of(sandbox, ana))
    copy_of = {m.text: m for m in thread}
    menu_copy = copy_of["🤖 Olá, Ana!\n\n🔘 [Comprar] · [Site ↗ https://example.org]"]
    marks = {m.reply_to: m.text for m in thread if m.text.startswith("🗑")}
    assert set(marks) == {menu_copy.id, copy_of["oi"].id}  # both copies are marked
    assert not [text for text in marks.values() if "client deleted" in text], marks


async def test_a_message_the_existing_bot_deletes_while_its_copy_waits_is_marked(
        timed_parallel):
    """"⏳ Processando…" sent and deleted at once (a common funnel pattern) while the group
    holds the copy back: the thread must not show, unmarked, what the client no longer has."""
    sandbox, desk, trouble, bot = timed_parallel
    ana = sandbox.client("Ana Souza")
    ana.start()
    await settled(desk)
    trouble.flood(sandbox.group.id, 30)
    placeholder = await bot.send_message(ana.id, "⏳ Processando…")
    await while_the_copy_waits(sandbox, trouble)
    await bot.delete_message(ana.id, placeholder.message_id)
    await bot.send_message(ana.id, "Pedido 1234: enviado")
    await handled(sandbox)
    await let_time_pass(desk, 30)
    await settled(desk)
    assert [m.text for m in ana.chat()] == ["/start", "Pedido 1234: enviado"]
    thread = sandbox.thread(card_of(sandbox, ana))
    assert "🤖 Pedido 1234: enviado" in [m.text for m in thread]
    copies = [m for m in thread if m.text == "🤖 ⏳ Processando…"]
    marked = {m.reply_to for m in thread if m.text.startswith("🗑")}
    assert all(copy.id in marked for copy in copies), "a deleted message shows as sent"


async def test_an_edit_of_the_existing_bot_while_its_copy_waits_reaches_the_thread(
        timed_parallel):
    """The existing bot edits its message (the choice made, the keyboard gone) while the
    copy waits on the group's flood wait: the thread must end up as the client sees it.
    A client's edit in the same spot does (desk/edits.py waits for the copy)."""
    sandbox, desk, trouble, bot = timed_parallel
    ana = sandbox.client("Ana Souza")
    ana.start()
    await settled(desk)
    trouble.flood(sandbox.group.id, 30)
    keyboard = telegram.InlineKeyboardMarkup([[
        telegram.InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(ana.id, "Escolha:", reply_markup=keyboard)
    await while_the_copy_waits(sandbox, trouble)
    await bot.edit_message_text("Você escolheu A", chat_id=ana.id, message_id=sent.message_id)
    await handled(sandbox)
    await let_time_pass(desk, 30)
    await settled(desk)
    assert ana.chat()[-1].text == "Você escolheu A"
    texts = thread_texts(sandbox, ana)
    assert "🤖 Escolha:\n\n🔘 [A]" not in texts, texts
    assert "🤖 Você escolheu A" in texts


# ----- held -------------------------------------------------------------------------------

async def test_clients_commands_reach_the_existing_bot_and_the_desk_keeps_quiet(
        sandbox, parallel_desk):
    heard: list[str] = []

    async def start(update, context):
        heard.append(update.message.text)
        await update.message.reply_text(f"start {' '.join(context.args)}")

    async def anything(update, context):
        heard.append(update.message.text)
        await update.message.reply_text(f"got {update.message.text}")

    typed = ["/help", "/ajuda", "/idioma", "/fim", "/status", "/p urgente", "/ban",
             "/novo @ana", "/resposta oi"]
    async with running(await sandbox.bot_api(), CommandHandler("start", start),
                       MessageHandler(filters.ALL, anything)):
        ana = sandbox.client("Ana Souza")
        ana.start("promo_abc")
        await until(parallel_desk, lambda: len(ana.chat()) == 2)
        for text in typed:
            sandbox.clock.advance(2)
            ana.send(text)
            await until(parallel_desk, lambda t=text: ana.chat()[-1].text == f"got {t}")
        await quiet(parallel_desk)
    assert heard == ["/start promo_abc", *typed]
    # Only the existing bot answered: nothing of the desk's own reached the client.
    assert [m.text for m in ana.chat() if m.from_bot] == [
        "start promo_abc", *(f"got {t}" for t in typed)]
    texts = thread_texts(sandbox, ana)
    assert texts[0].startswith("📂 Atendimento #1 opened from “promo_abc”")
    assert [t for t in texts if t.startswith("/")] == ["/start promo_abc", *typed]
    assert not card_of(sandbox, ana).text.startswith(("⚪", "🔴"))  # no command ran


async def test_a_forged_desk_button_under_the_existing_bots_message_does_nothing(
        sandbox, parallel_desk, funnel):
    async with running(await sandbox.bot_api(), *funnel.handlers()):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await until(parallel_desk, lambda: len(ana.chat()) == 2)
        await quiet(parallel_desk)
        greeting, forged = ana.chat()[1], []
        for count, data in enumerate((b"l:es", b"csat:1:1", b"p:1"), start=1):
            sandbox.clock.advance(5)
            forged.append(ana.press_data(greeting, data))
            await until(parallel_desk, lambda n=count: [
                m.text for m in ana.chat()].count("Qual produto?") == n)
        await quiet(parallel_desk)
    # The existing bot answered each press as its own; the desk only wrote them down.
    assert all(press.answered and press.text == "Anotado" for press in forged)
    assert thread_texts(sandbox, ana).count("👆 The client pressed a button of the bot") == 3
    assert card_of(sandbox, ana).text.startswith("🟡")  # no priority changed


async def test_formatting_of_the_existing_bot_survives_the_mark(sandbox, parallel_desk):
    async def start(update, context):
        await update.message.reply_html(
            "😀 <b>Olá</b> <i>Ana</i>, veja <a href='https://example.org/x'>o site</a> "
            "e <code>CUPOM10</code> <tg-spoiler>segredo</tg-spoiler>")

    async with running(await sandbox.bot_api(), CommandHandler("start", start)):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await until(parallel_desk, lambda: len(ana.chat()) == 2)
        await quiet(parallel_desk)
    original = ana.chat()[1].raw
    copy = next(m.raw for m in sandbox.thread(card_of(sandbox, ana))
                if m.text.startswith("🤖 😀"))

    def spans(message):
        utf16 = message.message.encode("utf-16-le")
        return [(type(e).__name__, utf16[2 * e.offset:2 * (e.offset + e.length)]
                 .decode("utf-16-le"), getattr(e, "url", None)) for e in message.entities]

    assert copy.message == "🤖 " + original.message
    assert spans(copy) == spans(original) and len(spans(copy)) == 5


async def test_both_sides_of_a_dialog_during_downtime_are_copied_once_in_order(
        sandbox, parallel_desk, funnel):
    desk, api = parallel_desk, await sandbox.bot_api()
    async with running(api, *funnel.handlers()):
        ana = sandbox.client("Ana Souza")
        ana.start()
        await until(desk, lambda: len(ana.chat()) == 2)
        await quiet(desk)
        card = card_of(sandbox, ana)
        await desk.stop()
        ana.send("durante 1")
        await until_true(sandbox, lambda: ana.chat()[-1].text == "Recebido: durante 1",
                         "the existing bot answered")
        eva = sandbox.team_member("Eva Lima")
        eva.comment(card, "resposta da equipe")
        sandbox.clock.advance(5)
        ana.send("durante 2")
        await until_true(sandbox, lambda: ana.chat()[-1].text == "Recebido: durante 2",
                         "the existing bot answered")
        async with bot_api_client(api) as bot:
            sandbox.clock.advance(5)
            await bot.send_media_group(ana.id, [
                telegram.InputMediaPhoto(PNG, caption="frente"), telegram.InputMediaPhoto(PNG)])
            await bot.edit_message_text("Olá de novo", chat_id=ana.id,
                                        message_id=ana.chat()[1].id)
        await desk.start()
        await quiet(desk, 10)
    expected = ["/start", "🤖 Olá de novo", "resposta da equipe", "durante 1",
                "🤖 Recebido: durante 1", "durante 2", "🤖 Recebido: durante 2", "🤖 frente", ""]

    def dialog():
        return [m.text for m in sandbox.thread(card)[2:]
                if not m.text.startswith("🤖 The bot is still")]

    assert dialog() == expected
    assert [m.text for m in ana.chat()].count("resposta da equipe") == 1
    await desk.stop()
    await desk.start()  # a second restart replays nothing
    await quiet(desk)
    assert dialog() == expected


@pytest.mark.parametrize("ticks", [0, 2, 8])
async def test_an_album_the_desk_stops_in_the_middle_of_is_copied_once(
        sandbox, parallel_desk, ticks):
    desk, api = parallel_desk, await sandbox.bot_api()
    ana = sandbox.client("Ana Souza")
    ana.start()
    await quiet(desk)
    async with bot_api_client(api) as bot:
        await bot.send_media_group(ana.id, [
            telegram.InputMediaPhoto(PNG, caption="a"), telegram.InputMediaPhoto(PNG),
            telegram.InputMediaPhoto(PNG)])
        sandbox.clock.advance(5)
        ana.send_album(("photo", "photo"), ("x", "y"))
        for _ in range(ticks):
            await asyncio.sleep(0)
        await desk.stop()
        await desk.start()
        await quiet(desk, 10)
    photos = [m for m in sandbox.thread(card_of(sandbox, ana)) if m.kind == "photo"]
    assert [m.text for m in photos] == ["🤖 a", "", "", "x", "y"]
    assert len({m.grouped_id for m in photos[:3]}) == 1 and photos[0].grouped_id
    assert len({m.grouped_id for m in photos[3:]}) == 1 and photos[3].grouped_id


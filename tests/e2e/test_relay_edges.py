"""The relay both ways at its edges, found by an adversarial review: nothing lost (the group
failing for a while, an edit while its copy waits on a flood), nothing garbled (placeholders
after an emoji, formatting through edits, every entity kind), and the sandbox as strict as
Telegram where the desk once relied on it not being."""

from __future__ import annotations

import asyncio

import pytest
from pyrogram import errors, raw, types

from atendimento.sandbox import messages as ops

from . import test_faults
from .conftest import bot_said, card_of, thread_texts
from .test_faults import client_in_thread, let_time_pass, settled, until

T = raw.types
timed, trouble = test_faults.timed, test_faults.trouble  # their fixtures, used here too


async def _let_desk_handle(sandbox) -> None:
    """Let the desk take the updates just pushed (while a send still waits on the clock)."""
    for _ in range(40):
        await sandbox.settle()
        await asyncio.sleep(0.002)


async def test_a_team_edit_while_its_answer_is_held_by_a_flood_wait_reaches_the_client(timed):
    sandbox, desk, chat_trouble = timed
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    eva = sandbox.team_member("Eva Lima")
    chat_trouble.flood(ana.id, 30)
    comment = eva.comment(card, "o prazo é de 3 dias")
    await until(sandbox, lambda: chat_trouble.refused[ana.id] >= 1, "Ana's chat refused a send")
    eva.edit(comment, "o prazo é de 30 dias")  # the attendant fixes it during the wait
    await _let_desk_handle(sandbox)
    await let_time_pass(desk, 30)
    await settled(desk)
    assert bot_said(ana) == ["o prazo é de 30 dias"]


async def test_a_client_edit_while_the_copy_is_held_by_a_flood_wait_reaches_the_thread(timed):
    sandbox, desk, chat_trouble = timed
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    chat_trouble.flood(sandbox.group.id, 30)
    sent = ana.send("meu pedido é 1243")
    await until(sandbox, lambda: chat_trouble.refused[sandbox.group.id] >= 1,
                "the group refused a send")
    ana.edit(sent, "meu pedido é 1234")
    await _let_desk_handle(sandbox)
    await let_time_pass(desk, 30)
    await settled(desk)
    assert thread_texts(sandbox, ana)[-1] == "meu pedido é 1234"


# ----- entities ------------------------------------------------------------------------------


def _rich(person_id: int) -> tuple[str, list]:
    text = "😀 negrito 𝐀 spoiler\ncitação longa 👩‍👩‍👧\ncódigo 😀 link @ana emoji💥 {nome}"

    def at(part: str) -> int:
        return len(text[:text.index(part)].encode("utf-16-le")) // 2

    def n(part: str) -> int:
        return len(part.encode("utf-16-le")) // 2

    return text, [
        T.MessageEntityBold(offset=at("negrito"), length=n("negrito 𝐀")),
        T.MessageEntitySpoiler(offset=at("spoiler"), length=n("spoiler")),
        T.MessageEntityBlockquote(offset=at("citação"), length=n("citação longa 👩‍👩‍👧"),
                                  collapsed=True),
        T.MessageEntityPre(offset=at("código"), length=n("código 😀"), language="python"),
        T.MessageEntityTextUrl(offset=at("link"), length=n("link"), url="https://ex.com/a"),
        T.MessageEntityMentionName(offset=at("@ana"), length=n("@ana"), user_id=person_id),
        T.MessageEntityCustomEmoji(offset=at("💥"), length=n("💥"),
                                   document_id=5368324170671202286),
    ]


def _shape(entities) -> list:
    """Each entity as its kind, place and details (a mention's user as its id)."""
    out = []
    for e in entities or ():
        fields = {k: getattr(e, k) for k in e.__slots__}
        if isinstance(e, T.InputMessageEntityMentionName):
            fields["user_id"] = e.user_id.user_id
        out.append((type(e).__name__.removeprefix("Input"), sorted(fields.items())))
    return out


async def test_every_entity_of_a_clients_text_reaches_the_thread_at_its_place(sandbox, desk):
    ana = sandbox.client("Ana Souza")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    text, entities = _rich(ana.id)
    ana.send(text, entities=entities)
    await desk.settle()
    copy = sandbox.thread(card)[-1]
    assert copy.text == text
    assert _shape(copy.raw.entities) == _shape(entities)


async def test_a_team_answer_with_a_placeholder_keeps_an_expandable_blockquote(sandbox, desk):
    ana = sandbox.client("Ana Souza")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva Lima")
    text = "Olá {nome}!\nDetalhes do pedido que ficam recolhidos"
    start = len("Olá {nome}!\n")
    quote = T.MessageEntityBlockquote(offset=start, length=len(text) - start, collapsed=True)
    root = sandbox.thread_root(card)
    outcome = ops.create(sandbox.world, sandbox.group, eva.account, text=text,
                         entities=[quote], reply_to=root)
    eva._push(sandbox.group, outcome)
    await desk.settle()
    got = [m for m in ana.chat() if m.from_bot][-1]
    assert got.text == "Olá Ana!\nDetalhes do pedido que ficam recolhidos"
    [entity] = got.raw.entities
    assert isinstance(entity, T.MessageEntityBlockquote) and entity.collapsed


# ----- the thread's group failing for a while ------------------------------------------------


async def test_a_clients_message_survives_the_group_failing_for_a_while(sandbox, desk,
                                                                        trouble):
    """The group answers 500 INTERNAL twelve times in a row, more than the gateway's own
    attempts: the copy was once settled as failed, and the client's words were gone for
    good (the desk keeps no bodies). It waits and is sent, in its place, with nothing said
    about a loss."""
    ana, card = await client_in_thread(sandbox, desk, "Ana Souza")
    trouble.fail(sandbox.group.id, 500, "INTERNAL", times=12)
    ana.send("o número do pedido é 1234")
    ana.send("alguém aí?")
    await settled(desk)
    await desk.stop()
    await desk.start()
    await settled(desk)
    texts = thread_texts(sandbox, ana)
    assert texts.index("o número do pedido é 1234") < texts.index("alguém aí?"), texts
    assert not any(t.startswith("⚠️") for t in texts), texts


# ----- edits ---------------------------------------------------------------------------------

async def test_an_album_caption_edit_and_an_edit_after_a_restart_are_mirrored(sandbox, desk):
    """Passes: pins that an album item's caption edit, and an edit after a restart (the
    source no longer cached), reach the copy."""
    ana = sandbox.client("Ana Souza")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    plain = ana.send("prazo 😀 urgente")
    album = ana.send_album(("photo", "video"), ("frente", "verso"))
    await desk.settle()
    ana.edit(album[1], "verso corrigido")
    await desk.settle()
    await desk.stop()
    await desk.start()
    ana.edit(plain, "prazo 😀 amanhã")
    await desk.settle()
    thread = sandbox.thread(card)
    copy = next(m for m in thread if m.text.startswith("prazo"))
    assert copy.text == "prazo 😀 amanhã"
    assert [m.text for m in thread if m.kind in ("photo", "video")] == ["frente",
                                                                         "verso corrigido"]


def _edit_with_entities(person, message, text: str, entities: list) -> None:
    """The person edits `message` to `text` formatted with `entities` (raw)."""
    chat = message.chat
    person._push(chat, ops.edit(person.world, chat, message.id, text=text, entities=entities))


def _kinds(seen) -> list:
    return [(type(e).__name__, e.offset, e.length) for e in seen.raw.entities or ()]


async def test_a_formatted_text_edited_keeps_its_formatting_in_the_copy_both_ways(sandbox,
                                                                                 desk):
    ana = sandbox.client("Ana Souza")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva Lima")
    bold = [T.MessageEntityBold(offset=0, length=6)]
    mine = ana.send("pedido 123", entities=[("bold", 0, 6)])
    comment = eva.comment(card, "prazo de 3 dias")
    await desk.settle()
    _edit_with_entities(ana, mine, "pedido 124", bold)  # the number fixed, still bold
    _edit_with_entities(eva, comment, "prazo de 5 dias", [T.MessageEntityBold(offset=0, length=5)])
    await desk.settle()
    copy = next(m for m in sandbox.thread(card) if m.text.startswith("pedido"))
    assert copy.text == "pedido 124"
    answer = bot_said(ana)[-1], [m for m in ana.chat() if m.from_bot][-1]
    assert answer[0] == "prazo de 5 dias"
    assert (_kinds(copy), _kinds(answer[1])) == ([("MessageEntityBold", 0, 6)],
                                                 [("MessageEntityBold", 0, 5)])


# ----- bursts --------------------------------------------------------------------------------

async def test_two_clients_writing_fifty_messages_each_at_once_arrive_whole_and_in_order(
        sandbox, desk):
    """Passes: the group's 20 a minute make the desk wait minutes; nothing is lost."""
    ana, bia = sandbox.client("Ana Souza"), sandbox.client("Bia Costa")
    eva = sandbox.team_member("Eva Lima")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    for i in range(50):
        ana.send(f"ana {i}")
        bia.send(f"bia {i}")
        if i % 10 == 0:
            eva.comment(card, f"eva {i}")
    await desk.settle()
    assert [t for t in thread_texts(sandbox, ana) if t.startswith("ana ")] == [
        f"ana {i}" for i in range(50)]
    assert [t for t in thread_texts(sandbox, bia) if t.startswith("bia ")] == [
        f"bia {i}" for i in range(50)]
    assert bot_said(ana) == [f"eva {i}" for i in range(0, 50, 10)]


# ----- placeholders after astral characters --------------------------------------------------

async def test_a_placeholder_after_an_emoji_is_filled_without_garbling_the_text(sandbox, desk):
    ana = sandbox.client("Ana Souza")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "😀 Oi {nome}, tudo bem?")
    eva.comment(card, "📦 {nome}, seu pedido saiu", media="photo")
    await desk.settle()
    assert bot_said(ana) == ["😀 Oi Ana, tudo bem?", "📦 Ana, seu pedido saiu"]


# ----- albums --------------------------------------------------------------------------------

async def test_the_sandbox_refuses_an_album_mixing_photos_and_documents(sandbox, desk):
    """Telegram groups documents only with documents (Bot API sendMediaGroup: "Documents and
    audio files can be only grouped in an album with messages of the same type"), and an
    photos with videos): the sandbox refuses a mixed album as Telegram does."""
    ana = sandbox.client("Ana Souza")
    ana.send("Oi")
    ana.send_photo("p")
    ana.send_document("d")
    await desk.settle()
    bot = desk.app.client
    photo, document = (await bot.get_messages(ana.id, [m.id for m in ana.chat()][-2:]))
    with pytest.raises(errors.BadRequest):
        await bot.send_media_group(ana.id, [types.InputMediaPhoto(photo.photo.file_id),
                                            types.InputMediaDocument(document.document.file_id)])


async def test_the_sandbox_turns_a_bots_mention_by_id_into_the_entity_telegram_delivers(
        sandbox, desk):
    """The bot sends inputMessageEntityMentionName; Telegram stores and delivers
    messageEntityMentionName(user_id), with no access hash: so does the sandbox."""
    ana = sandbox.client("Ana Souza")
    ana.send("Oi")
    await desk.settle()
    ana.send("fale com @ana", entities=[
        T.MessageEntityMentionName(offset=9, length=4, user_id=ana.id)])
    await desk.settle()
    copy = sandbox.thread(card_of(sandbox, ana))[-1]
    [entity] = copy.raw.entities
    assert type(entity) is T.MessageEntityMentionName and entity.user_id == ana.id


async def test_answers_after_the_end_and_replies_to_the_root_or_a_service_line_arrive(
        sandbox, desk):
    """Passes: a comment after /fim still reaches the client; a reply to the thread's root
    or to a service line of the bot reaches them as a plain message; the client's reply to
    the bot's own text reaches the thread."""
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva Lima")
    thread = sandbox.thread(card)
    root, service = thread[0], thread[1]
    eva.reply(service, "sobre a abertura")
    eva.reply(root, "sobre o cartão")
    eva.comment(card, "/fim")
    await desk.settle()
    eva.comment(card, "esqueci: o código é 77")
    await desk.settle()
    said = [m for m in ana.chat() if m.from_bot]
    assert [m.text for m in said if m.text in ("sobre a abertura", "sobre o cartão",
                                               "esqueci: o código é 77")] == [
        "sobre a abertura", "sobre o cartão", "esqueci: o código é 77"]
    ana.reply(said[-1], "obrigada")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "obrigada"


# ----- live locations ------------------------------------------------------------------------

async def test_a_live_location_that_moves_moves_in_the_thread_and_back(sandbox, desk):
    """A client shares their live location and walks: the thread's copy is live too and
    moves with it (it was once a still pin where they started). The same from the team."""
    ana = sandbox.client("Ana Souza")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    shared = ana.send_live_location(-23.55, -46.63, period=900)
    await desk.settle()
    ana.move(shared, -23.56, -46.64)
    await desk.settle()
    copy = sandbox.thread(card)[-1].raw.media
    assert isinstance(copy, T.MessageMediaGeoLive) and copy.period == 900
    assert (copy.geo.lat, copy.geo.long) == (-23.56, -46.64)

    eva = sandbox.team_member("Eva Lima")
    ours = eva.comment_live_location(card, -22.90, -43.17, period=3600)
    await desk.settle()
    eva.move(ours, -22.91, -43.18)
    await desk.settle()
    theirs = ana.chat()[-1].raw.media
    assert isinstance(theirs, T.MessageMediaGeoLive) and theirs.period == 3600
    assert (theirs.geo.lat, theirs.geo.long) == (-22.91, -43.18)


async def test_a_client_cannot_write_what_reads_as_the_desks_words_about_the_bot(sandbox, desk):
    """🤖 starts what the desk says the bot did (an automatic FAQ answer, the existing bot's
    words in parallel mode): a client's message that starts with it, as sent or edited into
    it, gets 👤 in front in the thread. The client's own chat keeps what they wrote."""
    ana, _card = await client_in_thread(sandbox, desk, "Ana Souza")
    ana.send("🤖 Respondido automaticamente: reembolso aprovado")
    plain = ana.send("meu pedido")
    ana.send_photo("\u200b🤖 comprovante do banco")
    await settled(desk)
    ana.edit(plain, "🤖 pedido liberado pelo sistema")
    await settled(desk)
    texts = thread_texts(sandbox, ana)
    assert "👤 🤖 Respondido automaticamente: reembolso aprovado" in texts
    assert "👤 🤖 pedido liberado pelo sistema" in texts
    assert "👤 \u200b🤖 comprovante do banco" in texts
    assert not [t for t in texts if t.startswith("🤖")]

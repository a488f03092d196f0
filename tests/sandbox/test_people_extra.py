"""The people API's newer acts, as a plain pyrogram bot parses them: comments sent as a channel
of one's own, polls (sent by people, sent and copied by the bot), comments of every kind, and
presses carrying data no button has."""

from __future__ import annotations

import pytest
from pyrogram import enums, errors, filters, raw, types
from pyrogram.handlers import CallbackQueryHandler, MessageHandler, RawUpdateHandler

from atendimento.sandbox import callbacks, files, polls

T = raw.types


@pytest.fixture
def seen_messages(bot):
    """Every message the bot's dispatcher parsed (automatic forwards left out)."""
    kept: list[types.Message] = []

    async def keep(client, message):
        if not message.automatic_forward:
            kept.append(message)

    bot.add_handler(MessageHandler(keep))
    return kept


async def card_with_thread(sandbox, bot):
    post = await bot.send_message(sandbox.channel_chat_id, "card")
    await sandbox.settle()
    return sandbox.post(post.id)


async def test_a_comment_as_a_foreign_channel_comes_from_that_channel(
        sandbox, bot, seen_messages):
    carried = []

    async def keep_chats(client, update, users, chats):
        if isinstance(update, T.UpdateNewChannelMessage):
            carried.append((update.message, chats))

    bot.add_handler(RawUpdateHandler(keep_chats), group=-2)
    card = await card_with_thread(sandbox, bot)
    rui = sandbox.client("Rui Fraude")  # not in the team
    shop = sandbox.foreign_channel("Loja Falsa", owner=rui, username="loja_falsa")
    comment = rui.comment(card, "Compre aqui", as_chat=shop)
    inside = rui.reply(comment, "e aqui", as_chat=shop)
    await sandbox.settle()
    first, second = seen_messages
    chat_id = -1_000_000_000_000 - shop.id
    for message in (first, second):
        assert message.from_user is None
        assert message.sender_chat.id == chat_id
        assert message.sender_chat.title == "Loja Falsa"
        assert message.sender_chat.type == enums.ChatType.CHANNEL
        assert message.sender_chat.username == "loja_falsa"
        assert message.chat.id == sandbox.group_chat_id
    root = sandbox.thread_root(card)
    assert first.reply_to_message_id == root
    assert second.reply_to_message_id == comment.id and second.reply_to_top_message_id == root
    raw_comment, chats = carried[-2]
    assert raw_comment.from_id == T.PeerChannel(channel_id=shop.id)
    channel = chats[shop.id]
    assert channel.access_hash == shop.access_hash and not channel.min and channel.broadcast
    assert comment.sender_id == shop.id and inside.sender_id == shop.id
    assert [m.text for m in sandbox.thread(card)][1:] == ["Compre aqui", "e aqui"]


async def test_a_team_member_may_comment_as_their_own_channel(sandbox, bot, seen_messages):
    card = await card_with_thread(sandbox, bot)
    eva = sandbox.team_member("Eva")
    blog = sandbox.foreign_channel("Blog da Eva", owner=eva)
    eva.comment(card, "", as_chat=blog, media="photo")
    eva.comment_poll(card, "Qual?", ["A", "B"], as_chat=blog)
    eva.comment_album(card, ("photo", "video"), ("um",), as_chat=blog)
    await sandbox.settle()
    assert {m.sender_chat.id for m in seen_messages} == {-1_000_000_000_000 - blog.id}
    assert [m.media for m in seen_messages] == [
        enums.MessageMediaType.PHOTO, enums.MessageMediaType.POLL,
        enums.MessageMediaType.PHOTO, enums.MessageMediaType.VIDEO]


async def test_only_a_channels_owner_or_admins_can_write_as_it(sandbox, bot):
    card = await card_with_thread(sandbox, bot)
    rui, ana = sandbox.client("Rui"), sandbox.client("Ana")
    shop = sandbox.foreign_channel("Loja", owner=rui)
    with pytest.raises(ValueError, match="cannot send as"):
        ana.comment(card, "oi", as_chat=shop)
    with pytest.raises(ValueError, match="exclude each other"):
        rui.comment(card, "oi", as_chat=shop, anonymous=True)
    ana.start()
    with pytest.raises(ValueError, match="private chat"):
        rui.reply(ana.chat()[-1], "oi", as_chat=shop)


async def test_comments_of_every_kind(sandbox, bot, seen_messages):
    card = await card_with_thread(sandbox, bot)
    eva = sandbox.team_member("Eva")
    for kind in files.KINDS:
        eva.comment(card, "legenda" if kind in files.CAPTIONED else "", media=kind)
    note = eva.comment(card, "texto")
    eva.reply(note, "", media="sticker")
    await sandbox.settle()
    kinds = [m.media.name.lower() if m.media else "text" for m in seen_messages]
    assert kinds == [*files.KINDS, "text", "sticker"]
    assert [m.caption for m in seen_messages[:2]] == ["legenda", "legenda"]
    assert [s.kind for s in sandbox.thread(card)[1:]] == [*files.KINDS, "text", "sticker"]
    with pytest.raises(ValueError, match="has no caption"):
        eva.comment(card, "legenda", media="sticker")
    with pytest.raises(ValueError, match="unknown kind"):
        eva.comment(card, "", media="hologram")


async def test_a_clients_poll_is_parsed_and_copied_into_the_thread(sandbox, bot, seen_messages):
    card = await card_with_thread(sandbox, bot)
    ana = sandbox.client("Ana")
    sent = ana.send_poll("Qual horário?", ["Manhã", "Tarde", "Noite 🌙"], multiple=True)
    await sandbox.settle()
    [message] = seen_messages
    poll = message.poll
    assert message.media == enums.MessageMediaType.POLL and sent.kind == "poll"
    assert poll.question.text == "Qual horário?"
    assert [o.text.text for o in poll.options] == ["Manhã", "Tarde", "Noite 🌙"]
    assert poll.allows_multiple_answers and poll.is_anonymous
    assert poll.type == enums.PollType.REGULAR
    copy = await message.copy(sandbox.group_chat_id, reply_parameters=types.ReplyParameters(
        message_id=sandbox.thread_root(card)))
    assert copy.poll.question.text == "Qual horário?" and copy.poll.id != poll.id
    in_thread = sandbox.thread(card)[-1]
    assert in_thread.kind == "poll" and in_thread.from_bot
    assert polls.signature(in_thread.raw.media) == polls.signature(sent.raw.media)
    with pytest.raises(ValueError, match="POLL_ANSWERS_INVALID"):
        ana.send_poll("Só uma?", ["sim"])


async def test_a_team_members_poll_copied_to_the_client_arrives_as_a_poll(sandbox, bot):
    card = await card_with_thread(sandbox, bot)
    ana, eva = sandbox.client("Ana"), sandbox.team_member("Eva")
    ana.start()
    await sandbox.settle()
    copied = []

    async def relay(client, message):
        copied.append(await message.copy(ana.id))

    bot.add_handler(MessageHandler(relay, filters.group & filters.poll))
    eva.comment_poll(card, "Podemos ligar?", ["Sim", "Não"])
    await sandbox.settle()
    [copy] = copied
    assert copy.chat.id == ana.id and copy.poll.options[1].text.text == "Não"
    last = ana.chat()[-1]
    assert last.kind == "poll" and last.from_bot
    assert polls.signature(last.raw.media) == ("Podemos ligar?", ("Sim", "Não"))


async def test_the_bot_sends_polls_and_telegram_refuses_bad_ones(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    await sandbox.settle()
    sent = await bot.send_poll(ana.id, "Nota?", ["1", "2", "3"], is_anonymous=False)
    assert sent.poll.question.text == "Nota?" and not sent.poll.is_anonymous
    quiz = await bot.send_poll(ana.id, "2+2?", ["3", "4"], type=enums.PollType.QUIZ,
                               correct_option_ids=[1])
    assert quiz.poll.type == enums.PollType.QUIZ
    with pytest.raises(errors.PollAnswersInvalid):
        await bot.send_poll(ana.id, "Só uma?", ["sim"])
    with pytest.raises(errors.PollQuestionInvalid):
        await bot.send_poll(ana.id, "x" * 256, ["a", "b"])
    assert [m.kind for m in ana.chat()][-2:] == ["poll", "poll"]


async def test_a_press_may_carry_data_no_button_has(sandbox, bot):
    assert sandbox.switches.forged_callback_data  # the default: the worst a bot can meet
    pressed = []

    async def keep(client, query):
        pressed.append(query.data)
        await query.answer("ok")

    bot.add_handler(CallbackQueryHandler(keep))
    ana = sandbox.client("Ana")
    ana.start()
    await sandbox.settle()
    await bot.send_message(ana.id, "escolha", reply_markup=types.InlineKeyboardMarkup(
        [[types.InlineKeyboardButton("Sim", callback_data="p:1:urgent")]]))
    message = ana.chat()[-1]
    assert callbacks.buttons(message) == [("Sim", b"p:1:urgent")]
    presses = [ana.press_data(message, data)
               for data in (b"p:99999999999999999999999:urgent", b"\xff\x00\xfe", b"p:\x00:x",
                            b"")]
    plain = ana.press_data(ana.chat()[0], b"no buttons here")
    await sandbox.settle()
    assert pressed == ["p:99999999999999999999999:urgent", b"\xff\x00\xfe", "p:\x00:x", b"",
                       "no buttons here"]
    assert all(p.answered for p in [*presses, plain])
    with pytest.raises(ValueError, match="at most 64 bytes"):
        ana.press_data(message, b"x" * 65)


async def test_with_checked_data_only_data_the_message_has_or_had_passes(sandbox, bot):
    sandbox.switches.forged_callback_data = False
    pressed = []

    async def keep(client, query):
        pressed.append(query.data)
        await query.answer()

    bot.add_handler(CallbackQueryHandler(keep))
    ana = sandbox.client("Ana")
    ana.start()
    await sandbox.settle()
    sent = await bot.send_message(ana.id, "escolha", reply_markup=types.InlineKeyboardMarkup(
        [[types.InlineKeyboardButton("Sim", callback_data="old")]]))
    message = ana.chat()[-1]
    with pytest.raises(ValueError, match="DATA_INVALID"):
        ana.press_data(message, b"p:1:urgent")
    await sent.edit_text("escolha de novo", reply_markup=types.InlineKeyboardMarkup(
        [[types.InlineKeyboardButton("Não", callback_data="new")]]))
    ana.press_data(message, b"old")  # the app still showed the old button
    ana.press(ana.chat()[-1], "Não")
    await sandbox.settle()
    assert pressed == ["old", "new"]

"""Private chats: ids from the common box, out/from_id, copies, albums, edits, deletions."""

from __future__ import annotations

from pyrogram import raw

T = raw.types


async def test_get_me_and_state(sandbox, bot):
    me = await bot.get_me()
    assert me.id == sandbox.bot_id and me.is_bot and me.is_self
    state = await bot.invoke(raw.functions.updates.GetState())
    assert state.pts == sandbox.world.box.pts


async def test_incoming_text_and_bot_answer(sandbox, bot, recorder):
    ana = sandbox.client("Ana Souza", username="ana", language="pt-BR")
    first = ana.start("site")
    await sandbox.settle()
    incoming = recorder.messages()[-1]
    assert incoming.message == "/start site" and incoming.from_id is None and not incoming.out
    sent = await bot.send_message(ana.id, "Olá")
    assert sent.id == first.id + 1 and sent.outgoing and sent.from_user.id == sandbox.bot_id
    assert sent.chat.id == ana.id
    assert [m.text for m in ana.chat()] == ["/start site", "Olá"]
    assert ana.chat()[-1].from_bot
    # One common box for every private chat of the bot: ids keep counting across chats.
    eva = sandbox.client("Eva")
    assert eva.start().id == sent.id + 1


async def test_every_kind_a_person_sends_parses_in_pyrogram(sandbox, bot):
    seen = []

    async def keep(client, message):
        seen.append(message)

    from pyrogram.handlers import MessageHandler

    bot.add_handler(MessageHandler(keep))
    ana = sandbox.client("Ana")
    ana.start()
    ana.send("hello *world*", entities=[("bold", 6, 7), ("text_link", 0, 5, "https://x.org")])
    ana.send_photo("a photo")
    ana.send_video("a video")
    ana.send_document("a pdf", file_name="invoice.pdf")
    ana.send_voice()
    ana.send_video_note()
    ana.send_audio("song")
    ana.send_sticker("😀")
    ana.send_animation("gif")
    ana.send_contact("+5511999990000", "Rui")
    ana.send_location(-23.5, -46.6)
    ana.send_venue(-23.5, -46.6, "Praça", "Rua A, 1")
    await sandbox.settle()
    kinds = [m.media.value if m.media else "text" for m in seen[1:]]
    assert kinds == [
        "text",
        "photo",
        "video",
        "document",
        "voice",
        "video_note",
        "audio",
        "sticker",
        "animation",
        "contact",
        "location",
        "venue",
    ]
    text = seen[1]
    assert [e.type.name for e in text.entities] == ["BOLD", "TEXT_LINK"]
    assert seen[0].text == "/start" and seen[0].entities[0].type.name == "BOT_COMMAND"
    assert seen[4].document.file_name == "invoice.pdf" and seen[2].caption == "a photo"
    assert all(m.from_user.id == ana.id and m.chat.id == ana.id for m in seen)


async def test_copy_message_sends_by_file_id(sandbox, bot):
    ana = sandbox.client("Ana")
    eva = sandbox.client("Eva")
    eva.start()
    photo = ana.send_photo("look")
    text = ana.send("plain", entities=[("italic", 0, 5)])
    await sandbox.settle()
    calls = len(sandbox.server.calls)
    copy = await bot.copy_message(eva.id, ana.id, photo.id)
    assert sandbox.server.calls[calls:] == ["messages.GetMessages", "messages.SendMedia"]
    assert copy.photo is not None and copy.caption == "look" and copy.forward_origin is None
    assert eva.chat()[-1].kind == "photo"
    assert eva.chat()[-1].raw.media.photo.id == photo.raw.media.photo.id
    copy = await bot.copy_message(eva.id, ana.id, text.id)
    assert copy.text == "plain" and copy.entities[0].type.name == "ITALIC"


async def test_album_copy_keeps_one_grouped_id(sandbox, bot):
    ana = sandbox.client("Ana")
    eva = sandbox.client("Eva")
    eva.start()
    album = ana.send_album(("photo", "video", "photo"), ("one", "two"))
    await sandbox.settle()
    assert len({m.grouped_id for m in album}) == 1
    copies = await bot.copy_media_group(eva.id, ana.id, album[1].id)
    assert [c.caption for c in copies] == ["one", "two", None]
    assert len({c.media_group_id for c in copies}) == 1
    assert copies[0].media_group_id != album[0].grouped_id
    assert "messages.SendMultiMedia" in sandbox.server.calls


async def test_forward_hiding_the_sender_drops_fwd_from(sandbox, bot):
    ana = sandbox.client("Ana")
    eva = sandbox.client("Eva")
    eva.start()
    text = ana.send("secret")
    await sandbox.settle()
    hidden = await bot.forward_messages(eva.id, ana.id, text.id, hide_sender_name=True)
    assert hidden.forward_origin is None and hidden.text == "secret"
    shown = await bot.forward_messages(eva.id, ana.id, text.id)
    assert shown.forward_origin.sender_user.id == ana.id


async def test_edits_arrive_as_update_edit_message(sandbox, bot, recorder):
    ana = sandbox.client("Ana")
    mine = ana.start()
    await sandbox.settle()
    ana.edit(mine, "/start again")
    await sandbox.settle()
    edit = recorder.of(raw.types.UpdateEditMessage)[-1]
    assert edit.message.id == mine.id and edit.message.edit_date
    sent = await bot.send_message(ana.id, "first")
    edited = await bot.edit_message_text(ana.id, sent.id, "second")
    assert edited.text == "second" and edited.edit_date
    assert ana.chat()[-1].text == "second" and ana.chat()[-1].edited


async def test_deletions_arrive_without_chat(sandbox, bot, recorder):
    from pyrogram.handlers import DeletedMessagesHandler

    deleted = []

    async def keep(client, messages):
        deleted.extend(messages)

    bot.add_handler(DeletedMessagesHandler(keep))
    ana = sandbox.client("Ana")
    mine = ana.start()
    await sandbox.settle()
    ana.delete(mine)
    await sandbox.settle()
    assert [m.id for m in deleted] == [mine.id] and deleted[0].chat is None
    sent = await bot.send_message(ana.id, "bye")
    assert await bot.delete_messages(ana.id, sent.id) == 1
    assert ana.chat() == []


async def test_reply_headers_both_ways(sandbox, bot):
    ana = sandbox.client("Ana")
    mine = ana.start()
    answer = await bot.send_message(ana.id, "yes?", reply_to_message_id=mine.id)
    assert answer.reply_to_message_id == mine.id
    back = ana.reply(ana.chat()[-1], "this")
    assert back.reply_to == answer.id
    got = await bot.get_messages(ana.id, back.id)
    assert got.reply_to_message_id == answer.id and got.reply_to_message.text == "yes?"


async def test_edit_caption_and_media(sandbox, bot):
    from pyrogram.types import InputMediaPhoto

    ana = sandbox.client("Ana")
    ana.start()
    first = ana.send_photo("one")
    second = ana.send_photo("two")
    copy = await bot.copy_message(ana.id, ana.id, first.id)
    edited = await bot.edit_message_caption(ana.id, copy.id, "new caption")
    assert edited.caption == "new caption"
    other = (await bot.get_messages(ana.id, second.id)).photo.file_id
    swapped = await bot.edit_message_media(ana.id, copy.id, InputMediaPhoto(other, caption="2"))
    assert swapped.caption == "2"
    assert ana.chat()[-1].raw.media.photo.id == second.raw.media.photo.id


async def test_copies_of_contact_location_and_venue(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    sources = [
        ana.send_contact("+55", "Rui"),
        ana.send_location(1.5, 2.5),
        ana.send_venue(1.5, 2.5, "Bar", "Rua 1"),
    ]
    for source in sources:
        await bot.copy_message(ana.id, ana.id, source.id)
    assert [m.kind for m in ana.chat()[-3:]] == ["contact", "location", "venue"]
    assert ana.chat()[-1].raw.media.title == "Bar"


async def test_pin_in_a_private_chat_and_get_chat(sandbox, bot, recorder):
    ana = sandbox.client("Ana", username="ana")
    mine = ana.start()
    chat = await bot.get_chat(ana.id)
    assert chat.type.name == "PRIVATE" and chat.username == "ana"
    service = await bot.pin_chat_message(ana.id, mine.id, both_sides=True)
    assert service.pinned_message.id == mine.id and ana.chat()[0].pinned


async def test_own_outgoing_messages_reach_other_sessions_only_when_switched_on(sandbox, bot):
    other_updates = []
    from pyrogram.handlers import RawUpdateHandler

    async def keep(client, update, users, chats):
        other_updates.append(update)

    other = sandbox.bot_client("second")
    other.add_handler(RawUpdateHandler(keep))
    await sandbox.start_bot(lambda sb: other.start())
    ana = sandbox.client("Ana")
    ana.start()
    await sandbox.settle()
    before = len(other_updates)
    await bot.send_message(ana.id, "from session one")
    await sandbox.settle()
    assert len(other_updates) == before
    sandbox.switches.own_outgoing_to_other_sessions = True
    await bot.send_message(ana.id, "mirrored")
    await sandbox.settle()
    assert [
        u.message.message for u in other_updates[before:] if isinstance(u, T.UpdateNewMessage)
    ] == ["mirrored"]


async def test_uploads_and_downloads_cross_the_wire(sandbox, bot, tmp_path):
    ana = sandbox.client("Ana")
    ana.start()
    path = tmp_path / "report.txt"
    path.write_bytes(b"sandbox " * 100_000)  # two parts of 512 KiB
    sent = await bot.send_document(ana.id, str(path), caption="the report")
    assert sent.document.file_name == "report.txt" and sent.caption == "the report"
    assert ana.chat()[-1].kind == "document"
    assert sandbox.server.calls.count("upload.SaveFilePart") == 2
    data = await bot.download_media(sent, in_memory=True)
    assert bytes(data.getbuffer()) == path.read_bytes()
    photo = ana.send_photo()
    got = await bot.download_media(await bot.get_messages(ana.id, photo.id), in_memory=True)
    assert len(got.getbuffer()) == 51_200


async def test_chat_actions_and_read_marks_are_accepted(sandbox, bot):
    from pyrogram.enums import ChatAction

    ana = sandbox.client("Ana")
    ana.start()
    assert await bot.send_chat_action(ana.id, ChatAction.TYPING) is True
    assert await bot.read_chat_history(sandbox.group_chat_id) is True

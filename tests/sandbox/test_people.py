"""The people API: its documented example runs, settle waits for chains of work, inline mode,
command menus and participants."""

from __future__ import annotations

import asyncio

import pytest
from pyrogram import errors, filters, raw
from pyrogram.handlers import ChosenInlineResultHandler, InlineQueryHandler, MessageHandler
from pyrogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InputTextMessageContent,
)

from atendimento.sandbox import people

T = raw.types


def test_the_documented_example_runs():
    doc = people.__doc__
    code = doc[doc.index("Example (runs as it is)::") + len("Example (runs as it is)::") :]
    code = code[: code.index("\nPeople:")]
    lines = [line[4:] for line in code.splitlines()]
    exec(compile("\n".join(lines), "people-example", "exec"), {})


async def test_settle_waits_for_a_chain_of_calls(sandbox, bot):
    async def relay(client, message):
        # Several awaited calls per update: settle must wait for all of them.
        card = await client.send_message(sandbox.channel_chat_id, f"card: {message.text}")
        await client.edit_message_text(sandbox.channel_chat_id, card.id, f"✅ {message.text}")
        await message.answer("got it")

    bot.add_handler(MessageHandler(relay, filters.private))
    ana = sandbox.client("Ana")
    ana.start()
    ana.send("help")
    await sandbox.settle()
    assert [p.text for p in sandbox.posts()] == ["✅ /start", "✅ help"]
    assert [m.text for m in ana.chat()][-1] == "got it"
    assert len(ana.chat()) == 4


async def test_settle_without_a_bot_returns_at_once(sandbox):
    sandbox.client("Ana").start()
    await sandbox.settle()
    assert sandbox.server.sessions == []


async def test_inline_query_answer_and_pick(sandbox, bot):
    chosen = []
    ana = sandbox.client("Ana")
    photo = ana.send_photo("logo")
    await sandbox.settle()
    file_id = (await bot.get_messages(ana.id, photo.id)).photo.file_id

    async def answer(client, query):
        await query.answer(
            [
                InlineQueryResultArticle(
                    "hello", InputTextMessageContent("Olá! Como posso ajudar?"), id="r1"
                ),
                InlineQueryResultCachedPhoto(file_id, id="r2", caption="our logo"),
            ],
            cache_time=0,
        )

    async def feedback(client, result):
        chosen.append((result.result_id, result.from_user.id, result.query))

    bot.add_handler(InlineQueryHandler(answer))
    bot.add_handler(ChosenInlineResultHandler(feedback))
    eva = sandbox.team_member("Eva")
    ask = eva.inline("ola", chat=sandbox.group)
    await sandbox.settle()
    assert ask.answered and [r.id for r in ask.results] == ["r1", "r2"]
    message = ask.pick("r1")
    assert message.via_bot and message.text == "Olá! Como posso ajudar?"
    sandbox.switches.inline_feedback = True
    ask = eva.inline("logo", chat=sandbox.group)
    await sandbox.settle()
    picked = ask.pick("r2")
    await sandbox.settle()
    assert picked.kind == "photo" and picked.text == "our logo"
    assert chosen == [("r2", eva.id, "logo")]
    with pytest.raises(errors.QueryIdInvalid):
        await bot.answer_inline_query(ask.query_id, [])


async def test_inline_message_arrives_with_via_bot(sandbox, bot):
    got = []

    async def answer(client, query):
        await query.answer([InlineQueryResultArticle("t", InputTextMessageContent("x"), id="a")])

    async def keep(client, message):
        got.append(message)

    bot.add_handler(InlineQueryHandler(answer))
    bot.add_handler(MessageHandler(keep, filters.via_bot))
    eva = sandbox.team_member("Eva")
    ask = eva.inline("q", chat=sandbox.group)
    await sandbox.settle()
    ask.pick("a")
    await sandbox.settle()
    assert [m.via_bot.id for m in got] == [sandbox.bot_id]
    assert got[0].from_user.id == eva.id


async def test_command_menus_resolve_like_a_client(sandbox, bot):
    ana = sandbox.client("Ana", language="pt")
    eva = sandbox.team_member("Eva", language="pt")
    ivo = sandbox.admin("Ivo", language="en")
    assert sandbox.menu(ana) == []
    await bot.set_bot_commands([BotCommand("start", "Start")])
    await bot.set_bot_commands(
        [BotCommand("start", "Começar")],
        language_code="pt",
        scope=BotCommandScopeAllPrivateChats(),
    )
    await bot.set_bot_commands(
        [BotCommand("fim", "Encerrar")], scope=BotCommandScopeChat(sandbox.group_chat_id)
    )
    await bot.set_bot_commands(
        [BotCommand("p", "Prioridade"), BotCommand("fim", "Encerrar")],
        scope=BotCommandScopeChatAdministrators(sandbox.group_chat_id),
    )
    assert sandbox.menu(ana) == [("start", "Começar")]
    assert sandbox.menu(ivo) == [("start", "Start")]
    assert sandbox.menu(eva, sandbox.group) == [("fim", "Encerrar")]
    assert sandbox.menu(ivo, sandbox.group) == [("p", "Prioridade"), ("fim", "Encerrar")]
    assert [
        c.command
        for c in await bot.get_bot_commands(
            language_code="pt", scope=BotCommandScopeAllPrivateChats()
        )
    ] == ["start"]


async def test_admins_are_paged_and_membership_checked(sandbox, bot):
    admins = [sandbox.admin(f"Admin {i}") for i in range(5)]
    member = sandbox.team_member("Eva")
    stranger = sandbox.client("Stranger")
    stranger.start()
    from pyrogram.enums import ChatMembersFilter

    found = [
        m
        async for m in bot.get_chat_members(
            sandbox.channel_chat_id, filter=ChatMembersFilter.ADMINISTRATORS
        )
    ]
    ids = {m.user.id for m in found}
    assert ids == {sandbox.owner.id, sandbox.bot_id} | {a.id for a in admins}
    assert any(m.status.name == "OWNER" for m in found)
    limited = [m async for m in bot.get_chat_members(sandbox.channel_chat_id, limit=3)]
    assert len(limited) == 3
    got = await bot.get_chat_member(sandbox.channel_chat_id, member.id)
    assert got.status.name == "MEMBER"
    promoted = await bot.get_chat_member(sandbox.channel_chat_id, admins[0].id)
    assert promoted.status.name == "ADMINISTRATOR"
    assert promoted.promoted_by.id == sandbox.owner.id  # its user travels with the result
    with pytest.raises(errors.UserNotParticipant):
        await bot.get_chat_member(sandbox.channel_chat_id, stranger.id)


async def test_paging_honours_offset(sandbox, bot):
    for index in range(7):
        sandbox.admin(f"Admin {index}")
    pages = []
    offset = 0
    while True:
        page = await bot.invoke(
            raw.functions.channels.GetParticipants(
                channel=await bot.resolve_peer(sandbox.channel_chat_id),
                filter=T.ChannelParticipantsAdmins(),
                offset=offset,
                limit=4,
                hash=0,
            )
        )
        if not page.participants:
            break
        pages.append(len(page.participants))
        offset += len(page.participants)
    assert pages == [4, 4, 1] and page.count == 9
    await asyncio.sleep(0)


async def test_pressing_an_inline_button(sandbox, bot):
    from pyrogram.handlers import CallbackQueryHandler
    from pyrogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    async def on_press(client, query):
        await query.answer(f"chose {query.data}", show_alert=True)
        await query.message.edit_text(f"priority: {query.data}")

    bot.add_handler(CallbackQueryHandler(on_press))
    ana = sandbox.client("Ana")
    ana.start()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Urgent", callback_data="urgent")]])
    await bot.send_message(ana.id, "priority?", reply_markup=markup)
    pressed = ana.press(ana.chat()[-1], "Urgent")
    await sandbox.settle()
    assert pressed.answered and pressed.text == "chose urgent" and pressed.alert
    assert ana.chat()[-1].text == "priority: urgent"
    assert ana.chat()[-1].raw.reply_markup is None  # an edit without markup drops it
    with pytest.raises(ValueError):
        ana.press(ana.chat()[-1], "Urgent")
    await bot.edit_message_reply_markup(ana.id, ana.chat()[-1].id, reply_markup=markup)
    assert ana.chat()[-1].raw.reply_markup is not None

"""The channel and its discussion group (telegram.md §1, §2): auto-forward, comments, threads,
edits and pins of posts."""

from __future__ import annotations

import pytest
from pyrogram import errors, raw
from pyrogram.handlers import MessageHandler

T = raw.types


async def test_post_is_forwarded_into_the_group_and_pinned(sandbox, bot, recorder):
    forwards = []

    async def keep(client, message):
        if message.automatic_forward:
            forwards.append(message)

    bot.add_handler(MessageHandler(keep))
    post = await bot.send_message(sandbox.channel_chat_id, "🟡 Ana Souza")
    await sandbox.settle()
    assert post.chat.id == sandbox.channel_chat_id and post.outgoing
    assert post.sender_chat is None or post.sender_chat.id == sandbox.channel_chat_id
    [forward] = forwards
    assert forward.chat.id == sandbox.group_chat_id and forward.id != post.id
    assert forward.sender_chat.id == sandbox.channel_chat_id and forward.from_user is None
    assert forward.forward_origin.message_id == post.id and forward.pinned
    raw_forward = recorder.messages()[-1]
    assert raw_forward.fwd_from.saved_from_msg_id == post.id
    assert raw_forward.fwd_from.saved_from_peer == T.PeerChannel(channel_id=sandbox.channel.id)
    assert sandbox.thread_root(post.id) == forward.id
    assert sandbox.posts()[-1].text == "🟡 Ana Souza"


async def test_comments_reply_to_the_forward_and_thread_replies_carry_top_id(sandbox, bot):
    comments = []

    async def keep(client, message):
        if not message.automatic_forward:
            comments.append(message)

    bot.add_handler(MessageHandler(keep))
    post = await bot.send_message(sandbox.channel_chat_id, "card")
    eva = sandbox.team_member("Eva")
    await sandbox.settle()
    root = sandbox.thread_root(post.id)
    first = eva.comment(post.id, "hello")
    second = eva.reply(first, "inside")
    await sandbox.settle()
    assert [c.text for c in comments] == ["hello", "inside"]
    assert comments[0].reply_to_message_id == root and comments[0].reply_to_top_message_id is None
    assert comments[1].reply_to_message_id == first.id
    assert comments[1].reply_to_top_message_id == root
    assert comments[0].message_thread_id is None  # forum-only in kurigram (telegram.md §1.4)
    answer = await bot.send_message(
        sandbox.group_chat_id, "from the bot", reply_to_message_id=second.id
    )
    assert answer.reply_to_top_message_id == root
    assert [m.text for m in sandbox.thread(post.id)] == ["card", "hello", "inside", "from the bot"]
    assert second.top_id == root and second.id != root


async def test_switch_puts_top_id_on_direct_comments(sandbox, bot):
    sandbox.switches.top_id_on_direct_comments = True
    post = await bot.send_message(sandbox.channel_chat_id, "card")
    eva = sandbox.team_member("Eva")
    comment = eva.comment(post.id, "hello")
    assert comment.top_id == comment.reply_to == sandbox.thread_root(post.id)


async def test_bots_cannot_read_discussions(sandbox, bot):
    post = await bot.send_message(sandbox.channel_chat_id, "card")
    with pytest.raises(errors.BotMethodInvalid):
        await bot.get_discussion_message(sandbox.channel_chat_id, post.id)
    with pytest.raises(errors.BotMethodInvalid):
        async for _ in bot.get_discussion_replies(sandbox.group_chat_id, post.id):
            pass


async def test_get_chat_gives_linked_chat(sandbox, bot):
    chat = await bot.get_chat(sandbox.channel_chat_id)
    assert chat.linked_chat.id == sandbox.group_chat_id
    assert chat.type.name == "CHANNEL"


async def test_editing_a_post_updates_post_and_forward(sandbox, bot, recorder):
    post = await bot.send_message(sandbox.channel_chat_id, "🟡 Ana")
    await sandbox.settle()
    edited = await bot.edit_message_text(sandbox.channel_chat_id, post.id, "🟢 Ana")
    await sandbox.settle()
    assert edited.text == "🟢 Ana" and edited.edit_date
    pushed = recorder.of(T.UpdateEditChannelMessage)
    assert [u.message.id for u in pushed] == [sandbox.thread_root(post.id)]
    assert sandbox.post(post.id).text == "🟢 Ana" and sandbox.post(post.id).edited
    with pytest.raises(errors.MessageNotModified):
        await bot.edit_message_text(sandbox.channel_chat_id, post.id, "🟢 Ana")
    with pytest.raises(errors.MessageIdInvalid):
        await bot.edit_message_text(sandbox.channel_chat_id, 999, "x")


async def test_switch_keeps_edits_away_from_the_forward(sandbox, bot, recorder):
    sandbox.switches.edits_reach_forward = False
    post = await bot.send_message(sandbox.channel_chat_id, "a")
    await bot.edit_message_text(sandbox.channel_chat_id, post.id, "b")
    await sandbox.settle()
    assert recorder.of(T.UpdateEditChannelMessage) == []
    assert sandbox.thread(post.id)[0].text == "a"


async def test_pin_and_unpin_a_post(sandbox, bot):
    post = await bot.send_message(sandbox.channel_chat_id, "card")
    service = await bot.pin_chat_message(sandbox.channel_chat_id, post.id)
    assert service.service.name == "PINNED_MESSAGE" and service.pinned_message.id == post.id
    assert sandbox.post(post.id).pinned
    assert await bot.unpin_chat_message(sandbox.channel_chat_id, post.id) is True
    assert not sandbox.post(post.id).pinned
    sandbox.switches.pin_service_messages = False
    assert await bot.pin_chat_message(sandbox.channel_chat_id, post.id) is None
    assert sandbox.post(post.id).pinned


async def test_team_edits_and_deletes_comments(sandbox, bot, recorder):
    post = await bot.send_message(sandbox.channel_chat_id, "card")
    eva = sandbox.team_member("Eva")
    comment = eva.comment(post.id, "typo")
    eva.edit(comment, "fixed")
    await sandbox.settle()
    assert recorder.of(T.UpdateEditChannelMessage)[-1].message.message == "fixed"
    eva.delete(comment)
    await sandbox.settle()
    gone = recorder.of(T.UpdateDeleteChannelMessages)[-1]
    assert gone.messages == [comment.id] and gone.channel_id == sandbox.group.id
    assert [m.text for m in sandbox.thread(post.id)] == ["card"]


async def test_admin_posts_by_hand_and_anonymous_comments(sandbox, bot):
    got = []

    async def keep(client, message):
        got.append(message)

    bot.add_handler(MessageHandler(keep))
    ivo = sandbox.admin("Ivo", anonymous=True)
    post = ivo.post("manual post")
    ivo.comment(post, "as the group", anonymous=True)
    await sandbox.settle()
    assert [m.chat.id for m in got] == [
        sandbox.channel_chat_id,
        sandbox.group_chat_id,
        sandbox.group_chat_id,
    ]
    anonymous = got[-1]
    assert anonymous.sender_chat.id == sandbox.group_chat_id and anonymous.from_user is None
    assert anonymous.author_signature == "Ivo"


def test_only_an_admin_with_the_anonymous_right_posts_as_the_group(sandbox):
    """Telegram's "Remain anonymous" is an admin right, off unless given: a member, or an
    admin without it, writes as themselves or not at all."""
    post = sandbox.admin("Ivo").post("manual post")
    with pytest.raises(ValueError, match="anonymously"):
        sandbox.team_member("Rui").comment(post, "as the group?", anonymous=True)
    with pytest.raises(ValueError, match="anonymously"):
        sandbox.admin("Eva").comment(post, "as the group?", anonymous=True)
    assert sandbox.admin("Lia", anonymous=True).comment(post, "as the group", anonymous=True)

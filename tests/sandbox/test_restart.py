"""Update state (telegram.md §7.6): a bot restarted with its session file catches up on what
happened while it was down, through GetDifference and GetChannelDifference, exactly once."""

from __future__ import annotations

from collections import Counter

from pyrogram import raw
from pyrogram.handlers import MessageHandler

T = raw.types


def incoming_bot(sandbox, tmp_path, seen: Counter):
    client = sandbox.bot_client("desk", workdir=tmp_path, skip_updates=False)

    async def keep(client, message):
        if not message.outgoing:
            seen[(message.chat.id, message.id, message.text)] += 1

    client.add_handler(MessageHandler(keep))
    return client


async def test_restart_catches_up_exactly_once(sandbox, tmp_path):
    seen: Counter = Counter()
    bot = incoming_bot(sandbox, tmp_path, seen)
    await bot.start()
    ana = sandbox.client("Ana")
    ivo = sandbox.admin("Ivo")
    ana.start()
    card = ivo.post("card of Ana")  # the bot now has a state for the channel and the group
    await sandbox.settle()
    await bot.send_message(ana.id, "answer while up")
    await bot.stop()

    ana.send("while down 1")
    ana.send("while down 2")
    ivo.comment(card, "comment while down")
    ivo.post("post while down")
    later = ana.send("while down 3")
    ana.edit(later, "while down 3 (edited)")

    bot = incoming_bot(sandbox, tmp_path, seen)
    calls = len(sandbox.server.calls)
    await bot.start()
    await sandbox.settle()
    recovery = sandbox.server.calls[calls:]
    assert recovery.count("updates.GetDifference") == 1
    assert recovery.count("updates.GetChannelDifference") == 2  # the channel and its group
    got = sorted((chat, text) for (chat, _, text) in seen)
    channel, group = sandbox.channel_chat_id, sandbox.group_chat_id
    assert got == sorted(
        [
            (ana.id, "/start"),
            (channel, "card of Ana"),
            (group, "card of Ana"),
            (ana.id, "while down 1"),
            (ana.id, "while down 2"),
            (group, "comment while down"),
            (channel, "post while down"),
            (group, "post while down"),
            (ana.id, "while down 3 (edited)"),  # the message as it is now
        ]
    )
    assert all(count == 1 for count in seen.values()), seen
    await bot.stop()


async def test_differences_slice_and_channel_limits(sandbox):
    from atendimento.sandbox.methods import Call
    from atendimento.sandbox.state import channel_difference, difference

    ana = sandbox.client("Ana")
    for index in range(5):
        ana.send(f"{index}")
    call = Call(sandbox.world)
    sandbox.world.difference_limit = 2
    part = difference(call, raw.functions.updates.GetDifference(pts=1, date=0, qts=0))
    assert isinstance(part, T.updates.DifferenceSlice) and len(part.new_messages) == 2
    rest = difference(
        call, raw.functions.updates.GetDifference(pts=part.intermediate_state.pts, date=0, qts=0)
    )
    assert isinstance(rest, T.updates.DifferenceSlice)
    ivo = sandbox.admin("Ivo")
    for index in range(3):
        ivo.post(f"post {index}")
    channel = T.InputChannel(channel_id=sandbox.channel.id, access_hash=0)
    first = channel_difference(
        call,
        raw.functions.updates.GetChannelDifference(
            channel=channel, filter=T.ChannelMessagesFilterEmpty(), pts=1, limit=2
        ),
    )
    assert not first.final and len(first.new_messages) == 2
    second = channel_difference(
        call,
        raw.functions.updates.GetChannelDifference(
            channel=channel, filter=T.ChannelMessagesFilterEmpty(), pts=first.pts, limit=2
        ),
    )
    assert second.final and [m.message for m in second.new_messages] == ["post 2"]
    empty = channel_difference(
        call,
        raw.functions.updates.GetChannelDifference(
            channel=channel, filter=T.ChannelMessagesFilterEmpty(), pts=second.pts, limit=2
        ),
    )
    assert isinstance(empty, T.updates.ChannelDifferenceEmpty)

"""Random ids: a send repeating the random id of an earlier one towards the same peer gets the
first send's message back and sends nothing (core.telegram.org/api/updates)."""

from __future__ import annotations

from pyrogram import raw

T = raw.types
F = raw.functions


def new_ids(result) -> list[int]:
    return [u.id for u in result.updates if isinstance(u, T.UpdateMessageID)]


async def test_a_repeated_random_id_returns_the_first_message(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    await sandbox.settle()
    peer = await bot.resolve_peer(ana.id)
    send = F.messages.SendMessage(peer=peer, message="uma vez", random_id=4242)
    first = await bot.invoke(send)
    again = await bot.invoke(F.messages.SendMessage(peer=peer, message="uma vez",
                                                    random_id=4242))
    assert new_ids(first) == new_ids(again)
    assert [m.text for m in ana.chat()] == ["/start", "uma vez"]
    # The same random id towards another peer is another message.
    bia = sandbox.client("Bia")
    bia.start()
    await sandbox.settle()
    other = await bot.invoke(F.messages.SendMessage(peer=await bot.resolve_peer(bia.id),
                                                    message="outra", random_id=4242))
    assert new_ids(other) != new_ids(first)
    assert [m.text for m in bia.chat()] == ["/start", "outra"]


async def test_pyrogram_parses_the_repeated_answer_as_the_first_message(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    await sandbox.settle()
    bot.rnd_id = lambda: 777
    first = await bot.send_message(ana.id, "oi")
    again = await bot.send_message(ana.id, "oi")
    assert again.id == first.id and again.text == "oi"
    assert [m.text for m in ana.chat()] == ["/start", "oi"]


async def test_a_repeated_album_returns_the_first_album(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    album = ana.send_album()
    await sandbox.settle()
    bia = sandbox.client("Bia")
    bia.start()
    await sandbox.settle()

    def counting(start: int):
        ids = iter(range(start, start + 10))
        return lambda: next(ids)

    bot.rnd_id = counting(9000)
    first = await bot.copy_media_group(bia.id, ana.id, album[0].id)
    bot.rnd_id = counting(9000)
    again = await bot.copy_media_group(bia.id, ana.id, album[0].id)
    assert [m.id for m in again] == [m.id for m in first]
    assert len(bia.chat()) == 3  # /start and one album of two

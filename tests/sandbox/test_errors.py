"""Errors and limits (telegram.md §6): lengths, peers, rights, rate limits, fault injection,
and the loud failure of raw methods the sandbox does not simulate."""

from __future__ import annotations

import pytest
from pyrogram import errors, raw


async def test_length_limits(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    photo = ana.send_photo()
    await bot.send_message(ana.id, "x" * 4096)
    with pytest.raises(errors.MessageTooLong):
        await bot.send_message(ana.id, "x" * 4097)
    with pytest.raises(errors.MediaCaptionTooLong):
        await bot.copy_message(ana.id, ana.id, photo.id, caption="y" * 1025)
    # UTF-16 code units: one emoji counts twice (telegram.md §6 leaves the unit UNCONFIRMED).
    with pytest.raises(errors.MessageTooLong):
        await bot.send_message(ana.id, "😀" * 2049)
    sandbox.switches.length_in_utf16 = False
    assert (await bot.send_message(ana.id, "😀" * 4096)).text == "😀" * 4096


async def test_people_who_cannot_be_reached(sandbox, bot):
    stranger = sandbox.client("Stranger")
    with pytest.raises(errors.PeerIdInvalid):
        await bot.send_message(stranger.id, "hi")
    ana = sandbox.client("Ana")
    ana.start()
    await sandbox.settle()
    ana.block_bot()
    with pytest.raises(errors.UserIsBlocked):
        await bot.send_message(ana.id, "hi")
    ana.unblock_bot()
    await bot.send_message(ana.id, "hi again")
    ana.delete_account()
    with pytest.raises(errors.InputUserDeactivated):
        await bot.send_message(ana.id, "hi")


async def test_rights_errors(sandbox, bot):
    post = await bot.send_message(sandbox.channel_chat_id, "card")
    eva = sandbox.team_member("Eva")
    comment = eva.comment(post.id, "mine")
    with pytest.raises(errors.MessageAuthorRequired):
        await bot.edit_message_text(sandbox.group_chat_id, comment.id, "theirs")
    sandbox.set_bot_role(sandbox.channel, "member")
    with pytest.raises(errors.ChatWriteForbidden):
        await bot.send_message(sandbox.channel_chat_id, "card 2")
    with pytest.raises(errors.ChatAdminRequired):
        await bot.pin_chat_message(sandbox.channel_chat_id, post.id)
    with pytest.raises(errors.ChatAdminRequired):
        await bot.edit_message_text(sandbox.channel_chat_id, post.id, "edited")


async def test_not_modified_and_invalid_ids_in_private(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    sent = await bot.send_message(ana.id, "same")
    with pytest.raises(errors.MessageNotModified):
        await bot.edit_message_text(ana.id, sent.id, "same")
    with pytest.raises(errors.MessageIdInvalid):
        await bot.edit_message_text(ana.id, sent.id + 100, "other")
    assert await bot.delete_messages(ana.id, [sent.id + 100]) == 0


async def test_unsimulated_method_fails_loudly_with_its_name(sandbox, bot):
    with pytest.raises(errors.MethodInvalid, match="messages.GetDialogFilters"):
        await bot.invoke(raw.functions.messages.GetDialogFilters())
    assert sandbox.server.unimplemented == ["messages.GetDialogFilters"]
    sandbox.server.unimplemented.clear()  # the fixture checks none is left


async def test_injection_hook_fails_the_next_n_calls(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    sandbox.world.faults.fail("messages.SendMessage", "USER_IS_BLOCKED", code=403, times=2)
    for _ in range(2):
        with pytest.raises(errors.UserIsBlocked):
            await bot.send_message(ana.id, "hi")
    assert (await bot.send_message(ana.id, "hi")).text == "hi"


async def test_per_chat_rate_limit_sleeps_on_the_injected_clock(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    start = sandbox.clock.now()
    for index in range(6):
        await bot.send_message(ana.id, f"{index}")
    # A burst of 3, then about one a second: the client slept through each FLOOD_WAIT_1.
    assert sandbox.clock.now() - start == 3
    assert len(ana.chat()) == 7


async def test_flood_wait_above_threshold_reaches_the_caller(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    sandbox.world.limits.per_chat_burst = 1
    sandbox.world.limits.per_chat_rate = 1 / 30
    bot.sleep_threshold = 10
    await bot.send_message(ana.id, "one")
    with pytest.raises(errors.FloodWait) as caught:
        await bot.send_message(ana.id, "two")
    assert caught.value.value == 30


async def test_group_and_overall_limits(sandbox, bot):
    bot.sleep_threshold = 0
    limits = sandbox.world.limits
    limits.per_chat_burst = 100
    limits.per_chat_rate = 100
    for index in range(20):
        await bot.send_message(sandbox.group_chat_id, f"{index}")
    with pytest.raises(errors.FloodWait) as caught:
        await bot.send_message(sandbox.group_chat_id, "21st")
    assert caught.value.value == 60
    sandbox.clock.advance(60)
    people = [sandbox.client(f"P{i}") for i in range(31)]
    for person in people:
        person.start()
    for person in people[:30]:
        await bot.send_message(person.id, "broadcast")
    with pytest.raises(errors.FloodWait):
        await bot.send_message(people[30].id, "broadcast")
    limits.enabled = False
    await bot.send_message(people[30].id, "broadcast")

"""Behaviours telegram.md marks UNCONFIRMED, each behind a switch: both positions work."""

from __future__ import annotations

import pytest
from pyrogram import errors, raw

from atendimento.sandbox import RealClock, Sandbox, Switches

T = raw.types


def test_defaults_are_documented_guesses():
    switches = Switches()
    assert switches.pin_service_messages and switches.edits_reach_forward
    assert not switches.auto_pin_update and not switches.top_id_on_direct_comments
    assert not switches.own_outgoing_to_other_sessions and not switches.inline_feedback


async def test_auto_pin_update_in_the_group(sandbox, bot, recorder):
    await bot.send_message(sandbox.channel_chat_id, "quiet")
    sandbox.switches.auto_pin_update = True
    post = await bot.send_message(sandbox.channel_chat_id, "loud")
    await sandbox.settle()
    [pin] = recorder.of(T.UpdatePinnedChannelMessages)
    assert pin.channel_id == sandbox.group.id and pin.messages == [sandbox.thread_root(post.id)]


async def test_channel_deletions_can_stay_away_from_the_bot(sandbox, bot, recorder):
    post = await bot.send_message(sandbox.channel_chat_id, "card")
    eva = sandbox.team_member("Eva")
    first, second = eva.comment(post.id, "a"), eva.comment(post.id, "b")
    eva.delete(first)
    sandbox.switches.channel_deletes_reach_bot = False
    eva.delete(second)
    await sandbox.settle()
    assert [u.messages for u in recorder.of(T.UpdateDeleteChannelMessages)] == [[first.id]]


async def test_outgoing_without_from_id_is_attributed_to_the_other_party(sandbox, bot):
    ana = sandbox.client("Ana")
    ana.start()
    assert (await bot.send_message(ana.id, "a")).from_user.id == sandbox.bot_id
    sandbox.switches.from_id_on_outgoing = False
    # telegram.md §3.2: kurigram then takes the sender from peer_id, i.e. the client.
    assert (await bot.send_message(ana.id, "b")).from_user.id == ana.id


async def test_unstarted_users_reachable_when_switched_off(sandbox, bot):
    stranger = sandbox.client("Stranger")
    ivo = sandbox.admin("Ivo")  # met in the channel, so the bot may name him with hash 0
    with pytest.raises(errors.PeerIdInvalid):
        await bot.send_message(ivo.id, "hi")
    sandbox.switches.unstarted_peer_invalid = False
    assert (await bot.send_message(ivo.id, "hi")).text == "hi"
    assert stranger.chat() == []


async def test_anonymous_admin_as_a_plain_user_when_switched_off(sandbox, bot):
    post = await bot.send_message(sandbox.channel_chat_id, "card")
    ivo = sandbox.admin("Ivo", anonymous=True)
    sandbox.switches.anonymous_as_group = False
    comment = ivo.comment(post.id, "signed", anonymous=True)
    assert comment.sender_id == ivo.id


async def test_a_real_clock_cannot_be_advanced():
    async with Sandbox(clock=RealClock()) as sandbox:
        assert sandbox.world.now() > 1_700_000_000
        with pytest.raises(RuntimeError):
            sandbox.clock.advance(1)


@pytest.mark.parametrize("on", [True, False])
async def test_participant_updates_reach_an_admin_bot(sandbox, bot, on):
    from pyrogram.handlers import ChatMemberUpdatedHandler

    seen = []

    async def changed(_client, update):
        seen.append(update)

    bot.add_handler(ChatMemberUpdatedHandler(changed))
    sandbox.switches.participant_updates = on
    eva = sandbox.client("Eva")
    sandbox.set_role(eva, "member")
    sandbox.set_role(eva, "admin")
    sandbox.set_role(eva, None)
    await sandbox.settle()
    assert eva.id not in sandbox.channel.members and eva.id not in sandbox.group.members
    if not on:
        assert seen == []
        return
    assert [(u.old_chat_member and u.old_chat_member.status.name,
             u.new_chat_member and u.new_chat_member.status.name) for u in seen] == [
        (None, "MEMBER"), ("MEMBER", "ADMINISTRATOR"), ("ADMINISTRATOR", None)]
    assert {u.chat.id for u in seen} == {sandbox.channel_chat_id}
    assert {u.from_user.id for u in seen} == {sandbox.owner.id}

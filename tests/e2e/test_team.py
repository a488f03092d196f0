"""Story: who may answer — members, strangers, anonymous admins — and clients who cannot
receive."""

from __future__ import annotations

from .conftest import bot_said, card_of, thread_texts


async def with_client(sandbox, desk, name="Ana Souza"):
    client = sandbox.client(name, language="pt-br")
    client.send("Oi")
    await desk.settle()
    return client, card_of(sandbox, client)


async def test_a_stranger_in_the_group_is_not_relayed(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    intruso = sandbox.client("Intruso")
    comment = intruso.comment(card, "me passa seu cartão")
    await desk.settle()
    assert bot_said(ana) == []
    note = sandbox.thread(card)[-1]
    assert note.reply_to == comment.id and "Intruso" in note.text and "membro" in note.text


async def test_membership_that_cannot_be_confirmed_is_not_relayed(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    sandbox.world.faults.fail("channels.GetParticipant", "INTERNAL", code=500, times=10)
    eva.comment(card, "resposta")
    await desk.settle()
    assert bot_said(ana) == []
    assert "não foi possível confirmar" in thread_texts(sandbox, ana)[-1]


async def test_former_member_is_not_relayed(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "primeira")
    await desk.settle()
    assert bot_said(ana) == ["primeira"]
    sandbox.set_role(eva, None)  # she leaves: Telegram tells the bot at once
    await desk.settle()
    eva.comment(card, "depois de sair")
    await desk.settle()
    assert bot_said(ana) == ["primeira"]


async def test_anonymous_comment_is_relayed_with_one_warning(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    rui = sandbox.admin("Rui Admin", anonymous=True)
    rui.comment(card, "resposta anônima", anonymous=True)
    rui.comment(card, "outra", anonymous=True)
    await desk.settle()
    assert bot_said(ana) == ["resposta anônima", "outra"]
    warnings = [t for t in thread_texts(sandbox, ana) if "anônim" in t and "👤" in t]
    assert len(warnings) == 1


async def test_messages_outside_threads_are_ignored(sandbox, desk):
    ana, _card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva._write(sandbox.group, text="bom dia, equipe")  # in the group, in no thread
    eva.post("aviso no canal")  # a post of the team's own; its thread is not a card's
    await desk.settle()
    assert bot_said(ana) == []


async def test_client_who_blocked_the_bot(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    ana.block_bot()
    comment = eva.comment(card, "olá?")
    await desk.settle()
    note = sandbox.thread(card)[-1]
    assert note.reply_to == comment.id and "bloqueou" in note.text
    assert "bloqueou o bot" in card_of(sandbox, ana).text

    ana.unblock_bot()
    ana.send("desculpa, voltei")
    await desk.settle()
    assert "bloqueou o bot" not in card_of(sandbox, ana).text


async def test_deleted_account_and_too_long_are_reported(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    sandbox.world.faults.fail("messages.SendMessage", "MESSAGE_TOO_LONG")
    eva.comment(card, "texto enorme")
    await desk.settle()
    assert "longa" in thread_texts(sandbox, ana)[-1]
    ana.delete_account()
    eva.comment(card, "ainda aí?")
    await desk.settle()
    assert "excluída" in thread_texts(sandbox, ana)[-1]


async def test_flood_wait_is_honoured_exactly_and_nothing_is_lost(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    sandbox.world.faults.fail("messages.SendMessage", "FLOOD_WAIT_7", code=420)
    before = sandbox.clock.now()
    ana.send("depois da espera")
    await desk.settle()
    copy = sandbox.thread(card)[-1]
    assert copy.text == "depois da espera"
    assert copy.raw.date - int(before) == 7
    assert thread_texts(sandbox, ana).count("depois da espera") == 1


async def test_a_comment_sent_through_the_bots_inline_mode_is_relayed(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment_via_bot(card, "Nosso horário é das 8h às 18h.")
    eva.comment_via_bot(card, "/fim")  # text that looks like a command, chosen inline
    await desk.settle()
    assert bot_said(ana) == ["Nosso horário é das 8h às 18h.", "/fim"]
    assert card_of(sandbox, ana).text.startswith("🟡")  # not taken as a command


async def test_a_failure_after_a_successful_send_does_not_send_twice(sandbox, desk):
    # pyrogram may fetch the replied-to message while parsing a send's result; if that fetch
    # failed after the send succeeded, a retry would send the copy a second time.
    ana, card = await with_client(sandbox, desk)
    desk.app.client.message_cache._cache.clear()  # the thread root falls out of the cache
    sandbox.world.faults.fail("channels.GetMessages", "INTERNAL_SERVER_ERROR", code=500)
    ana.send("uma vez só")
    await desk.settle()
    assert thread_texts(sandbox, ana).count("uma vez só") == 1

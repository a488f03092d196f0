"""Story: nobody outside the team acts on a card — not by a command, not by posting as some
other channel, not by a button, forged or real."""

from __future__ import annotations

import logging

import pytest

from atendimento.desk.contract import THREAD

from .conftest import bot_said, card_of, thread_texts

ADMIN_COMMANDS = ["/p 1", "/p", "/prioridade alta", "/priority low", "/ban spam", "/banir",
                  "/desbanir", "/unban"]
EVERY_COMMAND = ["/fim", "/end", *ADMIN_COMMANDS, "/resposta prazo", "/salvar x", "/save y",
                 "/ajuda", "/help", "/n nota", "/nota x", "/note y", "/marcar vip", "/tag -vip",
                 "/tags", "/naoexiste"]


async def with_client(sandbox, desk, name="Ana Souza"):
    client = sandbox.client(name, language="pt-br")
    client.send("Oi")
    await desk.settle()
    return client, card_of(sandbox, client)


def test_every_thread_command_is_tried_here(desk):
    assert {c.split()[0].lstrip("/") for c in EVERY_COMMAND} >= desk.app.desk.registry.names(
        THREAD)


@pytest.mark.parametrize("command", EVERY_COMMAND)
async def test_an_outsiders_command_is_refused_and_changes_nothing(sandbox, desk, command,
                                                                   caplog):
    ana, card = await with_client(sandbox, desk)
    before = card_of(sandbox, ana).text
    intruso = sandbox.client("Intruso")
    comment = intruso.comment(card, command)
    await desk.settle()

    assert bot_said(ana) == []  # no end text, no ban text
    after = card_of(sandbox, ana)
    assert after.text == before and after.pinned
    note = sandbox.thread(card)[-1]
    assert note.reply_to == comment.id and "Intruso" in note.text and "membro" in note.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("command", EVERY_COMMAND)
async def test_a_command_sent_as_a_foreign_channel_is_refused(sandbox, desk, command):
    ana, card = await with_client(sandbox, desk)
    before = card_of(sandbox, ana).text
    rui = sandbox.admin("Rui Admin")  # even an admin, posting as a channel of his own
    loja = sandbox.foreign_channel("Loja Falsa", owner=rui)
    comment = rui.comment(card, command, as_chat=loja)
    await desk.settle()

    assert bot_said(ana) == []
    assert card_of(sandbox, ana).text == before
    note = sandbox.thread(card)[-1]
    assert note.reply_to == comment.id and "Loja Falsa" in note.text


async def test_a_comment_sent_as_a_foreign_channel_is_not_relayed(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    golpista = sandbox.client("Golpista")
    banco = sandbox.foreign_channel("Banco Oficial", owner=golpista)
    comment = golpista.comment(card, "Informe sua senha", as_chat=banco)
    golpista.comment(card, "rápido!", as_chat=banco)
    golpista.comment_poll(card, "Qual sua senha?", ["1234", "4321"], as_chat=banco)
    await desk.settle()

    assert bot_said(ana) == []
    refusals = [m for m in sandbox.thread(card) if "Banco Oficial" in (m.text or "")]
    # Said once: a flood of comments must not spend the group's send budget on refusals.
    assert len(refusals) == 1 and refusals[0].reply_to == comment.id


async def test_the_team_channel_and_group_still_count_as_the_team(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    rui = sandbox.admin("Rui Admin", anonymous=True)
    rui.comment(card, "como o grupo", anonymous=True)
    rui.comment(card, "/p 1", anonymous=True)
    await desk.settle()
    assert bot_said(ana) == ["como o grupo"]
    assert card_of(sandbox, ana).text.startswith("🔴")


async def test_a_former_member_cannot_edit_what_the_client_reads(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    answer = eva.comment(card, "Seu pedido sai amanhã")
    await desk.settle()
    sandbox.set_role(eva, None)
    await desk.settle()
    eva.edit(answer, "Pague por este link: http://golpe")
    await desk.settle()
    assert [m.text for m in ana.chat() if m.from_bot] == ["Seu pedido sai amanhã"]
    assert "membro" in thread_texts(sandbox, ana)[-1]


async def test_an_outsider_pressing_the_priority_buttons_is_told_no(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    rui = sandbox.admin("Rui Admin", anonymous=True)
    rui.comment(card, "/p")
    await desk.settle()
    buttons = sandbox.thread(card)[-1]
    intruso = sandbox.client("Intruso", language="pt-br")
    eva = sandbox.team_member("Eva Lima")
    presses = [intruso.press(buttons, "1 urgente"), eva.press(buttons, "1 urgente")]
    await desk.settle()

    assert card_of(sandbox, ana).text.startswith("🟡")
    for press in presses:
        assert press.answered and press.alert and "administradores" in press.text


FORGED = [b"", b"\x00", b"p:", b"p:1", b"p:abc:urgent", b"p:-1:urgent", b"p:1:urgent\x00",
          b"p:99999999999999999999999:urgent", b"p:9223372036854775808:high",
          b"p:\xd9\xa3:low", b"p:1:urgente", b"p:1:2:3", b"p:\xef\xbc\x91:urgent",
          b"r:", b"r:o", b"r:o:", b"r:o:x", b"r:o:99999999999999999999999", b"r:z:1",
          b"r:l:-1", b"r:l:1:2:3", b"r:o:1\x00", b"x:1", b"\xff\xfe", b"fim", b"p:1:urgent:"]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_button_data_always_gets_an_answer(sandbox, desk, data, caplog):
    ana, card = await with_client(sandbox, desk)
    rui = sandbox.admin("Rui Admin", language="pt-br")
    rui.comment(card, "/p")
    await desk.settle()
    under = sandbox.thread(card)[-1]
    before = card_of(sandbox, ana).text
    intruso = sandbox.client("Intruso", language="pt-br")
    presses = [rui.press_data(under, data), intruso.press_data(under, data)]
    await desk.settle()

    assert card_of(sandbox, ana).text == before
    for press in presses:
        assert press.answered and press.alert and press.text
    assert bot_said(ana) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_stale_priority_button_says_so(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    rui = sandbox.admin("Rui Admin", language="pt-br")
    rui.comment(card, "/p")
    await desk.settle()
    press = rui.press_data(sandbox.thread(card)[-1], b"p:424242:urgent")  # no such thread
    await desk.settle()
    assert press.alert and press.text == "Este botão não vale mais."

"""Story: the team runs the atendimento — /fim, coming back, /p, /ban, /desbanir."""

from __future__ import annotations

import pytest

from .conftest import bot_said, card_of, thread_texts


async def with_client(sandbox, desk, name="Ana Souza"):
    client = sandbox.client(name, language="pt-br")
    client.send("Oi")
    await desk.settle()
    return client, card_of(sandbox, client)


@pytest.mark.parametrize("command", ["/fim", "/end"])
async def test_end_then_come_back(sandbox, desk, command):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    sandbox.clock.advance(2 * 3600 + 5 * 60)
    eva.comment(card, command)
    await desk.settle()

    card = card_of(sandbox, ana)
    assert card.text.startswith("⚪ ") and "#encerrado" in card.text and not card.pinned
    assert thread_texts(sandbox, ana)[-1] == (
        "✅ Atendimento #1 encerrado por Eva Lima após 2 horas e 5 minutos")
    end_text, question = bot_said(ana)  # the end text and the rating, not the command
    assert question.startswith("Como foi o seu atendimento nº 1")


    ana.send("Voltei!")
    await desk.settle()
    card = card_of(sandbox, ana)
    assert card.text.startswith("🟡 ") and "#aberto" in card.text and card.pinned
    texts = thread_texts(sandbox, ana)
    assert texts[-2].startswith("📂 Atendimento #2 aberto") and texts[-1] == "Voltei!"
    assert bot_said(ana)[-1] != end_text  # the restart text


async def test_ending_twice_says_there_is_nothing_to_end(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "/fim")
    eva.comment(card, "/fim")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "Não há atendimento aberto para encerrar."


@pytest.mark.parametrize("argument, colour, tag", [
    ("1", "🔴", "#urgente"), ("alta", "🟠", "#alta"), ("low", "🟢", "#baixa"),
    ("Normal", "🟡", "#normal")])
async def test_priority_by_argument(sandbox, desk, argument, colour, tag):
    ana, card = await with_client(sandbox, desk)
    rui = sandbox.admin("Rui Admin")
    rui.comment(card, f"/p {argument}")
    await desk.settle()
    card = card_of(sandbox, ana)
    assert card.text.startswith(colour) and tag in card.text
    assert thread_texts(sandbox, ana)[-1].startswith("🎚 Prioridade")
    assert bot_said(ana) == []


async def test_priority_buttons(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    rui = sandbox.admin("Rui Admin")
    rui.comment(card, "/priority")
    await desk.settle()
    prompt = sandbox.thread(card)[-1]
    assert prompt.text == "Escolha a prioridade:"
    rui.press(prompt, "1 urgente")
    await desk.settle()
    assert card_of(sandbox, ana).text.startswith("🔴")
    assert "urgente" in thread_texts(sandbox, ana)[-1]


async def test_priority_rejects_nonsense_and_non_admins(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    rui, eva = sandbox.admin("Rui Admin"), sandbox.team_member("Eva Lima")
    rui.comment(card, "/p amanhã")
    eva.comment(card, "/p 1")
    await desk.settle()
    texts = thread_texts(sandbox, ana)
    assert texts[-2].startswith("Prioridade desconhecida “amanhã”")
    assert "administradores" in texts[-1]
    assert card_of(sandbox, ana).text.startswith("🟡")


async def test_ban_and_unban(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    rui = sandbox.admin("Rui Admin")
    rui.comment(card, "/ban spam")
    await desk.settle()
    card = card_of(sandbox, ana)
    assert card.text.startswith("⛔") and "#banido" in card.text and not card.pinned
    assert "spam" in thread_texts(sandbox, ana)[-1]
    before = len(sandbox.thread(card))

    for n in range(3):
        ana.send(f"spam {n}")
    await desk.settle()
    assert len(sandbox.thread(card)) == before  # nothing relayed
    assert len(bot_said(ana)) == 1  # the ban text, once
    assert "3" in card_of(sandbox, ana).text.splitlines()[-1]  # the counter on the card

    rui.comment(card, "/desbanir")
    await desk.settle()
    assert not card_of(sandbox, ana).text.startswith("⛔")
    ana.send("desculpa")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "desculpa"


async def test_unknown_commands_stay_in_the_thread(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "/xyz")
    await desk.settle()
    assert "/xyz" in thread_texts(sandbox, ana)[-1]
    assert bot_said(ana) == []

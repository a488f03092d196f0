"""Story: clients arrive — /start, the card, its thread, the opening line, copies in order."""

from __future__ import annotations

import pytest

from .conftest import bot_said, card_of, thread_texts


async def test_first_message_creates_a_pinned_card_and_its_thread(sandbox, desk):
    ana = sandbox.client("Ana Souza", username="ana_souza", language="pt-br")
    ana.send("Olá, meu pedido atrasou")
    await desk.settle()

    card = card_of(sandbox, ana)
    assert card.text.splitlines() == [
        "🟡 Ana Souza", f"@ana_souza · id {ana.id} · pt-br", f"#aberto #normal #c{ana.id}"]
    assert card.pinned
    thread = sandbox.thread(card)
    assert thread[1].text.startswith("📂 Atendimento #1 aberto")
    assert thread[2].text == "Olá, meu pedido atrasou"
    assert thread[2].from_bot and thread[2].reply_to == thread[0].id
    assert bot_said(ana) == []  # the opening line and the card are the team's business


@pytest.mark.parametrize("language, greeting", [("pt-br", "Olá"), ("es", "Hola"),
                                                ("en", "Hello"), ("de", "Olá")])
async def test_start_answers_in_the_clients_language_or_the_teams(sandbox, desk, language,
                                                                   greeting):
    person = sandbox.client("Kim", language=language)
    person.start()
    await desk.settle()
    (answer,) = bot_said(person)
    assert greeting in answer.splitlines()[0]
    assert sandbox.posts() == []  # /start alone opens nothing


async def test_deep_link_origin_is_recorded_on_the_next_atendimento(sandbox, desk):
    bia = sandbox.client("Bia")
    bia.start("instagram")
    bia.send("Vi o anúncio")
    await desk.settle()
    assert "instagram" in thread_texts(sandbox, bia)[0]


async def test_quick_first_messages_make_one_card_and_keep_their_order(sandbox, desk):
    caio = sandbox.client("Caio")
    for n in range(5):
        caio.send(f"mensagem {n}")
    await desk.settle()
    assert len(sandbox.posts()) == 1
    assert thread_texts(sandbox, caio)[1:] == [f"mensagem {n}" for n in range(5)]


async def test_clients_get_one_card_each(sandbox, desk):
    people = [sandbox.client(f"Pessoa {n}") for n in range(4)]
    for person in people:
        person.send(f"sou {person.name}")
    await desk.settle()
    assert len(sandbox.posts()) == 4
    for person in people:
        assert thread_texts(sandbox, person)[1:] == [f"sou {person.name}"]

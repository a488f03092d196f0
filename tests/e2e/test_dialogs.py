"""Story: the self-hoster chooses which private dialogs become cards — IGNORE, WHITE_LIST,
PRIVATE_KEYWORDS — and the others leave no trace at the desk."""

from __future__ import annotations

import pytest

from atendimento.config import ConfigError
from atendimento.sandboxed import sandbox_config

from .conftest import RunningDesk, card_of, thread_texts


def cards_of(sandbox, person) -> list:
    return [p for p in sandbox.posts() if f"#c{person.id}" in p.text]




async def test_ignored_and_not_white_listed_people_leave_no_trace(sandbox, tmp_path,
                                                                 database_url):
    ana, bia, caio = (sandbox.client(n, language="en") for n in ("Ana", "Bia", "Caio"))
    desk = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en",
                       IGNORE=str(bia.id), WHITE_LIST=f"{ana.id}, {bia.id}")
    await desk.start()
    try:
        for person in (ana, bia, caio):
            person.send("hello")
            person.send_photo("a photo")
        await desk.settle()
        assert thread_texts(sandbox, ana)[-2] == "hello"
        assert cards_of(sandbox, bia) == [] and cards_of(sandbox, caio) == []
        from atendimento.storage import clients as client_rows
        ignored, left_out = [await desk.app.storage.run(client_rows.get, p.id)
                             for p in (bia, caio)]
        assert ignored is None  # not even their names are kept
        assert left_out.first_name == "Caio"  # only who they are, so /novo can open a card
        assert sandbox.posts() == cards_of(sandbox, ana)
    finally:
        await desk.stop()


async def test_private_keywords_open_an_atendimento_and_what_follows_is_recorded(
        sandbox, tmp_path, database_url):
    desk = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en",
                       PRIVATE_KEYWORDS="operador, falar com humano, /pessoa")
    await desk.start()
    try:
        ana = sandbox.client("Ana Souza", language="pt-br")
        ana.send("qual o preço?")
        await desk.settle()
        assert cards_of(sandbox, ana) == []
        ana.send("Quero um OPERADÓR por favor")  # case and accents do not matter
        ana.send("é sobre o pedido 12")
        await desk.settle()
        assert thread_texts(sandbox, ana)[-2:] == ["Quero um OPERADÓR por favor",
                                                   "é sobre o pedido 12"]
        sandbox.team_member("Eva Lima").comment(card_of(sandbox, ana), "/fim")
        await desk.settle()
        before = len(thread_texts(sandbox, ana))
        ana.send("obrigada")  # ended: a new atendimento needs a keyword again
        await desk.settle()
        assert len(thread_texts(sandbox, ana)) == before
        ana.send("quero falar com humano")  # a phrase
        await desk.settle()
        assert thread_texts(sandbox, ana)[-1] == "quero falar com humano"

        bia = sandbox.client("Bia Reis", language="pt-br")
        bia.send("/pessoa")  # a command keyword
        await desk.settle()
        assert len(cards_of(sandbox, bia)) == 1
        caio = sandbox.client("Caio Lima", language="pt-br")
        caio.send("operadora de celular")  # a whole word, not a part of one
        await desk.settle()
        assert cards_of(sandbox, caio) == []
    finally:
        await desk.stop()


async def test_novo_opens_a_card_the_rules_left_out_until_the_atendimento_ends(
        sandbox, tmp_path, database_url):
    ana, caio = sandbox.client("Ana", language="en"), sandbox.client("Caio", language="en")
    desk = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en", WHITE_LIST=str(ana.id),
                       IGNORE="1")
    await desk.start()
    try:
        caio.send("hello?")
        await desk.settle()
        assert cards_of(sandbox, caio) == []
        eva = sandbox.team_member("Eva Lima", language="en")
        eva.send(f"/novo {caio.id} How can we help?")
        await desk.settle()
        assert caio.chat()[-1].text == "How can we help?"
        caio.send("my order is late")  # recorded: an atendimento is open
        await desk.settle()
        assert thread_texts(sandbox, caio)[-1] == "my order is late"
        eva.comment(card_of(sandbox, caio), "/fim")
        await desk.settle()
        before = len(thread_texts(sandbox, caio))
        caio.send("thanks")  # ended: the white list holds again
        await desk.settle()
        assert len(thread_texts(sandbox, caio)) == before
    finally:
        await desk.stop()


@pytest.mark.parametrize("name, value", [("IGNORE", "abc"), ("WHITE_LIST", "12, -5"),
                                         ("WHITE_LIST", "١٢٣"), ("PRIVATE_KEYWORDS", "/"),
                                         ("PRIVATE_KEYWORDS", "x" * 65)])
def test_bad_lists_are_named(sandbox, tmp_path, name, value):
    with pytest.raises(ConfigError) as raised:
        sandbox_config(sandbox, tmp_path, **{name: value})
    assert name in str(raised.value)

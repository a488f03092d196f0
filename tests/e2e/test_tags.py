"""Story: the team tags clients with /marcar; the card shows the tags as hashtags, words
that cannot be tags are answered one by one, and the client never hears of any of it."""

from __future__ import annotations

import pytest

from atendimento.features.tags import words as tag_words
from atendimento.storage import open_database
from atendimento.storage import tags as tag_rows
from atendimento.storage.tables import bind_tables

from .conftest import bot_said, card_of, opened, thread_texts


@pytest.fixture
def desk(english_desk):
    return english_desk


def card_tags(sandbox, client) -> list[str]:
    """The card's line of tags: the hashtags after the desk's own line of them (other
    features' lines, such as the wait, come after it and are not hashtags)."""
    lines = card_of(sandbox, client).text.split("\n")[3:]
    return next((line.split() for line in lines if line.startswith("#")), [])


async def tag(desk, person, card, text):
    person.comment(card, text)
    await desk.settle()


async def test_tags_are_added_shown_on_the_card_and_said_in_the_thread(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    await tag(desk, eva, card, "/marcar vip #Atacado")
    assert card_tags(sandbox, ana) == ["#vip", "#Atacado"]
    line = thread_texts(sandbox, ana)[-1]
    assert "#vip #Atacado" in line and "Eva Lima" in line
    assert sandbox.thread(card)[-1].reply_to == sandbox.thread(card)[-2].id  # under /marcar
    assert bot_said(ana) == []  # nothing of the tags reaches the client


async def test_remove_and_add_in_one_command(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    await tag(desk, eva, card, "/marcar vip atacado")
    await tag(desk, eva, card, "/tag -VIP varejo")
    assert card_tags(sandbox, ana) == ["#atacado", "#varejo"]
    line = thread_texts(sandbox, ana)[-1]
    assert "#varejo" in line and "#vip" in line  # added one, removed the other


async def test_listing_and_no_tags(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    await tag(desk, eva, card, "/marcar")
    assert "Ana Souza" in thread_texts(sandbox, ana)[-1]
    assert "#" not in thread_texts(sandbox, ana)[-1].split("/marcar")[0]  # none to show
    assert card_tags(sandbox, ana) == []
    await tag(desk, eva, card, "/tags atacado vip")
    await tag(desk, eva, card, "/tags")
    assert thread_texts(sandbox, ana)[-1].endswith("#atacado #vip")


async def test_case_and_accents_make_no_second_tag(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    await tag(desk, eva, card, "/marcar Atacado")
    await tag(desk, eva, card, "/marcar atacádo ATACADO")
    assert card_tags(sandbox, ana) == ["#Atacado"]  # the first spelling
    assert thread_texts(sandbox, ana)[-1] == "#Atacado was already there."
    await tag(desk, eva, card, "/marcar -ATACÁDO")
    assert card_tags(sandbox, ana) == []


async def test_words_that_cannot_be_tags_are_named_and_the_rest_applies(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    long_word = "x" * 33
    await tag(desk, eva, card,
              f"/marcar bom ok! {long_word} 2024 aberto URGENTE c{ana.id} ação_2 -nada")
    assert card_tags(sandbox, ana) == ["#bom", "#ação_2"]
    lines = thread_texts(sandbox, ana)[-1].split("\n")
    assert "#bom #ação_2" in lines[0]
    refused = lines[1:]
    assert len(refused) == 7
    for word, reason in [("ok!", "letters"), (long_word, "32"), ("2024", "letter"),
                         ("aberto", "card"), ("URGENTE", "card"), (f"c{ana.id}", "card"),
                         ("nada", "not there")]:
        [said] = [line for line in refused if word in line]
        assert reason in said


async def test_desk_words_of_every_language_are_refused(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    await tag(desk, eva, card, "/marcar open ended Urgent encerrado C12")
    assert card_tags(sandbox, ana) == []
    assert len(thread_texts(sandbox, ana)[-1].split("\n")) == 5


async def test_at_most_twenty_tags_per_client(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    await tag(desk, eva, card, "/marcar " + " ".join(f"t{n}x" for n in range(19)))
    await tag(desk, eva, card, "/marcar vinte vinte_e_um")
    assert len(card_tags(sandbox, ana)) == 20 and "#vinte" in card_tags(sandbox, ana)
    line = thread_texts(sandbox, ana)[-1]
    assert "vinte_e_um" in line.split("\n")[1] and "20" in line
    await tag(desk, eva, card, "/marcar -t0x vinte_e_um")  # a place freed first
    assert card_tags(sandbox, ana)[-1] == "#vinte_e_um" and len(card_tags(sandbox, ana)) == 20


async def test_too_many_words_are_cut_with_a_line(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    await tag(desk, eva, card, "/marcar " + " ".join("!" * 50 for _ in range(40)))
    text = thread_texts(sandbox, ana)[-1]
    assert len(text) < 4096 and "10" in text.split("\n")[-1]
    assert card_tags(sandbox, ana) == []


async def test_the_card_keeps_the_tags_through_other_changes_and_a_restart(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva, rui = sandbox.team_member("Eva Lima"), sandbox.admin("Rui Admin")
    await tag(desk, eva, card, "/marcar vip")
    await tag(desk, rui, card, "/p 1")
    assert card_of(sandbox, ana).text.startswith("🔴") and card_tags(sandbox, ana) == ["#vip"]
    await desk.stop()
    await desk.start()
    await tag(desk, eva, card, "/fim")
    assert card_of(sandbox, ana).text.startswith("⚪") and card_tags(sandbox, ana) == ["#vip"]
    ana.send("Voltei")
    await desk.settle()
    assert card_tags(sandbox, ana) == ["#vip"]


async def test_only_the_team_tags(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    intruso = sandbox.client("Intruso")
    await tag(desk, intruso, card, "/marcar vip")
    assert card_tags(sandbox, ana) == []
    assert "Intruso" in thread_texts(sandbox, ana)[-1]


async def test_clients_are_selected_by_tag(sandbox, desk, database_url):
    ana, ana_card = await opened(sandbox, desk)
    bia, bia_card = await opened(sandbox, desk, "Bia Lima")
    eva = sandbox.team_member("Eva Lima")
    await tag(desk, eva, ana_card, "/marcar VIP")
    await tag(desk, eva, bia_card, "/marcar vip atacado")
    db = open_database(database_url)
    try:
        tables = bind_tables(db)
        assert tag_rows.clients_with(tables, "vip") == sorted([ana.id, bia.id])
        assert tag_rows.clients_with(tables, "atacado") == [bia.id]
    finally:
        db.close()


@pytest.mark.parametrize("typed, tag, problem", [
    ("#vip", "vip", None), ("+Atacado", "Atacado", None), ("e\u0301xito", "éxito", None),
    ("नमस्ते", "नमस्ते", None), ("می\u200cخواهم", "می\u200cخواهم", None), ("_2024_a", "_2024_a", None),
    ("a-b", "a-b", tag_words.BAD_CHARACTERS), ("\u0301a", "\u0301a", tag_words.BAD_CHARACTERS),
    ("#", "", tag_words.BAD_CHARACTERS), ("__", "__", tag_words.NO_LETTER),
    ("x" * 32, "x" * 32, None), ("x" * 33, "x" * 33, tag_words.TOO_LONG),
    ("c12", "c12", tag_words.THE_DESKS), ("reservada", "reservada", tag_words.THE_DESKS),
])
def test_what_a_tag_may_be(typed, tag, problem):
    [word], more = tag_words.parse(typed, tag_words.reserved_keys(["Reservadá"]))
    assert (word.tag, word.problem, word.remove, more) == (tag, problem, False, 0)


def test_words_are_split_on_spaces_and_commas_and_removals_read():
    words, more = tag_words.parse("vip, -atacado;−varejo\n#x " + "y " * 40, set())
    assert [(w.tag, w.remove) for w in words[:4]] == [
        ("vip", False), ("atacado", True), ("varejo", True), ("x", False)]
    assert len(words) == tag_words.WORDS_READ and more == 44 - tag_words.WORDS_READ

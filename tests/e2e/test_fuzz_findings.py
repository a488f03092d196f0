"""Stories the fuzz bench found: what people write is copied as written, a reply to a message
deleted meanwhile still arrives, and button data forged under another message changes nothing."""

from __future__ import annotations

import pytest

from atendimento.sandbox import polls

from .conftest import bot_said, card_of, thread_texts

MARKUP = ["**dois** itens, 2*3*4", "<b>prazo</b> de 3 &amp; dias", "__a__ ~~b~~ ||c|| `d`",
          "[link](http://exemplo.com)"]


async def with_client(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    return ana, card_of(sandbox, ana)


@pytest.mark.parametrize("text", MARKUP)
async def test_captions_that_look_like_markup_are_copied_as_written(sandbox, desk, text):
    ana, card = await with_client(sandbox, desk)
    ana.send_photo(caption=text)
    ana.send_document(caption=text)
    await desk.settle()
    assert thread_texts(sandbox, ana)[-2:] == [text, text]
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, text, media="document")
    eva.comment(card, text, media="voice")
    await desk.settle()
    assert bot_said(ana)[-2:] == [text, text]


async def test_polls_that_look_like_markup_are_copied_as_written(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    sent = ana.send_poll("Qual **dia**?", ["__seg__", "ter"])
    await desk.settle()
    copy = sandbox.thread(card)[-1]
    assert polls.signature(copy.raw.media) == polls.signature(sent.raw.media)
    eva = sandbox.team_member("Eva Lima")
    asked = eva.comment_poll(card, "Pode ser `amanhã`?", ["*sim*", "<i>não</i>"])
    await desk.settle()
    got = [m for m in ana.chat() if m.from_bot][-1]
    assert polls.signature(got.raw.media) == polls.signature(asked.raw.media)


async def test_a_reply_to_an_answer_the_team_deleted_still_reaches_the_thread(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    answer = eva.comment(card, "Como posso ajudar?")
    await desk.settle()
    eva.delete(answer)
    await desk.settle()
    ana.reply(ana.chat()[-1], "obrigada")
    await desk.settle()
    copy = sandbox.thread(card)[-1]
    assert copy.text == "obrigada" and copy.reply_to == sandbox.thread_root(card)


async def test_an_answer_to_a_message_the_client_deleted_still_reaches_them(sandbox, desk):
    ana, card = await with_client(sandbox, desk)
    question = ana.send("qual o prazo?")
    await desk.settle()
    ana.delete(question)
    await desk.settle()
    eva = sandbox.team_member("Eva Lima")
    eva.reply(sandbox.thread(card)[-2], "3 dias úteis")  # the copy of the question
    await desk.settle()
    assert bot_said(ana) == ["3 dias úteis"]


@pytest.mark.parametrize("data", [b"r:l:0", b"r:o:1:0", b"l:en", b"l:pt_BR"])
async def test_list_and_language_data_under_another_message_change_nothing(sandbox, desk, data):
    ana, card = await with_client(sandbox, desk)
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    copy = sandbox.thread(card)[-1]
    before_card, before_copy = card_of(sandbox, ana).text, copy.text
    presses = [eva.press_data(copy, data), eva.press_data(card, data),
               ana.press_data(card, data)]
    await desk.settle()
    assert card_of(sandbox, ana).text == before_card
    assert sandbox.thread(card_of(sandbox, ana))[-1].text == before_copy
    assert all(p.answered and p.alert for p in presses)


@pytest.mark.parametrize("deleted", [0, 1])
async def test_an_album_item_the_client_deleted_at_once_still_reaches_the_thread(
        sandbox, desk, caplog, deleted):
    ana, card = await with_client(sandbox, desk)
    items = ana.send_album(("photo", "photo", "video"), ("um", "dois"))
    ana.delete(items[deleted])  # before the desk copied the album, as a single message is
    await desk.settle()
    album = [m for m in sandbox.thread(card) if m.kind in ("photo", "video")]
    assert [m.text for m in album] == ["um", "dois", ""]
    assert len({m.grouped_id for m in album}) == 1 and album[0].grouped_id
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_an_album_with_one_item_left_after_the_desk_was_down_arrives_as_that_item(
        sandbox, desk, caplog):
    ana, card = await with_client(sandbox, desk)
    await desk.stop()
    first, second = ana.send_album(("photo", "photo"), ("um", "dois"))
    ana.delete(first)  # while the desk was down: nothing of it is left to copy
    await desk.start()
    await desk.settle()
    photos = [m for m in sandbox.thread(card) if m.kind == "photo"]
    assert [m.text for m in photos] == ["dois"]
    assert photos[0].grouped_id is None  # a single message: an album holds 2 to 10 items
    assert not [r for r in caplog.records if r.levelname == "ERROR"]

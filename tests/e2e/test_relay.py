"""Story: a conversation both ways — every kind of message, albums, replies, edits, deletions."""

from __future__ import annotations

from .conftest import bot_said, card_of, thread_texts


async def opened(sandbox, desk, name="Ana Souza", **kwargs):
    client = sandbox.client(name, **kwargs)
    client.send("Oi")
    await desk.settle()
    return client, card_of(sandbox, client)


async def test_every_kind_reaches_the_thread_as_a_copy_by_the_bot(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    ana.send("negrito", entities=[("bold", 0, 7)])
    ana.send_photo("foto do produto")
    ana.send_video("vídeo")
    ana.send_document("nota fiscal")
    ana.send_audio()
    ana.send_voice()
    ana.send_video_note()
    ana.send_sticker()
    ana.send_animation()
    ana.send_contact("+5511999990000", "Loja")
    ana.send_location(-23.55, -46.63)
    ana.send_venue(-23.55, -46.63, "Loja Centro", "Rua A, 1")
    await desk.settle()

    copies = sandbox.thread(card)[3:]
    assert [m.kind for m in copies] == [
        "text", "photo", "video", "document", "audio", "voice", "video_note", "sticker",
        "animation", "contact", "location", "venue"]
    assert all(m.from_bot and m.raw.fwd_from is None for m in copies)  # copies, not forwards
    assert copies[0].raw.entities[0].length == 7
    assert copies[1].text == "foto do produto"


async def test_an_album_arrives_as_one_album(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    ana.send_album(("photo", "photo", "video"), ("um", "dois"))
    await desk.settle()
    album = sandbox.thread(card)[3:]
    assert [m.kind for m in album] == ["photo", "photo", "video"]
    assert len({m.grouped_id for m in album}) == 1 and album[0].grouped_id
    assert [m.text for m in album] == ["um", "dois", ""]


async def test_team_answer_reaches_the_client_as_the_bot_and_replies_map_both_ways(
        sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    question = ana.send("Qual o prazo?")
    await desk.settle()
    copy_of_question = sandbox.thread(card)[-1]

    answer = eva.reply(copy_of_question, "Chega amanhã")
    eva.comment(card, "Mais alguma coisa?")
    await desk.settle()
    chat = ana.chat()
    assert [m.text for m in chat if m.from_bot][-2:] == ["Chega amanhã", "Mais alguma coisa?"]
    delivered = [m for m in chat if m.text == "Chega amanhã"][0]
    assert delivered.reply_to == question.id  # a reply to the client's own message

    ana.reply(delivered, "Obrigada!")
    await desk.settle()
    thanks = sandbox.thread(card)[-1]
    assert thanks.text == "Obrigada!" and thanks.reply_to == answer.id


async def test_edits_are_mirrored_both_ways(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    typo = ana.send("pedidp 123")
    photo = ana.send_photo("legenda errada")
    comment = eva.comment(card, "Vou verificar o pedidp")
    await desk.settle()

    ana.edit(typo, "pedido 123")
    ana.edit(photo, "legenda certa")
    eva.edit(comment, "Vou verificar o pedido")
    await desk.settle()
    texts = thread_texts(sandbox, ana)
    assert "pedido 123" in texts and "legenda certa" in texts
    assert "pedidp 123" not in texts
    assert bot_said(ana)[-1] == "Vou verificar o pedido"


async def test_deletions_are_not_mirrored_but_noted_in_the_thread(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    oops = ana.send("meu cartão é 1234")
    await desk.settle()
    copy = sandbox.thread(card)[-1]
    ana.delete(oops)
    comment = eva.comment(card, "resposta")
    await desk.settle()
    eva.delete(comment)
    await desk.settle()

    thread = sandbox.thread(card)
    assert copy.id in [m.id for m in thread]  # still there for the team
    notes = [m for m in thread if m.reply_to == copy.id]
    assert len(notes) == 1 and "apagou" in notes[0].text
    assert bot_said(ana)[-1] == "resposta"  # the team's deletion deletes nothing at the client


async def test_client_deleting_an_answer_is_noted_under_it(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    comment = eva.comment(card, "segue o boleto")
    await desk.settle()
    ana.delete([m for m in ana.chat() if m.text == "segue o boleto"][0])
    await desk.settle()
    notes = [m for m in sandbox.thread(card) if m.reply_to == comment.id]
    assert len(notes) == 1 and notes[0].from_bot


async def test_a_kind_that_cannot_be_copied_is_described_and_the_client_told(sandbox, desk):
    ana, card = await opened(sandbox, desk, language="pt-br")
    ana.send_dice()
    await desk.settle()
    line = sandbox.thread(card)[-1]
    assert line.from_bot and line.text.startswith("❔") and "dado" in line.text
    assert "dado" in bot_said(ana)[-1]  # in the client's own language


async def test_a_client_replacing_a_photo_replaces_the_copy(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    photo = ana.send_photo("comprovante")
    await desk.settle()
    ana.edit(photo, "comprovante certo", media="document")
    await desk.settle()
    copy = sandbox.thread(card)[-1]
    assert copy.kind == "document" and copy.text == "comprovante certo" and copy.edited


async def test_the_teams_album_reaches_the_client_as_one_album(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment_album(card, ("photo", "video"), ("frente", "verso"))
    await desk.settle()
    album = [m for m in ana.chat() if m.from_bot]
    assert [m.kind for m in album] == ["photo", "video"]
    assert [m.text for m in album] == ["frente", "verso"]
    assert album[0].grouped_id and album[0].grouped_id == album[1].grouped_id

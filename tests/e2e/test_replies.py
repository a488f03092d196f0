"""Saved replies (issue 5, points 1–5): saved with /resposta, listed and edited with /respostas,
found through inline mode by the team only, counted when used, placeholders filled for the
client."""

from __future__ import annotations

from .conftest import bot_said, card_of, thread_texts


async def contact(desk, sandbox, name="Ana Souza"):
    """A client who wrote once, so there is a card and a thread to answer in."""
    client = sandbox.client(name, language="pt-br")
    client.start()
    client.send("Olá, preciso de ajuda")
    await desk.settle()
    return client, card_of(sandbox, client)


def book(desk):
    return desk.app.desk.api("replies")


async def save_in_thread(desk, sandbox, member, card, text, keywords):
    answer = member.comment(card, text)
    await desk.settle()
    member.reply(answer, f"/resposta {keywords}")
    await desk.settle()
    return answer


def buttons(message) -> list[str]:
    markup = message.raw.reply_markup
    return [b.text for row in markup.rows for b in row.buttons] if markup else []


def pressed(sandbox, person):
    """The last message with buttons in `person`'s private chat, as it is now."""
    return [m for m in person.chat() if m.from_bot and m.raw.reply_markup][-1]


async def test_resposta_in_a_thread_saves_the_answer_and_never_reaches_the_client(
        desk, sandbox):
    ana, card = await contact(desk, sandbox)
    eva = sandbox.team_member("Eva Lima", language="pt-br")

    await save_in_thread(desk, sandbox, eva, card, "Nosso prazo é de 5 dias úteis.",
                         "prazo de entrega")

    [reply] = book(desk).replies.values()
    assert (reply.title, reply.keywords, reply.text) == (
        "prazo de entrega", ("prazo", "de", "entrega"), "Nosso prazo é de 5 dias úteis.")
    assert reply.created_by == eva.id
    confirmation = thread_texts(sandbox, ana)[-1]
    assert f"#{reply.id}" in confirmation and "prazo de entrega" in confirmation
    said = bot_said(ana)
    assert said[-1] == "Nosso prazo é de 5 dias úteis."  # the answer, and nothing after it
    assert not any("resposta" in text or f"#{reply.id}" in text for text in said)


async def test_resposta_keeps_formatting_and_saves_media_with_caption(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    formatted = eva.send("Pix: chave loja@example.com", entities=[("bold", 0, 4)])
    eva.reply(formatted, "/resposta pix, chave pix")
    photo = eva.send_photo("Tabela de medidas")
    eva.reply(photo, "/resposta tabela de medidas")
    await desk.settle()

    by_title = {r.title: r for r in book(desk).replies.values()}
    pix = by_title["pix, chave pix"]
    assert pix.keywords == ("pix", "chave pix")
    assert pix.entities == [{"type": "bold", "offset": 0, "length": 4}]
    table = by_title["tabela de medidas"]
    assert (table.media_type, table.caption, table.text) == ("photo", "Tabela de medidas", None)
    assert table.file_id
    assert sandbox.posts() == []  # a team member's private chat opens no atendimento
    confirmations = [t for t in bot_said(eva) if t.startswith("💾")]
    assert len(confirmations) == 2


async def test_resposta_needs_a_message_and_keywords_and_a_saveable_kind(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.send("/resposta sem resposta a nada")
    place = eva.send_location(-23.5, -46.6)
    eva.reply(place, "/resposta endereço")
    text = eva.send("Um texto")
    eva.reply(text, "/resposta")
    await desk.settle()

    assert book(desk).replies == {}
    answers = bot_said(eva)
    assert sum("/resposta prazo de entrega" in a for a in answers) == 2  # the usage, twice
    assert any("localização" in a for a in answers)  # says which kind cannot be saved


async def test_clients_cannot_save_list_or_search(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox)
    await save_in_thread(desk, sandbox, eva, card, "Resposta secreta do time", "segredo")

    ana.send("/respostas")
    ana.reply(ana.chat()[-1], "/resposta roubada")
    search = ana.inline("segredo")
    empty = ana.inline("")
    await desk.settle()

    assert search.answered and search.results == []
    assert empty.answered and empty.results == []
    assert len(book(desk).replies) == 1
    said = bot_said(ana)
    assert said[-2:] == ["Isto é só para a equipe."] * 2
    # A client's command is answered, not relayed: the thread never shows it.
    assert not {"/respostas", "/resposta roubada"} & set(thread_texts(sandbox, ana))


async def test_a_former_team_member_loses_access_at_once(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox)
    await save_in_thread(desk, sandbox, eva, card, "Prazo: 5 dias", "prazo")
    [reply] = book(desk).replies.values()
    before = eva.inline("prazo")
    eva.send("/respostas")
    await desk.settle()
    assert [r.title for r in before.results] == ["prazo"]
    eva.press(pressed(sandbox, eva), f"#{reply.id} prazo · 0 uso")
    await desk.settle()
    detail = pressed(sandbox, eva)

    sandbox.set_role(eva, None)  # she leaves the channel
    await desk.settle()
    after = eva.inline("prazo")
    eva.send("/respostas")
    press = eva.press(detail, "🗑 Apagar")  # a list she still has on her screen
    await desk.settle()

    assert after.answered and after.results == []
    assert bot_said(eva)[-1] == "Isto é só para a equipe."
    assert press.text == "Isto é só para a equipe."
    assert "✅ Sim, apagar" not in buttons(pressed(sandbox, eva))
    assert book(desk).get(reply.id) is not None


async def test_inline_results_are_personal_and_never_cached(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox)
    await save_in_thread(desk, sandbox, eva, card, "Prazo: 5 dias", "prazo")
    query = eva.inline("prazo")
    await desk.settle()

    state = sandbox.world.inline_queries[query.query_id]
    assert state.private is True and state.cache_time == 0


async def test_inline_search_is_forgiving_and_ranks_title_first(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox)
    await save_in_thread(desk, sandbox, eva, card, "Não fazemos entregas aos domingos.",
                         "entrega domingo")
    await save_in_thread(desk, sandbox, eva, card, "A entrega leva 5 dias.", "prazo")

    typed = {q: eva.inline(q) for q in ("nao", "ENTREGA", "entr", "entrga", "domingo prazo")}
    await desk.settle()

    titles = {q: [r.title for r in i.results] for q, i in typed.items()}
    assert titles["nao"] == ["entrega domingo"]  # `nao` finds `Não`
    assert titles["ENTREGA"] == ["entrega domingo", "prazo"]  # title beats body
    assert titles["entr"] == ["entrega domingo", "prazo"]  # prefix while typing
    assert titles["entrga"] == ["entrega domingo", "prazo"]  # one typo in a long word
    assert titles["domingo prazo"] == []  # every word must match


async def test_picking_a_result_sends_it_fills_placeholders_for_the_client_and_counts(
        desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox)
    await save_in_thread(desk, sandbox, eva, card, "Oi {nome}, seu pedido saiu hoje!",
                         "pedido saiu")
    [reply] = book(desk).replies.values()

    query = eva.inline("pedido", card=card)
    await desk.settle()
    # The result goes into the thread as a comment (Telegram puts it where the person typed).
    picked = query.pick(query.results[0].id)
    await desk.settle()

    assert picked.via_bot
    assert "Oi {nome}, seu pedido saiu hoje!" in thread_texts(sandbox, ana)
    assert bot_said(ana)[-1] == "Oi Ana, seu pedido saiu hoje!"
    assert book(desk).get(reply.id).uses == 1


async def test_inline_feedback_and_the_arriving_message_count_one_use_not_two(desk, sandbox):
    sandbox.switches.inline_feedback = True
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox)
    await save_in_thread(desk, sandbox, eva, card, "Pode trocar em 30 dias.", "troca")
    [reply] = book(desk).replies.values()

    for _ in range(2):
        query = eva.inline("troca")
        await desk.settle()
        query.pick(query.results[0].id)  # in her private chat: only feedback is seen there
        await desk.settle()
    query = eva.inline("troca", card=card)
    await desk.settle()
    query.pick(query.results[0].id)  # in the group: feedback and the message both arrive
    await desk.settle()

    assert book(desk).get(reply.id).uses == 3


async def test_empty_query_shows_the_most_used_first(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox)
    for title in ("primeira", "segunda", "terceira"):
        await save_in_thread(desk, sandbox, eva, card, f"Texto da {title}", title)
    second = next(r for r in book(desk).replies.values() if r.title == "segunda")
    query = eva.inline("segunda", card=card)
    await desk.settle()
    query.pick(query.results[0].id)
    await desk.settle()

    empty = eva.inline("")
    await desk.settle()

    assert book(desk).get(second.id).uses == 1
    assert [r.title for r in empty.results] == ["segunda", "terceira", "primeira"]


async def test_the_list_renames_changes_keywords_and_deletes_with_confirmation(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox)
    await save_in_thread(desk, sandbox, eva, card, "Prazo: 5 dias", "prazo")
    [reply] = book(desk).replies.values()

    eva.send("/respostas")
    await desk.settle()
    listing = pressed(sandbox, eva)
    assert buttons(listing) == [f"#{reply.id} prazo · 0 uso"]

    eva.press(listing, f"#{reply.id} prazo · 0 uso")
    await desk.settle()
    assert "✏️ Renomear" in buttons(pressed(sandbox, eva))
    eva.press(pressed(sandbox, eva), "✏️ Renomear")
    await desk.settle()
    eva.send("Prazo de entrega")
    await desk.settle()
    assert book(desk).get(reply.id).title == "Prazo de entrega"

    eva.send("/respostas")
    await desk.settle()
    eva.press(pressed(sandbox, eva), f"#{reply.id} Prazo de entrega · 0 uso")
    await desk.settle()
    eva.press(pressed(sandbox, eva), "🏷 Palavras-chave")
    await desk.settle()
    eva.send("frete, prazo de envio")
    await desk.settle()
    assert book(desk).get(reply.id).keywords == ("frete", "prazo de envio")

    eva.send("/respostas")
    await desk.settle()
    eva.press(pressed(sandbox, eva), f"#{reply.id} Prazo de entrega · 0 uso")
    await desk.settle()
    eva.press(pressed(sandbox, eva), "🗑 Apagar")
    await desk.settle()
    question = pressed(sandbox, eva)
    assert book(desk).get(reply.id) is not None  # nothing deleted before the confirmation
    eva.press(question, "✅ Sim, apagar")
    await desk.settle()
    assert book(desk).get(reply.id) is None
    assert eva.inline("prazo").results == []


async def test_the_list_pages_newest_and_most_used_first(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    for n in range(10):
        note = eva.send(f"Resposta número {n}")
        eva.reply(note, f"/resposta assunto {n}")
    await desk.settle()

    eva.send("/respostas")
    await desk.settle()
    first = pressed(sandbox, eva)
    labels = buttons(first)
    assert labels[0].endswith("assunto 9 · 0 uso")  # newest first among equals
    assert labels[-3:] == ["◀️", "1/2", "▶️"]
    eva.press(first, "▶️")
    await desk.settle()
    second = pressed(sandbox, eva)
    assert second.edited
    assert [b.split(" ", 1)[1] for b in buttons(second)[:2]] == ["assunto 1 · 0 uso",
                                                                 "assunto 0 · 0 uso"]


async def test_a_team_members_private_chat_is_a_workspace_until_cliente(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.send("testando o bot")
    eva.send("mais um")
    await desk.settle()
    assert sandbox.posts() == []
    hints = [t for t in bot_said(eva) if "/cliente" in t]
    assert len(hints) == 1  # explained once, not at every message

    eva.send("/cliente")
    eva.send("Agora como cliente")
    await desk.settle()
    assert "Agora como cliente" in thread_texts(sandbox, eva)

    eva.send("/equipe")
    eva.send("de volta")
    await desk.settle()
    assert "de volta" not in thread_texts(sandbox, eva)

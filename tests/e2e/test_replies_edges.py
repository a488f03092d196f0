"""Found by an adversarial review of saved replies (`/resposta`, `/respostas`), the inline mode and
`/faq teste`: as an outsider trying to read the company's saved replies (inline queries with
and without offsets, group-only members, forged list buttons) and as a tired attendant (odd
titles, duplicates, albums, notes, multi-line arguments, commands in the wrong place, a prompt
answered late or with a photo), in the five languages.

The first group was found wrong and fixed; the others record what held.
"""

from __future__ import annotations

from pyrogram import raw

from atendimento.sandbox import files
from atendimento.sandbox.inline_query import Inline
from atendimento.sandbox.inline_state import InlineQuery
from atendimento.sandbox.world import Member

from .conftest import bot_said, card_of, thread_texts

T = raw.types


def book(desk):
    return desk.app.desk.api("replies")


async def contact(desk, sandbox, name="Ana Souza", language="pt-br"):
    """A client who wrote once: a card and a thread to answer in."""
    client = sandbox.client(name, language=language)
    client.start()
    client.send("Olá, preciso de ajuda")
    await desk.settle()
    return client, card_of(sandbox, client)


async def saved(desk, person, text, title):
    """`person` sends `text` to the bot privately and saves it as `title`; the bot's answer."""
    message = person.send(text)
    person.reply(message, f"/resposta {title}")
    await desk.settle()
    return bot_said(person)[-1]


def inline_at(person, query: str, offset: str) -> Inline:
    """`@bot query` scrolled down: the app sends the offset the last answer gave it (or any
    offset a modified app likes), which the people API does not do by itself."""
    world = person.world
    typed = Inline.__new__(Inline)
    typed.person, typed.query, typed.chat, typed.reply_to = person, query, None, None
    typed.query_id = world.random.getrandbits(63)
    world.inline_queries[typed.query_id] = InlineQuery(typed.query_id, person.id, query, None)
    update = T.UpdateBotInlineQuery(query_id=typed.query_id, user_id=person.id, query=query,
                                    offset=offset, peer_type=T.InlineQueryPeerTypeSameBotPM())
    world.push(world.updates([update], [], users=(person.account,)))
    return typed


def pressed(person):
    """The last message with buttons in `person`'s private chat, as it is now."""
    return [m for m in person.chat() if m.from_bot and m.raw.reply_markup][-1]


async def rename_prompt(desk, sandbox, eva):
    """Eva saves "prazo", opens it in /respostas and presses ✏️ Renomear."""
    await saved(desk, eva, "Prazo: 5 dias", "prazo")
    [reply] = book(desk).replies.values()
    eva.send("/respostas")
    await desk.settle()
    eva.press(pressed(eva), f"#{reply.id} prazo · 0 uso")
    await desk.settle()
    eva.press(pressed(eva), "✏️ Renomear")
    await desk.settle()
    return reply


# --- found wrong, fixed ---------------------------------------------------------------------


async def test_saving_an_album_item_says_only_that_item_is_kept(
        desk, sandbox):
    """Eva answers the second photo of an album with /resposta: the bot confirms “Salva”, but
    the saved reply is that one photo alone, without the album's caption, and nothing says so."""
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    album = eva.send_album(("photo", "photo"), ("Tabela de medidas P/M/G",))
    eva.reply(album[1], "/resposta tabela de medidas")
    await desk.settle()

    answer = bot_said(eva)[-1]
    kept = [r for r in book(desk).replies.values()]
    caption_kept = any(r.caption == "Tabela de medidas P/M/G" for r in kept)
    assert not caption_kept and "só este item do álbum" in answer.casefold(), answer


async def test_an_invisible_title_is_refused_with_the_usage(desk, sandbox):
    """`/resposta` followed by a zero-width space (a paste from a web page) saves a reply
    whose title shows as nothing in the list and in inline results, and the confirmation
    tells her to type “a word of it”: there is none."""
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    answer = await saved(desk, eva, "Nosso horário é das 9h às 18h.", "\u200b")

    assert book(desk).replies == {}
    assert "/resposta prazo de entrega" in answer  # the usage, as for an empty title


async def test_an_emoji_query_finds_the_reply_titled_with_it(
        desk, sandbox):
    """A reply titled “🚚 entrega” cannot be found by its emoji: `@bot 🚚` is taken as an
    empty query and lists every saved reply."""
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    await saved(desk, eva, "Enviamos em 24h.", "🚚 entrega")
    await saved(desk, eva, "Trocas em 30 dias.", "troca")
    await saved(desk, eva, "Pix: loja@example.com", "pix")

    query = eva.inline("🚚")
    await desk.settle()

    assert [r.title for r in query.results] == ["🚚 entrega"]


async def test_saving_a_title_again_names_the_reply_that_has_it(desk, sandbox):
    """Eva saves “prazo”, later a corrected text as “Prazo”: two replies that look alike in
    every search and in the list, and the bot says nothing about the first one (there is no
    way to replace a reply's content either)."""
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    await saved(desk, eva, "Prazo: 5 dias úteis.", "prazo")
    [first] = book(desk).replies.values()
    answer = await saved(desk, eva, "Prazo: 3 dias úteis.", "Prazo")

    same = [r for r in book(desk).replies.values() if r.title.casefold() == "prazo"]
    assert len(same) == 2 and f"A resposta #{first.id} tem o mesmo título" in answer, answer


async def test_a_private_command_in_a_thread_says_where_it_works(desk, sandbox):
    """The team types `/faq teste …` (or `/respostas`) in a card's thread: the line says the
    command does not exist, though it does — in the private chat with the bot."""
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox)
    before = bot_said(ana)
    eva.comment(card, "/faq teste qual o prazo de entrega?")
    await desk.settle()
    faq_line = thread_texts(sandbox, ana)[-1]
    eva.comment(card, "/respostas")
    await desk.settle()
    list_line = thread_texts(sandbox, ana)[-1]

    assert bot_said(ana) == before  # held: nothing reaches the client
    assert "desconhecido" not in faq_line, faq_line
    assert "desconhecido" not in list_line, list_line


async def test_faq_teste_takes_the_message_on_the_next_line(
        desk, sandbox):
    """Pasting a client's message under `/faq teste` (a new line, as phones do) is answered
    with the usage, as if no message had been given."""
    eva = sandbox.team_member("Eva Lima", language="en")
    eva.send("/faq teste\nqual o prazo de entrega?")
    await desk.settle()

    assert not bot_said(eva)[-1].startswith("Use /faq teste"), bot_said(eva)[-1]


async def test_a_saved_note_picked_inline_stays_a_note(desk, sandbox):
    """A comment starting with `//` is a note that never reaches the client; the same text
    saved as a reply (an internal checklist) and picked in the thread through inline mode is
    sent to the client as it is."""
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox)
    await saved(desk, eva, "// checar estoque antes de prometer prazo", "checklist estoque")
    query = eva.inline("checklist", card=card)
    await desk.settle()
    query.pick(query.results[0].id)
    await desk.settle()

    assert "// checar estoque antes de prometer prazo" in thread_texts(sandbox, ana)
    assert not any("checar estoque" in text for text in bot_said(ana))


async def test_a_title_sent_after_the_prompt_expired_is_answered(
        desk, sandbox):
    """Eva presses ✏️ Renomear, is called away, and sends the new title 11 minutes later: the
    title is unchanged and the bot says nothing at all."""
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    reply = await rename_prompt(desk, sandbox, eva)
    sandbox.clock.advance(11 * 60)
    said = len(bot_said(eva))
    eva.send("Prazo de entrega")
    await desk.settle()

    renamed = book(desk).get(reply.id).title == "Prazo de entrega"
    assert renamed or bot_said(eva)[said:], "her title vanished without a word"


async def test_a_photo_sent_for_the_rename_prompt_asks_for_text(desk, sandbox):
    """While the bot waits for a new title, Eva sends a photo: nothing is said, nothing done."""
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    await rename_prompt(desk, sandbox, eva)
    said = len(bot_said(eva))
    eva.send_photo("título novo")
    await desk.settle()

    assert bot_said(eva)[said:], "the photo was swallowed without a word"


async def test_an_unknown_or_thread_command_in_the_private_chat_is_answered(
        desk, sandbox):
    """A tired attendant types /fim (a thread command) or a typo such as /resposts in the bot's
    private chat: after the first hint, the bot answers nothing at all."""
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.send("oi")  # the workspace hint, shown once
    await desk.settle()
    said = len(bot_said(eva))
    eva.send("/fim")
    await desk.settle()
    after_fim = bot_said(eva)[said:]
    eva.send("/resposts")
    await desk.settle()
    after_typo = bot_said(eva)[said + len(after_fim):]

    assert after_fim, "/fim in the private chat: no answer"
    assert after_typo, "/resposts: no answer"


# --- what held ----------------------------------------------------------------------------


async def test_outsiders_never_see_a_reply_through_any_offset_and_the_team_pages(
        desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    for n in range(55):
        note = eva.send(f"Resposta número {n}")
        eva.reply(note, f"/resposta assunto {n}")
    await desk.settle()
    stranger = sandbox.client("Mallory Xavier")
    in_group = sandbox.client("Gil Grupo")  # in the discussion group, not in the channel
    sandbox.group.members[in_group.id] = Member(in_group.id, "admin", sandbox.world.now())

    looks = [inline_at(who, query, offset) for who in (stranger, in_group)
             for query in ("assunto", "")
             for offset in ("", "0", "50", "-1", "abc", "99999999999999999999")]
    first = eva.inline("assunto")
    await desk.settle()
    then = inline_at(eva, "assunto", sandbox.world.inline_queries[first.query_id].next_offset)
    garbage = inline_at(eva, "assunto", "-1")
    await desk.settle()

    assert all(look.answered and look.results == [] for look in looks)
    assert len(first.results) == 50 and len(then.results) == 5
    assert not sandbox.world.inline_queries[then.query_id].next_offset
    assert len(garbage.results) == 50  # a forged offset starts again at the top


async def test_every_saveable_kind_picked_in_a_thread_reaches_the_client_filled(
        desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    ana, card = await contact(desk, sandbox, name="Ana 😀 Souza")
    sent = {"voz": eva.send_voice("voz {nome}"), "figurinha": eva.send_sticker(),
            "arquivo": eva.send_document("doc {nome}"), "video": eva.send_video("vid {nome}"),
            "audio": eva.send_audio("aud {nome}"), "gif": eva.send_animation("gif {nome}")}
    sent["foto"] = eva._write(
        eva.account, text="🎁 {nome}, veja o link", media=files.photo(sandbox.world),
        entities=[T.MessageEntityBold(offset=3, length=6),
                  T.MessageEntityTextUrl(offset=18, length=4, url="https://x.example")])
    for title, message in sent.items():
        eva.reply(message, f"/resposta {title}")
    await desk.settle()
    for title in sent:
        query = eva.inline(title, card=card)
        await desk.settle()
        query.pick(query.results[0].id)
        await desk.settle()

    got = [(m.kind, m.text) for m in ana.chat() if m.from_bot][-len(sent):]
    assert got == [("voice", "voz Ana"), ("sticker", ""), ("document", "doc Ana"),
                   ("video", "vid Ana"), ("audio", "aud Ana"), ("animation", "gif Ana"),
                   ("photo", "🎁 Ana, veja o link")]
    photo = [m for m in ana.chat() if m.from_bot][-1].raw
    assert [(type(e).__name__, e.offset, e.length) for e in photo.entities] == [
        ("MessageEntityBold", 3, 3), ("MessageEntityTextUrl", 15, 4)]  # "Ana", "link"
    assert "🎁 {nome}, veja o link" in thread_texts(sandbox, ana)


async def test_unsaveable_kinds_and_outsiders_get_a_clear_answer_in_five_languages(
        desk, sandbox):
    cannot = {"pt-br": "enquete", "en": "poll", "es": "encuesta", "it": "sondaggio",
              "ru": "опрос"}
    refused = {"pt-br": "Isto é só para a equipe.", "en": "This is for the team only.",
               "es": "Esto es solo para el equipo.", "it": "Questa funzione è riservata al team.",
               "ru": "Это доступно только команде."}
    for language, kind in cannot.items():
        member = sandbox.team_member(f"Eva{language} Lima", language=language)
        poll = member.send_poll("Qual?", ["a", "b"])
        member.reply(poll, "/resposta enquete")
        outsider = sandbox.client(f"Mal{language} Xavier", language=language)
        outsider.send("/faq teste prazo de entrega")
        outsider.send("/respostas")
        await desk.settle()
        assert kind in bot_said(member)[-1]
        assert bot_said(outsider)[-2:] == [refused[language]] * 2
    assert book(desk).replies == {}


async def test_a_forged_list_button_from_a_client_deletes_nothing(desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    await saved(desk, eva, "Segredo da casa", "segredo")
    [reply] = book(desk).replies.values()
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.start()
    await desk.settle()
    last = [m for m in ana.chat() if m.from_bot][-1]

    opened = ana.press_data(last, f"r:o:{reply.id}:0".encode())
    deleted = ana.press_data(last, f"r:y:{reply.id}:0".encode())
    await desk.settle()

    assert opened.text == deleted.text == "Isto é só para a equipe."
    assert book(desk).get(reply.id) is not None
    assert not any("Segredo" in text for text in bot_said(ana))

"""The FAQ inside the desk, the HTTP hand-over, /marcar tags and the admins' notices at their
edges, found by an adversarial review of the desk as a workplace.

The first tests were found wrong and fixed: an API hand-over that the desk's own FAQ ignored,
an API message that silenced the FAQ, tags made of invisible characters that passed for the
card's own hashtags, the API refusing a tag /marcar takes, and FAQ_LEARN keeping a client's
e-mail address. The last ones are what the review probed and
found holding: album captions and edits, the 💡 line's buttons in an outsider's hands, a
client's name in a ready answer's placeholder, two hand-overs at once while the client
writes, and notices to admins who never started the bot, left the team or blocked it."""

from __future__ import annotations

import asyncio

import aiohttp

from atendimento.storage import faq_learned

from .conftest import RunningDesk, bot_said, card_of, opened, thread_texts
from .test_faq import CONFIDENT, texts  # noqa: F401 (texts: a fixture)
from .test_faq_learn import COURO, pick, title_of

TOKEN = "t" * 32
CAMINHO = CONFIDENT[0][0]  # "como faço pra rastrear minha encomenda?": answered by itself


async def faq_desk_with_api(sandbox, tmp_path, database_url, texts, **settings):  # noqa: F811
    desk = RunningDesk(sandbox, tmp_path, database_url, TEXTS_DIR=str(texts),
                       FAQ_AUTOANSWER="on", HTTP_LISTEN="127.0.0.1:0", API_TOKEN=TOKEN,
                       API_RATE_LIMIT="1000", **settings)
    await desk.start()
    return desk


async def call(desk, method, path, **kwargs):
    base = f"http://127.0.0.1:{desk.app.http.port}"
    async with aiohttp.ClientSession(base, headers={"Authorization": f"Bearer {TOKEN}"}) as s:
        async with s.request(method, path, **kwargs) as response:
            return response.status, await response.json(content_type=None)


def auto_lines(sandbox, client) -> list[str]:
    return [t for t in thread_texts(sandbox, client) if t.startswith("🤖")]


def card_tags(sandbox, client) -> list[str]:
    lines = card_of(sandbox, client).text.split("\n")[3:]
    return next((line.split() for line in lines if line.startswith("#")), [])


# --- found wrong, fixed ----------------------------------------------------------------------

async def test_after_an_api_handover_the_faq_no_longer_answers_by_itself(
        sandbox, tmp_path, database_url, texts):  # noqa: F811
    """Another system handed the client over to a person; the desk's own FAQ must keep
    quiet then, as it does when the client asks for a person."""
    desk = await faq_desk_with_api(sandbox, tmp_path, database_url, texts)
    try:
        bia = sandbox.client("Bia Costa", language="pt-br")
        bia.send("oi")
        await desk.settle()
        status, body = await call(desk, "POST", f"/v1/clients/{bia.id}/handover",
                                  json={"reason": "pediu uma pessoa"})
        assert status == 200, body
        await desk.settle()

        bia.send(CAMINHO)
        await desk.settle()

        assert auto_lines(sandbox, bia) == []
        assert bot_said(bia) == []  # the person answers, not the FAQ
    finally:
        await desk.stop()


async def test_a_message_sent_through_the_api_does_not_silence_the_faq(
        sandbox, tmp_path, database_url, texts):  # noqa: F811
    """A CRM's notice through the API is no person answering (the API itself says
    person_handling is false): the FAQ should still answer the client's next question."""
    desk = await faq_desk_with_api(sandbox, tmp_path, database_url, texts)
    try:
        bia = sandbox.client("Bia Costa", language="pt-br")
        bia.send("oi")
        await desk.settle()
        status, body = await call(desk, "POST", f"/v1/clients/{bia.id}/messages",
                                  json={"text": "Seu pedido foi enviado."})
        assert status == 201, body
        await desk.settle()
        status, client = await call(desk, "GET", f"/v1/clients/{bia.id}")
        assert client["person_handling"] is False

        bia.send(CAMINHO)
        await desk.settle()

        assert len(auto_lines(sandbox, bia)) == 1
    finally:
        await desk.stop()


async def test_invisible_characters_do_not_make_tags_that_pass_for_others(sandbox,
                                                                          english_desk):
    """`/marcar open‌` (a zero-width non-joiner at the end), `c<id>` with a combining
    grapheme joiner, `vip` with a variation selector: each shows on the card exactly as
    the card's own #open / #c<id>, or as a second #vip."""
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "/marcar vip")
    await desk.settle()

    for typed in ("open\u200c", "aberto\u200c", f"c{ana.id}\u034f", "c\u200c123",
                  "vip\u200c", "vip\ufe0f"):
        eva.comment(card, f"/marcar {typed}")
        await desk.settle()
        assert card_tags(sandbox, ana) == ["#vip"], (typed, thread_texts(sandbox, ana)[-1])
    assert bot_said(ana) == []


async def test_the_api_takes_a_tag_with_a_decomposed_accent_as_marcar_does(
        sandbox, tmp_path, database_url, texts):  # noqa: F811
    """macOS and iOS may send "éxito" as e + a combining accent; /marcar takes it (as
    #éxito), the API answers 422 "cannot be tags" and lists "éxito"."""
    desk = await faq_desk_with_api(sandbox, tmp_path, database_url, texts)
    try:
        bia, _card = await opened(sandbox, desk, "Bia Costa")
        status, body = await call(desk, "POST", f"/v1/clients/{bia.id}/tags",
                                  json={"add": ["e\u0301xito"]})
        assert status == 200, body
        assert body["tags"] == ["éxito"]
    finally:
        await desk.stop()


async def test_faq_learn_keeps_no_email_address_of_the_client(
        sandbox, tmp_path, database_url, texts):  # noqa: F811
    """README: only the question's words are kept, without numbers (order numbers, phones,
    documents). An e-mail address is the client's as much as a phone: its parts stayed."""
    desk = RunningDesk(sandbox, tmp_path, database_url, TEXTS_DIR=str(texts), FAQ_LEARN="on")
    await desk.start()
    try:
        eva = sandbox.team_member("Eva Lima", language="pt-br")
        bia = sandbox.client("Bia Costa", language="pt-br")
        bia.send("meu email é bia.costa.souza@gmail.com, a bota de nobuck pode molhar?")
        await desk.settle()
        await pick(desk, eva, title_of(COURO), card=card_of(sandbox, bia))

        [learned] = await desk.app.storage.run(faq_learned.learned)
        assert "nobuck" in learned.words
        for part in ("bia", "costa", "souza", "gmail"):
            assert part not in learned.words.split(), learned.words
    finally:
        await desk.stop()


# --- what held -------------------------------------------------------------------------------

async def test_an_album_caption_is_answered_once_and_its_edit_sends_nothing_more(
        sandbox, tmp_path, database_url, texts):  # noqa: F811
    desk = await faq_desk_with_api(sandbox, tmp_path, database_url, texts)
    try:
        bia = sandbox.client("Bia Costa", language="pt-br")
        first, _second = bia.send_album(("photo", "photo"), (CAMINHO,))
        await desk.settle()
        assert len(auto_lines(sandbox, bia)) == 1 and len(bot_said(bia)) == 1

        bia.edit(first, CONFIDENT[1][0])  # another question the FAQ would answer
        await desk.settle()
        assert len(auto_lines(sandbox, bia)) == 1 and len(bot_said(bia)) == 1
        assert CONFIDENT[1][0] in thread_texts(sandbox, bia)  # the copy shows the edit
    finally:
        await desk.stop()


async def test_the_suggestion_buttons_give_an_outsider_nothing_and_names_stay_plain(
        sandbox, tmp_path, database_url, texts):  # noqa: F811
    desk = await faq_desk_with_api(sandbox, tmp_path, database_url, texts)
    try:
        caio = sandbox.client("Caio Reis", language="pt-br")
        caio.send("vcs tem cupom?")  # a weaker match: a 💡 line with buttons
        await desk.settle()
        card = card_of(sandbox, caio)
        [line] = [m for m in sandbox.thread(card) if m.text.startswith("💡")]
        query = line.raw.reply_markup.rows[0].buttons[0].type.query
        intruso = sandbox.client("Intruso")
        for search in (intruso.inline(query, card=card), intruso.inline(query)):
            await desk.settle()
            assert search.results == []
        assert bot_said(caio) == []

        # A client's name with Markdown fills a ready answer's {nome} as plain text.
        bia = sandbox.client("**Bia** [clique](https://evil.example)", language="pt-br")
        bia.send("meu pedido está atrasado, o que faço?")
        await desk.settle()
        [answer] = [m for m in bia.chat() if m.from_bot]
        shown = sandbox.thread(card_of(sandbox, bia))[-1]
        for message in (answer, shown):
            assert message.text.startswith("Sentimos muito pela demora")
            assert not message.raw.entities
    finally:
        await desk.stop()


async def test_two_handovers_at_once_while_the_client_writes_notify_once(
        sandbox, tmp_path, database_url, texts):  # noqa: F811
    desk = await faq_desk_with_api(sandbox, tmp_path, database_url, texts)
    try:
        rui = sandbox.admin("Rui Alves", language="pt-br")
        rui.start()
        bia = sandbox.client("Bia Costa", language="pt-br")
        bia.send("oi")
        await desk.settle()
        bia.send("mais uma coisa")
        results = await asyncio.gather(*[
            call(desk, "POST", f"/v1/clients/{bia.id}/handover",
                 json={"reason": f"motivo {n}", "summary": f"resumo {n}"}) for n in range(2)])
        await desk.settle()
        assert sorted(body["started"] for _, body in results) == [False, True]
        texts_now = thread_texts(sandbox, bia)
        assert "mais uma coisa" in texts_now
        assert sum(t.startswith("🤝") for t in texts_now) == 2
        notices = [t for t in bot_said(rui) if t.startswith("🤝")]
        assert len(notices) == 1 and "https://t.me/c/" in notices[0]

        bia.block_bot()  # the desk learns it from the first refusal, then says so
        answers = [await call(desk, "POST", f"/v1/clients/{bia.id}/messages",
                              json={"text": "oi?"}) for _ in range(2)]
        assert [(s, b["error"]) for s, b in answers] == [(502, "not_delivered"),
                                                        (409, "blocked_bot")]
    finally:
        await desk.stop()


async def test_notices_go_only_to_admins_who_asked_and_still_are(sandbox, desk):
    rui = sandbox.admin("Rui Admin", language="pt-br")
    rui.start()
    ze = sandbox.admin("Ze Admin", language="pt-br")  # never sent /start
    await desk.settle()
    sandbox.client("Ana").send("oi")
    await desk.settle()
    assert bot_said(rui)[-1].startswith("🆕 Novo cliente: Ana") and bot_said(ze) == []

    sandbox.set_role(rui, None)  # taken out of the channel
    await desk.settle()
    ze.send("/notificacoes on")
    await desk.settle()
    sandbox.client("Bia").send("oi")
    await desk.settle()
    assert not any("Bia" in t for t in bot_said(rui))
    assert bot_said(ze)[-1].startswith("🆕 Novo cliente: Bia")
    rui.send("/notificacoes on")
    await desk.settle()
    assert bot_said(rui)[-1] == "Este comando é para os administradores da equipe."

    ze.block_bot()  # a notice that cannot be delivered loses nothing of the client's
    cris = sandbox.client("Cris")
    cris.send("oi")
    await desk.settle()
    assert thread_texts(sandbox, cris)[-1] == "oi"

"""Found by an adversarial review of the client's side and of the five languages: /start
with odd deep-link origins, a banned client's /start, names that try to inject hashtags or
reverse the team's lines, refusals in the language a client chose, every kind of message a
client can send (games, stories, giveaways, paid media), language codes of every kind,
renames, blocks and deleted accounts.

The first group was found wrong and fixed (the docstrings say what was wrong); the others pin
down what held. A start text too long for the longest names is refused at start-up:
tests/texts/test_broken.py.
"""

from __future__ import annotations

import logging
import re

import pytest
from pyrogram import raw

from atendimento.desk.wording import KIND_NAMES
from atendimento.i18n import Translator
from atendimento.sandbox import messages as ops
from atendimento.sandbox.views import seen

from .conftest import bot_said, card_of, thread_texts

T = raw.types

tr = Translator("pt_BR")

# Unicode bidi controls: embeddings/overrides (closed by PDF) and isolates (closed by PDI).
_OPENERS = {"\u202a", "\u202b", "\u202d", "\u202e"}
_ISOLATES = {"\u2066", "\u2067", "\u2068"}
_PDF, _PDI = "\u202c", "\u2069"


def open_bidi(text: str) -> int:
    """How many bidi embeddings, overrides or isolates are still open at the end of `text`
    (as UAX #9 counts them: a PDI closes its isolate and everything opened inside it; a new
    line ends them all)."""
    stack: list[str] = []
    for char in text:
        if char == "\n":
            stack.clear()
        elif char in _OPENERS or char in _ISOLATES:
            stack.append(char)
        elif char == _PDF and stack and stack[-1] in _OPENERS:
            stack.pop()
        elif char == _PDI and any(c in _ISOLATES for c in stack):
            while stack.pop() not in _ISOLATES:
                pass
    return len(stack)


def bot_lines(sandbox, person) -> list[str]:
    """What the bot said to `person`, read from the world (the people API cannot show some
    kinds of message a client sends, such as a game or a story)."""
    said = []
    for _, message in sorted(sandbox.world.private.items()):
        if message.peer_id.user_id != person.id or isinstance(
                getattr(message, "media", None), (T.MessageMediaGame, T.MessageMediaStory,
                                                  T.MessageMediaGiveaway,
                                                  T.MessageMediaPaidMedia)):
            continue  # the client's own, of a kind the sandbox's view does not show
        shown = seen(sandbox.world, person.account, message)
        if shown.from_bot:
            said.append(shown.text)
    return said


def send_raw(person, media) -> None:
    """A client sends a message of a kind the people API has no helper for (its ``_write``
    would fail reading it back)."""
    outcome = ops.create(person.world, person.account, person.account, media=media)
    person._push(person.account, outcome)


def no_errors(caplog) -> None:
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


# --- found wrong, fixed ----------------------------------------------------------------------


async def test_an_origin_with_a_line_break_cannot_forge_lines_for_the_team(sandbox, desk):
    """Was wrong: `/start site` typed by hand with a new line in the origin writes a line of the
    attacker's into the thread's opening line and the admins' notice."""
    rui = sandbox.admin("Rui Admin", language="pt-br")
    rui.start()
    ana = sandbox.client("Ana", language="pt-br")
    ana.start("site\n✅ Atendimento #1 encerrado por Rui Admin")
    ana.send("Oi")
    await desk.settle()

    opening = thread_texts(sandbox, ana)[0]
    assert opening.startswith("📂 Atendimento #1 aberto")
    assert "\n" not in opening  # one service line, not two
    notice = rui.chat()[-1].text
    assert notice.startswith("🆕 Novo cliente: Ana")
    assert not any(line.startswith("✅") for line in notice.splitlines())
    assert len(notice.splitlines()) == 4  # head, origin, preview, link


async def test_a_clients_name_cannot_add_hashtags_to_the_card(sandbox, desk):
    """Was wrong: the card's hashtags are the team's search index (#aberto, #urgente, #c<id>);
    a client named "Bia #urgente #c1" shows up when the team searches #urgente or #c1."""
    bia = sandbox.client("Bia #urgente #c1", language="pt-br")
    bia.send("Oi")
    await desk.settle()

    card = card_of(sandbox, bia)
    assert card.text.splitlines()[0].startswith("🟡 Bia")
    assert re.findall(r"#\w+", card.text) == ["#aberto", "#normal", f"#c{bia.id}"]


async def test_a_direction_override_in_a_name_does_not_reverse_the_teams_line(sandbox, desk):
    """Was wrong: a right-to-left override (U+202E) in a client's name stays open after the name,
    so the rest of the team's line ("foi banido por Rui: spam", "rated atendimento #1 1/5")
    is shown mirrored."""
    rui = sandbox.admin("Rui", language="pt-br")
    ana = sandbox.client("Ana\u202e", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    rui.comment(card_of(sandbox, ana), "/ban spam")
    await desk.settle()

    (line,) = [t for t in thread_texts(sandbox, ana) if t.startswith("⛔")]
    name_end = line.index(" foi banido")
    assert open_bidi(line[:name_end]) == 0, repr(line)


async def test_a_banned_client_pressing_start_is_not_invited_to_write(sandbox, desk):
    """Was wrong: a banned client's /start gets the full welcome ("tell us how we can help"),
    while nothing they write reaches the team; they should get the ban text (once)."""
    rui = sandbox.admin("Rui", language="pt-br")
    ana = sandbox.client("Ana Souza", language="it")
    ana.send("ciao")
    await desk.settle()
    rui.comment(card_of(sandbox, ana), "/ban spam")
    await desk.settle()
    before = len(bot_said(ana))

    ana.start("promo")
    await desk.settle()
    after = bot_said(ana)[before:]
    assert after, "a banned client's /start is answered"
    assert not any(t.startswith("Salve, Ana! 👋") for t in after)  # the start text
    assert after[0].startswith("Salve, Ana. Questa chat di assistenza non è più disponibile")


async def test_a_client_who_chose_a_language_is_refused_in_it(sandbox, desk):
    """Was wrong: a Russian-app client who picked Italiano with /idioma is refused /notificacoes
    and an unknown button in Russian (the app's language), everything else in Italian."""
    ivan = sandbox.client("Ivan Petrov", language="ru")
    ivan.send("/idioma")
    await desk.settle()
    ivan.press(ivan.chat()[-1], "Italiano")
    await desk.settle()

    ivan.send("/notificacoes off")
    await desk.settle()
    assert bot_said(ivan)[-1] == tr._("it", "This command is for the team's administrators.")

    ivan.send("/idioma")
    await desk.settle()
    sandbox.switches.forged_callback_data = True
    press = ivan.press_data(ivan.chat()[-1], b"zz:not-ours")
    await desk.settle()
    assert press.answered and press.alert
    assert press.text == tr._("it", "This button is no longer valid.")


async def test_a_clients_new_name_and_handle_reach_the_card(sandbox, desk):
    """Was wrong: a client who changes their name or @username keeps the old ones on the card
    (the row is refreshed, the card is not re-rendered) until something else changes it."""
    ana = sandbox.client("Ana Souza", username="ana_old", language="en")
    ana.send("first")
    await desk.settle()
    ana.account.first_name, ana.account.username = "Ana*", "ana_new"
    ana.send("renamed")
    await desk.settle()
    card = card_of(sandbox, ana)
    assert card.text.splitlines()[:2] == ["🟡 Ana* Souza", f"@ana_new · id {ana.id} · en"]
    assert "renamed" in thread_texts(sandbox, ana)  # relayed as usual


# --- what held -------------------------------------------------------------------------------

UNSUPPORTED = "Sorry, a {kind} cannot be delivered to our team. Please send it another way."
LINE = "❔ O cliente enviou algo do tipo {kind}, que não pode ser repassado."


def _kinds(person):
    return {
        "game": T.MessageMediaGame(game=T.Game(
            id=1, access_hash=2, short_name="g", title="G", description="d",
            photo=T.PhotoEmpty(id=0))),
        "story": T.MessageMediaStory(peer=T.PeerUser(user_id=person.id), id=5),
        "giveaway": T.MessageMediaGiveaway(channels=[1], quantity=1, until_date=0),
        "paid_media": T.MessageMediaPaidMedia(stars_amount=5, extended_media=[]),
    }


@pytest.mark.parametrize("code, language", [("pt-br", "pt_BR"), ("en", "en"),
                                            ("es-419", "es"), ("it", "it"), ("ru-RU", "ru")])
async def test_kinds_that_cannot_be_copied_are_answered_in_the_clients_language(
        sandbox, desk, caplog, code, language):
    person = sandbox.client("Kim", language=code)
    person.send("Oi")
    kinds = _kinds(person)
    for media in kinds.values():
        send_raw(person, media)
    await desk.settle()

    expected = [tr._(language, UNSUPPORTED, kind=tr.pgettext(language, "kind", KIND_NAMES[kind]))
                for kind in kinds]
    assert bot_lines(sandbox, person) == expected
    assert len(set(expected)) == len(kinds)  # each kind named
    assert thread_texts(sandbox, person)[2:] == [
        LINE.format(kind=tr.pgettext("pt_BR", "kind", KIND_NAMES[kind])) for kind in kinds]
    no_errors(caplog)


@pytest.mark.parametrize("code, greeting", [("pt", "Olá"), ("pt-PT", "Olá"),
                                            ("es-419", "¡Hola"), ("EN-us", "Hello"),
                                            ("it-CH", "Salve"), ("zh-hans", "Olá"),
                                            ("", "Olá"), (None, "Olá"), ("123", "Olá")])
async def test_language_codes_of_every_kind_get_one_of_the_five(sandbox, desk, code,
                                                                greeting):
    person = sandbox.client("Lang", language="en")
    person.account.lang_code = code
    person.start()
    person.send("Oi")
    await desk.settle()
    (answer,) = bot_said(person)
    assert answer.startswith(greeting)
    assert card_of(sandbox, person).text.splitlines()[1].startswith(f"id {person.id}")


async def test_answers_to_a_blocked_or_deleted_client_are_reported_in_the_thread(sandbox,
                                                                                 desk):
    eva = sandbox.team_member("Eva Lima")
    ana = sandbox.client("Ana", language="en")
    ana.send("hello")
    await desk.settle()
    card = card_of(sandbox, ana)
    ana.block_bot()
    eva.comment(card, "answer while blocked")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "⚠️ Não entregue: o cliente bloqueou o bot."
    ana.unblock_bot()
    ana.send("back")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "back"
    ana.delete_account()
    eva.comment(card, "answer to a deleted account")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "⚠️ Não entregue: a conta do cliente foi excluída."

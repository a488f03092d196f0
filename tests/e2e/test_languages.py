"""Story: five clients, five languages, one desk; /idioma changes a client's language.

Every message the bot sends a client is compared with what the desk must say in that client's
language: the self-hoster's texts rendered from respostas/<lang>/ and the desk's own lines from
the catalogs (never with guessed words).
"""

from __future__ import annotations

import pytest
from pyrogram import enums
from pyrogram.parser.parser import Parser

from atendimento.i18n import Translator
from atendimento.sandbox.callbacks import buttons
from atendimento.texts import Texts, client_values

from .conftest import ROOT, RunningDesk, bot_said, card_of

# Telegram's language code of each client, and the language the desk must answer in.
CLIENTS = [("pt-br", "pt_BR"), ("en", "en"), ("es-AR", "es"), ("it", "it"), ("ru", "ru")]
ANSWERS = {"pt_BR": "Oi! Já vou verificar.", "en": "Hi! Let me check.",
           "es": "¡Hola! Ya lo reviso.", "it": "Salve! Controllo subito.",
           "ru": "Здравствуйте! Сейчас проверю."}
LABELS = ["English", "Español", "Italiano", "Português", "Русский"]
PROMPT = "Which language should we write to you in?"
UNSUPPORTED = "Sorry, a {kind} cannot be delivered to our team. Please send it another way."


def plain(markdown: str) -> str:
    """The text a client sees for a Markdown text (pyrogram's own parser, as the bot sends)."""
    step = Parser(None).parse(markdown, enums.ParseMode.MARKDOWN)
    try:
        step.send(None)
    except StopIteration as done:
        return done.value["message"]
    raise AssertionError("the parser waited for I/O")  # pragma: no cover


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts.load(ROOT / "respostas", "pt_BR")


@pytest.fixture(scope="module")
def tr() -> Translator:
    return Translator("pt_BR")


def text_file(texts: Texts, name: str, language: str, person, **values) -> str:
    first, _, last = person.name.partition(" ")
    return plain(texts.render(name, language, **client_values(first, last or None), **values))


def expected_story(texts: Texts, tr: Translator, language: str, person) -> list[str]:
    kind = tr.pgettext(language, "kind", "dice")
    return [
        text_file(texts, "start", language, person),
        tr._(language, UNSUPPORTED, kind=kind),
        ANSWERS[language],
        text_file(texts, "end", language, person, numero=1),
        text_file(texts, "csat", language, person, numero=1),  # the rating question
        text_file(texts, "restart", language, person, numero=2),
        tr._(language, PROMPT),
    ]


async def test_each_client_reads_every_text_in_their_language(sandbox, desk, texts, tr):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    people = {}
    for code, language in CLIENTS:
        person = sandbox.client(f"Cliente {language}", language=code)
        person.start()
        person.send("Olá / Hello / Привет")
        person.send_dice()
        people[language] = person
    await desk.settle()
    for language, person in people.items():
        eva.comment(card_of(sandbox, person), ANSWERS[language])
        await desk.settle()
        eva.comment(card_of(sandbox, person), "/fim")
        await desk.settle()
        person.send("Voltei / I'm back")
        person.send("/idioma")
    await desk.settle()

    for language, person in people.items():
        said = bot_said(person)
        assert said == expected_story(texts, tr, language, person), language
        # The texts really differ between languages: no language got another's by fallback.
        starts = {text_file(texts, "start", other, person) for _, other in CLIENTS}
        assert len(starts) == len(CLIENTS)
        prompt = [m for m in person.chat() if m.from_bot][-1]
        assert [label for label, _ in buttons(prompt)] == LABELS
    # The team reads its own language (LANGUAGE=pt_BR) whatever the client's.
    thread = [m.text for m in sandbox.thread(card_of(sandbox, people["ru"]))]
    assert any(t.startswith("✅ Atendimento #1 encerrado por Eva Lima") for t in thread)


async def test_idioma_changes_the_language_of_what_follows(sandbox, desk, texts, tr):
    ivan = sandbox.client("Ivan Petrov", language="ru")
    ivan.send("/idioma")
    await desk.settle()
    (prompt,) = bot_said(ivan)
    assert prompt == tr._("ru", PROMPT) == "На каком языке Вам удобнее общаться?"
    message = ivan.chat()[-1]
    press = ivan.press(message, "Italiano")
    await desk.settle()
    assert press.answered and not press.alert and press.text == "Lingua: Italiano"
    assert ivan.chat()[-1].text == "✅ Lingua: Italiano"

    ivan.start()
    ivan.send("Buongiorno")
    await desk.settle()
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card_of(sandbox, ivan), "/fim")
    await desk.settle()
    assert bot_said(ivan)[-3:] == [text_file(texts, "start", "it", ivan),
                                   text_file(texts, "end", "it", ivan, numero=1),
                                   text_file(texts, "csat", "it", ivan, numero=1)]

    # And back, with another alias of the command.
    ivan.send("/language")
    await desk.settle()
    assert bot_said(ivan)[-1] == tr._("it", PROMPT)
    press = ivan.press(ivan.chat()[-1], "Русский")
    await desk.settle()
    assert press.text == "Язык: Русский"
    ivan.start()
    await desk.settle()
    assert bot_said(ivan)[-1] == text_file(texts, "start", "ru", ivan)
    assert bot_said(ivan)[-1].startswith("Здравствуйте, Ivan!")


@pytest.mark.parametrize("data", [b"l:", b"l:xx", b"l:IT", b"l:it ", b"l:it:1", b"l:../ru",
                                  b"l:\xff", b"l:pt-BR"])
async def test_language_buttons_with_garbage_data_are_no_longer_valid(sandbox, desk, data):
    ivan = sandbox.client("Ivan Petrov", language="ru")
    ivan.send("/lingua")
    await desk.settle()
    sandbox.switches.forged_callback_data = True  # a modified app, if Telegram let it through
    press = ivan.press_data(ivan.chat()[-1], data)
    await desk.settle()
    assert press.answered and press.alert
    assert press.text == "Эта кнопка больше не действует."
    ivan.start()
    await desk.settle()
    assert bot_said(ivan)[-1].startswith("Здравствуйте")  # nothing was chosen


async def test_a_team_member_in_client_mode_chooses_too(sandbox, desk, texts):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.send("/cliente")
    eva.send("/idioma")
    await desk.settle()
    eva.press(eva.chat()[-1], "English")
    await desk.settle()
    eva.send("Testing the desk")
    await desk.settle()
    assert card_of(sandbox, eva)
    eva.start()
    await desk.settle()
    assert bot_said(eva)[-1] == text_file(texts, "start", "en", eva)


@pytest.fixture
async def english_clients_desk(sandbox, tmp_path, database_url):
    running = RunningDesk(sandbox, tmp_path, database_url, DEFAULT_CLIENT_LANGUAGE="en")
    await running.start()
    yield running
    await running.stop()


async def test_an_unknown_language_gets_the_default_client_language(
        sandbox, english_clients_desk, texts, tr):
    hans = sandbox.client("Hans Müller", language="de")
    hans.start()
    hans.send("Hallo")
    await english_clients_desk.settle()
    assert bot_said(hans) == [text_file(texts, "start", "en", hans)]
    # The team still reads LANGUAGE.
    thread = [m.text for m in sandbox.thread(card_of(sandbox, hans))]
    assert thread[1].startswith("📂 Atendimento #1 aberto")
    assert sandbox.menu(hans) == [("start", tr._("en", "Talk to us")),
                                  ("idioma", tr._("en", "Choose your language")),
                                  ("status", tr._("en", "Where your conversation stands"))]


async def test_menus_in_every_language(sandbox, desk, tr):
    for code, language in CLIENTS:
        person = sandbox.client("Menu Reader", language=code)
        assert sandbox.menu(person) == [
            ("start", tr._(language, "Talk to us")),
            ("idioma", tr._(language, "Choose your language")),
            ("status", tr._(language, "Where your conversation stands"))]
    giulia = sandbox.team_member("Giulia Rossi", language="it")
    team = dict(sandbox.menu(giulia, sandbox.group))
    assert team["fim"] == "Chiudi la richiesta"
    assert dict(sandbox.menu(sandbox.client("Olga", language="ru")))["idioma"] == "Выбрать язык"


def test_the_stories_compare_with_real_differences(texts, tr):
    # Guard for the test above: the expected lines differ in every language.
    stories = [tuple(expected_story(texts, tr, language, _Named("Ana Souza")))
               for _, language in CLIENTS]
    for position in range(len(stories[0])):
        assert len({story[position] for story in stories}) == len(CLIENTS), position


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name



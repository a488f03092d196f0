"""Story: people type odd things — texts whose cut falls inside an emoji, digits `int()` refuses,
arguments of thousands of characters, NUL, RTL marks — and the desk keeps going: it relays
them whole, answers every command with a line Telegram accepts, and logs no error.

The property tests build the desk once per test, inside its body, and run hypothesis on it."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from atendimento.domain.text import size
from atendimento.sandbox import Sandbox
from atendimento.sandbox.callbacks import buttons

from .conftest import RunningDesk, bot_said, card_of, thread_texts

TELEGRAM_LIMIT = 4096
THREAD_COMMANDS = ("fim", "end", "p", "prioridade", "priority", "ban", "banir", "desbanir",
                   "unban", "resposta", "salvar", "save")
END_COMMANDS = frozenset({"fim", "end"})
KNOWN = frozenset(THREAD_COMMANDS) | {"start", "notificacoes", "notificações", "notifications",
                                      "cliente", "client", "equipe", "team", "respostas",
                                      "replies", "cancelar", "cancel", "faq"}
ODD = ["፩", "𐩀", "²", "①", "١", "0", "5", "#urgente", "🔴", "\x00", "a\x00b", "\u200f1",
       "1\u200b", "\u202eurgente", "\n\n1\n", "😀" * 2040, "x" * 4000, "1" * 4000,
       "\u200f" * 3000, "a" + "😀" * 2040, "é" * 3000, "👩‍👩‍👧‍👦" * 300, "🇧🇷" * 1000]
arguments = st.one_of(
    st.text(),  # all of Unicode: NUL, newlines, RTL marks, astral characters
    st.text(st.sampled_from("1 \n\t\u200f\u200b\u202e\x00😀𐩀፩²①é\u0301#@/")),
    st.sampled_from(ODD),
)
NAME_CHARS = st.characters(categories=("Lu", "Ll", "Lm", "Lo", "Nd", "No"),
                           include_characters="_")
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
# Some dozens of drawn arguments for each command (the commands are drawn too).
PER_COMMAND = settings(PROPERTY, max_examples=25 * len(THREAD_COMMANDS))


def sendable(messages) -> None:
    for message in messages:
        assert size(message.text) <= TELEGRAM_LIMIT, (size(message.text), message.text[:80])
        message.text.encode("utf-8")  # strict: no half emoji


def no_errors(records) -> None:
    errors = [r for r in records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


# --- texts cut inside an emoji (issue 13, point 4) ------------------------------------------

async def test_a_long_text_and_caption_full_of_emoji_reach_the_thread_whole(
        sandbox, desk, caplog):
    caplog.set_level(logging.WARNING)
    rui = sandbox.admin("Rui Admin", language="pt-br")
    rui.start()
    await desk.settle()
    ana, bia = sandbox.client("Ana Souza"), sandbox.client("Bia Costa")
    text = "a" + "😀" * 2047  # 4095 units: the preview's cut at 200 falls inside an emoji
    caption = "😀" * 511 + "ab"  # 1024 units, the caption limit
    ana.send(text)
    bia.send_photo(caption)
    await desk.settle()

    assert thread_texts(sandbox, ana)[-1] == text
    [photo] = [m for m in sandbox.thread(card_of(sandbox, bia)) if m.kind == "photo"]
    assert photo.text == caption
    notices = bot_said(rui)
    ana_notice = next(n for n in notices if n.startswith("🆕 Novo cliente: Ana Souza"))
    assert "“a" + "😀" * 59 + "…”" in ana_notice  # 119 units and the ellipsis
    bia_notice = next(n for n in notices if n.startswith("🆕 Novo cliente: Bia Costa"))
    assert "“" + "😀" * 59 + "…”" in bia_notice
    sendable(rui.chat())
    no_errors(caplog.records)


async def test_a_long_priority_and_ban_reason_are_answered_shortened(sandbox, desk, caplog):
    caplog.set_level(logging.WARNING)
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    rui = sandbox.admin("Rui Admin")
    for argument in ("😀" * 2046, "፩", "𐩀", "1" * 4090):
        rui.comment(card, f"/p {argument}")
    rui.comment(card, "/ban " + "spam 😀 " * 511)  # 4093 units
    await desk.settle()

    texts = [m.text for m in sandbox.thread(card) if m.from_bot]  # the commands left out
    unknown = [t for t in texts if t.startswith("Prioridade desconhecida “")]
    assert [t.split("”")[0].removeprefix("Prioridade desconhecida “") for t in unknown] == [
        "😀" * 31 + "…", "፩", "𐩀", "1" * 63 + "…"]
    assert texts[-1].startswith("⛔ Ana Souza") and texts[-1].endswith("…")
    assert card_of(sandbox, ana).text.startswith("⛔")
    sendable(sandbox.thread(card))
    assert bot_said(ana) == []
    no_errors(caplog.records)


async def test_a_command_then_a_newline_stays_in_the_thread(sandbox, desk, caplog):
    caplog.set_level(logging.WARNING)
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    rui = sandbox.admin("Rui Admin")
    rui.comment(card, "/ban\nspam repetido")
    rui.comment(card, "/desbanir\u200b")
    await desk.settle()
    texts = [m.text for m in sandbox.thread(card) if m.from_bot]
    assert "spam repetido" in texts[-2] and texts[-2].startswith("⛔")
    assert texts[-1].startswith("✅ Ana Souza")
    assert bot_said(ana) == []
    no_errors(caplog.records)


# --- every command, with drawn arguments, through the real desk (point 5) --------------------

@contextmanager
def running_desk():
    """A sandbox and the desk on an event loop of this test, and the records of errors (and of
    lines Telegram refused as too long) logged meanwhile."""
    loop = asyncio.new_event_loop()
    errors: list[logging.LogRecord] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(record)

    catch = Catch(logging.WARNING)  # errors, and the warning of a line refused as too long
    catch.addFilter(lambda r: r.levelno >= logging.ERROR or "TOO_LONG" in r.getMessage())
    logging.getLogger().addHandler(catch)
    with tempfile.TemporaryDirectory() as directory:
        sandbox = Sandbox(strict=True)
        loop.run_until_complete(sandbox.start())
        sandbox.world.limits.enabled = False  # many commands in one virtual minute
        desk = RunningDesk(sandbox, Path(directory), f"sqlite:///{directory}/desk.db")
        loop.run_until_complete(desk.start())
        try:
            yield sandbox, desk, loop.run_until_complete, errors
        finally:
            loop.run_until_complete(desk.stop())
            loop.run_until_complete(sandbox.close())
            logging.getLogger().removeHandler(catch)
            loop.close()
    assert sandbox.server.unimplemented == []


def fits(text: str) -> str:
    assume(size(text) <= TELEGRAM_LIMIT)
    return text


def test_thread_commands_with_any_argument_are_answered_in_the_thread():
    with running_desk() as (sandbox, desk, run, errors):
        ana = sandbox.client("Ana Souza", language="pt-br")
        ana.send("Oi")
        run(desk.settle())
        card = card_of(sandbox, ana)
        rui = sandbox.admin("Rui Admin", language="pt-br")
        question = sandbox.thread(card)[-1]  # Ana's message, to save as a reply

        runs: list[object] = []

        @PER_COMMAND
        @given(command=st.one_of(st.sampled_from(THREAD_COMMANDS),
                                 st.text(NAME_CHARS, min_size=1, max_size=40)),
               argument=arguments, as_reply=st.booleans())
        def one(command, argument, as_reply):
            text = fits(f"/{command} {argument}")
            in_thread, to_client = len(sandbox.thread(card)), len(ana.chat())
            if as_reply:
                rui.reply(question, text)
            else:
                rui.comment(card, text)
            run(desk.settle())
            answers = [m for m in sandbox.thread(card)[in_thread:] if m.from_bot]
            assert answers, f"no answer to {text[:80]!r}"
            sendable(answers)
            got = ana.chat()[to_client:]
            if command.casefold() in END_COMMANDS:  # the end text, never the command
                assert all(m.from_bot and not m.text.startswith("/") for m in got)
            else:
                assert got == []
            assert errors == [], [r.getMessage() for r in errors]
            runs.append(None)

        one()
        assert len(runs) >= 20  # the property did run, on this desk


def test_private_commands_with_any_argument_are_answered_privately():
    with running_desk() as (sandbox, desk, run, errors):
        rui = sandbox.admin("Rui Admin", language="pt-br")
        eva = sandbox.team_member("Eva Lima")
        bia = sandbox.client("Bia Costa", language="es")
        rui.start()
        keep = eva.send("Texto para guardar")
        run(desk.settle())

        def answered(person, act: Callable[[], object]) -> None:
            before = len(person.chat())
            act()
            run(desk.settle())
            answers = [m for m in person.chat()[before:] if m.from_bot]
            assert answers
            sendable(answers)
            assert errors == [], [r.getMessage() for r in errors]

        runs: list[object] = []

        @PER_COMMAND
        @given(command=st.sampled_from(["notificacoes", "notificações", "notifications",
                                        "cliente", "client", "equipe", "team", "respostas",
                                        "replies", "cancelar", "cancel", "resposta", "salvar",
                                        "save", "faq"]),
               who=st.sampled_from(["admin", "member", "client"]), argument=arguments)
        def one(command, who, argument):
            text = fits(f"/{command} {argument}")
            person = {"admin": rui, "member": eva, "client": bia}[who]
            # A client's /cliente means nothing to the desk: it is relayed as a message.
            assume(who != "client" or command not in ("cliente", "client", "equipe", "team",
                                                       "cancelar", "cancel"))
            if command in ("resposta", "salvar", "save") and who == "member":
                answered(eva, lambda: eva.reply(keep, text))
            else:
                answered(person, lambda: person.send(text))
            runs.append(None)

        one()
        assert len(runs) >= 20  # the property did run, on this desk


def test_start_with_any_origin_opens_with_a_line_that_fits():
    with running_desk() as (sandbox, desk, run, errors):
        rui, eva = sandbox.admin("Rui Admin", language="pt-br"), sandbox.team_member("Eva")
        rui.start()
        ana = sandbox.client("Ana Souza", language="pt-br")
        run(desk.settle())

        runs: list[object] = []

        @PROPERTY
        @given(origin=arguments)
        def one(origin):
            fits("/start " + origin)
            before, notices = len(ana.chat()), len(rui.chat())
            ana.start(origin)
            run(desk.settle())
            assert [m for m in ana.chat()[before:] if m.from_bot]  # the start text
            ana.send("Oi")
            run(desk.settle())
            card = card_of(sandbox, ana)
            assert any(t.startswith("📂") for t in thread_texts(sandbox, ana)[-2:])
            sendable(sandbox.thread(card))
            sendable(rui.chat()[notices:])
            eva.comment(card, "/fim")
            run(desk.settle())
            assert errors == [], [r.getMessage() for r in errors]
            runs.append(None)

        one()
        assert len(runs) >= 20  # the property did run, on this desk


@pytest.mark.parametrize("field", [
    "rename",
    "keywords",
])
def test_renaming_and_keywords_take_any_text(field):
    with running_desk() as (sandbox, desk, run, errors):
        eva = sandbox.team_member("Eva Lima")
        eva.reply(eva.send("Prazo: 5 dias"), "/resposta prazo")
        run(desk.settle())

        def listed():
            return [m for m in eva.chat() if m.from_bot and m.raw.reply_markup][-1]

        runs: list[object] = []

        @PROPERTY
        @given(text=arguments)
        def one(text):
            assume(text.strip() and size(text) <= TELEGRAM_LIMIT)
            eva.send("/equipe")  # back to the workspace, whatever an earlier text did
            eva.send("/respostas")
            run(desk.settle())
            listing = listed()
            eva.press(listing, buttons(listing)[0][0])
            run(desk.settle())
            detail = listed()
            labels = [label for label, _data in buttons(detail)]
            eva.press(detail, labels[0 if field == "rename" else 1])  # ✏️ Rename, 🏷 Keywords
            run(desk.settle())
            before = len(eva.chat())
            eva.send(text)
            run(desk.settle())
            answers = [m for m in eva.chat()[before:] if m.from_bot]
            assert answers, f"no answer to {text[:80]!r}"
            sendable(eva.chat())
            assert errors == [], [r.getMessage() for r in errors]
            runs.append(None)

        one()
        assert len(runs) >= 20  # the property did run, on this desk


def test_commands_for_someone_else_are_no_commands():
    with running_desk() as (sandbox, desk, run, errors):
        ana = sandbox.client("Ana Souza", language="pt-br")
        ana.send("Oi")
        run(desk.settle())
        card = card_of(sandbox, ana)
        rui = sandbox.admin("Rui Admin", language="pt-br")

        runs: list[object] = []

        @PROPERTY
        @given(name=st.text(NAME_CHARS, min_size=1, max_size=20), argument=arguments)
        def one(name, argument):
            assume(name.casefold() not in KNOWN)
            text = fits(f"/{name} {argument}")
            before = len(sandbox.thread(card))
            rui.comment(card, text)
            run(desk.settle())
            answers = [m.text for m in sandbox.thread(card)[before:] if m.from_bot]
            assert any(t.startswith("Comando desconhecido") for t in answers), answers
            sendable(sandbox.thread(card)[before:])
            assert bot_said(ana) == []
            assert errors == [], [r.getMessage() for r in errors]
            runs.append(None)

        one()
        assert len(runs) >= 20  # the property did run, on this desk

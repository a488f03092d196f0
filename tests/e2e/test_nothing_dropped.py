"""Story: no message dies quietly — a thread that cannot be opened parks the client's messages
until it can, an edit Telegram refuses leaves a line, and whatever else breaks a job is said
to whoever is concerned."""

from __future__ import annotations

import asyncio
import logging

import pytest

from atendimento.desk.ports import FORBIDDEN, Undeliverable
from atendimento.desk.threads import ThreadUnavailable
from atendimento.storage.errors import ConflictError, NotFoundError, StorageError

from .conftest import bot_said, card_of, thread_texts


async def admin_with_notices(sandbox, desk):
    rui = sandbox.admin("Rui Admin", language="pt-br")
    rui.start()
    await desk.settle()
    return rui


def refuse_the_card(sandbox, times=1):
    sandbox.world.faults.fail("messages.SendMessage", "CHAT_WRITE_FORBIDDEN", code=403,
                              times=times)


async def test_a_refused_card_parks_the_first_message_until_the_next_one(sandbox, desk):
    rui = await admin_with_notices(sandbox, desk)
    ana = sandbox.client("Ana Souza", language="pt-br")
    refuse_the_card(sandbox)
    ana.send("Oi, meu pedido não chegou")
    await desk.settle()

    assert [p for p in sandbox.posts() if f"#c{ana.id}" in p.text] == []
    (warning,) = [t for t in bot_said(rui) if t.startswith("⚠️")]
    assert "Ana Souza" in warning and "CHAT_WRITE_FORBIDDEN" in warning
    assert "atendimento check" in warning

    ana.send("Alguém aí?")
    await desk.settle()
    texts = thread_texts(sandbox, ana)
    assert texts[0].startswith("📂 Atendimento #1")
    assert texts[1].startswith("⏳ As 2 mensagens abaixo")
    assert texts[2:] == ["Oi, meu pedido não chegou", "Alguém aí?"]
    assert card_of(sandbox, ana).pinned
    # The admin hears of the new client once the thread exists.
    assert any(t.startswith("🆕") for t in bot_said(rui))


async def test_the_retry_places_parked_messages_without_a_new_one(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="pt-br")
    refuse_the_card(sandbox, times=2)
    ana.send("primeira")
    await desk.settle()
    assert await desk.app.desk.retry_parked() == 0  # still refused: kept
    await desk.settle()
    assert [p for p in sandbox.posts() if f"#c{ana.id}" in p.text] == []

    assert await desk.app.desk.retry_parked() == 1
    await desk.settle()
    assert thread_texts(sandbox, ana)[1:] == [
        "⏳ A mensagem abaixo chegou enquanto o tópico não podia ser aberto e aparece com "
        "atraso.", "primeira"]
    assert await desk.app.desk.retry_parked() == 0  # nothing left


async def test_parked_messages_survive_a_restart(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="pt-br")
    refuse_the_card(sandbox)
    ana.send("antes de reiniciar")
    ana.send_photo(caption="a foto")
    await desk.settle()
    await desk.stop()
    await desk.start()  # the start tries the parked messages again
    await desk.settle()
    thread = sandbox.thread(card_of(sandbox, ana))
    assert [m.text for m in thread[-2:]] == ["antes de reiniciar", "a foto"]
    assert thread[-1].kind == "photo"


async def test_a_card_without_a_comment_thread_parks_the_message(sandbox, desk, monkeypatch):
    rui = await admin_with_notices(sandbox, desk)
    roots = desk.app.desk.ctx.roots
    real_wait = roots.wait
    missed = []

    async def never_once(post_id, timeout):
        if not missed:  # the forward of the first card never comes
            missed.append(post_id)
            return None
        return await real_wait(post_id, timeout)
    monkeypatch.setattr(roots, "wait", never_once)
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Olá")
    await desk.settle()
    assert any("ThreadUnavailable" in t for t in bot_said(rui))
    monkeypatch.setattr(roots, "wait", real_wait)
    roots.seen(missed[0], sandbox.thread(sandbox.post(missed[0]))[0].id)
    assert await desk.app.desk.retry_parked() == 1
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "Olá"


async def answered(sandbox, desk):
    """Ana wrote, Eva answered: (ana, card, eva, the answer in the thread)."""
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva Lima")
    answer = eva.comment(card, "Chega amanhã")
    await desk.settle()
    return ana, card, eva, answer


async def test_an_edit_telegram_refuses_leaves_a_line_under_the_comment(sandbox, desk):
    ana, card, eva, answer = await answered(sandbox, desk)
    sandbox.world.faults.fail("messages.EditMessage", "CHAT_WRITE_FORBIDDEN", code=403)
    eva.edit(answer, "Chega depois de amanhã")
    await desk.settle()
    note = sandbox.thread(card)[-1]
    assert note.reply_to == answer.id and note.text.startswith("⚠️ Não entregue")
    assert bot_said(ana) == ["Chega amanhã"]


async def test_an_edit_of_a_copy_the_client_deleted_says_so(sandbox, desk):
    ana, card, eva, answer = await answered(sandbox, desk)
    ana.delete(ana.chat()[-1])
    await desk.settle()
    eva.edit(answer, "Chega depois de amanhã")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1].startswith("⚠️ Edição não entregue")


async def test_an_unchanged_edit_says_nothing(sandbox, desk):
    ana, card, eva, answer = await answered(sandbox, desk)
    before = len(sandbox.thread(card))
    sandbox.world.faults.fail("messages.EditMessage", "MESSAGE_NOT_MODIFIED", code=400)
    eva.edit(answer, "Chega amanhã!")
    await desk.settle()
    assert len(sandbox.thread(card)) == before  # no line


# Everything a lane job can raise: what the services raise, what the storage layer raises,
# what the network raises, and a bug.
ERRORS = [StorageError("server closed the connection"), ConflictError("duplicate"),
          NotFoundError("no such row"), Undeliverable(FORBIDDEN, "CHAT_WRITE_FORBIDDEN"),
          ThreadUnavailable("no thread"), TimeoutError(), OSError("network down"),
          ConnectionResetError(), KeyError("x"), ValueError("bad"), TypeError("bad"),
          AttributeError("x"), RuntimeError("bug"), AssertionError(), UnicodeDecodeError(
              "utf-16-le", b"\x00", 0, 1, "truncated"), ZeroDivisionError(), Exception()]


def failing(times: int, error: BaseException, real):
    calls = []

    async def job(*args):
        calls.append(args)
        if len(calls) <= times:
            raise error
        return await real(*args)
    return job


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
async def test_a_client_message_whose_job_fails_is_never_silent(sandbox, desk, error,
                                                                monkeypatch):
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    the_desk = desk.app.desk
    monkeypatch.setattr(the_desk.client_side, "message",
                        failing(100, error, the_desk.client_side.message))
    ana.send("esta falha")
    await desk.settle()
    assert bot_said(ana)[-1].startswith("Desculpe, sua última mensagem não chegou")
    assert thread_texts(sandbox, ana)[-1].startswith("⚠️ Uma mensagem do cliente")


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
async def test_a_team_comment_whose_job_fails_is_never_silent(sandbox, desk, error,
                                                              monkeypatch):
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    the_desk = desk.app.desk
    monkeypatch.setattr(the_desk.team_side, "comment",
                        failing(100, error, the_desk.team_side.comment))
    eva = sandbox.team_member("Eva Lima")
    comment = eva.comment(card, "resposta")
    await desk.settle()
    note = sandbox.thread(card)[-1]
    assert note.reply_to == comment.id and note.text.startswith("⚠️ Este comentário")
    assert bot_said(ana) == []


async def test_a_database_away_for_a_moment_is_waited_for(sandbox, desk, monkeypatch):
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    the_desk = desk.app.desk
    monkeypatch.setattr(the_desk.client_side, "message",
                        failing(3, StorageError("restarting"), the_desk.client_side.message))
    ana.send("depois da queda")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "depois da queda"
    assert bot_said(ana) == []


async def test_the_lanes_catch_all_is_never_reached_by_a_message(sandbox, desk, monkeypatch,
                                                                 caplog):
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    the_desk = desk.app.desk
    monkeypatch.setattr(the_desk.client_side, "message",
                        failing(100, RuntimeError("bug"), the_desk.client_side.message))
    ana.send("x")
    await desk.settle()
    assert not [r for r in caplog.records if r.name == "atendimento.desk.lanes"]
    assert [r.name for r in caplog.records if r.levelno >= logging.ERROR] == [
        "atendimento.desk.failures"]


async def test_a_button_whose_job_fails_still_gets_an_answer(sandbox, desk, monkeypatch):
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    rui = sandbox.admin("Rui Admin", language="pt-br")
    rui.comment(card, "/p")
    await desk.settle()
    the_desk = desk.app.desk

    async def broken(*_args):
        raise RuntimeError("bug")
    monkeypatch.setattr(the_desk.registry, "press", broken)
    press = rui.press(sandbox.thread(card)[-1], "1 urgente")
    await desk.settle()
    assert press.answered and press.alert and press.text.startswith("Algo deu errado")
    await asyncio.sleep(0)


async def test_the_bot_losing_its_post_right_is_survived_and_named_by_check(sandbox, desk):
    from atendimento.telegram.check import run_checks

    rui = await admin_with_notices(sandbox, desk)
    sandbox.set_bot_role(sandbox.channel, "admin", {"post_messages": False})
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi, tem alguém?")
    await desk.settle()
    assert [p for p in sandbox.posts() if f"#c{ana.id}" in p.text] == []
    assert any(t.startswith("⚠️ Ana Souza escreveu") for t in bot_said(rui))

    checks = await run_checks(desk.config, lambda _c: sandbox.bot_client("check",
                                                                           no_updates=True))
    (failed,) = [c for c in checks if not c.ok]
    assert "can_post_messages" in failed.line() and "Post" in failed.line()

    sandbox.set_bot_role(sandbox.channel, "admin")
    assert await desk.app.desk.retry_parked() == 1
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "Oi, tem alguém?"


async def test_nul_characters_in_what_is_stored_are_dropped(sandbox, desk, caplog):
    # PostgreSQL's text columns refuse NUL; a person can type one in any argument.
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.start("si\x00te")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    assert "“site”" in thread_texts(sandbox, ana)[0]
    rui = sandbox.admin("Rui Admin")
    question = rui.comment(card, "Nosso prazo é 3 dias")
    await desk.settle()
    rui.reply(question, "/resposta pra\x00zo, en\x00trega")
    rui.comment(card, "/ban spa\x00m")
    await desk.settle()
    texts = thread_texts(sandbox, ana)
    assert any("#1" in t for t in texts[-3:]) and texts[-1].endswith("spam")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

"""FAQ_LEARN (issue 19, point 5): when a team member answers a client's question by picking a
saved reply, the desk keeps (question's words → reply); `atendimento faq suggest-keywords`
turns that into keywords, with what they would change. Off, nothing of the clients' words is
kept."""

from __future__ import annotations

import os
import subprocess
import sys

from atendimento.storage import faq_learned
from atendimento.storage.faq_learned import Learned

from ..app.test_config import VALID
from .conftest import card_of, thread_texts
from .test_faq import FIXTURES, running, texts, title_of  # noqa: F401 (texts: a fixture)

COURO = "cuidados-com-couro"


async def learned(desk) -> list[Learned]:
    return await desk.app.storage.run(faq_learned.learned)


def ready_id(desk, stem: str) -> int:
    book = desk.app.desk.api("replies")
    return next(r.id for r in book.ready() if r.file_path.endswith(f"/{stem}.md"))


async def pick(desk, member, title: str, **where):
    """`member` types the title in inline mode (in a thread) and picks the first result."""
    query = member.inline(title, **where)
    await desk.settle()
    assert query.results and query.results[0].title == title
    message = query.pick(query.results[0].id)
    await desk.settle()
    return message


async def test_a_picked_ready_answer_pairs_the_question_and_an_end_forgets_the_rest(
        sandbox, tmp_path, database_url, texts):  # noqa: F811
    desk = await running(sandbox, tmp_path, database_url, texts, FAQ_LEARN="on")
    try:
        eva = sandbox.team_member("Eva Lima", language="pt-br")
        bia = sandbox.client("Bia Costa", language="pt-br")
        bia.send("Oi! A bota de nobuck do pedido 48213 pode pegar chuva?")
        await desk.settle()
        card = card_of(sandbox, bia)
        await pick(desk, eva, title_of(COURO), card=card)
        assert await learned(desk) == [
            Learned(ready_id(desk, COURO), "oi a bota de nobuck do pedido pode pegar chuva")]

        # Typed by hand, then a ready answer: the question is paired all the same.
        bia.send("E camurça, como limpa?")
        await desk.settle()
        eva.comment(card, "Boa pergunta, já te mando.")
        await desk.settle()
        await pick(desk, eva, title_of(COURO), card=card)
        assert (await learned(desk))[-1].words == "e camurça como limpa"

        # A question nobody answered with a saved reply goes with its atendimento.
        bia.send("obrigada!")
        await desk.settle()
        eva.comment(card, "/fim")
        await desk.settle()
        rows = await desk.app.storage.run(
            lambda t: t.db.execute_sql("SELECT words, answer_id FROM faq_questions").fetchall())
        assert sorted(words for words, _ in rows) == [
            "e camurça como limpa", "oi a bota de nobuck do pedido pode pegar chuva"]
    finally:
        await desk.stop()


async def test_a_reply_to_one_message_pairs_that_one_and_automatic_answers_teach_nothing(
        sandbox, tmp_path, database_url, texts):  # noqa: F811
    desk = await running(sandbox, tmp_path, database_url, texts, FAQ_LEARN="on",
                         FAQ_AUTOANSWER="on")
    try:
        eva = sandbox.team_member("Eva Lima", language="pt-br")
        bia = sandbox.client("Bia Costa", language="pt-br")
        bia.send("como faço pra rastrear minha encomenda?")  # the FAQ answers it by itself
        await desk.settle()
        assert any(t.startswith("🤖") for t in thread_texts(sandbox, bia))
        bia.send("a bota de nobuck pode molhar?")
        bia.send("e vcs entregam no sábado?")
        await desk.settle()
        card = card_of(sandbox, bia)
        nobuck = next(m for m in sandbox.thread(card) if m.text == "a bota de nobuck pode molhar?")
        await pick(desk, eva, title_of(COURO), replying=nobuck)
        assert await learned(desk) == [Learned(ready_id(desk, COURO),
                                               "a bota de nobuck pode molhar")]
    finally:
        await desk.stop()


async def test_off_nothing_of_the_clients_words_is_kept(sandbox, tmp_path, database_url,
                                                        texts):  # noqa: F811
    desk = await running(sandbox, tmp_path, database_url, texts)
    try:
        eva = sandbox.team_member("Eva Lima", language="pt-br")
        bia = sandbox.client("Bia Costa", language="pt-br")
        bia.send("a bota de nobuck pode molhar?")
        await desk.settle()
        await pick(desk, eva, title_of(COURO), card=card_of(sandbox, bia))
        rows = await desk.app.storage.run(
            lambda t: t.db.execute_sql("SELECT COUNT(*) FROM faq_questions").fetchone())
        assert rows[0] == 0
    finally:
        await desk.stop()


def suggest(tmp_path, database_url, folder, *args: str, command: str = "suggest-keywords"):
    env = {k: v for k, v in os.environ.items() if k not in VALID}
    env.update(VALID, DATABASE_URL=database_url, TEXTS_DIR=str(folder), FAQ_LEARN="on",
               DATA_DIR=str(tmp_path / "cli"))
    return subprocess.run([sys.executable, "-m", "atendimento", "faq", command, *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


async def test_suggest_keywords_proposes_the_clients_words_and_writes_them(
        sandbox, tmp_path, database_url, texts):  # noqa: F811
    desk = await running(sandbox, tmp_path, database_url, texts, FAQ_LEARN="on")
    try:
        eva = sandbox.team_member("Eva Lima", language="pt-br")
        for name, question in (("Bia Costa", "bota de nobuck pode pegar chuva?"),
                               ("Caio Reis", "como tiro mancha do nobuck"),
                               ("Duda Melo", "meu tênis de nobuck molhou, estragou?")):
            client = sandbox.client(name, language="pt-br")
            client.send(question)
            await desk.settle()
            await pick(desk, eva, title_of(COURO), card=card_of(sandbox, client))
        assert len(await learned(desk)) == 3
    finally:
        await desk.stop()

    shown = suggest(tmp_path, database_url, texts)
    assert shown.returncode == 0, shown.stderr
    assert "Learned from the team: 3 questions answered with 1 saved reply." in shown.stdout
    assert f"pt_BR/prontas/{COURO}.md — “{title_of(COURO)}” (3 questions)" in shown.stdout
    assert "proposed: nobuck (3)" in shown.stdout
    assert "answered by the FAQ itself" in shown.stdout and "0 of 3 now" in shown.stdout
    assert "--write" in shown.stdout
    before = (texts / "pt_BR" / "prontas" / f"{COURO}.md").read_text(encoding="utf-8")
    assert "nobuck" not in before

    written = suggest(tmp_path, database_url, texts, "--write")
    assert written.returncode == 0, written.stderr
    after = (texts / "pt_BR" / "prontas" / f"{COURO}.md").read_text(encoding="utf-8")
    assert "keywords: couro, camurça, limpar couro, limpeza, hidratar, bolsa de couro, " \
           "sapato de couro, mofo, nobuck" in after
    assert after.replace(", nobuck", "", 1) == before  # nothing else changed

    forgot = suggest(tmp_path, database_url, texts, command="forget")
    assert (forgot.returncode, forgot.stdout) == (0, "Forgot 3 learned question(s).\n")
    empty = suggest(tmp_path, database_url, texts)
    assert empty.returncode == 0 and empty.stdout.startswith("Nothing learned yet")
    wrong = suggest(tmp_path, database_url, texts, "--min", "0")
    assert wrong.returncode == 2 and "--min must be 1 or more" in wrong.stderr

"""Ready answers from respostas/ and the FAQ that answers by itself (issue 5, points 6–8), on the
test knowledge base of tests/fixtures/faq (a fictional store's 60-odd answers)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from atendimento.domain.faq import Answer
from atendimento.domain.faq_ranked import AUTO_THRESHOLD, SUGGEST_THRESHOLD, RankedMatcher
from atendimento.features.faq.autoanswer import ANSWER, SUGGEST
from atendimento.ready import load_ready

from .conftest import ROOT, RunningDesk, bot_said, card_of, thread_texts

FIXTURES = Path(__file__).parents[1] / "fixtures" / "faq"


def questions() -> list[tuple[str, str]]:
    with (FIXTURES / "perguntas.tsv").open(encoding="utf-8") as f:
        return [(row["pergunta"], row["esperada"]) for row in csv.DictReader(f, delimiter="\t")]


POSITIVE = [q for q in questions() if q[1] != "-"]
NEGATIVE = [q[0] for q in questions() if q[1] == "-"]


@pytest.fixture
def texts(tmp_path) -> Path:
    """The shipped respostas/ plus the store's ready answers."""
    folder = tmp_path / "respostas"
    shutil.copytree(ROOT / "respostas", folder)
    shutil.copytree(FIXTURES / "pt_BR" / "prontas", folder / "pt_BR" / "prontas",
                    dirs_exist_ok=True)
    return folder


async def running(sandbox, tmp_path, database_url, texts, **settings) -> RunningDesk:
    desk = RunningDesk(sandbox, tmp_path, database_url, TEXTS_DIR=str(texts), **settings)
    await desk.start()
    return desk


@pytest.fixture
async def faq_desk(sandbox, tmp_path, database_url, texts):
    desk = await running(sandbox, tmp_path, database_url, texts, FAQ_AUTOANSWER="on")
    yield desk
    await desk.stop()


def title_of(stem: str) -> str:
    text = (FIXTURES / "pt_BR" / "prontas" / f"{stem}.md").read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if line.startswith("title:"))[6:].strip()


def auto_lines(sandbox, client) -> list[str]:
    return [t for t in thread_texts(sandbox, client) if t.startswith("🤖")]


async def ask(desk, sandbox, text, name="Bia Costa"):
    client = sandbox.client(name, language="pt-br")
    client.send(text)
    await desk.settle()
    return client


async def test_ready_answers_are_loaded_as_saved_replies_the_team_can_search(faq_desk, sandbox):
    replies = faq_desk.app.desk.api("replies")
    ready = replies.ready()
    assert len(ready) == len(list((FIXTURES / "pt_BR" / "prontas").glob("*.md")))
    assert {r.language for r in ready} == {"pt_BR"}
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    search = eva.inline("boleto compensar")
    await faq_desk.settle()
    assert search.results[0].title == title_of("boleto-nao-compensado")


SAMPLE = POSITIVE[::16]
# Two questions of other topics that the FAQ answers by itself (checked below), for the
# scenarios that need an automatic answer to happen.
CONFIDENT = (POSITIVE[11], POSITIVE[16])


def test_the_sample_holds_questions_answered_by_itself_and_only_rightly():
    """The sample below goes through both paths: most answered at once, the rest suggested."""
    ready, problems = load_ready(FIXTURES)
    assert problems == []
    matcher = RankedMatcher(Answer(n, r.language, r.title, r.keywords, r.body)
                            for n, r in enumerate(ready, start=1))
    slugs = {Path(r.path).stem: n for n, r in enumerate(ready, start=1)}
    matches = [(matcher.best(q, "pt_BR"), slugs[e]) for q, e in SAMPLE]
    answered = [m for m, _ in matches if m.score >= AUTO_THRESHOLD]
    assert len(answered) >= len(SAMPLE) // 2
    assert all(m.answer_id == right for m, right in matches)
    for question, expected in CONFIDENT:
        match = matcher.best(question, "pt_BR")
        assert match.answer_id == slugs[expected] and match.score >= AUTO_THRESHOLD


@pytest.mark.parametrize("question, expected", SAMPLE)
async def test_a_confident_match_is_answered_at_once_and_a_weaker_one_suggested(
        faq_desk, sandbox, question, expected):
    decision = faq_desk.app.desk.api("faq").decide(question, "pt_BR")
    client = await ask(faq_desk, sandbox, question)

    title = title_of(expected)
    texts = thread_texts(sandbox, client)
    if decision.what == SUGGEST:
        assert bot_said(client) == []
        [line] = [t for t in texts if t.startswith("💡")]
        assert f"“{title}”" in line and "palavras encontradas: " in line
        return
    assert decision.what == ANSWER
    [line] = auto_lines(sandbox, client)
    assert f"“{title}”" in line and "confiança" in line
    assert "palavras encontradas: " in line and "palavras encontradas: —" not in line
    said = bot_said(client)
    assert len(said) == 1  # the answer, and nothing about the machinery
    assert texts.index(question) < texts.index(line)
    assert texts[-1] == said[0]  # the thread shows the answer as the client got it


async def test_near_misses_are_never_answered_automatically(faq_desk, sandbox):
    for n, question in enumerate(NEGATIVE):
        client = await ask(faq_desk, sandbox, question, name=f"Cliente {n}")
        assert bot_said(client) == [], question
        assert auto_lines(sandbox, client) == [], question


async def test_a_weaker_match_is_only_a_suggestion_usable_in_one_tap(faq_desk, sandbox):
    faq = faq_desk.app.desk.api("faq")
    scored = [(faq.matcher().best(q, "pt_BR"), q) for q in NEGATIVE]
    middling = [(m, q) for m, q in scored if m and SUGGEST_THRESHOLD <= m.score < AUTO_THRESHOLD]
    assert middling, "the knowledge base should have a near miss scoring as a suggestion"
    match, question = middling[0]

    client = await ask(faq_desk, sandbox, question)

    assert bot_said(client) == []
    card = card_of(sandbox, client)
    line = next(m for m in sandbox.thread(card) if m.text.startswith("💡"))
    reply = faq_desk.app.desk.api("replies").get(match.answer_id)
    assert f"“{reply.title}”" in line.text
    first, *rows = line.raw.reply_markup.rows
    [button] = first.buttons
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    search = eva.inline(button.type.query, card=card)  # what tapping the button types
    await faq_desk.settle()
    assert search.results[0].id == str(reply.id)
    # The next fits too, so that the team picks among the three best, each one tap away.
    book = faq_desk.app.desk.api("replies")
    others = [book.get(i).title for i in faq.matcher().ranked(question, "pt_BR", 3)
              if i != reply.id][:2]
    assert others and [row.buttons[0].type.query for row in rows] == others
    assert "Também pode ser: " + ", ".join(f"“{t}”" for t in others) + "." in line.text
    other = eva.inline(rows[0].buttons[0].type.query, card=card)
    await faq_desk.settle()
    assert other.results[0].title == others[0]
    search.pick(search.results[0].id)
    await faq_desk.settle()
    assert len(bot_said(client)) == 1  # the attendant chose to send it


async def test_automatic_answers_stop_once_a_team_member_answers(faq_desk, sandbox):
    (first, _), (second, _) = CONFIDENT
    client = await ask(faq_desk, sandbox, first)
    assert len(auto_lines(sandbox, client)) == 1
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.comment(card_of(sandbox, client), "Oi! Sou a Eva, vou cuidar do seu caso.")
    await faq_desk.settle()

    client.send(second)
    await faq_desk.settle()

    assert len(auto_lines(sandbox, client)) == 1  # no second automatic answer
    assert bot_said(client)[-1] == "Oi! Sou a Eva, vou cuidar do seu caso."


async def test_asking_for_a_person_stops_automatic_answers_and_tells_the_admins(
        faq_desk, sandbox):
    rui = sandbox.admin("Rui Alves", language="pt-br")
    rui.start()
    await faq_desk.settle()
    client = await ask(faq_desk, sandbox, "Quero falar com um atendente, por favor")
    client.send(CONFIDENT[0][0])
    await faq_desk.settle()

    assert auto_lines(sandbox, client) == []
    assert any(t.startswith("🙋 O cliente pediu") for t in thread_texts(sandbox, client))
    notice = bot_said(rui)[-1]
    assert notice.startswith("🙋 Bia Costa pediu para falar com uma pessoa")
    assert "https://t.me/c/" in notice


async def test_suggest_mode_shows_the_team_the_answer_and_never_sends_one_by_itself(
        sandbox, tmp_path, database_url, texts):
    desk = await running(sandbox, tmp_path, database_url, texts, FAQ_AUTOANSWER="suggest")
    try:
        rui = sandbox.admin("Rui Alves", language="pt-br")
        rui.start()
        await desk.settle()
        question, expected = CONFIDENT[0]
        client = await ask(desk, sandbox, question)
        client.send("Quero falar com um atendente, por favor")  # people answer already
        client.send(CONFIDENT[1][0])
        await desk.settle()

        assert bot_said(client) == [] and auto_lines(sandbox, client) == []
        lines = [t for t in thread_texts(sandbox, client) if t.startswith("💡")]
        assert len(lines) == 3 and f"“{title_of(expected)}”" in lines[0]  # one per message
        assert not any(t.startswith("🙋") for t in thread_texts(sandbox, client))
        assert not any("pediu para falar" in t for t in bot_said(rui))

        eva = sandbox.team_member("Eva Lima", language="en")
        eva.send(f"/faq teste {question}")
        await desk.settle()
        said = bot_said(eva)[-1]
        assert said.startswith(f"💡 It would suggest “{title_of(expected)}” to the team")
        assert said.endswith("FAQ_AUTOANSWER is suggest: the FAQ only shows the team the "
                             "answers that fit, it never answers a client by itself.")
    finally:
        await desk.stop()


async def test_faq_teste_shows_the_team_what_the_faq_would_do_and_sends_nothing(
        faq_desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="en")
    question, expected = CONFIDENT[0]
    eva.send(f"/faq teste {question}")
    await faq_desk.settle()
    said = bot_said(eva)[-1]
    assert said.startswith(f"🤖 It would answer by itself with “{title_of(expected)}” "
                           "(confidence ")
    assert "matching words: " in said and "Thresholds: answer at " in said
    assert "\nNext candidates: “" in said

    faq = faq_desk.app.desk.api("faq")
    near = next(q for q in NEGATIVE if (m := faq.matcher().best(q, "pt_BR"))
                and m.score < SUGGEST_THRESHOLD)
    eva.send(f"/faq test {near}")
    eva.send("/faq teste quero falar com um atendente")
    eva.send("/faq teste")
    eva.send("/faq teste ok")
    await faq_desk.settle()
    near_said, person, usage, nothing = bot_said(eva)[-4:]
    assert near_said.startswith("🤷 Nothing would be sent: the best answer, “")
    assert person.startswith("🙋 This message asks for a person")
    assert usage.startswith("Use /faq teste followed by a client's message")
    assert nothing.startswith("🤷 No ready answer shares a word")
    assert sandbox.posts() == []  # no card, no thread line: nothing happened to anyone

    client = sandbox.client("Bia Costa", language="en")
    client.send(f"/faq teste {question}")
    await faq_desk.settle()
    assert not any("confidence" in text for text in bot_said(client))


async def test_faq_teste_says_when_the_faq_is_off(sandbox, tmp_path, database_url, texts):
    desk = await running(sandbox, tmp_path, database_url, texts)
    try:
        eva = sandbox.team_member("Eva Lima", language="en")
        eva.send(f"/faq teste {CONFIDENT[0][0]}")
        await desk.settle()
        said = bot_said(eva)[-1]
        assert said.startswith("🤖 It would answer by itself")
        assert said.endswith("The FAQ is off (FAQ_AUTOANSWER): today it does nothing with "
                             "clients' messages.")
    finally:
        await desk.stop()


async def test_the_faq_is_off_unless_enabled(sandbox, tmp_path, database_url, texts):
    desk = await running(sandbox, tmp_path, database_url, texts)
    try:
        client = await ask(desk, sandbox, CONFIDENT[0][0])
        assert bot_said(client) == [] and auto_lines(sandbox, client) == []
    finally:
        await desk.stop()


async def test_changed_files_are_reloaded_and_broken_ones_keep_the_old_answers(
        faq_desk, sandbox, texts):
    app, replies = faq_desk.app, faq_desk.app.desk.api("replies")
    prontas = texts / "pt_BR" / "prontas"
    assert await app.reload_if_changed() is None  # nothing changed: nothing done

    (prontas / "prazo-de-entrega.md").write_text(
        "---\ntitle: Prazo de entrega atualizado\nkeywords: prazo\n---\nAgora 3 dias.\n",
        encoding="utf-8")
    (prontas / "cupom-de-desconto.md").unlink()
    done = await app.reload_if_changed()
    assert (done.added, done.changed, done.removed, done.problems) == (0, 1, 1, ())
    titles = {r.title for r in replies.ready()}
    assert "Prazo de entrega atualizado" in titles
    assert not any(r.file_path.endswith("cupom-de-desconto.md") for r in replies.ready())

    (prontas / "quebrada.md").write_text("sem cabeçalho\n", encoding="utf-8")
    broken = await app.reload_if_changed()
    assert broken.problems and "quebrada.md:1" in broken.problems[0]
    assert {r.title for r in replies.ready()} == titles  # kept as they were


async def test_ready_answers_cannot_be_changed_from_telegram(faq_desk, sandbox):
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.send("/respostas")
    await faq_desk.settle()
    listing = [m for m in eva.chat() if m.raw.reply_markup][-1]
    label = next(b.text for row in listing.raw.reply_markup.rows for b in row.buttons
                 if b.text.startswith("📄 #"))
    reply = faq_desk.app.desk.api("replies").get(int(label.split()[1][1:]))
    assert reply.source == "file"
    eva.press(listing, label)
    await faq_desk.settle()

    detail = [m for m in eva.chat() if m.raw.reply_markup][-1]
    labels = [b.text for row in detail.raw.reply_markup.rows for b in row.buttons]
    assert labels == ["⬅️ Voltar"]
    assert reply.file_path in detail.text

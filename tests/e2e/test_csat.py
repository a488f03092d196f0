"""Story: an atendimento ends and its client is asked how it went, with the buttons 1–5; the
rating reaches the thread once, from that client only, within seven days; a low one reopens
the atendimento and tells the admins; the client's next text is their comment. The team and
the clients read English here (LANGUAGE=en), so no assertion waits for a translation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from atendimento.app import FEATURES
from atendimento.desk.contract import Feature
from atendimento.domain.events import ClientEvent, Incoming, Person
from atendimento.domain.happenings import AtendimentoEnded
from atendimento.features.csat.asking import LABELS, PREFIX, TEXT
from atendimento.features.csat.markdown import rich_from_markdown
from atendimento.sandbox.callbacks import buttons
from atendimento.storage import csat as csat_rows
from atendimento.storage import threads as thread_rows
from atendimento.texts import Texts

from .conftest import ROOT, RunningDesk, bot_said, card_of, thread_texts

DAY = 24 * 3600


@pytest.fixture
def csat_texts(tmp_path) -> Path:
    """A copy of respostas/ the tests may change (a question file removed, say)."""
    target = tmp_path / "respostas"
    shutil.copytree(ROOT / "respostas", target)
    return target


def desk_with(sandbox, tmp_path, database_url, texts_dir: Path | None = None, **settings):
    if texts_dir is not None:
        settings["TEXTS_DIR"] = str(texts_dir)
    return RunningDesk(sandbox, tmp_path, database_url,
                       LANGUAGE="en", **settings)


@pytest.fixture
async def desk(sandbox, tmp_path, database_url, csat_texts):
    running = desk_with(sandbox, tmp_path, database_url, csat_texts)
    await running.start()
    yield running
    await running.stop()


async def ended(sandbox, desk, name="Ana Souza", language="en", team=None):
    """A client who wrote, was answered, and whose atendimento ended by /fim."""
    client = sandbox.client(name, language=language)
    client.send("Hi, I need help")
    await desk.settle()
    card = card_of(sandbox, client)
    eva = team or sandbox.team_member("Eva Lima", language="en")
    eva.comment(card, "Done, your order is on its way")
    eva.comment(card, "/fim")
    await desk.settle()
    return client, card, eva


def questions(person):
    """The rating questions in the person's chat (the bot's messages with rating buttons)."""
    return [m for m in person.chat() if m.from_bot and any(
        data.startswith(PREFIX.encode()) for _, data in buttons(m))]


def data_of(question, rating: int) -> bytes:
    return dict(buttons(question))[LABELS[rating]]


async def rows(desk, client):
    return await desk.app.desk.ctx.storage.run(csat_rows.of_client, client.id)


async def press(desk, person, message, rating=None, data=None):
    done = (person.press(message, LABELS[rating]) if data is None
            else person.press_data(message, data))
    await desk.settle()
    assert done.answered
    return done


def opened_lines(sandbox, client):
    return [t for t in thread_texts(sandbox, client) if t.startswith("📂")]


# --- asking -------------------------------------------------------------------------------


async def test_the_end_text_then_one_question_with_five_buttons(sandbox, desk, csat_texts):
    ana, card, _ = await ended(sandbox, desk)
    texts = Texts.load(csat_texts, "en")
    end = texts.render("end", "en", nome="Ana", nome_completo="Ana Souza", usuario="Ana Souza",
                       numero=1)
    question = rich_from_markdown(texts.render(TEXT, "en", nome="Ana",
                                               nome_completo="Ana Souza",
                                               usuario="Ana Souza", numero=1))
    assert bot_said(ana)[-2:] == [rich_from_markdown(end).text, question.text]  # end first
    assert question.text.startswith("How did we do in conversation no. 1, Ana?")
    (asked,) = questions(ana)
    assert [label for label, _ in buttons(asked)] == ["1 😞", "2 🙁", "3 😐", "4 🙂", "5 🤩"]
    assert len(asked.raw.reply_markup.rows) == 1  # one row
    assert [type(e).__name__ for e in asked.raw.entities] == ["MessageEntityBold"]
    (row,) = await rows(desk, ana)
    assert row.message_id == asked.id and not row.rated
    assert not [t for t in thread_texts(sandbox, ana) if "⭐" in t]  # nothing yet


async def test_each_client_reads_the_question_in_their_language(sandbox, desk):
    ivan, _, _ = await ended(sandbox, desk, "Ivan Petrov", language="ru")
    (asked,) = questions(ivan)
    assert asked.text.startswith("Как мы справились с обращением № 1, Ivan?")


class CoreCatcher:
    """A feature that only hands the tests the desk's Core (to end as auto-close will)."""

    @staticmethod
    def feature(core):
        return Feature("core_catcher", api=core)


async def test_an_automatic_end_asks_too(sandbox, tmp_path, database_url, csat_texts):
    running = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en",
                          TEXTS_DIR=str(csat_texts), features=(*FEATURES, CoreCatcher))
    await running.start()
    try:
        ana = sandbox.client("Ana Souza")
        ana.send("Hi")
        await running.settle()
        core = running.app.desk.api("core_catcher")
        thread = await core.ctx.storage.run(thread_rows.get_by_client, ana.id)
        desk_itself = Person(core.ctx.bot_id, "desk")
        await core.in_client_lane(ana.id, lambda: core.end(
            thread, desk_itself, line=lambda ended: "closed by itself"))
        await running.settle()
        assert thread_texts(sandbox, ana)[-1] == "closed by itself"
        (asked,) = questions(ana)
        assert asked.text.startswith("How did we do in conversation no. 1, Ana?")
        assert bot_said(ana)[-2].startswith("Your conversation no. 1 is now closed.")
    finally:
        await running.stop()


async def test_csat_off_asks_nothing(sandbox, tmp_path, database_url, csat_texts):
    running = desk_with(sandbox, tmp_path, database_url, csat_texts, CSAT="off")
    await running.start()
    try:
        ana, _, _ = await ended(sandbox, running)
        assert questions(ana) == []
        assert await rows(running, ana) == []
    finally:
        await running.stop()


async def test_a_banned_client_is_not_asked(sandbox, desk):
    ana = sandbox.client("Ana Souza")
    ana.send("spam spam")
    await desk.settle()
    rui = sandbox.admin("Rui Admin", language="en")
    rui.comment(card_of(sandbox, ana), "/ban spam")  # ends the atendimento, silently
    await desk.settle()
    assert questions(ana) == [] and await rows(desk, ana) == []


async def test_asking_again_after_a_crash_sends_no_second_question(sandbox, desk):
    ana, _, eva = await ended(sandbox, desk)
    thread = await desk.app.desk.ctx.storage.run(thread_rows.get_by_client, ana.id)
    (first,) = await desk.app.desk.ctx.storage.run(thread_rows.list_atendimentos, thread.id)
    # The listener run again, as after a crash before its event row was settled.
    again = AtendimentoEnded(ana.id, thread.id, first.id, first.number, eva.id)
    await desk.app.desk.api("csat").asking.ended(again)
    await desk.settle()
    assert len(questions(ana)) == 1
    await desk.stop()
    await desk.start()
    assert len(questions(ana)) == 1


async def test_an_end_heard_while_the_client_has_a_new_atendimento_asks_nothing(sandbox,
                                                                               desk):
    ana, _, eva = await ended(sandbox, desk)
    ana.send("One more thing")  # atendimento #2 opens before the end of #1 is heard (late)
    await desk.settle()
    storage = desk.app.desk.ctx.storage
    thread = await storage.run(thread_rows.get_by_client, ana.id)
    first, second = await storage.run(thread_rows.list_atendimentos, thread.id)
    await storage.run(lambda t: t.db.execute_sql(
        f"DELETE FROM csat_ratings WHERE atendimento_id = {t.db.param}", (first.id,)))
    await desk.app.desk.api("csat").asking.ended(
        AtendimentoEnded(ana.id, thread.id, first.id, first.number, eva.id))
    await desk.settle()
    assert len(questions(ana)) == 1 and await rows(desk, ana) == []


# --- rating -------------------------------------------------------------------------------


async def test_a_rating_thanks_the_client_and_reaches_the_thread(sandbox, desk):
    ana, card, _ = await ended(sandbox, desk)
    (asked,) = questions(ana)
    done = await press(desk, ana, asked, 4)
    assert not done.alert and done.text == "Thank you! You rated 4/5."
    message = next(m for m in ana.chat() if m.id == asked.id)
    assert message.edited and buttons(message) == []
    assert message.text.startswith("✅ Thank you! You rated us 4/5.")
    assert thread_texts(sandbox, ana)[-1] == "⭐ Rating of atendimento #1: 4/5"
    assert not card_of(sandbox, ana).pinned  # still ended
    (row,) = await rows(desk, ana)
    assert row.rating == 4 and row.rated_at is not None


async def test_a_second_press_changes_nothing(sandbox, desk):
    ana, _, _ = await ended(sandbox, desk)
    (asked,) = questions(ana)
    one = data_of(asked, 1)
    await press(desk, ana, asked, 5)
    again = await press(desk, ana, asked, data=one)  # a button it had
    assert again.alert and again.text == "You have already rated this atendimento: 5/5."
    assert [t for t in thread_texts(sandbox, ana) if t.startswith("⭐")] == [
        "⭐ Rating of atendimento #1: 5/5"]
    assert not card_of(sandbox, ana).pinned  # the 1 reopened nothing
    assert (await rows(desk, ana))[0].rating == 5


async def test_another_client_cannot_rate_someone_elses_atendimento(sandbox, desk):
    ana, _, _ = await ended(sandbox, desk)
    (asked,) = questions(ana)
    bob = sandbox.client("Bob Stone")
    bob.start()
    await desk.settle()
    # Pressed where Ana's question sits: not Bob's chat.
    refused = await press(desk, bob, asked, data=data_of(asked, 1))
    assert refused.alert and refused.text == "This button is no longer valid."
    # Ana's question forwarded to Bob's own chat with the bot, and pressed there.
    forwarded = await press(desk, bob, bob.chat()[-1], data=data_of(asked, 1))
    assert forwarded.alert
    assert forwarded.text == "Only the client who was served can rate this atendimento."
    assert (await rows(desk, ana))[0].rating is None
    assert not [t for t in thread_texts(sandbox, ana) if t.startswith("⭐")]
    assert buttons(next(m for m in ana.chat() if m.id == asked.id))  # still there for Ana
    assert (await press(desk, ana, asked, 3)).text == "Thank you! You rated 3/5."


async def test_a_team_member_cannot_rate(sandbox, desk):
    ana, _, eva = await ended(sandbox, desk)
    (asked,) = questions(ana)
    eva.send("/ajuda")
    await desk.settle()
    in_her_chat = await press(desk, eva, eva.chat()[-1], data=data_of(asked, 5))
    assert in_her_chat.alert
    assert in_her_chat.text == "Only the client who was served can rate this atendimento."
    under_ana = await press(desk, eva, asked, data=data_of(asked, 5))
    assert under_ana.alert and under_ana.text == "This button is no longer valid."
    assert (await rows(desk, ana))[0].rating is None


@pytest.mark.parametrize("data", ["csat:", "csat:x:1", "csat:{id}:0", "csat:{id}:6",
                                  "csat:{id}:", "csat:{id}:55", "csat:{id}:4 ", "csat:-{id}:4",
                                  "csat:{other}:4", "csat:{id}:4:1", "csat:٣:4"])
async def test_forged_data_is_no_longer_valid(sandbox, desk, data):
    ana, _, _ = await ended(sandbox, desk)
    (asked,) = questions(ana)
    (row,) = await rows(desk, ana)
    forged = data.format(id=row.atendimento_id, other=row.atendimento_id + 1000).encode()
    refused = await press(desk, ana, asked, data=forged)
    assert refused.alert and refused.text == "This button is no longer valid."
    assert (await rows(desk, ana))[0].rating is None


async def test_the_right_data_under_another_message_is_forged(sandbox, desk):
    ana, _, _ = await ended(sandbox, desk)
    (asked,) = questions(ana)
    end_text = [m for m in ana.chat() if m.from_bot][-2]
    refused = await press(desk, ana, end_text, data=data_of(asked, 2))
    assert refused.alert and refused.text == "This button is no longer valid."
    assert (await rows(desk, ana))[0].rating is None


async def test_a_rating_is_accepted_for_seven_days(sandbox, desk):
    ana, _, _ = await ended(sandbox, desk)
    bob, _, _ = await ended(sandbox, desk, "Bob Stone")
    sandbox.clock.advance(7 * DAY - 60)
    assert not (await press(desk, bob, questions(bob)[0], 4)).alert
    sandbox.clock.advance(61)
    stale = await press(desk, ana, questions(ana)[0], 4)
    assert stale.alert
    assert stale.text == "This rating has expired: ratings are accepted for 7 days after the end."
    assert (await rows(desk, ana))[0].rating is None
    assert not [t for t in thread_texts(sandbox, ana) if t.startswith("⭐")]


async def test_a_banned_client_cannot_rate_any_more(sandbox, desk):
    ana, card, _ = await ended(sandbox, desk)
    rui = sandbox.admin("Rui Admin", language="en")
    rui.comment(card, "/ban")
    await desk.settle()
    refused = await press(desk, ana, questions(ana)[0], 1)
    assert refused.alert and refused.text == "This button is no longer valid."
    assert not card_of(sandbox, ana).pinned


# --- a low rating ---------------------------------------------------------------------------


async def test_a_rating_of_1_reopens_and_tells_the_admins(sandbox, desk):
    rui = sandbox.admin("Rui Admin", language="en")
    rui.start()  # admins who sent /start get notices
    quiet = sandbox.admin("Quiet Admin", language="en")
    quiet.start()
    quiet.send("/notificacoes off")
    await desk.settle()
    ana, card, _ = await ended(sandbox, desk)
    rui_before, quiet_before = len(bot_said(rui)), len(bot_said(quiet))
    (asked,) = questions(ana)
    done = await press(desk, ana, asked, 1)
    assert not done.alert and done.text == "Thank you! You rated 1/5."
    assert next(m for m in ana.chat() if m.id == asked.id).text.startswith(
        "✅ You rated us 1/5. We are sorry: someone from the team will get back to you here.")

    line = next(m for m in sandbox.thread(card) if m.text.startswith("⭐"))
    assert line.text == "⭐ Rating of atendimento #1: 1/5, so it is reopened"
    assert thread_texts(sandbox, ana)[-1].startswith("📂 Atendimento #2 opened")
    assert card_of(sandbox, ana).pinned and card_of(sandbox, ana).text.startswith("🟡")
    (notice,) = bot_said(rui)[rui_before:]  # the rating's notice, no "is back" besides
    assert notice.startswith("⭐ Ana Souza rated atendimento #1 1/5; their thread is open.")
    assert notice.endswith(f"/{card.id}?comment={line.id}")
    assert bot_said(quiet)[quiet_before:] == []

    # The reopened atendimento is the team's as usual.
    eva = sandbox.team_member("Eva Lima", language="en")
    eva.comment(card, "Sorry about that! What went wrong?")
    await desk.settle()
    assert bot_said(ana)[-1] == "Sorry about that! What went wrong?"
    ana.send("The box was damaged")  # an answer to the team, not a comment
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "The box was damaged"
    assert (await rows(desk, ana))[0].comment is None


@pytest.mark.parametrize(("below", "rating", "reopens"), [
    ("3", 2, True), ("3", 3, False), ("1", 1, False), ("6", 5, True)])
async def test_csat_reopen_below_decides(sandbox, tmp_path, database_url, csat_texts, below,
                                         rating, reopens):
    running = desk_with(sandbox, tmp_path, database_url, csat_texts, CSAT_REOPEN_BELOW=below)
    await running.start()
    try:
        ana, _, _ = await ended(sandbox, running)
        await press(running, ana, questions(ana)[0], rating)
        assert card_of(sandbox, ana).pinned is reopens
        assert len(opened_lines(sandbox, ana)) == (2 if reopens else 1)
    finally:
        await running.stop()


async def test_a_low_rating_while_the_client_talks_to_the_team_again(sandbox, desk):
    rui = sandbox.admin("Rui Admin", language="en")
    rui.start()
    ana, _, _ = await ended(sandbox, desk)
    ana.send("Still there?")  # atendimento #2, opened by the client before rating #1
    await desk.settle()
    (asked,) = questions(ana)
    await press(desk, ana, asked, 1)
    assert thread_texts(sandbox, ana)[-1] == (
        "⭐ Rating of atendimento #1: 1/5, while a new one is open")
    assert len(opened_lines(sandbox, ana)) == 2 and card_of(sandbox, ana).pinned
    assert bot_said(rui)[-1].startswith("⭐ Ana Souza rated atendimento #1 1/5")
    assert next(m for m in ana.chat() if m.id == asked.id).text == (
        "✅ You rated us 1/5. We are sorry: someone from the team will get back to you here.")
    ana.send("Hello?")  # part of the open conversation, not a comment
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "Hello?"
    assert (await rows(desk, ana))[0].comment is None


# --- the comment --------------------------------------------------------------------------


async def test_the_next_text_is_the_comment_and_opens_nothing(sandbox, desk):
    ana, card, _ = await ended(sandbox, desk)
    await press(desk, ana, questions(ana)[0], 4)
    ana.send("  Fast and kind, thank you!  ")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == (
        "💬 The client's comment on atendimento #1: “Fast and kind, thank you!”")
    assert bot_said(ana)[-1] == "Thank you for your comment! We have passed it on to the team."
    assert not card_of(sandbox, ana).pinned and len(opened_lines(sandbox, ana)) == 1
    (row,) = await rows(desk, ana)
    assert row.comment == "Fast and kind, thank you!" and row.comment_until is None

    ana.send("Another question")  # only the next message: this one is relayed
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "Another question"
    assert card_of(sandbox, ana).pinned and len(opened_lines(sandbox, ana)) == 2


async def test_a_comment_handled_again_after_a_crash_is_taken_once(sandbox, desk):
    ana, _, _ = await ended(sandbox, desk)
    await press(desk, ana, questions(ana)[0], 5)
    sent = ana.send("Great")
    await desk.settle()
    said, lines = len(bot_said(ana)), len(thread_texts(sandbox, ana))
    replay = ClientEvent(Person(ana.id, "Ana", "Souza", language_code="en"),
                         Incoming(ana.id, sent.id, "text", preview="Great", text="Great"))
    assert await desk.app.desk.api("csat").comments.claim(replay)
    await desk.settle()
    assert (len(bot_said(ana)), len(thread_texts(sandbox, ana))) == (said, lines)


async def test_a_photo_next_is_relayed_and_ends_the_wait_for_a_comment(sandbox, desk):
    ana, _, _ = await ended(sandbox, desk)
    await press(desk, ana, questions(ana)[0], 5)
    ana.send_photo("the box")
    await desk.settle()
    copy = sandbox.thread(card_of(sandbox, ana))[-1]
    assert copy.kind == "photo" and copy.text == "the box"
    assert card_of(sandbox, ana).pinned  # it opened atendimento #2, as any message does
    ana.send("and a text")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "and a text"
    assert (await rows(desk, ana))[0].comment is None


async def test_a_text_after_a_day_is_not_a_comment(sandbox, desk):
    ana, _, _ = await ended(sandbox, desk)
    await press(desk, ana, questions(ana)[0], 5)
    sandbox.clock.advance(DAY + 1)
    ana.send("New problem today")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "New problem today"
    assert card_of(sandbox, ana).pinned
    assert (await rows(desk, ana))[0].comment is None


async def test_without_a_rating_the_next_text_is_a_message(sandbox, desk):
    ana, _, _ = await ended(sandbox, desk)
    ana.send("Forgot something")
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "Forgot something"
    assert card_of(sandbox, ana).pinned


# --- restarts -----------------------------------------------------------------------------


async def test_a_question_asked_before_a_restart_is_answered_after_it(sandbox, desk):
    rui = sandbox.admin("Rui Admin", language="en")
    rui.start()
    ana, card, _ = await ended(sandbox, desk)
    await desk.stop()
    await desk.start()
    assert len(questions(ana)) == 1  # not asked again
    (asked,) = questions(ana)
    done = await press(desk, ana, asked, 2)
    assert done.text == "Thank you! You rated 2/5."
    assert "⭐ Rating of atendimento #1: 2/5, so it is reopened" in thread_texts(sandbox, ana)
    assert card_of(sandbox, ana).pinned
    assert bot_said(rui)[-1].startswith("⭐ Ana Souza rated atendimento #1 2/5")
    await desk.stop()
    await desk.start()
    ana.send("It arrived broken")  # the comment, after another restart
    await desk.settle()
    assert thread_texts(sandbox, ana)[-1].startswith("💬 The client's comment")
    assert len(opened_lines(sandbox, ana)) == 2  # reopened once, no more
    assert questions(ana) == []  # the one question has its thanks now
    assert [m.id for m in ana.chat() if m.text.startswith("✅ You rated us")] == [asked.id]

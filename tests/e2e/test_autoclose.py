"""Story: the team answered, the client said nothing more; AUTOCLOSE hours later the atendimento
ends by itself, as by /fim, with a service line saying so. A word from the client (even one
still on its way into the thread) keeps it open, a restart neither forgets nor doubles an end,
and AUTOCLOSE=0 turns it off."""

from __future__ import annotations

import asyncio

import pytest

from atendimento.app import FEATURES
from atendimento.desk.contract import Feature
from atendimento.domain.happenings import AtendimentoEnded
from atendimento.features import autoclose
from atendimento.sandbox.callbacks import buttons
from atendimento.storage import outbox as outbox_rows
from atendimento.storage import threads as thread_rows

from .conftest import RunningDesk, bot_said, card_of, thread_texts

HOUR = 3600
END_TEXT = "is now closed"  # respostas/en/fim.md
CLOSED_LINE = "⏰ Atendimento #{n} closed by itself after {hours} without a word from the client"


@pytest.fixture
async def start_desk(sandbox, tmp_path, database_url):
    """Starts a desk with auto-close and the given settings; stopped at the end."""
    started: list[RunningDesk] = []

    async def start(features_extra=(), **settings) -> RunningDesk:
        settings.setdefault("LANGUAGE", "en")  # lines in the msgids' words
        settings.setdefault("CSAT", "off")  # the rating's own tests end with it on
        running = RunningDesk(sandbox, tmp_path, database_url,
                              features=(*FEATURES, *features_extra), **settings)
        await running.start()
        started.append(running)
        return running
    yield start
    for running in started:
        await running.stop()


@pytest.fixture
async def desk(start_desk):
    return await start_desk(AUTOCLOSE="2")


def job(desk):
    """The auto-close job as the scheduler runs it (None when the feature declares none)."""
    feature = next(f for f in desk.app.desk.features if f.name == "autoclose")
    return next((j for j in feature.jobs if j.name == "close"), None)


async def close_due(desk) -> int:
    ended = await job(desk).run()
    await desk.settle()
    return ended


async def answered(sandbox, desk, name="Ana Souza"):
    """A client wrote, the team answered."""
    client = sandbox.client(name, language="en")
    client.send("Oi")
    await desk.settle()
    card = card_of(sandbox, client)
    sandbox.clock.advance(5 * 60)
    sandbox.team_member("Eva Lima").comment(card, "Olá! Resolvido?")
    await desk.settle()
    return client, card


def end_texts(person) -> list[str]:
    return [text for text in bot_said(person) if END_TEXT in text]


def closed_lines(sandbox, person) -> list[str]:
    return [text for text in thread_texts(sandbox, person) if text.startswith("⏰")]


async def is_open(desk, person) -> bool:
    run = desk.app.storage.run
    thread = await run(thread_rows.get_by_client, person.id)
    return await run(thread_rows.current_atendimento, thread.id) is not None


async def test_a_quiet_client_is_closed_by_itself_after_that_long(sandbox, desk):
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(2 * HOUR - 60)
    assert await close_due(desk) == 0
    assert await is_open(desk, ana)

    sandbox.clock.advance(60)
    assert await close_due(desk) == 1
    assert thread_texts(sandbox, ana)[-1] == CLOSED_LINE.format(n=1, hours="2 hours")
    card = card_of(sandbox, ana)
    assert card.text.startswith("⚪ ") and not card.pinned
    assert len(end_texts(ana)) == 1  # as /fim sends it
    assert not await is_open(desk, ana)
    assert await close_due(desk) == 0  # nothing left to close

    ana.send("Voltei")  # coming back opens the next one, as after /fim
    await desk.settle()
    assert thread_texts(sandbox, ana)[-2].startswith("📂 Atendimento #2")


async def test_the_end_is_recorded_as_the_desks_own(sandbox, start_desk):
    heard: list[AtendimentoEnded] = []

    class Probe:  # a feature that listens to the end, as CSAT would
        @staticmethod
        def feature(core):
            async def ended(event):
                heard.append(event)
            return Feature("probe", listens={AtendimentoEnded: ended})
    desk = await start_desk(AUTOCLOSE="2", features_extra=(Probe,))
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(2 * HOUR)
    assert await close_due(desk) == 1
    [event] = heard
    assert event.automatic and event.client_id == ana.id and event.number == 1
    assert event.by_id == desk.app.desk.ctx.bot_id


async def test_a_client_who_wrote_last_is_never_closed(sandbox, desk):
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(60)
    ana.send("Not yet, I am checking")
    await desk.settle()
    sandbox.clock.advance(30 * 24 * HOUR)
    assert await close_due(desk) == 0
    assert await is_open(desk, ana) and closed_lines(sandbox, ana) == []


async def test_a_client_never_answered_is_never_closed(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi")
    await desk.settle()
    sandbox.clock.advance(30 * 24 * HOUR)
    assert await close_due(desk) == 0
    assert await is_open(desk, ana)


async def test_the_client_writing_starts_the_wait_again(sandbox, desk):
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(HOUR + 50 * 60)
    ana.send("One more question")
    await desk.settle()
    sandbox.clock.advance(HOUR)
    assert await close_due(desk) == 0  # the client wrote last
    sandbox.team_member("Eva Lima").comment(card, "Sure, here it is")
    await desk.settle()
    sandbox.clock.advance(2 * HOUR - 60)
    assert await close_due(desk) == 0  # two hours from the team's last answer, not the first
    sandbox.clock.advance(60)
    assert await close_due(desk) == 1
    assert closed_lines(sandbox, ana) == [CLOSED_LINE.format(n=1, hours="2 hours")]


async def test_only_the_due_ones_close(sandbox, desk):
    ana, _ = await answered(sandbox, desk, "Ana Souza")
    sandbox.clock.advance(HOUR)
    bia, _ = await answered(sandbox, desk, "Bia Reis")
    sandbox.clock.advance(HOUR)
    assert await close_due(desk) == 1
    assert not await is_open(desk, ana) and await is_open(desk, bia)
    sandbox.clock.advance(HOUR)
    assert await close_due(desk) == 1
    assert not await is_open(desk, bia)
    assert len(end_texts(ana)) == len(end_texts(bia)) == 1


async def test_a_restart_with_one_due_closes_it_once(sandbox, desk):
    ana, card = await answered(sandbox, desk)
    await desk.stop()
    sandbox.clock.advance(3 * HOUR)  # due while the desk is down
    await desk.start()
    assert await close_due(desk) == 1
    assert await close_due(desk) == 0
    await desk.stop()
    await desk.start()  # and after another restart, nothing again
    assert await close_due(desk) == 0
    assert len(end_texts(ana)) == 1 and len(closed_lines(sandbox, ana)) == 1


async def test_two_rounds_at_once_close_it_once(sandbox, desk):
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(3 * HOUR)
    rounds = await asyncio.gather(job(desk).run(), job(desk).run())
    await desk.settle()
    assert sorted(rounds) == [0, 1]
    assert len(end_texts(ana)) == 1 and len(closed_lines(sandbox, ana)) == 1


async def test_a_message_written_while_the_desk_was_down_wins(sandbox, desk):
    ana, card = await answered(sandbox, desk)
    await desk.stop()
    sandbox.clock.advance(3 * HOUR)
    ana.send("Sorry, I was away")  # due, but the client wrote before the desk came back
    await desk.start()
    assert await close_due(desk) == 0
    assert await is_open(desk, ana) and end_texts(ana) == []
    assert thread_texts(sandbox, ana)[-1] == "Sorry, I was away"


async def round_while_held(desk, monkeypatch, act):
    """`act()` is decided but its copy is held back (as when the chat's send budget is
    spent), and a round of the job starts meanwhile; then the copy goes. Returns how many
    the round closed, and whether it had finished while the copy was still held."""
    telegram = desk.app.desk.ctx.telegram
    copy, held = telegram.copy, asyncio.Event()

    async def slow_copy(*args, **kwargs):
        await held.wait()
        return await copy(*args, **kwargs)
    monkeypatch.setattr(telegram, "copy", slow_copy)
    act()
    for _ in range(500):  # until the copy is pending in the outbox (decided, not sent)
        await asyncio.sleep(0.002)
        if any(item.action == "copy"
               for item in await desk.app.storage.run(outbox_rows.pending)):
            break
    else:
        raise AssertionError("the copy was never decided")
    round_ = asyncio.ensure_future(job(desk).run())
    for _ in range(100):
        await asyncio.sleep(0.002)
        if round_.done():
            break
    finished_first = round_.done()
    held.set()
    closed = await round_
    await desk.settle()
    return closed, finished_first


async def test_a_message_still_on_its_way_into_the_thread_wins(sandbox, desk, monkeypatch):
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(3 * HOUR)
    closed, finished_first = await round_while_held(
        desk, monkeypatch, lambda: ana.send("Wait, one more thing"))
    # Its link is not written yet: the pending copy itself kept the atendimento open.
    assert (closed, finished_first) == (0, True)
    assert await is_open(desk, ana) and end_texts(ana) == []
    assert thread_texts(sandbox, ana)[-1] == "Wait, one more thing"
    sandbox.clock.advance(3 * HOUR)
    assert await close_due(desk) == 0  # the client wrote last


async def test_a_team_answer_still_on_its_way_to_the_client_wins(sandbox, desk, monkeypatch):
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(3 * HOUR)
    eva = sandbox.team_member("Eva Lima")
    closed, _ = await round_while_held(
        desk, monkeypatch, lambda: eva.comment(card, "Are you still there?"))
    assert closed == 0
    assert await is_open(desk, ana) and bot_said(ana)[-1] == "Are you still there?"
    sandbox.clock.advance(2 * HOUR)
    assert await close_due(desk) == 1  # two hours after that answer


async def test_a_backlog_closes_a_few_per_round(sandbox, desk):
    people = [(await answered(sandbox, desk, f"Client {n}"))[0]
              for n in range(autoclose.ENDS_PER_RUN + 2)]
    sandbox.clock.advance(3 * HOUR)
    assert await close_due(desk) == autoclose.ENDS_PER_RUN
    assert [await is_open(desk, p) for p in people[:2]] == [False, False]  # oldest first
    assert await close_due(desk) == 2
    assert all([len(end_texts(p)) == 1 for p in people])


async def test_the_default_is_48_hours_checked_every_minute(sandbox, start_desk):
    desk = await start_desk()
    scheduled = desk.app.scheduler.get_job("autoclose:close")
    assert scheduled is not None and scheduled.trigger.interval.total_seconds() == 60
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(47 * HOUR)
    assert await close_due(desk) == 0
    sandbox.clock.advance(HOUR)
    assert await close_due(desk) == 1
    assert closed_lines(sandbox, ana) == [CLOSED_LINE.format(n=1, hours="2 days")]


async def test_zero_turns_it_off(sandbox, start_desk):
    desk = await start_desk(AUTOCLOSE="0")
    assert job(desk) is None
    assert desk.app.scheduler.get_job("autoclose:close") is None
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(365 * 24 * HOUR)
    assert await is_open(desk, ana)


async def test_a_banned_client_gets_no_end_text(sandbox, desk):
    # A ban ends the atendimento; one reopened by the team stays quiet to a banned client.
    ana, card = await answered(sandbox, desk)
    rui = sandbox.admin("Rui Admin")
    rui.comment(card, "/ban")
    await desk.settle()
    sandbox.clock.advance(3 * HOUR)
    assert await close_due(desk) == 0  # nothing open
    assert end_texts(ana) == []


async def test_with_csat_on_the_client_is_asked_once_across_a_restart(sandbox, start_desk):
    desk = await start_desk(AUTOCLOSE="2", CSAT="on")
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(3 * HOUR)
    assert await close_due(desk) == 1
    await desk.stop()
    await desk.start()
    assert await close_due(desk) == 0
    asked = [m for m in ana.chat() if m.from_bot and buttons(m)]
    assert len(asked) == 1 and len(end_texts(ana)) == 1

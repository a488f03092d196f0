"""Story: a client waits; their card says for how long, turns into an alarm past
SLA_FIRST_RESPONSE minutes, and once the team answers shows how long the first answer took,
until the atendimento ends. A job redraws the cards whose line changed — at most once a minute
each, a few at a time, never when nothing changed, and not again after a restart."""

from __future__ import annotations

import pytest

from atendimento.app import FEATURES
from atendimento.features import sla

from .conftest import RunningDesk, bot_said, card_of

MINUTE = 60
EDIT = "messages.EditMessage"


@pytest.fixture
async def desk(sandbox, tmp_path, database_url):
    running = RunningDesk(sandbox, tmp_path, database_url, features=FEATURES,
                          LANGUAGE="en", SLA_FIRST_RESPONSE="30")
    await running.start()
    yield running
    await running.stop()


def job(desk):
    feature = next(f for f in desk.app.desk.features if f.name == "sla")
    return next(j for j in feature.jobs if j.name == "redraw")


async def redraw(desk) -> int:
    redrawn = await job(desk).run()
    await desk.settle()
    return redrawn


def edits(sandbox) -> int:
    return sandbox.server.calls.count(EDIT)


def sla_line(sandbox, person) -> str | None:
    lines = [line for line in card_of(sandbox, person).text.splitlines()
             if line[:1] in ("⏳", "🚨", "⏱")]
    assert len(lines) <= 1
    return lines[0] if lines else None


async def waiting(sandbox, desk, name="Ana Souza"):
    client = sandbox.client(name, language="en")
    client.send("Oi, preciso de ajuda")
    await desk.settle()
    return client


async def test_the_wait_then_the_alarm_then_the_first_answer(sandbox, desk):
    ana = await waiting(sandbox, desk)
    sandbox.clock.advance(12 * MINUTE)
    assert await redraw(desk) == 1
    assert sla_line(sandbox, ana) == "⏳ waiting for 12 min"

    sandbox.clock.advance(18 * MINUTE)  # 30 minutes: the alarm
    assert await redraw(desk) == 1
    assert sla_line(sandbox, ana) == "🚨 waiting for 30 min"
    sandbox.clock.advance(15 * MINUTE)
    assert await redraw(desk) == 1
    assert sla_line(sandbox, ana) == "🚨 waiting for 45 min"

    eva = sandbox.team_member("Eva Lima")
    eva.comment(card_of(sandbox, ana), "Olá, Ana!")
    await desk.settle()
    assert await redraw(desk) == 1
    assert sla_line(sandbox, ana) == "⏱ first answer in 45 min"
    sandbox.clock.advance(3 * 3600)
    ana.send("Obrigada")
    eva.comment(card_of(sandbox, ana), "De nada")
    await desk.settle()
    assert await redraw(desk) == 0  # the first answer's time does not change
    assert sla_line(sandbox, ana) == "⏱ first answer in 45 min"


async def test_an_ended_card_shows_nothing_of_it(sandbox, desk):
    ana = await waiting(sandbox, desk)
    sandbox.clock.advance(8 * MINUTE)
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card_of(sandbox, ana), "Olá!")
    await desk.settle()
    assert await redraw(desk) == 1
    assert sla_line(sandbox, ana) == "⏱ first answer in 8 min"

    eva.comment(card_of(sandbox, ana), "/fim")
    await desk.settle()
    assert card_of(sandbox, ana).text.startswith("⚪") and sla_line(sandbox, ana) is None
    before = edits(sandbox)
    sandbox.clock.advance(10 * MINUTE)
    assert await redraw(desk) == 0  # the end redrew it already
    assert edits(sandbox) == before

    ana.send("Voltei")  # the next atendimento waits again, from its own first message
    await desk.settle()
    sandbox.clock.advance(3 * MINUTE)
    assert await redraw(desk) == 1
    assert sla_line(sandbox, ana) == "⏳ waiting for 3 min"


async def test_nothing_is_redrawn_when_nothing_changed(sandbox, desk):
    ana = await waiting(sandbox, desk)
    sandbox.clock.advance(5 * MINUTE)
    assert await redraw(desk) == 1
    before = edits(sandbox)
    assert await redraw(desk) == 0
    sandbox.clock.advance(MINUTE - 1)  # still 5 minutes, rounded down
    assert await redraw(desk) == 0
    assert edits(sandbox) == before
    sandbox.clock.advance(1)
    assert await redraw(desk) == 1
    assert sla_line(sandbox, ana) == "⏳ waiting for 6 min"
    assert edits(sandbox) == before + 1


async def test_a_restart_redraws_no_card_that_did_not_change(sandbox, desk):
    people = [await waiting(sandbox, desk, f"Client {n}") for n in range(3)]
    sandbox.clock.advance(4 * MINUTE)
    assert await redraw(desk) == 3
    await desk.stop()
    await desk.start()
    before = edits(sandbox)
    assert await redraw(desk) == 0
    assert edits(sandbox) == before
    sandbox.clock.advance(MINUTE)
    assert await redraw(desk) == 3
    assert {sla_line(sandbox, p) for p in people} == {"⏳ waiting for 5 min"}


async def test_long_waits_change_the_card_less_often(sandbox, desk):
    ana = await waiting(sandbox, desk)
    sandbox.clock.advance(65 * MINUTE)
    await redraw(desk)
    assert sla_line(sandbox, ana) == "🚨 waiting for 1 hr"
    sandbox.clock.advance(4 * MINUTE)  # 1 h 09
    assert await redraw(desk) == 0
    sandbox.clock.advance(MINUTE)
    assert await redraw(desk) == 1
    assert sla_line(sandbox, ana) == "🚨 waiting for 1 hr and 10 min"
    sandbox.clock.advance(24 * 3600)
    await redraw(desk)
    assert sla_line(sandbox, ana) == "🚨 waiting for 1 day and 1 hr"
    sandbox.clock.advance(45 * MINUTE)  # 1 day, 1 hr and 55 min
    assert await redraw(desk) == 0  # hourly after a day
    sandbox.clock.advance(5 * MINUTE)
    assert await redraw(desk) == 1
    assert sla_line(sandbox, ana) == "🚨 waiting for 1 day and 2 hr"


async def test_many_cards_are_redrawn_a_few_per_round_state_changes_first(sandbox, desk):
    cap = sla.EDITS_PER_RUN
    sandbox.world.limits.enabled = False  # flood waits would move the clock meanwhile
    people = [await waiting(sandbox, desk, f"Client {n}") for n in range(cap + 3)]
    sandbox.clock.advance(2 * MINUTE)
    assert await redraw(desk) == cap
    assert await redraw(desk) == 3
    assert await redraw(desk) == 0

    sandbox.clock.advance(MINUTE)  # every card changes its minutes...
    eva = sandbox.team_member("Eva Lima")
    for person in people[-2:]:  # ...and two get their first answer: those go first
        eva.comment(card_of(sandbox, person), "Olá!")
    await desk.settle()
    assert await redraw(desk) == cap
    assert [sla_line(sandbox, p) for p in people[-2:]] == ["⏱ first answer in 3 min"] * 2
    assert await redraw(desk) == 3
    assert {sla_line(sandbox, p) for p in people[:-2]} == {"⏳ waiting for 3 min"}


async def test_any_redraw_of_the_card_shows_the_line_as_it_is_now(sandbox, desk):
    ana = await waiting(sandbox, desk)
    sandbox.clock.advance(7 * MINUTE)
    rui = sandbox.admin("Rui Admin")
    rui.comment(card_of(sandbox, ana), "/p urgente")
    await desk.settle()
    assert sla_line(sandbox, ana) == "⏳ waiting for 7 min"


async def test_a_conversation_the_team_began_shows_no_wait(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="en")
    ana.start()
    await desk.settle()
    eva = sandbox.team_member("Eva Lima", language="en")
    eva.send(f"/novo {ana.id} Olá, Ana! Seu pedido chegou.")
    await desk.settle()
    sandbox.clock.advance(10 * MINUTE)
    ana.send("Obrigada!")
    await desk.settle()
    sandbox.clock.advance(40 * MINUTE)
    await redraw(desk)
    assert "Olá, Ana! Seu pedido chegou." in bot_said(ana)
    assert sla_line(sandbox, ana) is None


async def test_the_alarm_follows_the_setting(sandbox, tmp_path, database_url):
    running = RunningDesk(sandbox, tmp_path, database_url, features=FEATURES,
                          LANGUAGE="en", SLA_FIRST_RESPONSE="5")
    await running.start()
    try:
        scheduled = running.app.scheduler.get_job("sla:redraw")
        assert scheduled is not None and scheduled.trigger.interval.total_seconds() == 60
        ana = await waiting(sandbox, running)
        sandbox.clock.advance(4 * MINUTE)
        await redraw(running)
        assert sla_line(sandbox, ana) == "⏳ waiting for 4 min"
        sandbox.clock.advance(MINUTE)
        await redraw(running)
        assert sla_line(sandbox, ana) == "🚨 waiting for 5 min"
    finally:
        await running.stop()


async def test_no_line_before_the_first_minute_of_waiting(sandbox, desk):
    ana = await waiting(sandbox, desk)
    sandbox.clock.advance(MINUTE - 1)
    assert await redraw(desk) == 0  # "waiting for 1 min" would not be true yet
    assert sla_line(sandbox, ana) is None
    sandbox.clock.advance(1)
    assert await redraw(desk) == 1
    assert sla_line(sandbox, ana) == "⏳ waiting for 1 min"

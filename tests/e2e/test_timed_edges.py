"""The features driven by time at their edges, found by an adversarial review: auto-close, the
SLA line on the card, the CSAT rating (and its reopening), across restarts, clock jumps and
time zones, and the start-up checks of their settings. Every wait is the sandbox's injected
clock; nothing sleeps. Found wrong and fixed: which side wrote last was read from the clock
(set back by NTP, it closed on the client's unanswered word, and left an alarm on an
answered card); the close line printed AUTOCLOSE, not the silence; an alarm could show less
than its limit."""

from __future__ import annotations

import pytest

from atendimento.config import ConfigError, load_config
from atendimento.features.csat.asking import LABELS, PREFIX
from atendimento.sandbox.callbacks import buttons
from atendimento.sandboxed import DUMMY_CREDENTIALS
from atendimento.storage import csat as csat_rows

from . import test_autoclose
from .conftest import card_of, thread_texts
from .test_autoclose import closed_lines, end_texts, is_open

MINUTE, HOUR, DAY = 60, 3600, 24 * 3600
start_desk = test_autoclose.start_desk  # its fixture (every test here sets CSAT)




def job(desk, feature_name: str, job_name: str):
    feature = next(f for f in desk.app.desk.features if f.name == feature_name)
    return next(j for j in feature.jobs if j.name == job_name)


async def close_due(desk) -> int:
    ended = await job(desk, "autoclose", "close").run()
    await desk.settle()
    return ended


async def redraw(desk) -> int:
    redrawn = await job(desk, "sla", "redraw").run()
    await desk.settle()
    return redrawn


def sla_line(sandbox, person) -> str | None:
    lines = [line for line in card_of(sandbox, person).text.splitlines()
             if line[:1] in ("⏳", "🚨", "⏱")]
    assert len(lines) <= 1
    return lines[0] if lines else None


def questions(person):
    return [m for m in person.chat() if m.from_bot and any(
        data.startswith(PREFIX.encode()) for _, data in buttons(m))]


async def answered(sandbox, desk, name="Ana Souza"):
    client = sandbox.client(name, language="en")
    client.send("Oi")
    await desk.settle()
    card = card_of(sandbox, client)
    sandbox.clock.advance(5 * MINUTE)
    sandbox.team_member("Eva Lima", language="en").comment(card, "Olá! Resolvido?")
    await desk.settle()
    return client, card


# --- found wrong, fixed ----------------------------------------------------------------------


async def test_a_clock_set_back_never_closes_on_the_clients_unanswered_word(sandbox, start_desk):
    """NTP sets the server's clock back 10 minutes after the team's answer; the client then
    writes. The client wrote last: no auto-close, no close text."""
    desk = await start_desk(AUTOCLOSE="2", CSAT="off")
    sandbox.world.limits.enabled = False  # its buckets would wait the step back away
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(-10 * MINUTE)
    ana.send("Not solved, it is still broken")
    await desk.settle()
    sandbox.clock.advance(3 * HOUR)
    assert await close_due(desk) == 0
    assert await is_open(desk, ana)
    assert end_texts(ana) == [] and closed_lines(sandbox, ana) == []


async def test_a_clock_set_back_leaves_no_alarm_on_an_answered_card(sandbox, start_desk):
    """The card shows 🚨; the clock steps back; the team answers: the alarm must go."""
    desk = await start_desk(CSAT="off", SLA_FIRST_RESPONSE="30")
    sandbox.world.limits.enabled = False
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi")
    await desk.settle()
    sandbox.clock.advance(40 * MINUTE)
    await redraw(desk)
    assert sla_line(sandbox, ana) == "🚨 waiting for 40 min"
    sandbox.clock.advance(-45 * MINUTE)
    sandbox.team_member("Eva Lima", language="en").comment(card_of(sandbox, ana), "Olá!")
    await desk.settle()
    await redraw(desk)
    line = sla_line(sandbox, ana)
    assert line is None or not line.startswith("🚨"), line


async def test_the_automatic_close_line_tells_how_long_the_client_was_silent(sandbox,
                                                                            start_desk):
    """Down for 3 days, the desk closes on its return: the line must not say "2 hours"."""
    desk = await start_desk(AUTOCLOSE="2", CSAT="off")
    ana, card = await answered(sandbox, desk)
    await desk.stop()
    sandbox.clock.advance(3 * DAY)
    await desk.start()
    assert await close_due(desk) == 1
    assert closed_lines(sandbox, ana) == [
        "⏰ Atendimento #1 closed by itself after 3 days without a word from the client"]


async def test_the_alarm_never_shows_a_wait_shorter_than_the_limit(sandbox, start_desk):
    """SLA_FIRST_RESPONSE=65: at 65 minutes the card turns 🚨, and must not read "1 hr"
    (shorter than the limit the team set)."""
    desk = await start_desk(CSAT="off", SLA_FIRST_RESPONSE="65")
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi")
    await desk.settle()
    sandbox.clock.advance(65 * MINUTE)
    await redraw(desk)
    assert sla_line(sandbox, ana) == "🚨 waiting for 1 hr and 5 min"


# --- what held (kept as guards) -------------------------------------------------------------


async def test_510_due_at_once_close_ten_a_round_each_once(sandbox, start_desk):
    desk = await start_desk(AUTOCLOSE="2", CSAT="on")
    sandbox.world.limits.enabled = False
    eva = sandbox.team_member("Eva Lima", language="en")
    people = []
    for n in range(510):
        person = sandbox.client(f"Client {n}", language="en")
        person.send("Oi")
        people.append(person)
    await desk.settle()
    sandbox.clock.advance(MINUTE)
    for person in people:
        eva.comment(card_of(sandbox, person), "Resolvido?")
        sandbox.clock.advance(1)
    await desk.settle()
    sandbox.clock.advance(3 * HOUR)
    rounds = []
    while (closed := await close_due(desk)) > 0:
        rounds.append(closed)
        sandbox.clock.advance(MINUTE)
    assert rounds == [10] * 51
    assert not await is_open(desk, people[0])
    for person in people:
        assert len(end_texts(person)) == 1 and len(questions(person)) == 1
        assert len(closed_lines(sandbox, person)) == 1
        assert card_of(sandbox, person).text.startswith("⚪ ")


async def test_a_message_in_the_lane_when_the_job_fires_keeps_it_open(sandbox, start_desk):
    desk = await start_desk(AUTOCLOSE="2", CSAT="on")
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(2 * HOUR)
    ana.send("Wait, one more thing")
    await sandbox.settle()  # the bot has the update; the job fires as it is handled
    assert await close_due(desk) == 0
    assert await is_open(desk, ana) and end_texts(ana) == [] and questions(ana) == []
    assert thread_texts(sandbox, ana)[-1] == "Wait, one more thing"


async def test_a_team_answer_at_the_exact_deadline_keeps_it_open(sandbox, start_desk):
    desk = await start_desk(AUTOCLOSE="2", CSAT="off")
    ana, card = await answered(sandbox, desk)
    sandbox.clock.advance(2 * HOUR)  # due this very instant...
    sandbox.team_member("Eva Lima", language="en").comment(card, "Still there?")
    await desk.settle()  # ...but the team spoke at it
    assert await close_due(desk) == 0
    sandbox.clock.advance(2 * HOUR)
    assert await close_due(desk) == 1
    assert len(end_texts(ana)) == 1


async def test_two_presses_at_once_count_one_rating(sandbox, start_desk):
    desk = await start_desk(CSAT="on")
    ana, card = await answered(sandbox, desk)
    sandbox.team_member("Eva Lima", language="en").comment(card, "/fim")
    await desk.settle()
    (asked,) = questions(ana)
    first, second = ana.press(asked, LABELS[1]), ana.press(asked, LABELS[5])
    await desk.settle()
    assert first.answered and second.answered
    (row,) = await desk.app.storage.run(csat_rows.of_client, ana.id)
    assert row.rating == 1
    assert len([t for t in thread_texts(sandbox, ana) if t.startswith("⭐")]) == 1
    assert len([t for t in thread_texts(sandbox, ana) if t.startswith("📂")]) == 2


async def test_service_lines_are_in_the_team_time_zone(sandbox, start_desk):
    desk = await start_desk(TIMEZONE="Europe/Moscow", CSAT="off")
    ana, card = await answered(sandbox, desk)  # 2026-01-01 00:00 UTC
    assert thread_texts(sandbox, ana)[0] == "📂 Atendimento #1 opened · 1/1/26, 3:00\u202fAM"


@pytest.mark.parametrize(("name", "value"), [
    ("AUTOCLOSE", "-1"), ("AUTOCLOSE", "abc"), ("AUTOCLOSE", "nan"), ("AUTOCLOSE", "inf"),
    ("AUTOCLOSE", "1e9"), ("AUTOCLOSE", "48h"), ("SLA_FIRST_RESPONSE", "0"),
    ("SLA_FIRST_RESPONSE", "-5"), ("SLA_FIRST_RESPONSE", "x"), ("SLA_FIRST_RESPONSE", "1e12"),
    ("CSAT_REOPEN_BELOW", "0"), ("CSAT_REOPEN_BELOW", "7"), ("CSAT_REOPEN_BELOW", "2.5"),
    ("CSAT", "maybe"), ("TIMEZONE", "Mars/Base"), ("TIMEZONE", "UTC+3"),
])
def test_a_bad_timed_setting_is_refused_at_start(name, value):
    environ = {**DUMMY_CREDENTIALS, "CHANNEL": "-1001234567", name: value}
    with pytest.raises(ConfigError) as refused:
        load_config(environ, env_file=None)
    (problem,) = refused.value.problems
    assert problem.startswith(f"{name}: must ")  # says what to set, names the setting


async def test_sla_counts_the_wait_from_when_the_client_wrote_not_from_the_catch_up(
        sandbox, start_desk):
    """The desk was down for 45 minutes while a new client waited: the team sees that wait
    (and the alarm) at once, not "waiting for 1 min" a minute after the restart; the first
    answer's time counts it too."""
    desk = await start_desk(CSAT="off", SLA_FIRST_RESPONSE="30")
    await desk.stop()
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi, preciso de ajuda")
    sandbox.clock.advance(45 * MINUTE)
    await desk.start()
    await redraw(desk)
    assert sla_line(sandbox, ana) == "🚨 waiting for 45 min"
    sandbox.team_member("Eva Lima", language="en").comment(card_of(sandbox, ana), "Olá!")
    await desk.settle()
    await redraw(desk)
    assert sla_line(sandbox, ana).endswith("45 min")

"""Story: a client asks /status — whether their conversation is open, since when, whether the
team has answered — and hears nothing of who answers, the priority or the tags; someone who
never wrote gets a clear line, and asking creates nothing."""

from __future__ import annotations

import pytest

from atendimento.app import FEATURES
from atendimento.storage import clients as client_rows
from atendimento.storage import threads as thread_rows

from .conftest import RunningDesk, bot_said, card_of, thread_texts

# The sandbox's clock starts at 2026-01-01 00:00 UTC: 21:00 of the day before in São Paulo.
OPENED_EN = "12/31/25, 9:00\u202fPM"
OPENED_PT = "31/12/2025 21:00"


@pytest.fixture
async def desk(sandbox, tmp_path, database_url):
    running = RunningDesk(sandbox, tmp_path, database_url,
                          features=FEATURES)
    await running.start()
    yield running
    await running.stop()


async def ask(desk, person, command="/status"):
    person.send(command)
    await desk.settle()
    return bot_said(person)[-1]


async def row_of(desk, person):
    return await desk.app.storage.run(client_rows.get, person.id)


async def test_someone_who_never_wrote_gets_a_clear_line_and_nothing_is_created(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="en")
    said = await ask(desk, ana)
    assert said == ("You have no conversation with us yet. Send a message here and our team "
                    "will answer you.")
    assert await row_of(desk, ana) is None
    assert sandbox.posts() == []  # no card either


async def test_an_open_conversation_not_answered_yet(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi")
    await desk.settle()
    before = thread_texts(sandbox, ana)
    sandbox.clock.advance(15 * 60)

    said = await ask(desk, ana)
    assert said == (f"Your conversation no. 1 has been open since {OPENED_EN}.\n"
                    "Our team has not answered yet: you will get the answer here.")
    assert thread_texts(sandbox, ana) == before  # the question stays out of the thread


async def test_once_answered_it_says_so_and_never_who_nor_the_priority(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva, rui = sandbox.team_member("Eva Lima"), sandbox.admin("Rui Admin")
    rui.comment(card, "/p urgente")
    sandbox.clock.advance(5 * 60)
    eva.comment(card, "Olá, Ana!")
    await desk.settle()

    said = await ask(desk, ana, "/situacao")
    assert said == (f"Your conversation no. 1 has been open since {OPENED_EN}.\n"
                    "Our team has already answered you.")
    for secret in ("Eva", "Lima", "Rui", "urgent", "#"):
        assert secret not in said


async def test_a_closed_conversation_says_when_and_how_to_open_another(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi")
    await desk.settle()
    eva = sandbox.team_member("Eva Lima")
    sandbox.clock.advance(2 * 3600)
    eva.comment(card_of(sandbox, ana), "/fim")
    await desk.settle()

    said = await ask(desk, ana, "/estado")
    assert said == ("Your conversation no. 1 was closed on 12/31/25, 11:00\u202fPM.\n"
                    "To open a new one, just send a message here.")
    thread = await desk.app.storage.run(thread_rows.get_by_client, ana.id)
    assert await desk.app.storage.run(thread_rows.current_atendimento, thread.id) is None

    ana.send("Voltei")
    await desk.settle()
    said = await ask(desk, ana)
    assert said.startswith("Your conversation no. 2 has been open since 12/31/25, 11:00")


async def test_the_time_is_in_the_clients_language_and_the_teams_time_zone(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    said = await ask(desk, ana)
    assert OPENED_PT in said


async def test_it_answers_about_the_sender_only_whatever_the_arguments(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="en")
    bia = sandbox.client("Bia Reis", language="en")
    ana.send("Oi")
    await desk.settle()
    said = await ask(desk, bia, f"/status {ana.id}")
    assert said.startswith("You have no conversation with us yet.")
    assert await row_of(desk, bia) is None


async def test_a_team_member_hears_about_their_own_conversation(sandbox, desk):
    eva = sandbox.team_member("Eva Lima", language="en")
    assert (await ask(desk, eva)).startswith("You have no conversation with us yet.")
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi")
    await desk.settle()
    assert (await ask(desk, eva)).startswith("You have no conversation with us yet.")

    eva.send("/cliente")  # her chat is a workspace until she tries the desk as a client
    eva.send("I need help too")
    await desk.settle()
    assert (await ask(desk, eva)).startswith("Your conversation no. 1 has been open")


async def test_a_banned_client_is_not_told_to_write_again(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi")
    await desk.settle()
    rui = sandbox.admin("Rui Admin")
    rui.comment(card_of(sandbox, ana), "/ban spam")
    await desk.settle()
    said = await ask(desk, ana)
    assert said == "Your conversation no. 1 was closed on 12/31/25, 9:00\u202fPM."


async def test_it_is_in_the_clients_menu_in_their_language(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="en")
    menu = dict(sandbox.menu(ana))
    assert menu["status"] == "Where your conversation stands"
    eva = sandbox.team_member("Eva Lima", language="en")
    assert "status" not in dict(sandbox.menu(eva, sandbox.group))


async def test_a_restart_changes_nothing_of_the_answer(sandbox, desk):
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi")
    await desk.settle()
    first = await ask(desk, ana)
    await desk.stop()
    await desk.start()
    assert await ask(desk, ana) == first


async def test_a_message_waiting_for_its_thread_is_not_forgotten(sandbox, desk):
    sandbox.set_bot_role(sandbox.channel, "admin", {"post_messages": False})
    ana = sandbox.client("Ana Souza", language="en")
    ana.send("Oi, tem alguém?")  # the card cannot be posted: the message waits
    await desk.settle()
    said = await ask(desk, ana)
    assert said == ("We have your message: it is on its way to our team, who will answer "
                    "you here.")

    sandbox.set_bot_role(sandbox.channel, "admin")
    assert await desk.app.desk.retry_parked() == 1
    await desk.settle()
    assert (await ask(desk, ana)).startswith("Your conversation no. 1 has been open since")

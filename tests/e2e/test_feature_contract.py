"""A feature from outside atendimento/ joins the desk through app.py's list alone: its commands
are dispatched (and refused to who may not), its button is answered, it hears the desk's
events, its table is migrated and versioned apart, and menus and /ajuda show its commands."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from atendimento.app import FEATURES
from atendimento.desk.contract import MEMBER, THREAD, Buttons, Command, Feature
from atendimento.desk.registry import RegistryError
from atendimento.storage import feature_versions, open_database

from .conftest import ROOT, RunningDesk, opened, thread_texts

HERE = Path(__file__).parent / "feature_example"


@pytest.fixture
def tally_package(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    import tally
    yield tally
    for name in [n for n in sys.modules if n == "tally" or n.startswith("tally.")]:
        del sys.modules[name]


@pytest.fixture
async def tally_desk(sandbox, tmp_path, database_url, tally_package):
    running = RunningDesk(sandbox, tmp_path, database_url,
                          features=(*FEATURES, tally_package))
    await running.start()
    yield running
    await running.stop()


async def test_its_command_runs_and_hears_the_end_of_an_atendimento(sandbox, tally_desk):
    ana, card = await opened(sandbox, tally_desk)
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.comment(card, "/contar")
    await tally_desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "ended: 0"

    eva.comment(card, "/fim")
    await tally_desk.settle()
    [heard] = tally_desk.app.desk.api("tally").heard
    assert heard.client_id == ana.id and heard.by_id == eva.id and heard.number == 1
    eva.comment(card, "/tally")  # an alias
    await tally_desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "ended: 1"
    assert not [m for m in ana.chat() if m.text.startswith("ended")]  # never to the client


async def test_who_may_is_checked_before_its_code_runs(sandbox, tally_desk):
    ana, card = await opened(sandbox, tally_desk)
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.comment(card, "/fim")
    await tally_desk.settle()
    eva.comment(card, "/zerar")  # for admins only
    await tally_desk.settle()
    assert "administradores" in thread_texts(sandbox, ana)[-1]
    eva.comment(card, "/contar")
    await tally_desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "ended: 1"  # nothing was cleared

    rui = sandbox.admin("Rui Admin", language="pt-br")
    rui.comment(card, "/zerar")
    await tally_desk.settle()
    assert thread_texts(sandbox, ana)[-1] == "cleared"

    intruso = sandbox.client("Intruso")
    intruso.comment(card, "/zerar")
    await tally_desk.settle()
    assert "Intruso" in thread_texts(sandbox, ana)[-1]


async def test_its_button_is_answered_for_the_team_only(sandbox, tally_desk):
    ana, card = await opened(sandbox, tally_desk)
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.comment(card, "/contar")
    await tally_desk.settle()
    line = sandbox.thread(card)[-1]
    press = eva.press(line, "+1")
    await tally_desk.settle()
    assert press.answered and not press.alert and press.text == "ended: 1"

    sandbox.set_role(eva, None)  # she left the team
    tally_desk.app.desk.team_changed()
    await tally_desk.settle()
    refused = eva.press(line, "+1")
    await tally_desk.settle()
    assert refused.alert and refused.text == "Isto é só para a equipe."


async def test_its_table_is_migrated_and_versioned_apart(sandbox, tally_desk, database_url):
    db = open_database(database_url)
    try:
        assert feature_versions(db)["tally"] == 1
        assert db.table_exists("tally_ended")
    finally:
        db.close()
    await tally_desk.stop()
    await tally_desk.start()  # nothing to apply again
    db = open_database(database_url)
    try:
        assert feature_versions(db)["tally"] == 1
    finally:
        db.close()


async def test_its_job_is_scheduled_and_run_at_start(tally_desk):
    app = tally_desk.app
    assert app.desk.api("tally").swept == 1
    job = app.scheduler.get_job("tally:sweep")
    assert job is not None and job.trigger.interval.total_seconds() == 3600


async def test_every_feature_names_real_settings_and_texts(desk):
    from atendimento.config import SETTINGS
    known = {setting.key for setting in SETTINGS if setting.group == "desk"}
    texts = ROOT / "respostas" / "pt_BR"
    for feature in desk.app.desk.features:
        assert set(feature.settings) <= known, feature.name
        assert all((texts / name).exists() for name in feature.texts), feature.name


async def test_menus_and_help_show_its_commands(sandbox, tally_desk):
    ana, card = await opened(sandbox, tally_desk)
    eva = sandbox.team_member("Eva Lima", language="en")
    team_menu = [name for name, _ in sandbox.menu(eva, sandbox.group)]
    assert team_menu == ["fim", "p", "ban", "desbanir", "resposta", "n", "marcar", "contar"]
    eva.comment(card, "/ajuda")
    await tally_desk.settle()
    help_text = thread_texts(sandbox, ana)[-1]
    assert "/contar /tally" in help_text and "/fim /end" in help_text
    assert "/zerar" not in help_text and "/ban" not in help_text  # admins' commands
    rui = sandbox.admin("Rui Admin")
    rui.comment(card, "/help")
    await tally_desk.settle()
    assert "/zerar" in thread_texts(sandbox, ana)[-1]


async def test_without_it_the_desk_knows_none_of_it(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.comment(card, "/contar")
    await desk.settle()
    assert "/contar" in thread_texts(sandbox, ana)[-1]  # an unknown command
    assert desk.app.desk.api("tally") is None


def feature_with(*parts) -> Feature:
    commands = [p for p in parts if isinstance(p, Command)]
    buttons = [p for p in parts if isinstance(p, Buttons)]
    return Feature("x", commands=commands, buttons=buttons)


async def nothing(*_args) -> None:
    return None


@pytest.mark.parametrize("parts", [
    (Command(("fim",), THREAD, nothing),),  # clashes with the basics' /fim
    (Command(("a", "b"), THREAD, nothing), Command(("b",), THREAD, nothing)),
    (Buttons("p:", nothing),),  # the priorities' prefix
    (Buttons("p", nothing),),  # a prefix of it: which one would a press go to?
    (Buttons("", nothing),),
])
async def test_two_claims_on_one_name_are_refused_at_start(sandbox, tmp_path, database_url,
                                                            parts):
    class Clashing:
        @staticmethod
        def feature(core):
            return feature_with(*parts)
    running = RunningDesk(sandbox, tmp_path, database_url, features=(*FEATURES, Clashing))
    with pytest.raises(RegistryError):
        await running.start()
    await running.stop()


def test_a_command_must_say_where_and_who():
    with pytest.raises(ValueError):
        Command((), THREAD, nothing)
    with pytest.raises(ValueError):
        Command(("x",), "channel", nothing)
    with pytest.raises(ValueError):
        Command(("x",), THREAD, nothing, allowed="everyone")
    assert Command(("x",), THREAD, nothing).allowed == MEMBER

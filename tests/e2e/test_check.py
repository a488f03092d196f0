"""`atendimento check` in the sandbox: all green, then each condition broken in turn."""

from __future__ import annotations

import pytest

from atendimento.config import load_config
from atendimento.storage import migrate_url
from atendimento.telegram.check import report, run_checks

from .conftest import RunningDesk


@pytest.fixture
def setup(sandbox, tmp_path, database_url):
    migrate_url(database_url)
    return RunningDesk(sandbox, tmp_path, database_url).config


@pytest.fixture
def factory(sandbox):
    return lambda _config: sandbox.bot_client("check", no_updates=True)


def failing(results):
    return [c for c in results if not c.ok]


async def test_everything_in_place_passes(setup, factory, capsys):
    assert await report(setup, factory) is True
    out = capsys.readouterr().out
    assert out.count("✓") == 9 and "9 of 9 checks passed" in out and "✗" not in out


@pytest.mark.parametrize("breakage, expected", [
    ("bot not admin in channel", "bot is an admin of the channel"),
    ("bot cannot edit in channel", "bot is an admin of the channel"),
    ("no discussion group", "channel has a discussion group"),
    ("bot not admin in group", "bot is an admin of the group"),
    ("bot anonymous", "bot does not post anonymously"),
    ("inline off", "inline mode"),
])
async def test_each_broken_condition_is_named_with_its_fix(sandbox, setup, factory, capsys,
                                                           breakage, expected):
    if breakage == "bot not admin in channel":
        sandbox.set_bot_role(sandbox.channel, "member")
    elif breakage == "bot cannot edit in channel":
        sandbox.set_bot_role(sandbox.channel, "admin", {"edit_messages": False})
    elif breakage == "no discussion group":
        sandbox.channel.linked_id = None
    elif breakage == "bot not admin in group":
        sandbox.set_bot_role(sandbox.group, "member")
    elif breakage == "bot anonymous":
        sandbox.set_bot_role(sandbox.group, "admin", {"anonymous": True})
    else:
        sandbox.world.bot.inline = False
    (failed,) = failing(await run_checks(setup, factory))
    assert failed.name.startswith(expected)
    assert "fix:" in failed.line()
    assert await report(setup, factory) is False
    assert "✗ " + expected in capsys.readouterr().out


async def test_broken_texts_and_unmigrated_database_fail(sandbox, factory, tmp_path):
    broken = tmp_path / "textos" / "pt_BR"
    broken.mkdir(parents=True)
    (broken / "inicio.md").write_text("Oi {nme}\n", encoding="utf-8")
    environ = {"API_ID": "1", "API_HASH": "0" * 32, "BOT_TOKEN": "1234:" + "A" * 35,
               "CHANNEL": str(sandbox.channel_chat_id), "TEXTS_DIR": str(broken.parent),
               "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    results = await run_checks(load_config(environ, env_file=None), factory)
    texts, database = failing(results)
    assert texts.name.startswith("texts") and "inicio.md:1" in texts.detail
    assert database.name.startswith("database") and "migrate" in database.fix


async def test_unreachable_telegram_fails(setup):
    class Unreachable:
        async def start(self):
            raise OSError("no network")

    (failed,) = failing(await run_checks(setup, lambda _c: Unreachable()))
    assert failed.name == "connect to Telegram"

"""The fuzz bench: a short run finds nothing wrong, replays act for act, and its oracle does
count what a desk with a planted hole gets wrong (so a zero means something)."""

from __future__ import annotations

import re

from atendimento.bench import fuzz
from atendimento.bench.fuzz_oracle import (
    OUTSIDER,
    Written,
    _faq_answers,
    _pool,
    _take,
    is_client_special,
    is_team_command,
    signature,
)
from atendimento.desk.outbox import Outbox
from atendimento.desk.registry import Registry
from atendimento.desk.teamside import TeamSide
from atendimento.sandbox import polls
from atendimento.sandbox.world import World

SMOKE = ["--seed", "7", "--acts", "300"]
MESSAGE_ID = re.compile(r"(message|answer|line|list|text|photo|video|document|audio|voice|"
                        r"animation|sticker|video_note|poll|contact|venue|location|dice) \d+")


def test_a_short_run_finds_nothing_wrong(capsys, database_url):
    # Fails while the desk has holes the fuzz finds (see the report's examples).
    code = fuzz.main([*SMOKE, "--database-url", database_url])
    out = capsys.readouterr().out
    for line in ("acts: 300 (", "errors logged at ERROR: 0", "messages lost: 0",
                 "outsider actions obeyed: 0", "team data shown to outsiders: 0",
                 "replay: atendimento bench fuzz --seed 7 --acts 300", "acts/s"):
        assert line in out, out
    assert code == 0


def test_a_run_with_the_faq_finds_nothing_wrong_and_the_faq_takes_part(capsys, tmp_path):
    code = fuzz.main(["--seed", "5", "--acts", "600", "--faq", "on",
                      "--database-url", f"sqlite:///{tmp_path / 'db'}"])
    out = capsys.readouterr().out
    assert "messages lost: 0" in out and "FAILED" not in out and code == 0, out
    faq = re.search(r"FAQ lines in the threads: (\d+) answered by itself, (\d+) suggestions",
                    out)
    assert faq and int(faq[1]) + int(faq[2]) > 0, out


async def test_the_same_seed_plays_the_same_acts(tmp_path):
    # Which of the desk's messages an act targets may differ (the desk's lanes interleave as
    # they will), never what the act is.
    runs = []
    for n in (1, 2):
        run = fuzz.Run(seed=3, acts=200, trace=[])
        (tmp_path / str(n)).mkdir()
        await fuzz.play(run, f"sqlite:///{tmp_path / str(n) / 'db'}", tmp_path / str(n))
        runs.append([MESSAGE_ID.sub(r"\1 N", label) for label in run.trace])
    assert len(runs[0]) == 200 and runs[0] == runs[1]


async def test_the_oracle_counts_an_outsider_let_through(tmp_path, monkeypatch):
    async def anyone_is_the_team(self, event, thread):
        return True

    async def anyone_may(self, allowed, event):
        return True

    # Both gates broken: the team side's and the registry's own check before a command runs.
    monkeypatch.setattr(TeamSide, "is_team", anyone_is_the_team)
    monkeypatch.setattr(Registry, "_may_in_thread", anyone_may)
    run = await fuzz.play(fuzz.Run(seed=7, acts=300), f"sqlite:///{tmp_path / 'db'}", tmp_path)
    obeyed = run.verdict.obeyed.kinds
    assert obeyed["outsider comment relayed"] > 0
    assert obeyed["foreign channel comment relayed"] > 0
    assert obeyed[OUTSIDER] > 0  # a command or a press that changed a card
    assert not run.ok
    assert any("Outsider" in line for line in fuzz.report(run, "replay")
               if line.startswith("    act"))


async def test_the_oracle_counts_copies_that_never_arrive(tmp_path, monkeypatch):
    copy = Outbox._copy

    async def drop_some(self, item):
        if item.payload["id"] % 5 == 0:
            return []  # "sent", and nothing arrived
        return await copy(self, item)

    monkeypatch.setattr(Outbox, "_copy", drop_some)
    run = await fuzz.play(fuzz.Run(seed=7, acts=300), f"sqlite:///{tmp_path / 'db'}", tmp_path)
    assert run.verdict.lost.kinds["client → thread"] > 0
    assert run.verdict.lost.kinds["team → client"] > 0


def test_what_counts_as_a_command():
    bot = "sandbox_bot"
    assert is_team_command("/fim") and is_team_command("/FIM@Sandbox_Bot 2")
    assert is_team_command("/p\nalta")  # a command, then a second line
    assert is_team_command("/fim@outro_bot")  # for another bot: still not for the client
    assert not is_team_command("//double") and not is_team_command("/ x")
    assert not is_team_command("olá /fim")
    assert is_client_special("/start promo", bot) and is_client_special("/START@sandbox_bot", bot)
    assert is_client_special("/start\nx", bot) and is_client_special("/notificacoes on", bot)
    assert not is_client_special("/start@outro_bot", bot)
    assert not is_client_special("/cliente", bot) and not is_client_special("start", bot)


def test_a_copy_has_the_signature_of_its_original():
    world = World()
    poll = polls.person_poll(world, "Qual?", ["A", "B"])
    assert signature(_message(media=poll, text="")) == ("poll", "Qual?", ("A", "B"))
    assert signature(_message(text="oi")) == ("text", "oi")
    assert signature(_message(text="oi")) != signature(_message(text="oi "))


def test_a_saved_reply_with_placeholders_is_found_filled_in_the_clients_chat():
    chat = [_message(text="Oi, Ana Souza! Segue o link.", id=1),
            _message(text="Oi, {nome}!", id=2)]
    picked = Written(act=1, who="member", author=None, client=None, message_id=9,
                     versions=[("text", "Oi, {nome}! Segue o link.")], expect="relay",
                     label="pick")
    used: set[int] = set()
    assert _take(_pool(chat), picked, used) and used == {1}
    other = Written(act=2, who="member", author=None, client=None, message_id=10,
                    versions=[("text", "Tchau, {nome}.")], expect="relay", label="pick")
    assert not _take(_pool(chat), other, set())


def test_the_copy_of_an_automatic_answer_is_the_bot_line_after_the_faqs():
    thread = [_message(text="Oi ·c1", id=5), _message(text="🤖 Respondida com “Lojas”", id=6),
              _message(text="Temos lojas em São Paulo: https://loja.example/lojas", id=7),
              _message(text="✅ Atendimento #1 encerrado por Eva", id=8)]
    assert _faq_answers(thread) == {7}


def _message(**fields):
    from types import SimpleNamespace

    return SimpleNamespace(media=fields.get("media"), message=fields.get("text", ""),
                           id=fields.get("id", 0))

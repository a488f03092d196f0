"""`atendimento bench fuzz --seed N --acts K`: the real desk in the sandbox, and K random acts of
clients, team members, admins and outsiders drawn from `random.Random(N)` (the same seed
replays the same run); an oracle reading only what Telegram shows counts what went wrong.

People: 12 clients, 4 team members (2 admins), 3 outsiders (not channel members), a channel
owned by an outsider and one owned by a team member (both "foreign": not the team's).
Forged presses (callback data no button of the message carries) reach the desk, as they would
if Telegram did not refuse them (it probably answers DATA_INVALID): defence in depth.
Acts run in batches of 1-6 between settles; an act whose effect must be told apart (a ban,
anything by an outsider or a non-admin that could change a card) runs alone between two.
With --faq on|suggest the desk also holds the store's ready answers of the FAQ evaluation sets
(FAQ_LEARN on), half the clients' texts are that store's clients' messages or its answers'
titles, and the report
counts the threads' 🤖 (answered by itself) and 💡 (suggestion) lines.

Definitions (what the last four lines count; all must be 0):

errors logged at ERROR
    Log records at level ERROR or above, from any logger, during the run.

messages lost
    - A client's *relayable* message: any message in their private chat with the bot, except
      the commands the desk answers itself (/start, /notificacoes, /notifications,
      /resposta, /salvar, /save, /respostas, /replies, read generously: the first word,
      any arguments, with or without @thisbot), sent while the client was not banned (the
      card did not start with ⛔ at the previous settle). It is lost unless the client's
      thread has the bot's copy of it (the same text or caption exactly, the same file,
      contact, place or poll question and options; any version, when it was edited), or the
      thread has a service line saying why (a bot line starting with ⚠️ or ❔, not under a
      team comment nor under a copy): each such line excuses one message of that thread.
    - A team member's or admin's *relayable* comment: anything they write in a card's
      thread, also when no atendimento is open, anonymously or as the team's channel, or
      picked from inline mode, except a command to this bot (Telegram's bot-command syntax
      at the start: "/" and 1-32 of [A-Za-z0-9_], optionally @thisbot, then a space, a line
      break or the end), and an internal note (a comment starting with //). It is lost
      unless the client's chat has the bot's copy of it (as above; a client placeholder,
      {nome} {nome_completo} {usuario}, stands for whatever the copy has there), or a bot
      line starting with ⚠️ answers the comment in the thread ("not delivered", "could not
      be handled").

outsider actions obeyed
    - An outsider's comment, or any comment sent as a foreign channel (whoever owns it),
      whose copy reached the client.
    - An outsider's thread command, button press or forged press (data no button has), and a
      non-admin team member's /p, /prioridade, /priority, /ban, /desbanir, press of a
      priority button or forged press, after which (run alone, between two settles) a card
      changed (text: colour, state, hashtags; or pin) or any client's chat got a message.
    - An outsider's /resposta whose keywords later show up as the title of an inline result
      given to a team member (the reply was saved).

team data shown to outsiders
    - Inline results returned to anyone outside the channel (outsiders, clients).
    - In a client's chat (after their team comments' copies are taken out) or an outsider's
      private chat: a bot message with the text of one of the threads' service lines that
      tells something of the team's (a bot line there, no copy of a client's message nor of
      an automatic FAQ answer, which is the bot line after a 🤖 one, naming a person, an
      atendimento's number "#n" or a command "/x"; generic sentences the desk
      also says to clients, like "this is for the team only", are left out), an admin notice
      (a t.me/c/ link to the channel), or a saved reply's keywords; the copy of a team
      command's text.
    - An admin notice in a team member's private chat who is not an admin.

Run ``--help`` for the options; the last lines print the wall time and acts per second.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from atendimento.bench.faq_data import DATA, load_base
from atendimento.bench.fuzz_acts import CLIENT, Act, Population
from atendimento.bench.fuzz_oracle import (
    ADMIN,
    MEMBER,
    OUTSIDER,
    ErrorLog,
    Ledger,
    Observer,
    Verdict,
    evaluate,
)
from atendimento.bench.fuzz_team import TeamActs
from atendimento.bench.harness import bench_database, describe, scratch, texts_dir
from atendimento.sandbox import Sandbox
from atendimento.sandbox.errors import Fail
from atendimento.sandboxed import sandbox_app, sandbox_config, settle

ACTORS = ((45, CLIENT), (35, "team"), (17, OUTSIDER), (3, "time"))
FAQ_BASE = "loja"


@dataclass
class Run:
    seed: int
    acts: int
    done: int = 0
    skipped: int = 0  # acts Telegram would refuse (an edit that changes nothing, ...)
    by: dict[str, int] = field(default_factory=dict)
    verdict: Verdict = field(default_factory=Verdict)
    errors: ErrorLog = field(default_factory=ErrorLog)
    seconds: float = 0.0
    database: str = ""
    limits: bool = False  # the sandbox's rate limits (flood waits cost virtual time only)
    trace: list[str] | None = None  # when a list: every act's label, in order
    faq: str = ""  # FAQ_AUTOANSWER, with the store's ready answers; "": no FAQ
    faq_lines: dict[str, int] = field(default_factory=dict)  # the threads' 🤖 and 💡 lines

    @property
    def ok(self) -> bool:
        v = self.verdict
        return not (self.errors.count or v.lost.count or v.obeyed.count or v.shown.count)


async def play(run: Run, database_url: str, directory: Path) -> Run:
    rng = random.Random(run.seed)
    root = logging.getLogger()
    root.addHandler(run.errors)
    began = time.perf_counter()
    try:
        async with Sandbox(strict=True, seed=run.seed) as sandbox:
            sandbox.world.limits.enabled = run.limits
            # Forged presses reach the desk (Telegram probably refuses most with DATA_INVALID):
            # the desk must not rely on that.
            sandbox.switches.forged_callback_data = True
            (directory / "session").mkdir(exist_ok=True)
            texts = texts_dir() if not run.faq else faq_texts(directory / "texts")
            faq = {"FAQ_AUTOANSWER": run.faq, "FAQ_LEARN": "on"} if run.faq else {}
            config = sandbox_config(sandbox, directory / "data", DATABASE_URL=database_url,
                                    TEXTS_DIR=str(texts), TIMEZONE="America/Sao_Paulo", **faq)
            app = sandbox_app(sandbox, config, directory / "session")
            await app.start()
            try:
                await _acts(run, rng, sandbox, app)
            finally:
                await app.stop()
            if sandbox.server.unimplemented:
                logging.getLogger(__name__).error(
                    "raw methods the sandbox lacks: %s", sorted(set(sandbox.server.unimplemented)))
    finally:
        root.removeHandler(run.errors)
        run.seconds = time.perf_counter() - began
    return run


def faq_texts(target: Path) -> Path:
    """The desk's texts with the store's ready answers of the FAQ evaluation sets, in every
    language's folder: the clients, whatever their language, ask the store's questions."""
    shutil.copytree(texts_dir(), target)
    for language in [d for d in target.iterdir() if (d / "inicio.md").is_file()]:
        shutil.copytree(DATA / FAQ_BASE / "pt_BR" / "prontas", language / "prontas",
                        dirs_exist_ok=True)
    return target


def faq_questions() -> list[str]:
    """What the store's clients ask, answerable or not (the evaluation set's messages), and
    the answers' own questions (which the FAQ answers by itself)."""
    base = load_base(DATA / FAQ_BASE)
    return [case.text for case in base.cases] + [answer.question for answer in base.answers]


async def _acts(run: Run, rng: random.Random, sandbox: Sandbox, app) -> None:
    people = Population.make(sandbox, rng)
    ledger, observer = Ledger(), Observer(sandbox, people.clients)
    acts = TeamActs(sandbox, rng, people, ledger, observer)
    if run.faq:
        acts.questions = faq_questions()

    async def settled() -> None:
        await settle(sandbox, app)
        observer.refresh()

    for admin in people.admins:
        admin.start()  # admins who started the bot get the notices
    await settled()
    while run.done < run.acts:
        for _ in range(min(rng.randint(1, 6), run.acts - run.done)):
            run.done += 1
            acts.act = run.done
            act = _plan(acts, rng)
            run.by[act.actor] = run.by.get(act.actor, 0) + 1
            if act.isolated:
                await settled()
                before = observer.snapshot()
                _do(run, act)
                await settled()
                if act.guarded:
                    _compare(run, observer, people, act, before)
            else:
                _do(run, act)
        await settled()
    if run.faq:
        run.faq_lines = faq_lines(sandbox, observer)
    evaluate(sandbox, ledger, observer, run.verdict,
             {CLIENT: people.clients, OUTSIDER: people.outsiders, MEMBER: people.members,
              ADMIN: people.admins}, notice_marker(sandbox))


def faq_lines(sandbox: Sandbox, observer: Observer) -> dict[str, int]:
    """How many of the bot's thread lines say the FAQ answered (🤖) or suggested (💡)."""
    group = sandbox.group.messages
    texts = [getattr(group.get(i), "message", "") or "" for ids in observer.thread_ids.values()
             for i in ids if getattr(group.get(i), "out", False)]
    return {mark: sum(t.startswith(mark) for t in texts) for mark in ("🤖", "💡")}


def notice_marker(sandbox: Sandbox) -> str:
    return f"t.me/c/{str(sandbox.channel_chat_id).removeprefix('-100')}/"


def _plan(acts: TeamActs, rng: random.Random) -> Act:
    """The next act. It draws from a generator of its own, seeded from the run's: which act
    comes n-th never depends on what the desk answered before (its lanes run side by side and
    may interleave differently from one run to the next); only which of the desk's messages
    an act targets can."""
    rng = acts.rng = random.Random(rng.getrandbits(64))
    acts.serial = 0
    while True:
        kind = rng.choices([k for _, k in ACTORS], [w for w, _ in ACTORS])[0]
        if kind == "time":
            seconds = rng.choice((5, 61, 600, 3 * 3600, 26 * 3600))
            return Act(f"{seconds} s pass", lambda s=seconds: acts.sandbox.clock.advance(s),
                       actor="time")
        act = {CLIENT: acts.client, "team": acts.team, OUTSIDER: acts.outsider}[kind]()
        if act is not None:
            return act


def _do(run: Run, act: Act) -> None:
    if run.trace is not None:
        run.trace.append(act.label)
    try:
        act.run()
    except (Fail, ValueError):
        run.skipped += 1  # what Telegram would refuse (or the people API refuses) is no act


def _compare(run: Run, observer: Observer, people: Population, act: Act,
             before: tuple) -> None:
    cards_before, private_mark = before
    cards_after, _ = observer.snapshot()
    changed = [f"card of client {a[0]}" for a, b in zip(cards_after, cards_before, strict=False)
               if a != b] + [f"new card of client {a[0]}" for a in
                             cards_after[len(cards_before):]]
    clients = {c.id for c in people.clients}
    sent = [f"a message to client {user}" for user, ids in observer.bot_private.items()
            if user in clients and ids and ids[-1] > private_mark]
    if changed or sent:
        run.verdict.obeyed.add(act.actor, f"act {run.done}: {act.label} → "
                               + ", ".join(changed + sent))


# ----- the report -------------------------------------------------------------------------

def replay_command(run: Run, database: str) -> str:
    return f"atendimento bench fuzz --seed {run.seed} --acts {run.acts} {database}"


def report(run: Run, replay: str) -> list[str]:
    v, errors = run.verdict, run.errors
    by = ", ".join(f"{n:,} {k}" for k, n in sorted(run.by.items(), key=lambda i: -i[1]))
    limits = "on" if run.limits else "off"
    faq = f", FAQ_AUTOANSWER={run.faq} with the store's ready answers" if run.faq else ""
    lines = [f"fuzz bench: the desk on {run.database}, 12 clients, 4 team members (2 admins), "
             f"3 outsiders, 2 foreign channels; sandbox rate limits {limits}, forged presses "
             f"on{faq}",
             f"seed {run.seed}; replay: {replay}",
             f"acts: {run.done:,} ({by}; {run.skipped:,} refused as Telegram would)",
             f"errors logged at ERROR: {errors.count:,}"]
    lines += [f"    {n}× {message}" for message, n in errors.distinct.items()]
    for name, tally in (("messages lost", v.lost), ("outsider actions obeyed", v.obeyed),
                        ("team data shown to outsiders", v.shown)):
        kinds = ", ".join(f"{n} {k}" for k, n in tally.kinds.most_common())
        lines.append(f"{name}: {tally.count:,}" + (f" ({kinds})" if kinds else ""))
        lines += [f"    {example}" for example in tally.examples]
    if run.faq:
        lines.append(f"FAQ lines in the threads: {run.faq_lines.get('🤖', 0):,} answered by "
                     f"itself, {run.faq_lines.get('💡', 0):,} suggestions")
    rate = run.done / run.seconds if run.seconds else 0.0
    lines.append(f"wall time: {run.seconds:.1f} s, {rate:,.0f} acts/s")
    lines.append("verdict: " + ("nothing wrong" if run.ok else "FAILED"))
    return lines


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(prog="atendimento bench fuzz", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    made.add_argument("--seed", type=int, default=1, help="of the random acts (default 1)")
    made.add_argument("--acts", type=int, default=10_000, help="how many (default 10,000)")
    made.add_argument("--rate-limits", action="store_true",
                      help="the sandbox's rate limits on (flood waits advance its clock)")
    made.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite",
                      help="sqlite: a new file; postgres: a new schema (dropped afterwards) "
                      "in the database named by ATENDIMENTO_BENCH_DATABASE_URL or "
                      "ATENDIMENTO_TEST_DATABASE_URL")
    made.add_argument("--faq", choices=["on", "suggest"],
                      help="the desk with the store's ready answers (tests/fixtures/faq/eval/"
                      "loja) and FAQ_AUTOANSWER at this, FAQ_LEARN on; clients often ask what "
                      "the store's clients ask")
    made.add_argument("--database-url", metavar="URL",
                      help="fuzz on this database instead, used as it is: it must be empty")
    return made


def main(argv: list[str] | None = None) -> int:
    command = parser()
    args = command.parse_args(argv)
    if args.acts < 1:
        command.error("--acts must be at least 1")
    run = Run(seed=args.seed, acts=args.acts, limits=args.rate_limits, faq=args.faq or "")
    replay = replay_command(run, ("--database-url URL" if args.database_url
                                  else f"--database {args.database}")
                            + (" --rate-limits" if args.rate_limits else "")
                            + (f" --faq {args.faq}" if args.faq else ""))
    try:
        with scratch() as directory:
            with bench_database(args.database, args.database_url, Path(directory)) as url:
                run.database = describe(url)
                asyncio.run(play(run, url, Path(directory)))
    except KeyboardInterrupt:
        print(f"fuzz bench: interrupted after {run.done} acts (replay: {replay})",
              file=sys.stderr)
        return 130
    print("\n".join(report(run, replay)))
    return 0 if run.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

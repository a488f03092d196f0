"""`atendimento bench crash`: the desk in its own process, killed with SIGKILL at random moments
during a burst of clients' messages and attendants' comments, and started again each time; then
every message must have been relayed exactly once, in the order written.

Run: ``python -m atendimento.bench crash [--trials N] [--clients C] [--attendants A]
[--messages M] [--comments K] [--seed S] [--kill-after MIN MAX] [--deadline SECONDS]
[--database sqlite|postgres] [--database-url URL] [--parallel [--bot-messages B]]``;
LOG_LEVEL=INFO shows the desk's log.

Clients write "c<x> m<y>" (the desk copies them into the client's thread) and attendants comment
"a<k> c<x> m<y>" in those threads (the desk sends them to the client), y counting up in each
conversation. With --parallel the desk runs in parallel mode and an existing bot, another
session of the same bot speaking the Bot API over HTTP, sends each client "b c<x> m<y>" during
the burst: the desk must copy each into the client's thread (marked 🤖) once, in order. Only
the bot's copies matching these shapes are counted: service lines, cards and
the desk's own texts are not.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import secrets
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from atendimento.bench.harness import bench_database, describe, scratch, texts_dir
from atendimento.sandbox import RealClock, Sandbox
from atendimento.sandbox.people import Person
from atendimento.sandbox.process import BotProcess

CLIENT_TEXT = re.compile(r"c(\d+) m(\d+)")
TEAM_TEXT = re.compile(r"a(\d+) c(\d+) m(\d+)")
BOT_COPY = re.compile(r"🤖 (b c(\d+) m(\d+))")
CARD_TAG = re.compile(r"#c(\d+)\b")
WARM_UP = "warm up"
TO_THREAD, TO_CLIENT = "client → thread", "attendant → client"
INTERCEPTED = "existing bot → thread"


@dataclass(frozen=True)
class CrashPlan:
    """What one run does. Times are real seconds: the desk runs on the real clock."""

    clients: int = 8
    attendants: int = 2
    messages: int = 30  # per client
    comments: int = 15  # per client's thread, each by a randomly chosen attendant
    trials: int = 5  # kills
    seed: int = 0
    kill_after: tuple[float, float] = (0.02, 0.4)  # after the desk (re)started, drawn uniformly
    deadline: float = 60.0  # for everything to arrive after the burst (and for the warm-up)
    poll: float = 0.02
    quiet: float = 0.3  # once all arrived, how long nothing more may arrive (late duplicates)
    pace: float = 0.002  # the least pause between two acts, for the desk's process to work
    parallel: bool = False  # the desk in parallel mode beside an existing bot
    bot_messages: int = 0  # per client, sent by the existing bot (parallel)


@dataclass(frozen=True)
class Act:
    """One message written: by client `client`, or by attendant `attendant` in its thread."""

    text: str
    client: int
    seq: int  # its place in its conversation
    attendant: int | None = None
    by_bot: bool = False  # sent by the existing bot (parallel mode)

    @property
    def direction(self) -> str:
        if self.by_bot:
            return INTERCEPTED
        return TO_THREAD if self.attendant is None else TO_CLIENT


@dataclass
class Tally:
    sent: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0  # extra copies
    out_of_order: int = 0  # first copies that arrived after a copy of a later message

    def add(self, other: Tally) -> None:
        for name in ("sent", "delivered", "lost", "duplicated", "out_of_order"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Trial:
    """The messages written after kill `number - 1` and before kill `number` (after the last
    kill for the last one), and how that kill went."""

    number: int
    killed_after: float | None = None  # seconds the desk had been ready
    down: float | None = None  # seconds from the kill until the desk was ready again
    exit_code: int | None = None
    tally: Tally = field(default_factory=Tally)


@dataclass
class CrashResult:
    """What one run counted, per trial and per direction."""

    plan: CrashPlan
    trials: list[Trial]
    directions: dict[str, Tally]
    misplaced: int = 0  # copies in another client's thread or chat, or in no known thread
    spurious: int = 0  # copies of messages nobody wrote
    extra_cards: int = 0
    first_start: float = 0.0
    burst: float = 0.0  # first act to the last restart or the last act, whichever is later
    arrived_after: float | None = None  # end of the burst → all arrived; None: deadline
    unimplemented: list[str] = field(default_factory=list)  # raw methods the sandbox lacks

    @property
    def total(self) -> Tally:
        total = Tally()
        for tally in self.directions.values():
            total.add(tally)
        return total

    @property
    def ok(self) -> bool:
        total = self.total
        return not (total.lost or total.duplicated or total.out_of_order or self.misplaced
                    or self.spurious or self.extra_cards)


# ----- the plan ----------------------------------------------------------------------------

def conversations(plan: CrashPlan, rng: random.Random) -> list[list[Act]]:
    """Each client's messages, and each thread's comments, in the order they are written."""
    queues = []
    for x in range(plan.clients):
        queues.append([Act(f"c{x} m{y}", x, y) for y in range(plan.messages)])
        comments = []
        for y in range(plan.comments):
            k = rng.randrange(plan.attendants)
            comments.append(Act(f"a{k} c{x} m{y}", x, y, attendant=k))
        queues.append(comments)
        if plan.parallel:
            queues.append([Act(f"b c{x} m{y}", x, y, by_bot=True)
                           for y in range(plan.bot_messages)])
    return [q for q in queues if q]


def interleave(queues: list[list[Act]], rng: random.Random) -> list[Act]:
    """A uniformly random merge keeping each queue's order: the next act comes from a queue
    chosen with a weight of what it has left."""
    left = [list(reversed(q)) for q in queues]
    merged = []
    while left:
        queue = rng.choices(left, weights=[len(q) for q in left])[0]
        merged.append(queue.pop())
        left = [q for q in left if q]
    return merged


# ----- the desk in its process -------------------------------------------------------------

def desk_command(sandbox: Sandbox, directory: Path, database_url: str, texts: Path,
                 *settings: str) -> list[str]:
    return [sys.executable, "-m", "atendimento.sandbox.desk_process", str(directory / "data"),
            str(directory / "session"), database_url, str(texts), str(sandbox.channel_chat_id),
            *settings]


class Killer:
    """Kills the desk after each drawn delay and starts it again, recording each trial."""

    def __init__(self, desk: BotProcess, delays: list[float], first_start: float) -> None:
        self.desk = desk
        self.delays = delays
        self.kills = 0
        self.restarting = False
        self.finished = not delays  # the desk started after the last kill
        self.starts = [first_start]
        self.trials = [Trial(n + 1) for n in range(len(delays) + 1)]
        self.last_ready = 0.0

    def time_left(self) -> float:
        """A guess of the time until the desk is up after its last kill, plus one more delay:
        spread over it, the burst meets the desk up, dead, starting and up again for good."""
        if self.finished:
            return 0.0
        restart = sum(self.starts) / len(self.starts)
        delay = sum(self.delays) / len(self.delays)
        kills_left = len(self.delays) - self.kills
        return kills_left * (delay + restart) + (restart if self.restarting else 0.0) + delay

    async def run(self) -> None:
        self.last_ready = time.monotonic()  # the first delay counts from the burst's start
        for delay in self.delays:
            await asyncio.sleep(delay)
            if not self.desk.running:
                code = self.desk.process.returncode if self.desk.process else None
                raise RuntimeError(f"the desk's process exited by itself ({code}); "
                                   "its stderr above says why")
            trial = self.trials[self.kills]
            trial.killed_after = time.monotonic() - self.last_ready
            # Counted before the signal: whatever is written from now on meets a dead desk.
            self.kills += 1
            self.restarting = True
            killed = time.monotonic()
            trial.exit_code = await self.desk.kill()
            await self.desk.start()
            self.restarting = False
            self.last_ready = time.monotonic()
            trial.down = self.last_ready - killed
            self.starts.append(trial.down)
        self.finished = True


# ----- people ------------------------------------------------------------------------------

@dataclass
class People:
    """The clients and attendants around the desk, and where each client's thread is."""

    sandbox: Sandbox
    clients: list[Person]
    team: list[Person]
    cards: dict[int, int] = field(default_factory=dict)  # client index -> card post id
    bot: Any = None  # the existing bot's HTTP session on the Bot API endpoint (parallel)
    bot_url: str = ""

    async def act(self, act: Act) -> None:
        if act.by_bot:
            chat = self.clients[act.client].id
            async with self.bot.post(self.bot_url + "sendMessage",
                                     json={"chat_id": chat, "text": act.text}) as answer:
                if answer.status != 200:
                    raise RuntimeError(f"the existing bot could not send: {answer.status}")
        elif act.attendant is None:
            self.clients[act.client].send(act.text)
        else:
            self.team[act.attendant].comment(self.cards[act.client], act.text)


async def warm_up(people: People, plan: CrashPlan) -> None:
    """Each client writes once, so that every card and thread exists before the burst."""
    for person in people.clients:
        person.send(WARM_UP)
    by_id = {person.id: x for x, person in enumerate(people.clients)}
    deadline = time.monotonic() + plan.deadline
    while True:
        people.cards = {by_id[int(m[1])]: post.id for post in people.sandbox.posts()
                        if (m := CARD_TAG.search(post.text)) and int(m[1]) in by_id}
        if len(people.cards) == len(people.clients) and all(
                any(c.from_bot and c.text == WARM_UP for c in people.sandbox.thread(card))
                for card in people.cards.values()):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"warm-up: {len(people.cards)} of {len(people.clients)} cards "
                               f"after {plan.deadline:g} s")
        await asyncio.sleep(plan.poll)


async def write_all(people: People, acts: list[Act], killer: Killer, plan: CrashPlan,
                    trial_of: dict[str, int]) -> None:
    """The burst, spread over the time the kills are expected to take."""
    for n, act in enumerate(acts):
        trial_of[act.text] = killer.kills
        await people.act(act)
        left = len(acts) - n - 1
        pause = killer.time_left() / left if left else 0.0
        await asyncio.sleep(max(plan.pace, pause))


# ----- what arrived ------------------------------------------------------------------------

def arrivals(people: People) -> tuple[dict[tuple[str, int], list[str]], int]:
    """The bot's copies per conversation, in the order they arrived, and how many were in a
    place other than their conversation's."""
    sandbox = people.sandbox
    roots = {sandbox.thread_root(card): x for x, card in people.cards.items()}
    by_id = {person.id: x for x, person in enumerate(people.clients)}
    found: dict[tuple[str, int], list[str]] = defaultdict(list)
    misplaced = 0
    for _ident, message in sorted(sandbox.group.messages.items()):
        text = getattr(message, "message", None) or ""
        if not getattr(message, "out", None):
            continue
        if match := CLIENT_TEXT.fullmatch(text):
            key, client = (TO_THREAD, int(match[1])), int(match[1])
        elif match := BOT_COPY.fullmatch(text):
            key, client, text = (INTERCEPTED, int(match[2])), int(match[2]), match[1]
        else:
            continue
        header = message.reply_to
        root = (header.reply_to_top_id or header.reply_to_msg_id) if header else None
        if roots.get(root) != client:
            misplaced += 1
        found[key].append(text)
    for _ident, message in sorted(sandbox.world.private.items()):
        text = getattr(message, "message", None) or ""
        match = TEAM_TEXT.fullmatch(text) if getattr(message, "out", None) else None
        if match is None:
            continue
        if by_id.get(message.peer_id.user_id) != int(match[2]):
            misplaced += 1
        found[TO_CLIENT, int(match[2])].append(text)
    return found, misplaced


def all_arrived(found: dict[tuple[str, int], list[str]], acts: list[Act]) -> bool:
    have = {text for texts in found.values() for text in texts}
    return all(act.text in have for act in acts)


def score(acts: list[Act], found: dict[tuple[str, int], list[str]], trials: list[Trial],
          trial_of: dict[str, int]) -> tuple[dict[str, Tally], int]:
    """Fills each trial's tally; returns the tallies per direction and the spurious copies."""
    by_text = {act.text: act for act in acts}
    directions = {direction: Tally() for direction in (TO_THREAD, TO_CLIENT, INTERCEPTED)
                  if direction != INTERCEPTED or any(act.by_bot for act in acts)}
    late: set[str] = set()
    spurious = 0
    for texts in found.values():
        highest = -1
        for text in dict.fromkeys(texts):  # first copies, in arrival order
            act = by_text.get(text)
            if act is None:
                spurious += texts.count(text)
                continue
            if act.seq < highest:
                late.add(text)
            highest = max(highest, act.seq)
    counts = Counter(text for texts in found.values() for text in texts)
    for act in acts:
        copies = counts[act.text]
        one = Tally(sent=1, delivered=int(copies > 0), lost=int(copies == 0),
                    duplicated=max(copies - 1, 0), out_of_order=int(act.text in late))
        directions[act.direction].add(one)
        trials[trial_of[act.text]].tally.add(one)
    return directions, spurious


def extra_cards(people: People) -> int:
    ids = {person.id for person in people.clients}
    tags = Counter(int(m[1]) for post in people.sandbox.posts()
                   if (m := CARD_TAG.search(post.text)) and int(m[1]) in ids)
    return sum(n - 1 for n in tags.values() if n > 1)


def snapshot(sandbox: Sandbox) -> tuple[int, int]:
    return len(sandbox.group.messages), len(sandbox.world.private)


async def wait_for_delivery(people: People, acts: list[Act], plan: CrashPlan) -> float | None:
    """Seconds until every message arrived (None: the deadline passed first); then, until the
    desk is idle and nothing more arrives for `plan.quiet`, so that late duplicates count."""
    began = time.monotonic()
    deadline = began + plan.deadline
    while not all_arrived(arrivals(people)[0], acts):
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(plan.poll)
    arrived = time.monotonic() - began
    try:
        await asyncio.wait_for(people.sandbox.settle(), max(deadline - time.monotonic(), 0.1))
    except TimeoutError:
        return arrived
    last, quiet_since = snapshot(people.sandbox), time.monotonic()
    while time.monotonic() - quiet_since < plan.quiet and time.monotonic() < deadline:
        await asyncio.sleep(plan.poll)
        now = snapshot(people.sandbox)
        if now != last:
            last, quiet_since = now, time.monotonic()
    return arrived


# ----- a run -------------------------------------------------------------------------------

async def run_trials(database_url: str, directory: Path, plan: CrashPlan,
                     texts: Path | None = None) -> CrashResult:
    """One burst with `plan.trials` kills of the desk's process, on an empty database."""
    rng = random.Random(plan.seed)
    acts = interleave(conversations(plan, rng), rng)
    delays = [rng.uniform(*plan.kill_after) for _ in range(plan.trials)]
    async with Sandbox(seed=plan.seed, clock=RealClock()) as sandbox, \
            aiohttp.ClientSession() as bot:
        sandbox.world.limits.enabled = False  # the desk sleeps on the real clock, not ours
        settings: list[str] = []
        bot_url = ""
        if plan.parallel:
            api = await sandbox.bot_api()
            settings = ["MODE=parallel", f"BOT_TOKEN={api.token}"]
            bot_url = f"{api.base_url}{api.token}/"
        process = sandbox.bot_process(desk_command(sandbox, directory, database_url,
                                                   texts or texts_dir(), *settings))
        try:
            began = time.monotonic()
            await process.start()
            killer = Killer(process, delays, time.monotonic() - began)
            people = People(
                sandbox, [sandbox.client(f"Client {x}") for x in range(plan.clients)],
                [sandbox.team_member(f"Attendant {k}") for k in range(plan.attendants)],
                bot=bot, bot_url=bot_url)
            await warm_up(people, plan)
            trial_of: dict[str, int] = {}
            began = time.monotonic()
            async with asyncio.TaskGroup() as group:
                group.create_task(killer.run())
                group.create_task(write_all(people, acts, killer, plan, trial_of))
            burst = time.monotonic() - began
            arrived = await wait_for_delivery(people, acts, plan)
        finally:
            await reap(process)
        found, misplaced = arrivals(people)
        directions, spurious = score(acts, found, killer.trials, trial_of)
        return CrashResult(plan, killer.trials, directions, misplaced, spurious,
                           extra_cards(people), killer.starts[0], burst, arrived,
                           sorted(set(sandbox.server.unimplemented)))


async def reap(process: BotProcess) -> None:
    """SIGKILL the desk if it still runs. Not with BotProcess.kill, which Sandbox.close would
    use: interrupted while starting, the desk may have no session yet, and kill would wait
    forever for the sandbox to count one session fewer."""
    if process.running:
        process.process.kill()
        await process.process.wait()


# ----- the command -------------------------------------------------------------------------

def replay_command(plan: CrashPlan, database: str = "--database sqlite") -> str:
    """The command running `plan` again (the same messages and kill delays; timing differs)."""
    return (f"atendimento bench crash --trials {plan.trials} --clients {plan.clients} "
            f"--attendants {plan.attendants} --messages {plan.messages} "
            f"--comments {plan.comments} --seed {plan.seed} --kill-after "
            f"{plan.kill_after[0] * 1e3:g} {plan.kill_after[1] * 1e3:g} "
            f"--deadline {plan.deadline:g} {database}"
            + (f" --parallel --bot-messages {plan.bot_messages}" if plan.parallel else ""))


def row(label: str, trial: Trial | None, tally: Tally) -> str:
    killed = down = ""
    if trial is not None and trial.killed_after is not None:
        killed = f"{trial.killed_after * 1e3:,.0f} ms"
        down = f"{trial.down:.2f} s"
    return (f"{label:20}{killed:>12}{down:>9}{tally.sent:>7}{tally.delivered:>11}"
            f"{tally.lost:>6}{tally.duplicated:>12}{tally.out_of_order:>14}")


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def report(result: CrashResult, database: str, replay: str) -> list[str]:
    plan = result.plan
    lines = [
        f"crash bench: {counted(plan.trials, 'SIGKILL')} of the desk (in its own process, "
        f"real clock), each {plan.kill_after[0] * 1e3:g}–{plan.kill_after[1] * 1e3:g} ms after "
        f"it was ready, during a burst of {counted(plan.clients * plan.messages, 'message')} "
        f"from {counted(plan.clients, 'client')} and "
        f"{counted(plan.clients * plan.comments, 'comment')} from "
        f"{counted(plan.attendants, 'attendant')}"
        + (f" and {counted(plan.clients * plan.bot_messages, 'message')} from the existing "
           "bot (parallel mode)" if plan.parallel else "")
        + f"; desk on {database}; sandbox rate limits off",
        f"seed {plan.seed}; replay: {replay}",
        f"{'':20}{'killed after':>12}{'down':>9}{'sent':>7}{'delivered':>11}{'lost':>6}"
        f"{'duplicated':>12}{'out of order':>14}",
    ]
    for trial in result.trials:
        last = trial.number > plan.trials
        label = f"before kill {trial.number}" if not last else (
            f"after kill {plan.trials}" if plan.trials else "no kill")
        lines.append(row(label, trial, trial.tally))
    for name, tally in result.directions.items():
        lines.append(row(name, None, tally))
    lines.append(row("total", None, result.total))
    arrived = (f"everything arrived {result.arrived_after:.2f} s after the burst"
               if result.arrived_after is not None
               else f"NOT everything arrived within {plan.deadline:g} s of the burst")
    lines.append(f"first start {result.first_start:.2f} s; burst {result.burst:.2f} s; "
                 f"{arrived}")
    if result.misplaced or result.spurious or result.extra_cards:
        lines.append(f"{result.misplaced} copies in the wrong place, {result.spurious} copies "
                     f"of messages nobody wrote, {result.extra_cards} extra cards")
    if result.unimplemented:
        lines.append("raw methods the sandbox lacks: " + ", ".join(result.unimplemented))
    verdict = ("every message exactly once, in order" if result.ok
               else "FAILED: messages lost, duplicated, out of order or misplaced")
    lines.append(f"delivery: {verdict}")
    return lines


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(prog="atendimento bench crash", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    made.add_argument("--trials", type=int, default=5, help="SIGKILLs during the burst")
    made.add_argument("--clients", type=int, default=8)
    made.add_argument("--attendants", type=int, default=2)
    made.add_argument("--messages", type=int, default=30, help="messages per client")
    made.add_argument("--comments", type=int, help="attendants' comments per client's thread "
                      "(default: half of --messages)")
    made.add_argument("--seed", type=int, help="for the plan and the kill delays (default: "
                      "random, printed)")
    made.add_argument("--kill-after", type=float, nargs=2, default=(20.0, 400.0),
                      metavar=("MIN", "MAX"), help="milliseconds from the desk being ready to "
                      "its kill, drawn uniformly (default: 20 400)")
    made.add_argument("--deadline", type=float, default=60.0,
                      help="seconds for everything to arrive after the burst (its last restart "
                      "or message)")
    made.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite",
                      help="sqlite: a new file; postgres: a new schema (dropped afterwards) "
                      "in the database named by ATENDIMENTO_BENCH_DATABASE_URL or "
                      "ATENDIMENTO_TEST_DATABASE_URL")
    made.add_argument("--database-url", metavar="URL",
                      help="bench on this database instead, used as it is: it must be empty")
    made.add_argument("--parallel", action="store_true",
                      help="the desk in parallel mode while an existing bot (the Bot API "
                      "session of the same bot) sends clients messages during the burst")
    made.add_argument("--bot-messages", type=int, help="with --parallel, the existing bot's "
                      "messages per client (default: half of --messages)")
    return made


def main(argv: list[str] | None = None) -> int:
    command = parser()
    args = command.parse_args(argv)
    if args.comments is None:
        args.comments = args.messages // 2
    if args.bot_messages is None:
        args.bot_messages = args.messages // 2 if args.parallel else 0
    if args.seed is None:
        args.seed = secrets.randbelow(2**32)
    if min(args.trials, args.comments) < 0 or min(args.clients, args.attendants,
                                                  args.messages) < 1:
        command.error("--trials and --comments must not be negative, and --clients, "
                      "--attendants and --messages must be at least 1")
    if not 0 <= args.kill_after[0] <= args.kill_after[1]:
        command.error("--kill-after needs 0 <= MIN <= MAX")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    plan = CrashPlan(clients=args.clients, attendants=args.attendants, messages=args.messages,
                     comments=args.comments, trials=args.trials, seed=args.seed,
                     kill_after=(args.kill_after[0] / 1e3, args.kill_after[1] / 1e3),
                     deadline=args.deadline, parallel=args.parallel,
                     bot_messages=args.bot_messages)
    replay = replay_command(plan, "--database-url URL" if args.database_url
                            else f"--database {args.database}")
    try:
        with scratch() as directory:
            with bench_database(args.database, args.database_url, Path(directory)) as url:
                result = asyncio.run(run_trials(url, Path(directory), plan))
    except KeyboardInterrupt:
        print(f"crash bench: interrupted (seed {args.seed}; replay: {replay})", file=sys.stderr)
        return 130
    except (RuntimeError, ExceptionGroup) as error:
        # The killer's and the writer's errors come wrapped by their TaskGroup.
        found = error.exceptions if isinstance(error, ExceptionGroup) else (error,)
        if not all(isinstance(each, RuntimeError) for each in found):
            raise
        for each in found:
            print(f"crash bench: {each} (seed {args.seed}; replay: {replay})", file=sys.stderr)
        return 2
    print("\n".join(report(result, describe(url), replay)))
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

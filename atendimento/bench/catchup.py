"""`atendimento bench catchup`: the desk down while N messages arrive, then restarted with the
sandbox's rate limits on: catch-up time against the least the limits allow, and its order.

Run: ``python -m atendimento.bench.catchup [--messages N] [--clients C] [--database
sqlite|postgres] [--database-url URL] [--seed S] [--clock sandbox|overlapping|both] [--lax]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import heapq
import itertools
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atendimento.app import App
from atendimento.bench.harness import (
    BENCH_TEXT,
    Bench,
    Delivery,
    bench_database,
    bench_parser,
    check_delivery,
    describe,
    desk_roots,
    parse_bench_args,
    scratch,
    texts_dir,
)
from atendimento.sandbox import Sandbox
from atendimento.sandbox.errors import Fail
from atendimento.sandbox.limits import Clock, RateLimits
from atendimento.sandboxed import sandbox_app, sandbox_config, settle

MESSAGES = 10_000
CLOCKS = ("sandbox", "overlapping")
QUIET_SECONDS = 0.0005  # real time with nothing happening before the overlapping clock moves
STUCK_SECONDS = 120.0  # real time with busy lanes, nothing happening and nobody asleep


# ----- the least time the limits allow -----------------------------------------------------

def send_rate(limits: RateLimits) -> tuple[float, float]:
    """(rate, burst) of one chat's bucket, capped by the overall bucket it also draws on."""
    return (min(limits.per_chat_rate, limits.overall_rate),
            min(limits.per_chat_burst, limits.overall_burst))


def formula(limits: RateLimits) -> str:
    rate, burst = send_rate(limits)
    return (f"T_min(N) = {limits.group_window:g} s × ⌊(N−1)/{limits.per_group}⌋ + "
            f"max(0, ((N−1) mod {limits.per_group}) + 1 − {burst:g}) / ({rate:g}/s)")


def least_time(sends: int, limits: RateLimits) -> float:
    """Seconds from the first to the last of `sends` messages to one group, starting with an
    empty window and full buckets: each window of `per_group` sends repeats the first one's
    schedule (a burst, then the bucket's rate), `group_window` later. Exact while a window's
    sends and the bucket's refill fit in the window (`fits`)."""
    if sends < 1:
        return 0.0
    rate, burst = send_rate(limits)
    windows, rest = divmod(sends - 1, limits.per_group)
    return windows * limits.group_window + max(0.0, rest + 1 - burst) / rate


def fits(limits: RateLimits) -> bool:
    rate, _burst = send_rate(limits)
    return limits.per_group / rate <= limits.group_window


def greedy_time(sends: int, limits: RateLimits, chat_id: int) -> float:
    """The same bound from a fresh copy of the sandbox's own RateLimits, driven by a perfectly
    obedient bot: send as soon as it lets, wait exactly the FLOOD_WAIT it answers."""
    clock = Clock(0)
    copy = dataclasses.replace(limits, clock=clock, enabled=True, _chats={}, _groups={},
                               _overall=None)
    for _ in range(sends):
        while True:
            try:
                copy.check(chat_id, True)
                break
            except Fail as error:
                clock.advance(int(error.message.rsplit("_", 1)[1]))
    return clock.now()


# ----- a virtual clock whose sleeps overlap ------------------------------------------------

class OverlappingClock(Clock):
    """Virtual time in which concurrent sleeps overlap, as they do on a real clock: a sleeper
    waits for its deadline, and the `Ticker` moves time to the earliest deadline once nothing
    else can run. (The sandbox's Clock moves time by each sleep in turn, so N lanes waiting
    out the same FLOOD_WAIT move it N times.)"""

    def __init__(self) -> None:
        super().__init__()
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        waiter = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._order), waiter))
        await waiter

    @property
    def sleepers(self) -> int:
        return sum(1 for _when, _n, waiter in self._sleepers if not waiter.done())

    def wake_next(self) -> None:
        """Move time to the earliest deadline and wake everyone due by then."""
        while self._sleepers and self._sleepers[0][2].done():  # cancelled: no deadline
            heapq.heappop(self._sleepers)
        if not self._sleepers:
            return
        self._now = max(self._now, self._sleepers[0][0])
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _when, _n, waiter = heapq.heappop(self._sleepers)
            if not waiter.done():
                waiter.set_result(None)


def desk_busy(app: App) -> int:
    """Work the desk has under way: its own count where it keeps one (lanes and outbox), else
    its lanes'."""
    desk = app.desk
    if desk is None:
        return 0
    busy = getattr(desk, "busy", None)
    return desk.lanes.busy if busy is None else busy


class Ticker:
    """Drives an OverlappingClock: time moves only when the desk has nothing left to do but
    sleep (the sandbox settled, no storage call in flight, nothing new for a moment)."""

    def __init__(self, sandbox: Sandbox, clock: OverlappingClock) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.in_flight = 0
        self.storage_calls = 0
        self._watched: set[int] = set()

    def watch(self, app: App) -> None:
        storage = app.storage
        if storage is None or id(storage) in self._watched:
            return
        self._watched.add(id(storage))
        run = storage.run

        def counted(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            future = run(fn, *args, **kwargs)
            self.in_flight += 1
            self.storage_calls += 1
            future.add_done_callback(self._done)
            return future

        storage.run = counted

    def _done(self, _future: Any) -> None:
        self.in_flight -= 1

    async def quiet(self, app: App) -> bool:
        self.watch(app)
        server = self.sandbox.server
        mark = (server.activity, self.storage_calls, self.clock.sleepers)
        await asyncio.sleep(QUIET_SECONDS)
        return self.in_flight == 0 and mark == (
            server.activity, self.storage_calls, self.clock.sleepers)

    async def start(self, app: App) -> None:
        """App.start, moving time if it sleeps (a flood wait while it sets things up)."""
        task = asyncio.ensure_future(app.start())
        while not task.done():
            if await self.quiet(app) and self.clock.sleepers:
                self.clock.wake_next()
        await task

    async def settle(self, app: App) -> None:
        stuck = None  # since when lanes are busy with nobody asleep and nothing happening
        while True:
            await self.sandbox.settle()
            if not await self.quiet(app):
                stuck = None
                continue
            if self.clock.sleepers:
                self.clock.wake_next()
                stuck = None
            elif desk_busy(app) == 0:
                return
            elif stuck is None:
                stuck = time.perf_counter()
            elif time.perf_counter() - stuck > STUCK_SECONDS:
                raise RuntimeError("the desk never settled on the overlapping clock")


# ----- watching the sandbox during the catch-up ---------------------------------------------

@dataclass
class Probe:
    """Sends to the group the limits let through or refused, and the desk's sleeps."""

    group_id: int
    landed: int = 0
    refused: int = 0
    sleeps: int = 0
    slept: float = 0.0


def watch_group_sends(limits: RateLimits, probe: Probe) -> None:
    check = limits.check

    def counted(chat_id: int, group: bool) -> None:
        if chat_id != probe.group_id:
            return check(chat_id, group)
        try:
            check(chat_id, group)
        except Fail:
            probe.refused += 1
            raise
        probe.landed += 1

    limits.check = counted  # the instance only: methods.throttle looks it up on each send


def watch_sleeps(clock: Clock, probe: Probe) -> None:
    sleep = clock.sleep

    async def counted(seconds: float) -> None:
        probe.sleeps += 1
        probe.slept += seconds
        await sleep(seconds)

    clock.sleep = counted  # before sandbox_app reads it for the desk and its client


# ----- the run -----------------------------------------------------------------------------

class Desk:
    """The real desk on one sandbox, session directory and database, stopped and started."""

    def __init__(self, sandbox: Sandbox, directory: Path, database_url: str,
                 ticker: Ticker | None) -> None:
        self.sandbox = sandbox
        self.ticker = ticker
        self.session = directory / "session"
        self.session.mkdir(exist_ok=True)
        self.config = sandbox_config(sandbox, directory / "data", DATABASE_URL=database_url,
                                     TEXTS_DIR=str(texts_dir()), TIMEZONE="America/Sao_Paulo")
        self.app: App | None = None

    async def start(self) -> None:
        self.app = sandbox_app(self.sandbox, self.config, self.session)
        if self.ticker is None:
            await self.app.start()
        else:
            await self.ticker.start(self.app)

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def settle(self) -> None:
        if self.ticker is None:
            await settle(self.sandbox, self.app)
        else:
            await self.ticker.settle(self.app)


@dataclass
class Figures:
    clock: str
    messages: int
    clients: int
    database: str = ""
    rest: float = 0.0  # virtual seconds the desk stayed down after the messages were sent
    warm_wall: float = 0.0
    restart: float = 0.0  # virtual time of the restart
    last_copy: float = 0.0  # virtual time of the last bench copy in the group
    settled: float = 0.0  # virtual time when everything was relayed
    start_wall: float = 0.0  # App.start: pyrogram's catch-up begins inside it
    wall: float = 0.0
    cpu: float = 0.0
    copies: int = 0  # bench copies in the group
    others: int = 0  # the bot's other messages in the group during the catch-up
    probe: Probe = field(default_factory=lambda: Probe(0))
    limits: RateLimits = field(default_factory=lambda: RateLimits(Clock()))
    delivery: Delivery = field(default_factory=Delivery)

    @property
    def actual(self) -> float:
        """Virtual seconds from the restart to the last bench copy in the group."""
        return max(0.0, self.last_copy - self.restart)


def interleaved(messages: int, clients: int, seed: int) -> list[tuple[int, int]]:
    """(client, index) per message: clients take turns at random (the seed's), each client's
    messages numbered in the order it sends them."""
    order = [n % clients for n in range(messages)]
    random.Random(seed).shuffle(order)
    counts = [0] * clients
    sent = []
    for client in order:
        sent.append((client, counts[client]))
        counts[client] += 1
    return sent


async def warm_up(desk: Desk, bench: Bench) -> None:
    # One client at a time: cards go to the channel and first copies to the group under the
    # same limits, and the warm-up is not what is measured.
    for person in bench.clients:
        person.send("warm up")
        await desk.settle()
    bench.roots = desk_roots(bench.sandbox, bench.clients)


def quiet_period(limits: RateLimits) -> float:
    """Long enough for every window to empty and every bucket to refill."""
    return max(limits.group_window, limits.per_chat_burst / limits.per_chat_rate,
               limits.overall_burst / limits.overall_rate)


def group_after(sandbox: Sandbox, first_id: int) -> tuple[list[float], int]:
    """(dates of the bench copies, number of the bot's other messages) in the group from
    message `first_id` on."""
    copies, others = [], 0
    for ident, message in sandbox.group.messages.items():
        sender = getattr(getattr(message, "from_id", None), "user_id", None)
        if ident < first_id or sender != sandbox.bot_id:
            continue
        if BENCH_TEXT.fullmatch(getattr(message, "message", "") or ""):
            copies.append(float(message.date))
        else:
            others += 1
    return copies, others


async def catch_up(desk: Desk, bench: Bench, figures: Figures) -> None:
    sandbox = bench.sandbox
    probe = figures.probe = Probe(sandbox.group_chat_id)
    figures.limits = sandbox.world.limits
    watch_group_sends(sandbox.world.limits, probe)
    watch_sleeps(sandbox.clock, probe)
    first_id = sandbox.group.next_id
    figures.restart = sandbox.clock.now()
    cpu, wall = time.process_time(), time.perf_counter()
    await desk.start()
    figures.start_wall = time.perf_counter() - wall
    await desk.settle()
    figures.wall = time.perf_counter() - wall
    figures.cpu = time.process_time() - cpu
    figures.settled = sandbox.clock.now()
    copies, figures.others = group_after(sandbox, first_id)
    figures.copies = len(copies)
    figures.last_copy = max(copies, default=figures.restart)


async def run(args: argparse.Namespace, kind: str, directory: Path) -> Figures:
    figures = Figures(kind, args.messages, args.clients)
    clock = OverlappingClock() if kind == "overlapping" else None
    with bench_database(args.database, args.database_url, directory) as url:
        figures.database = describe(url)
        async with Sandbox(strict=not args.lax, seed=args.seed, clock=clock) as sandbox:
            ticker = Ticker(sandbox, clock) if clock is not None else None
            desk = Desk(sandbox, directory, url, ticker)
            await desk.start()
            try:
                bench = Bench(sandbox, [sandbox.client(f"Client {i}")
                                        for i in range(args.clients)], app=desk.app)
                wall = time.perf_counter()
                await warm_up(desk, bench)
                figures.warm_wall = time.perf_counter() - wall
                await desk.stop()
                sent = interleaved(args.messages, args.clients, args.seed)
                for client, index in sent:
                    bench.send(client, index)
                figures.rest = quiet_period(sandbox.world.limits)
                sandbox.clock.advance(figures.rest)  # the desk stays down a while longer
                await catch_up(desk, bench, figures)
                figures.delivery = check_delivery(bench, sent)
            finally:
                await desk.stop()
    return figures


# ----- the report --------------------------------------------------------------------------

def hours(seconds: float) -> str:
    return f"{seconds:,.0f} s ({seconds / 3600:,.2f} h)"


def preamble(args: argparse.Namespace, figures: Figures) -> list[str]:
    n, limits = figures.messages, figures.limits
    rate, burst = send_rate(limits)
    exact = "" if fits(limits) else "  (NOT exact: a window's sends outlast the window)"
    return [
        f"catch-up bench: the desk stopped, {n:,} text messages from {figures.clients} clients "
        f"(cards and threads made in a warm-up, one client at a time) sent while it was down, "
        f"then restarted; sandbox rate limits on, {'lax' if args.lax else 'strict'} wire, seed "
        f"{args.seed}, desk on {figures.database.split(' (')[0]}",
        f"rate limits (sandbox/limits.py RateLimits): per chat {limits.per_chat_rate:g}/s, "
        f"burst {limits.per_chat_burst:g}; per group or channel {limits.per_group} per "
        f"{limits.group_window:g} s (rolling window); overall {limits.overall_rate:g}/s, burst "
        f"{limits.overall_burst:g}; each copy is one throttled call",
        "every copy goes to the one discussion group, so its window sets the pace; within a "
        f"window the group's own bucket lets {burst:g} go at once, then {rate:g}/s:",
        f"  {formula(limits)}{exact}",
        f"  = {hours(least_time(n, limits))} for N = {n:,}; the sandbox's own RateLimits "
        f"driven greedily by its FLOOD_WAITs: "
        f"{hours(greedy_time(n, limits, figures.probe.group_id))}",
        f"the desk stayed down {figures.rest:g} s (virtual) after the last message: windows "
        "empty and buckets full at the restart",
    ]


CLOCK_NAMES = {
    "sandbox": "the sandbox's Clock (each sleep moves time by itself, one after the other)",
    "overlapping": "an overlapping virtual clock (concurrent sleeps overlap, as in real time)",
}


def fraction(sends: int, figures: Figures) -> float:
    return least_time(sends, figures.limits) / figures.actual if figures.actual > 0 else 1.0


def figures_lines(figures: Figures) -> list[str]:
    n, probe, d = figures.messages, figures.probe, figures.delivery
    if d.ok:
        ratio = f"{fraction(n, figures):.3f} (1.0 = as fast as the limits allow)"
    else:  # for the copies that did land: the lost ones freed the window for the others
        ratio = (f"meaningless, {n - figures.copies:,} of {n:,} copies never landed (for the "
                 f"{figures.copies:,} that did: {fraction(figures.copies, figures):.3f})")
    return [
        f"[{figures.clock}] clock: {CLOCK_NAMES[figures.clock]}",
        f"  virtual time, restart → last copy in the group: {hours(figures.actual)}; → all "
        f"settled: {hours(figures.settled - figures.restart)}",
        f"  fraction minimum ÷ actual: {ratio}",
        f"  the group got {figures.copies:,} bench copies and {figures.others:,} other messages "
        f"from the bot; the limits let {probe.landed:,} sends through and refused "
        f"{probe.refused:,} with FLOOD_WAIT ({probe.refused / max(1, probe.landed):.2f} per "
        f"send let through)",
        f"  the desk slept {probe.sleeps:,} times on the clock, {probe.slept:,.0f} s summed",
        f"  real time, restart → all settled: {figures.wall:,.1f} s wall (App.start "
        f"{figures.start_wall:,.2f} s), {figures.cpu:,.1f} s CPU (whole process: sandbox, "
        f"people, desk) = {figures.wall / n * 1e3:,.2f} ms wall, "
        f"{figures.cpu / n * 1e3:,.2f} ms CPU per message; warm-up {figures.warm_wall:,.1f} s",
        f"  delivery: {d.missing:,} lost, {d.duplicated:,} duplicated, {d.misplaced:,} in the "
        f"wrong thread, {d.out_of_order:,} clients out of order",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("atendimento bench catchup", __doc__, "sent while the desk is down")
    parser.set_defaults(messages=MESSAGES)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite",
                        help="sqlite: a new file; postgres: a new schema (dropped afterwards) "
                        "in the database named by ATENDIMENTO_BENCH_DATABASE_URL or "
                        "ATENDIMENTO_TEST_DATABASE_URL")
    parser.add_argument("--database-url", metavar="URL",
                        help="bench on this database instead, used as it is: it must be empty "
                        "(one clock only)")
    parser.add_argument("--seed", type=int, default=0,
                        help="the sandbox's seed and the order in which clients take turns")
    parser.add_argument("--clock", choices=[*CLOCKS, "both"], default="both",
                        help="the virtual clock the sandbox and the desk share (default both, "
                        "one run each)")
    args = parse_bench_args(parser, argv)
    kinds = CLOCKS if args.clock == "both" else (args.clock,)
    if args.database_url and len(kinds) > 1:
        parser.error("--database-url takes one --clock: each run needs an empty database")
    results = []
    for kind in kinds:
        with scratch() as directory:
            results.append(asyncio.run(run(args, kind, Path(directory))))
    lines = preamble(args, results[0])
    for figures in results:
        lines += figures_lines(figures)
    print("\n".join(lines))
    failed = [f.clock for f in results if not f.delivery.ok]
    if failed:
        print(f"catch-up bench: messages lost, duplicated or out of order ({', '.join(failed)} "
              "clock)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

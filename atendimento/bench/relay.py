"""`atendimento bench relay`: the desk's relay throughput and CPU per message against a bare
pyrogram bot that only copies, both in the sandbox in this run; and arrival-to-send latency.

Run: ``python -m atendimento.bench.relay [--messages N] [--clients C] [--database sqlite|postgres]
[--database-url URL] [--lax] [--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from atendimento.bench.harness import (
    Bench,
    Delivery,
    bare_bench,
    bench_database,
    bench_parser,
    check_delivery,
    describe,
    desk_bench,
    parse_bench_args,
    plan,
    scratch,
)
from atendimento.bench.instrument import (
    Timeline,
    count_storage_calls,
    percentile,
    profile_report,
    wrap_gateway_copy,
    wrap_private_handler,
)
from atendimento.telegram.handlers import Router

SINGLE_MAX = 200  # messages sent one at a time (each settled) for the unloaded latency
DESK_CODE = r"atendimento[/\\](desk|telegram|storage|domain|app|tasks)"


@dataclass
class Figures:
    """One bot's measures over one burst (and the one-at-a-time run after it)."""

    messages: int
    wall: float = 0.0
    cpu: float = 0.0
    sends_wall: float = 0.0  # the people's side: the sandbox making and pushing the updates
    sends_cpu: float = 0.0
    server: float = 0.0  # the sandbox server answering the bot's calls
    calls: int = 0
    storage_cpu: float | None = None
    loop_cpu: float = 0.0  # the event loop's thread: bot, pyrogram, sandbox server, people
    storage_calls: int = 0
    commits: int = 0  # the desk database's
    burst: dict[str, list[float]] = field(default_factory=dict)
    single: dict[str, list[float]] = field(default_factory=dict)
    delivery: Delivery = field(default_factory=Delivery)

    @property
    def rate(self) -> float:
        return self.messages / self.wall

    def per(self, seconds: float) -> float:
        """µs per relayed message."""
        return seconds / self.messages * 1e6

    @property
    def net_cpu(self) -> float:
        return self.cpu - self.sends_cpu - self.server


def spans(timeline: Timeline) -> dict[str, list[float]]:
    return {"called": timeline.spans(timeline.called),
            "copied": timeline.spans(timeline.sent, timeline.pushed)}


async def storage_cpu(bench: Bench) -> float | None:
    """The storage thread's CPU so far; None when there is none (SQLite runs inline)."""
    if bench.app is None or bench.app.storage is None or bench.app.storage.inline:
        return None
    return await bench.app.storage.run(lambda _tables: time.thread_time())


class Sender:
    """Hands out fresh message indexes per client, so each phase's texts are new."""

    def __init__(self, clients: int) -> None:
        self.clients = clients
        self.next = [0] * clients
        self.all: list[tuple[int, int]] = []

    def batch(self, messages: int) -> list[tuple[int, int]]:
        made = [(c, self.next[c] + i) for c, i in plan(messages, self.clients)]
        for c, i in made:
            self.next[c] = max(self.next[c], i + 1)
        self.all += made
        return made


def send(bench: Bench, client: int, index: int, timeline: Timeline) -> None:
    seen = bench.send(client, index)
    timeline.pushed[bench.clients[client].id, seen.id] = time.perf_counter()


async def burst(bench: Bench, batch: list[tuple[int, int]], figures: Figures,
                timeline: Timeline, storage_calls: list[int]) -> None:
    server = bench.sandbox.server
    calls, served = len(server.calls), server.service_seconds
    trips, commits = storage_calls[0], storage_calls[1]
    stored = await storage_cpu(bench)
    # The sandbox's and the people's objects are this process's, not the bot's: a full
    # collection scanning them would land on whichever contender happens to be running.
    gc.collect()
    gc.freeze()
    loop, cpu, wall = time.thread_time(), time.process_time(), time.perf_counter()
    for client, index in batch:
        send(bench, client, index, timeline)
    figures.sends_cpu = time.process_time() - cpu
    figures.sends_wall = time.perf_counter() - wall
    await bench.settle()
    figures.wall = time.perf_counter() - wall
    figures.cpu = time.process_time() - cpu
    figures.loop_cpu = time.thread_time() - loop
    gc.unfreeze()
    figures.server = server.service_seconds - served
    figures.calls = len(server.calls) - calls
    if stored is not None:
        figures.storage_cpu = (await storage_cpu(bench) or 0.0) - stored
    figures.storage_calls = storage_calls[0] - trips - 2 * (stored is not None)
    figures.commits = storage_calls[1] - commits


async def measure(bench: Bench, messages: int, timeline: Timeline) -> tuple[Figures, Sender]:
    figures = Figures(messages)
    trips = [0, 0]
    if bench.app is not None:
        count_storage_calls(bench.app.storage, trips)
    sender = Sender(len(bench.clients))
    timeline.clear()
    await burst(bench, sender.batch(messages), figures, timeline, trips)
    figures.burst = spans(timeline)
    timeline.clear()
    for client, index in sender.batch(min(messages, SINGLE_MAX)):
        send(bench, client, index, timeline)
        await bench.settle()
    figures.single = spans(timeline)
    figures.delivery = check_delivery(bench, sender.all)
    return figures, sender


async def profiled(bench: Bench, sender: Sender, messages: int) -> tuple[str, Delivery]:
    """Another burst on the same desk under cProfile (each of its threads)."""
    storage = bench.app.storage
    loop_profile = cProfile.Profile()
    storage_profile = None if storage.inline else cProfile.Profile()
    if storage_profile is not None:
        await storage.run(lambda _tables: storage_profile.enable())
    loop_profile.enable()
    await burst(bench, sender.batch(messages), Figures(messages), Timeline(), [0, 0])
    loop_profile.disable()
    if storage_profile is not None:
        await storage.run(lambda _tables: storage_profile.disable())
    return profile_report(loop_profile, storage_profile, DESK_CODE), check_delivery(
        bench, sender.all)


async def run(args: argparse.Namespace, directory: Path) -> tuple[dict[str, Figures], str, str]:
    strict = not args.lax
    profile = ""
    with bench_database(args.database, args.database_url, directory) as url:
        async with desk_bench(args.clients, url, strict=strict, directory=directory) as bench:
            timeline = Timeline()
            wrap_private_handler(bench.app.client, timeline,
                                 lambda cb: getattr(cb, "__func__", None)
                                 is Router.private_message)
            wrap_gateway_copy(bench.app.desk.ctx.telegram, timeline)
            desk, sender = await measure(bench, args.messages, timeline)
            if args.profile:
                report, delivery = await profiled(bench, sender, args.messages)
                profile = report
                if not delivery.ok:
                    desk.delivery = delivery
    figures = {"desk": desk}
    for name, session in (("bare", directory / "bare"), ("bare, mem", None)):
        if session is not None:
            session.mkdir()
        async with bare_bench(args.clients, strict=strict, session_dir=session) as bench:
            timeline = Timeline()
            wrap_private_handler(bench.bot, timeline, lambda _cb: True)
            figures[name], _sender = await measure(bench, args.messages, timeline)
    return figures, describe(url), profile


def ms(figures: Figures, phase: str, span: str, share: float) -> str:
    values = getattr(figures, phase)[span]
    return f"{percentile(values, share) * 1e3:,.2f}"


def report(args: argparse.Namespace, figures: dict[str, Figures], database: str) -> list[str]:
    desk, bare, mem = figures["desk"], figures["bare"], figures["bare, mem"]
    mode = "lax" if args.lax else "strict"
    lines = [
        f"relay bench: {args.messages} text messages from {args.clients} clients (cards and "
        f"threads made in a warm-up), {mode} wire, sandbox rate limits off, desk on {database}",
        "one process: the sandbox server, the people and the bot share its CPU and event loop; "
        "CPU is time.process_time() of the whole process (every thread); objects made "
        "before each burst are frozen (gc.freeze), so the collector scans what the burst makes, "
        "not the sandbox's world",
        "bare = a pyrogram bot whose only handler copies the message into the client's thread, "
        "session in a file like the desk's; bare, mem = the same with an in-memory session",
        f"{'':36}{'desk':>10}{'bare':>10}{'bare, mem':>11}{'desk ÷ bare':>13}",
    ]
    if database.startswith("PostgreSQL"):
        lines.insert(2, "PostgreSQL's server runs in its own process: its CPU is not counted; "
                        "the desk's storage calls run on one worker thread")
    else:
        lines.insert(2, "the desk's storage calls run on the event loop's thread (SQLite)")

    def row(label: str, values: tuple[float, float, float], fmt: str = ",.0f",
            ratio: bool = True) -> None:
        a, b, c = values
        tail = f"{a / b:>13.2f}" if ratio and b else ""
        lines.append(f"{label:36}{a:>10{fmt}}{b:>10{fmt}}{c:>11{fmt}}{tail}")

    trio = (desk, bare, mem)
    row("relays/s (first send → all copied)", tuple(f.rate for f in trio))
    row("wall µs per relay", tuple(f.per(f.wall) for f in trio))
    row("CPU µs per relay (whole process)", tuple(f.per(f.cpu) for f in trio))
    row("  of which people's sends", tuple(f.per(f.sends_cpu) for f in trio), ratio=False)
    row("  of which sandbox server", tuple(f.per(f.server) for f in trio), ratio=False)
    row("  of which event-loop thread", tuple(f.per(f.loop_cpu) for f in trio))
    if desk.storage_cpu is not None:
        label = "  of which desk storage thread"
        lines.append(f"{label:36}{desk.per(desk.storage_cpu):>10,.0f}")
    row("the bot's CPU µs (net of the 2 first)", tuple(f.per(f.net_cpu) for f in trio))
    label = "desk storage calls per relay"
    lines.append(f"{label:36}{desk.storage_calls / desk.messages:>10.2f}")
    label = "desk database commits per relay"
    lines.append(f"{label:36}{desk.commits / desk.messages:>10.2f}")
    row("relays/s net of people's sends",
        tuple(f.messages / (f.wall - f.sends_wall) for f in trio))
    row("raw calls per relay", tuple(f.calls / f.messages for f in trio), ".2f")
    lines.append("latency, ms p50 / p99 (burst: queueing included)")
    for label, phase in (("burst", "burst"),
                         (f"one at a time ({len(desk.single['copied'])})", "single")):
        parts = "; ".join(f"{name} {ms(f_, phase, 'copied', .5)} / {ms(f_, phase, 'copied', .99)}"
                          for name, f_ in figures.items())
        lines.append(f"  {label}: person's send → copy done: {parts}")
        lines.append(f"  {label}: desk, update at the handler → Gateway.copy called: "
                     f"{ms(desk, phase, 'called', .5)} / {ms(desk, phase, 'called', .99)}")
    for name, each in figures.items():
        verdict = "every message exactly once, in order" if each.delivery.ok else (
            "FAILED: " + each.delivery.summary())
        lines.append(f"delivery ({name}): {verdict}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("atendimento bench relay", __doc__, "in the burst")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite",
                        help="sqlite: a new file; postgres: a new schema (dropped afterwards) "
                        "in the database named by ATENDIMENTO_BENCH_DATABASE_URL or "
                        "ATENDIMENTO_TEST_DATABASE_URL")
    parser.add_argument("--database-url", metavar="URL",
                        help="bench on this database instead, used as it is: it must be empty")
    parser.add_argument("--profile", action="store_true",
                        help="then profile a second desk burst (cProfile, desk code filtered in)")
    args = parse_bench_args(parser, argv)
    with scratch() as directory:
        figures, database, profile = asyncio.run(run(args, Path(directory)))
    print("\n".join(report(args, figures, database)))
    if profile:
        print(f"profile of a second desk burst of {args.messages} messages (cProfile slows it; "
              "times are not comparable with the figures above)")
        print(profile, end="")
    failed = [name for name, each in figures.items() if not each.delivery.ok]
    if failed:
        print(f"relay bench: messages lost, duplicated or out of order ({', '.join(failed)})",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

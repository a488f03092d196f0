"""`atendimento bench api`: the HTTP API's requests/s and latency (GET /v1/clients walked in
pages of 100, GET /v1/clients/{id}, POST /v1/clients/{id}/messages) at 10,000 clients, and the
relay latency of clients writing meanwhile, against the same with no API load in this run.

Run: ``python -m atendimento.bench api [--clients N] [--requests R] [--concurrency C]
[--real T] [--messages M] [--database sqlite|postgres] [--database-url URL] [--lax]``.

The desk runs against the sandbox with its HTTP server on a free loopback port; the HTTP
clients are C aiohttp sessions in the same process, each on one kept-alive connection. A few
hundred clients write a first message through the sandbox (each then has a card and a thread:
the targets of POST send, and the relay probes); sending 10,000 first messages through the
sandbox would take minutes, so the others, who only need to be listed and read, are written
into the database through the storage layer's repository functions (a client row, a thread
with a card and its root, an open atendimento). The output says how many of each.

Relay latency is measured by probe clients, one message at a time: from the person's send to
the desk's copy of it in the thread (its Gateway.copy call answered), wall time
(time.perf_counter; the sandbox's clock is virtual, HTTP is real I/O)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import re
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from atendimento.bench.harness import (
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
from atendimento.bench.instrument import percentile
from atendimento.sandbox import Sandbox
from atendimento.sandboxed import sandbox_app, sandbox_config
from atendimento.storage import clients as client_rows
from atendimento.storage import threads as thread_rows

TOKEN = "api-bench-token-" + "0123456789abcdef"
RATE_LIMIT = "100000"  # requests/s per token: the most API_RATE_LIMIT takes
PAGE = 100
REAL_MAX = 300  # clients who write through the sandbox and receive the POST sends
PROBE_CLIENTS = 10  # clients who send the relay probes (they write through the sandbox too)
SEEDED_IDS = 5_000_000_000  # user ids of the clients written into the database (sandbox: 1e8…)
SEEDED_POSTS = 1_000_000_000  # their cards' and roots' message ids, far above the sandbox's
SEED_CHUNK = 100  # seeded clients per storage call (one transaction)
PROBE_GAP = 0.005  # seconds between a probe's copy and the next probe message
PROBE_TIMEOUT = 30.0  # a copy later than this counts as lost
SPREAD = 7919  # a prime: GET /v1/clients/{id} visits the clients in a scattered order
API_TEXT = re.compile(r"api bench s(\d+)")

Key = tuple[int, int]  # (the client's chat id, their message id)


def api_text(index: int) -> str:
    return f"api bench s{index}"


# ----- the desk ----------------------------------------------------------------------------

@dataclass
class Population:
    """Who the 10,000 clients are, and what making them cost."""

    clients: int
    targets: int
    probes: int
    warm_seconds: float = 0.0
    seed_seconds: float = 0.0

    @property
    def real(self) -> int:
        return self.targets + self.probes

    @property
    def seeded(self) -> int:
        return self.clients - self.real


def seed_clients(t: Any, first: int, count: int, now: datetime) -> None:
    """`count` listed-only clients from number `first`, each with a thread, its card and root
    (made-up message ids no sandbox message has) and an open atendimento, in one transaction."""
    with t.atomic():
        for number in range(first, first + count):
            user_id = SEEDED_IDS + number
            client_rows.upsert(t, user_id=user_id, first_name="Seeded", last_name=str(number),
                               language_code="en", now=now)
            thread = thread_rows.create(t, client_id=user_id, now=now)
            thread_rows.set_card(t, thread.id, SEEDED_POSTS + number, now=now)
            thread_rows.set_root(t, thread.id, SEEDED_POSTS + number, now=now)
            thread_rows.open_atendimento(t, thread.id, now=now)


@contextlib.asynccontextmanager
async def api_desk(population: Population, database_url: str, *, strict: bool,
                   directory: Path) -> AsyncIterator[Bench]:
    """The real desk with its HTTP server, the real clients warmed up (card and thread
    made) and the others seeded into its database."""
    async with Sandbox(strict=strict) as sandbox:
        sandbox.world.limits.enabled = False
        session = directory / "session"
        session.mkdir(exist_ok=True)
        config = sandbox_config(sandbox, directory / "data", DATABASE_URL=database_url,
                                TEXTS_DIR=str(texts_dir()), TIMEZONE="America/Sao_Paulo",
                                HTTP_LISTEN="127.0.0.1:0", API_TOKEN=TOKEN,
                                API_RATE_LIMIT=RATE_LIMIT)
        app = sandbox_app(sandbox, config, session)
        await app.start()
        try:
            bench = Bench(sandbox, [sandbox.client(f"Client {i}")
                                    for i in range(population.real)], app=app)
            await bench.settle()
            wall = time.perf_counter()
            for person in bench.clients:
                person.send("warm up")
            await bench.settle()
            population.warm_seconds = time.perf_counter() - wall
            bench.roots = desk_roots(sandbox, bench.clients)
            wall = time.perf_counter()
            now = app.clock.now()
            for first in range(0, population.seeded, SEED_CHUNK):
                count = min(SEED_CHUNK, population.seeded - first)
                await app.storage.run(seed_clients, first, count, now)
                await asyncio.sleep(0.001)  # SQLite runs inline: let the desk's timers run
            population.seed_seconds = time.perf_counter() - wall
            yield bench
        finally:
            await app.stop()


# ----- relay probes ------------------------------------------------------------------------

class Probes:
    """Messages from the probe clients, one at a time, each timed until the desk's copy of
    it is in the thread."""

    def __init__(self, bench: Bench, first: int, count: int) -> None:
        self.bench = bench
        self.people = range(first, first + count)
        self.turn = itertools.count()
        self.next = dict.fromkeys(self.people, 0)
        self.sent: list[tuple[int, int]] = []  # (client index, message index) for the check
        self.lost = 0
        self._waiting: dict[Key, asyncio.Future[float | None]] = {}
        self._watch(bench.app.desk.ctx.telegram)

    def _watch(self, gateway: Any) -> None:
        original = gateway.copy
        waiting = self._waiting

        async def watched(from_chat: int, message_id: int, *args: Any, **kwargs: Any) -> Any:
            try:
                result = await original(from_chat, message_id, *args, **kwargs)
            except BaseException:
                _resolve(waiting.pop((from_chat, message_id), None), None)
                raise
            _resolve(waiting.pop((from_chat, message_id), None), time.perf_counter())
            return result

        gateway.copy = watched

    async def one(self) -> float | None:
        """One probe's latency in seconds (None: no copy in PROBE_TIMEOUT, or it failed)."""
        client = self.people[next(self.turn) % len(self.people)]
        index = self.next[client]
        self.next[client] += 1
        self.sent.append((client, index))
        seen = self.bench.send(client, index)
        pushed = time.perf_counter()
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[self.bench.clients[client].id, seen.id] = waiter
        try:
            copied = await asyncio.wait_for(waiter, PROBE_TIMEOUT)
        except TimeoutError:
            copied = None
        if copied is None:
            self.lost += 1
            return None
        return copied - pushed

    async def run(self, count: int | None = None,
                  until: asyncio.Future[Any] | None = None) -> list[float]:
        """`count` probes, or probes until `until` is done."""
        spans: list[float] = []
        for sent in itertools.count():
            if (count is not None and sent >= count) or (until is not None and until.done()):
                break
            span = await self.one()
            if span is not None:
                spans.append(span)
            await asyncio.sleep(PROBE_GAP)
        return spans


def _resolve(waiter: asyncio.Future[float | None] | None, value: float | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(value)


# ----- the HTTP load -----------------------------------------------------------------------

@dataclass
class Load:
    """One kind of request, made `requests` times by the concurrent sessions."""

    label: str
    requests: int
    wall: float = 0.0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)  # status or exception → count
    created: list[int] = field(default_factory=list)  # POST send: the texts answered 201
    walks: int = 0  # GET /v1/clients: walks through every page finished
    relay: list[float] = field(default_factory=list)  # probe latencies meanwhile
    probes_lost: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.wall if self.wall else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


Call = Callable[[aiohttp.ClientSession, int, dict[str, Any], Load], Awaitable[int]]


async def list_page(session: aiohttp.ClientSession, _n: int, memo: dict[str, Any],
                    load: Load) -> int:
    """The next page of this session's walk through all the clients."""
    params = {"limit": str(PAGE)}
    if memo.get("cursor"):
        params["cursor"] = memo["cursor"]
    async with session.get("/v1/clients", params=params) as response:
        if response.status != 200:
            await response.read()
            return response.status
        page = await response.json()
    memo["cursor"] = page["next_cursor"]
    if page["next_cursor"] is None:
        load.walks += 1
    return response.status


def read_client(ids: list[int]) -> Call:
    async def call(session: aiohttp.ClientSession, n: int, _memo: dict[str, Any],
                   _load: Load) -> int:
        async with session.get(f"/v1/clients/{ids[n * SPREAD % len(ids)]}") as response:
            await response.read()
            return response.status
    return call


def send_to(targets: list[int]) -> Call:
    async def call(session: aiohttp.ClientSession, n: int, _memo: dict[str, Any],
                   load: Load) -> int:
        path = f"/v1/clients/{targets[n % len(targets)]}/messages"
        async with session.post(path, json={"text": api_text(n)}) as response:
            await response.read()
            if response.status == 201:
                load.created.append(n)
            return response.status
    return call


async def drive(sessions: list[aiohttp.ClientSession], load: Load, call: Call) -> None:
    """Every session makes requests, one at a time, until `load.requests` were made."""
    numbers = itertools.count()

    async def worker(session: aiohttp.ClientSession) -> None:
        memo: dict[str, Any] = {}
        while (n := next(numbers)) < load.requests:
            start = time.perf_counter()
            try:
                status = await call(session, n, memo, load)
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                load.errors[type(error).__name__] += 1
                memo.clear()
            else:
                if not 200 <= status < 300:
                    load.errors[f"HTTP {status}"] += 1
            load.latencies.append(time.perf_counter() - start)

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(session) for session in sessions))
    load.wall = time.perf_counter() - wall
    load.cpu = time.process_time() - cpu


async def under_load(sessions: list[aiohttp.ClientSession], load: Load, call: Call,
                     probes: Probes) -> Load:
    lost = probes.lost
    driving = asyncio.ensure_future(drive(sessions, load, call))
    load.relay = await probes.run(until=driving)
    await driving
    load.probes_lost = probes.lost - lost
    return load


@contextlib.asynccontextmanager
async def http_sessions(port: int, count: int) -> AsyncIterator[list[aiohttp.ClientSession]]:
    """`count` API clients, each with one kept-alive connection (opened here)."""
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with contextlib.AsyncExitStack() as stack:
        sessions = [await stack.enter_async_context(aiohttp.ClientSession(
            base, headers=headers, connector=aiohttp.TCPConnector(limit=1)))
            for _ in range(count)]
        for session in sessions:
            async with session.get("/v1/clients", params={"limit": "1"}) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"the API answered {response.status} to the warm-up")
        yield sessions


# ----- the run -----------------------------------------------------------------------------

@dataclass
class Outcome:
    population: Population
    database: str
    baseline: list[float]
    baseline_lost: int
    loads: list[Load]
    delivery: Delivery
    in_chats: int = 0  # POST texts the targets received from the bot
    in_threads: int = 0  # POST texts shown in the targets' threads
    errors_logged: int = 0
    flood_waits: int = 0


def count_api_texts(bench: Bench, targets: int) -> tuple[int, int]:
    """How many distinct API texts reached the targets' chats, and their threads."""
    chats = {int(match[1]) for person in bench.clients[:targets] for message in person.chat()
             if message.from_bot and (match := API_TEXT.fullmatch(message.text or ""))}
    threads = set()
    for message in bench.sandbox.group.messages.values():
        text = getattr(message, "message", "") or ""
        match = API_TEXT.fullmatch(text.rsplit("\n", 1)[-1])
        if match is not None and "\n" in text:
            threads.add(int(match[1]))
    return len(chats), len(threads)


async def run(args: argparse.Namespace, population: Population, directory: Path) -> Outcome:
    strict = not args.lax
    with bench_database(args.database, args.database_url, directory) as url:
        async with api_desk(population, url, strict=strict, directory=directory) as bench:
            app = bench.app
            targets = [person.id for person in bench.clients[:population.targets]]
            everyone = sorted([person.id for person in bench.clients]
                              + [SEEDED_IDS + n for n in range(population.seeded)])
            probes = Probes(bench, population.targets, population.probes)
            async with http_sessions(app.http.port, args.concurrency) as sessions:
                baseline = await probes.run(count=args.messages)
                baseline_lost = probes.lost
                loads = []
                for label, call in (
                        (f"GET /v1/clients?limit={PAGE}", list_page),
                        ("GET /v1/clients/{id}", read_client(everyone)),
                        ("POST /v1/clients/{id}/messages", send_to(targets))):
                    loads.append(await under_load(sessions, Load(label, args.requests), call,
                                                  probes))
            await bench.settle()
            outcome = Outcome(population, describe(url), baseline, baseline_lost, loads,
                              check_delivery(bench, probes.sent))
            outcome.in_chats, outcome.in_threads = count_api_texts(bench, population.targets)
            outcome.errors_logged = sum(app.meter.errors.values())
            outcome.flood_waits = app.meter.flood_waits
    return outcome


# ----- the report --------------------------------------------------------------------------

def ms(values: list[float], share: float) -> str:
    return f"{percentile(values, share) * 1e3:,.1f}"


def ratio(values: list[float], base: list[float], share: float) -> str:
    if not values or not base:
        return "n/a"
    return f"{percentile(values, share) / percentile(base, share):.2f}"


def report(args: argparse.Namespace, outcome: Outcome) -> list[str]:
    people = outcome.population
    mode = "lax" if args.lax else "strict"
    per_client = people.warm_seconds / people.real
    lines = [
        f"api bench: {people.clients:,} clients, {args.requests:,} requests per load from "
        f"{args.concurrency} concurrent HTTP clients (aiohttp, keep-alive), {mode} wire, "
        f"sandbox rate limits off, API_RATE_LIMIT={RATE_LIMIT}, desk on {outcome.database}",
        f"clients: {people.real:,} wrote a first message through the sandbox "
        f"({people.targets:,} targets of POST send, {people.probes} relay probes) in "
        f"{people.warm_seconds:.1f} s ({per_client * 1e3:.1f} ms each: all {people.clients:,} "
        f"that way would take about {per_client * people.clients:.0f} s); {people.seeded:,} "
        f"seeded into the database through the storage layer (client row, thread with card "
        f"and root, open atendimento) in {people.seed_seconds:.1f} s, listed and read only",
        "one process, one event loop: the HTTP clients, the desk's HTTP server, the desk, the "
        "sandbox and its people share it; latency is wall time of each request (the client "
        "reading the body included); CPU is the whole process's",
        f"{'load':34}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'CPU ms/req':>12}{'errors':>8}",
    ]
    for load in outcome.loads:
        lines.append(f"{load.label:34}{load.requests:>9,}{load.rate:>9,.0f}"
                     f"{ms(load.latencies, .5):>9}{ms(load.latencies, .95):>9}"
                     f"{ms(load.latencies, .99):>9}{load.cpu / load.requests * 1e3:>12.2f}"
                     f"{load.error_count:>8}")
    for load in outcome.loads:
        if load.errors:
            listed = ", ".join(f"{kind} × {count}" for kind, count in sorted(load.errors.items()))
            lines.append(f"  errors of {load.label}: {listed}")
    pages = -(-people.clients // PAGE)
    lines.append(f"GET /v1/clients: {outcome.loads[0].walks} walks through all {pages} pages "
                 "finished (each session walks from the first page again at the end)")
    post = outcome.loads[2]
    lines.append(f"POST send: {len(post.created):,} answered 201, {outcome.in_chats:,} in the "
                 f"clients' chats, {outcome.in_threads:,} in their threads")
    base = outcome.baseline
    lines.append(f"relay latency, person's send → copy in the thread, ms p50 / p95 (one probe "
                 f"message at a time from {people.probes} clients, {PROBE_GAP * 1e3:g} ms "
                 "apart), and ÷ no load")
    lines.append(f"  {'no API load':38}({len(base):>5}) {ms(base, .5):>8} / {ms(base, .95):>8}")
    for load in outcome.loads:
        lines.append(f"  {'under ' + load.label:38}({len(load.relay):>5}) "
                     f"{ms(load.relay, .5):>8} / {ms(load.relay, .95):>8}   "
                     f"× {ratio(load.relay, base, .5)} / × {ratio(load.relay, base, .95)}")
    lost = outcome.baseline_lost + sum(load.probes_lost for load in outcome.loads)
    verdict = ("every message exactly once, in order" if outcome.delivery.ok
               else "FAILED: " + outcome.delivery.summary())
    lines.append(f"delivery (probes): {verdict}; {lost} not copied within "
                 f"{PROBE_TIMEOUT:g} s")
    lines.append(f"desk: {outcome.errors_logged} errors logged, {outcome.flood_waits} flood "
                 "waits")
    return lines


def failures(outcome: Outcome) -> list[str]:
    found = [f"{load.label}: {load.error_count} errors" for load in outcome.loads
             if load.error_count]
    created = len(outcome.loads[2].created)
    if outcome.in_chats != created or outcome.in_threads != created:
        found.append(f"POST send: {created} answered 201 but {outcome.in_chats} in chats, "
                     f"{outcome.in_threads} in threads")
    lost = outcome.baseline_lost + sum(load.probes_lost for load in outcome.loads)
    if not outcome.delivery.ok or lost:
        found.append("relay probes lost, duplicated or out of order")
    if outcome.errors_logged:
        found.append(f"the desk logged {outcome.errors_logged} errors")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("atendimento bench api", __doc__,
                          "sent by the relay probes with no API load (the baseline)")
    parser.set_defaults(clients=10_000, messages=200)
    parser.add_argument("--requests", type=int, default=2000,
                        help="requests of each kind (GET pages, GET one client, POST send)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="HTTP clients making them at the same time")
    parser.add_argument("--real", type=int, default=None,
                        help=f"clients who write through the sandbox and are sent to (default "
                        f"{REAL_MAX}, at most half of the others)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite",
                        help="sqlite: a new file; postgres: a new schema (dropped afterwards) "
                        "in the database named by ATENDIMENTO_BENCH_DATABASE_URL or "
                        "ATENDIMENTO_TEST_DATABASE_URL")
    parser.add_argument("--database-url", metavar="URL",
                        help="bench on this database instead, used as it is: it must be empty")
    args = parse_bench_args(parser, argv)
    if args.clients <= PROBE_CLIENTS:
        parser.error(f"--clients must be more than {PROBE_CLIENTS} (the relay probes)")
    if args.requests < 1 or args.concurrency < 1:
        parser.error("--requests and --concurrency must be at least 1")
    others = args.clients - PROBE_CLIENTS
    targets = min(REAL_MAX, max(1, others // 2)) if args.real is None else args.real
    if not 1 <= targets <= others:
        parser.error(f"--real must be between 1 and {others} (--clients less the probes)")
    population = Population(args.clients, targets, PROBE_CLIENTS)
    with scratch() as directory:
        outcome = asyncio.run(run(args, population, Path(directory)))
    print("\n".join(report(args, outcome)))
    found = failures(outcome)
    if found:
        print("api bench: " + "; ".join(found), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

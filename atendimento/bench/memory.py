"""`atendimento bench memory`: the idle desk's resident memory on a big SQLite database against
an empty one (the desk in its own process), and the database bytes per message link.

Run: ``python -m atendimento.bench.memory [--clients C] [--links L] [--directory DIR] [--keep]
[--relay K] [--idle SECONDS] [--seed S] [--lax]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from atendimento.bench.harness import texts_dir
from atendimento.bench.size import by_table, on_disk
from atendimento.sandbox import RealClock, Sandbox
from atendimento.sandbox.process import BotProcess
from atendimento.storage import latest_version, migrate_url
from atendimento.storage.fields import to_db_datetime

CLIENTS = 100_000
LINKS = 10_000_000
BATCH = 500_000  # rows per executemany and per transaction
DB_NAME = "atendimento.db"
DESK_MODULE = "atendimento.sandbox.desk_process"
# Ids of the loaded rows: user ids like Telegram's (ten digits), message ids of eight or nine,
# all far from the small ids the sandbox hands out, so the desk's new rows never collide.
FIRST_USER = 6_000_000_000
FIRST_CARD = 100_000_000  # channel posts
FIRST_GROUP_MESSAGE = 100_000_000  # the group: thread roots, then the links' messages
FIRST_PRIVATE_MESSAGE = 100_000_000  # the bot's private chats share one counter
SPAN = timedelta(days=730)  # the links' dates spread over two years before now


# ----- the database ------------------------------------------------------------------------

def stamps(start: datetime, step: timedelta, count: int) -> Iterator[str]:
    """`count` timestamps `step` apart as storage writes them on SQLite (to_db_datetime), but
    without a strftime per row."""
    micro = timedelta(microseconds=1)
    first = (start - datetime(1970, 1, 1, tzinfo=UTC)) // micro  # exact, unlike a float
    step_us = max(1, step // micro)
    days: dict[int, str] = {}
    for n in range(count):
        seconds, micros = divmod(first + n * step_us, 1_000_000)
        day, rest = divmod(seconds, 86_400)
        date = days.get(day)
        if date is None:
            date = days[day] = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")
        yield (f"{date} {rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}."
               f"{micros:06d}")


CLIENT_COLUMNS = ("user_id", "first_name", "last_name", "username", "language_code", "banned",
                  "ban_notice_sent", "messages_while_banned", "blocked_bot", "created_at",
                  "updated_at")
THREAD_COLUMNS = ("id", "client_id", "card_message_id", "thread_root_id", "state", "priority",
                  "pinned", "created_at", "updated_at")
ATENDIMENTO_COLUMNS = ("id", "thread_id", "number", "opened_at")
LINK_COLUMNS = ("atendimento_id", "direction", "client_chat_id", "client_message_id",
                "group_chat_id", "group_message_id", "created_at")
TABLES = {"clients": CLIENT_COLUMNS, "threads": THREAD_COLUMNS,
          "atendimentos": ATENDIMENTO_COLUMNS, "message_links": LINK_COLUMNS}


def check_columns(connection: sqlite3.Connection) -> None:
    """Fail clearly when a migration added a required column this loader does not fill."""
    for table, filled in TABLES.items():
        for _cid, name, _type, notnull, default, primary in connection.execute(
                f"PRAGMA table_info({table})"):
            if notnull and default is None and not primary and name not in filled:
                raise SystemExit(f"memory bench: {table}.{name} is required and the loader "
                                 "does not fill it: update atendimento/bench/memory.py")


def insert(connection: sqlite3.Connection, table: str, rows: Iterator[tuple]) -> None:
    columns = TABLES[table]
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    while True:
        batch = [row for _, row in zip(range(BATCH), rows, strict=False)]
        if not batch:
            return
        with connection:  # one transaction per batch
            connection.executemany(sql, batch)


def client_rows(clients: int, created: str) -> Iterator[tuple]:
    languages = ("pt-br", "pt-br", "es", "en")
    for n in range(clients):
        username = f"cliente_{n}" if n % 2 else None  # about half have a username
        yield (FIRST_USER + n, f"Cliente {n}", "Silva" if n % 3 else None, username,
               languages[n % 4], 0, 0, 0, 0, created, created)


def thread_rows(clients: int, created: str) -> Iterator[tuple]:
    for n in range(clients):
        yield (n + 1, FIRST_USER + n, FIRST_CARD + n, FIRST_GROUP_MESSAGE + n, "open",
               "normal", 0, created, created)


def atendimento_rows(clients: int, created: str) -> Iterator[tuple]:
    for n in range(clients):
        yield (n + 1, n + 1, 1, created)


def link_rows(links: int, clients: int, group_id: int, start: datetime,
              seed: int) -> Iterator[tuple]:
    """Links in time order, each from a client picked at random: the indexes on the client's
    ids grow out of order, as they do when many conversations go on at once. A third are
    the team's answers (to_client), the rest the clients' messages (to_team)."""
    rng = random.Random(seed)
    dates = stamps(start, SPAN / max(1, links), links)
    population = range(clients)
    for first in range(0, links, BATCH):
        picks = rng.choices(population, k=min(BATCH, links - first))
        for offset, client in enumerate(picks):
            n = first + offset
            yield (client + 1, "to_client" if n % 3 == 2 else "to_team", FIRST_USER + client,
                   FIRST_PRIVATE_MESSAGE + n, group_id, FIRST_GROUP_MESSAGE + clients + n,
                   next(dates))


@dataclass
class Load:
    clients: int
    links: int
    empty: int = 0  # bytes: the migrated schema
    with_clients: int = 0  # and the clients, threads and atendimentos
    full: int = 0  # and the links
    clients_seconds: float = 0.0
    links_seconds: float = 0.0
    checkpoint_seconds: float = 0.0
    by_table: dict[str, int] = field(default_factory=dict)

    @property
    def per_link(self) -> float:
        return (self.full - self.with_clients) / self.links if self.links else 0.0


def checkpoint(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def build(path: Path, clients: int, links: int, group_id: int, seed: int) -> Load:
    """The project's schema (its migrations), then rows written straight with sqlite3."""
    load = Load(clients, links)
    migrate_url(f"sqlite:///{path}")  # closing its connection checkpoints the WAL
    load.empty = on_disk(path)
    connection = sqlite3.connect(path, isolation_level="DEFERRED")
    try:
        check_columns(connection)
        # Speed only, for this connection: no fsync, and a cache that holds the indexes.
        for pragma in ("journal_mode=WAL", "synchronous=OFF", "cache_size=-2000000",
                       "temp_store=MEMORY"):
            connection.execute(f"PRAGMA {pragma}")
        now = datetime.now(UTC)
        created = to_db_datetime(now - SPAN - timedelta(days=1))
        began = time.perf_counter()
        insert(connection, "clients", client_rows(clients, created))
        insert(connection, "threads", thread_rows(clients, created))
        insert(connection, "atendimentos", atendimento_rows(clients, created))
        checkpoint(connection)
        load.clients_seconds = time.perf_counter() - began
        load.with_clients = on_disk(path)
        began = time.perf_counter()
        insert(connection, "message_links",
               link_rows(links, clients, group_id, now - SPAN, seed))
        load.links_seconds = time.perf_counter() - began
        began = time.perf_counter()
        checkpoint(connection)
        load.checkpoint_seconds = time.perf_counter() - began
        load.full = on_disk(path)
    finally:
        connection.close()
    load.by_table = by_table(path)
    return load


def count_links(path: Path) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT COUNT(*) FROM message_links").fetchone()[0]
    finally:
        connection.close()


# ----- the desk in its own process ---------------------------------------------------------

@dataclass
class Resident:
    """What /proc/<pid>/status says of the desk's memory, in KiB."""

    rss: int = 0
    hwm: int = 0

    @classmethod
    def of(cls, pid: int) -> Resident:
        fields = {}
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0])
        return cls(fields.get("VmRSS", 0), fields.get("VmHWM", 0))

    def mib(self) -> str:
        return f"VmRSS {self.rss / 1024:,.1f} MiB, VmHWM {self.hwm / 1024:,.1f} MiB"


@dataclass
class DeskRun:
    idle: Resident = field(default_factory=Resident)
    start_seconds: float = 0.0
    relayed: int = 0
    relay_seconds: float = 0.0
    after_relay: Resident | None = None
    exit_code: int | None = None


def desk_command(directory: Path, url: str, channel_id: int) -> list[str]:
    data, session = directory / "data", directory / "session"
    return [sys.executable, "-m", DESK_MODULE, str(data), str(session), url, str(texts_dir()),
            str(channel_id)]


def copied(sandbox: Sandbox, texts: set[str]) -> int:
    return sum(1 for m in sandbox.group.messages.values()
               if getattr(m, "message", None) in texts)


async def relay(sandbox: Sandbox, count: int, run: DeskRun, timeout: float = 60.0) -> None:
    """`count` new clients write once each; wait (real time) until every copy is in the
    group: a card, a thread and a link each, on top of the big tables."""
    texts = {f"memory bench relay {n}" for n in range(count)}
    began = time.perf_counter()
    for n in range(count):
        sandbox.client(f"Relay {n}").send(f"memory bench relay {n}")
    while copied(sandbox, texts) < count and time.perf_counter() - began < timeout:
        await asyncio.sleep(0.01)
    run.relay_seconds = time.perf_counter() - began
    run.relayed = copied(sandbox, texts)


async def run_desk(url: str, directory: Path, *, idle: float, relays: int,
                   strict: bool) -> DeskRun:
    """Start the desk process on `url`, let it idle, read its memory, maybe relay, stop it."""
    result = DeskRun()
    # The desk process sleeps on the real clock, so the sandbox must tell the same time; no
    # rate limits: a few relays are all it sends, and they are not what is measured.
    async with Sandbox(strict=strict, clock=RealClock()) as sandbox:
        sandbox.world.limits.enabled = False
        desk: BotProcess = sandbox.bot_process(desk_command(directory, url,
                                                            sandbox.channel_chat_id))
        began = time.perf_counter()
        await desk.start()
        result.start_seconds = time.perf_counter() - began
        await asyncio.sleep(idle)
        result.idle = Resident.of(desk.process.pid)
        if relays:
            await relay(sandbox, relays, result)
            result.after_relay = Resident.of(desk.process.pid)
        result.exit_code = await desk.stop()
    return result


# ----- the report --------------------------------------------------------------------------

def size(count: int) -> str:
    return f"{count:,} bytes ({count / 2**20:,.1f} MiB)"


def load_lines(load: Load) -> list[str]:
    rate = load.links / load.links_seconds if load.links_seconds else 0.0
    lines = [
        f"memory bench: {load.clients:,} clients (one thread and one open atendimento each) "
        f"and {load.links:,} message links (each from a client picked at random, in time "
        f"order) written straight into SQLite with sqlite3, on the project's schema "
        f"(migrations 1–{latest_version()})",
        f"load: clients, threads and atendimentos {load.clients_seconds:,.1f} s; links "
        f"{load.links_seconds:,.1f} s ({rate:,.0f} links/s, batches of {BATCH:,}, "
        f"synchronous=OFF, WAL); final checkpoint {load.checkpoint_seconds:,.1f} s",
        f"database file (WAL checkpointed): empty schema {size(load.empty)}; with the clients "
        f"{size(load.with_clients)}; with the links {size(load.full)}",
        f"bytes per message link: {load.per_link:,.1f} (the links' growth ÷ links); "
        f"{load.full / max(1, load.links):,.1f} (the whole file ÷ links); one relayed text "
        "message makes one link",
    ]
    if load.by_table:
        lines.append("by table and index (dbstat): " + tables_line(load.by_table))
    return lines


def tables_line(sizes: dict[str, int]) -> str:
    """The tables and indexes that hold at least 1% of the file, largest first."""
    total = sum(sizes.values())
    big = {name: n for name, n in sizes.items() if n >= total / 100}
    rest = total - sum(big.values())
    parts = [f"{name} {n / 2**20:,.1f} MiB" for name, n in big.items()]
    others = len(sizes) - len(big)
    if others:
        parts.append(f"{others} others {rest / 2**20:,.1f} MiB")
    return ", ".join(parts)


def desk_lines(empty: DeskRun, big: DeskRun, load: Load, idle: float,
               relays: int, links_after: int) -> list[str]:
    rss = round((big.idle.rss - empty.idle.rss) / 1024, 1) + 0.0  # no "-0.0"
    hwm = round((big.idle.hwm - empty.idle.hwm) / 1024, 1) + 0.0
    lines = [
        f"the desk in its own process (python -m {DESK_MODULE}: the real App on a "
        f"SandboxClient), {idle:g} s idle after it announced it was ready:",
        f"  on an empty database: {empty.idle.mib()} (start {empty.start_seconds:,.2f} s)",
        f"  on the big database:  {big.idle.mib()} (start {big.start_seconds:,.2f} s)",
        f"  difference: {rss:+,.1f} MiB VmRSS, {hwm:+,.1f} MiB VmHWM",
    ]
    if relays and big.after_relay is not None:
        each = big.relay_seconds / max(1, big.relayed) * 1e3
        lines.append(
            f"relayed {big.relayed} of {relays} messages from {relays} new clients (a card, a "
            f"thread and a link each) through the desk on the big database in "
            f"{big.relay_seconds:,.2f} s ({each:,.0f} ms each, real time); message links "
            f"afterwards: {links_after:,} (expected {load.links + relays:,}); then "
            f"{big.after_relay.mib()}")
    lines.append(f"desk exit codes on SIGTERM: {empty.exit_code} (empty), "
                 f"{big.exit_code} (big)")
    return lines


# ----- main --------------------------------------------------------------------------------

@contextlib.contextmanager
def workspace(directory: str | None, keep: bool) -> Iterator[Path]:
    """Where the database goes: `directory` (made if missing), else a temporary directory,
    removed afterwards unless `keep`."""
    if directory is not None:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        yield path
    elif keep:
        yield Path(tempfile.mkdtemp(prefix="atendimento-bench-memory-"))
    else:
        with tempfile.TemporaryDirectory(prefix="atendimento-bench-memory-") as made:
            yield Path(made)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="atendimento bench memory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=CLIENTS, help="clients to load")
    parser.add_argument("--links", type=int, default=LINKS, help="message links to load")
    parser.add_argument("--directory", help="put the database here (default: a temporary "
                        "directory); one already there is replaced")
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    parser.add_argument("--relay", type=int, default=5, metavar="K",
                        help="messages from new clients to relay through the desk on the big "
                        "database (0: none)")
    parser.add_argument("--idle", type=float, default=2.0, metavar="SECONDS",
                        help="real seconds the desk idles before its memory is read")
    parser.add_argument("--seed", type=int, default=0, help="which client writes each link")
    parser.add_argument("--lax", action="store_true", help="turn strict wire checks off")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.links < 0 or args.relay < 0 or args.idle < 0:
        parser.error("--clients must be at least 1; --links, --relay and --idle not negative")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return args


def fresh(path: Path) -> None:
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        each.unlink(missing_ok=True)


async def desks(args: argparse.Namespace, big: Path, scratch: Path) -> tuple[DeskRun, DeskRun]:
    empty = scratch / "empty.db"
    migrate_url(f"sqlite:///{empty}")
    strict = not args.lax
    baseline = await run_desk(f"sqlite:///{empty}", scratch / "empty", idle=args.idle,
                              relays=0, strict=strict)
    loaded = await run_desk(f"sqlite:///{big}", scratch / "big", idle=args.idle,
                            relays=args.relay, strict=strict)
    return baseline, loaded


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if importlib.util.find_spec(DESK_MODULE) is None:
        print(f"memory bench: {DESK_MODULE} (the desk in its own process) is missing",
              file=sys.stderr)
        return 2
    # The sandbox's discussion group, as every fresh sandbox numbers it: the links' chat.
    group_id = Sandbox(strict=False).group_chat_id
    with workspace(args.directory, args.keep) as where, \
            tempfile.TemporaryDirectory(prefix="atendimento-bench-desk-") as scratch:
        path = where / DB_NAME
        fresh(path)
        load = build(path, args.clients, args.links, group_id, args.seed)
        print("\n".join(load_lines(load)), flush=True)
        empty, big = asyncio.run(desks(args, path, Path(scratch)))
        links_after = count_links(path)
        print("\n".join(desk_lines(empty, big, load, args.idle, args.relay, links_after)))
        if args.keep:
            print(f"database kept: {path}")
        else:
            fresh(path)
    if big.relayed < args.relay or links_after != args.links + big.relayed:
        print("memory bench: the desk on the big database did not relay every message",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

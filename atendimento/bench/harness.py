"""What the desk benchmarks share: a database to bench on, the desk or a bare copying bot in a
sandbox, clients warmed up, a burst of messages, and the check that each arrived exactly once."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import tempfile
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from pyrogram import filters, types
from pyrogram.handlers import MessageHandler

from atendimento.app import App
from atendimento.sandbox import Sandbox
from atendimento.sandbox.people import Person
from atendimento.sandbox.views import Seen
from atendimento.sandboxed import sandbox_app, sandbox_config, settle

POSTGRES_ENVS = ("ATENDIMENTO_BENCH_DATABASE_URL", "ATENDIMENTO_TEST_DATABASE_URL")
BENCH_TEXT = re.compile(r"bench c(\d+) m(\d+)")


def texts_dir() -> Path:
    """./respostas when there is one, else the texts of the clone this package runs from."""
    here = Path("respostas")
    return here if here.is_dir() else Path(__file__).resolve().parents[2] / "respostas"


def message_text(client: int, index: int) -> str:
    return f"bench c{client} m{index}"


def plan(messages: int, clients: int) -> list[tuple[int, int]]:
    """(client, index within that client) for each message, spread round-robin."""
    return [(n % clients, n // clients) for n in range(messages)]


# ----- databases ---------------------------------------------------------------------------

def postgres_url() -> str:
    url = next((os.environ[e] for e in POSTGRES_ENVS if os.environ.get(e)), None)
    if not url:
        raise SystemExit("--database postgres needs a server: set one of "
                         + ", ".join(POSTGRES_ENVS) + " (or give --database-url)")
    return url


def is_postgres(url: str) -> bool:
    return url.split(":", 1)[0].lower() in ("postgresql", "postgres")


def with_search_path(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = urlencode({"options": f"-csearch_path={schema}"})
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit(parts._replace(query=joined))


@contextlib.contextmanager
def bench_database(kind: str, url: str | None, directory: Path) -> Iterator[str]:
    """The database to bench on: `url` as it is (it must be empty), else a new SQLite file in
    `directory`, or a schema of its own in the PostgreSQL database of POSTGRES_ENVS (dropped
    afterwards)."""
    if url is not None:
        yield url
        return
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'atendimento.db'}"
        return
    from atendimento.storage import open_database

    server = postgres_url()
    admin = open_database(server)
    schema = f"atd_bench_{uuid.uuid4().hex[:12]}"
    admin.execute_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_search_path(server, schema)
    finally:
        admin.execute_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def describe(url: str) -> str:
    from atendimento.storage.db import redact_url

    return "PostgreSQL" if is_postgres(url) else f"SQLite ({redact_url(url)})"


# ----- the two bots ------------------------------------------------------------------------

@dataclass
class Bench:
    """One sandbox with one bot (the desk or the bare copier) and its warmed-up clients."""

    sandbox: Sandbox
    clients: list[Person]
    roots: dict[int, int] = field(default_factory=dict)  # client id -> thread root F
    app: App | None = None
    bot: object | None = None

    async def settle(self) -> None:
        await settle(self.sandbox, self.app)

    def send(self, client: int, index: int) -> Seen:
        return self.clients[client].send(message_text(client, index))


@contextlib.asynccontextmanager
async def desk_bench(clients: int, database_url: str, *, strict: bool,
                     directory: Path) -> AsyncIterator[Bench]:
    """The real desk on `database_url`, each client with its card and thread already."""
    async with Sandbox(strict=strict) as sandbox:
        sandbox.world.limits.enabled = False
        session = directory / "session"
        session.mkdir(exist_ok=True)
        config = sandbox_config(sandbox, directory / "data", DATABASE_URL=database_url,
                                TEXTS_DIR=str(texts_dir()), TIMEZONE="America/Sao_Paulo")
        app = sandbox_app(sandbox, config, session)
        await app.start()
        try:
            bench = Bench(sandbox, [sandbox.client(f"Client {i}") for i in range(clients)],
                          app=app)
            await bench.settle()
            for person in bench.clients:
                person.send("warm up")
            await bench.settle()
            bench.roots = desk_roots(sandbox, bench.clients)
            yield bench
        finally:
            await app.stop()


def desk_roots(sandbox: Sandbox, clients: list[Person]) -> dict[int, int]:
    by_tag = {}
    for post in sandbox.posts():
        for word in post.text.split():
            if word.startswith("#c"):
                by_tag[word] = post.id
    return {c.id: sandbox.thread_root(by_tag[f"#c{c.id}"]) for c in clients}


@contextlib.asynccontextmanager
async def bare_bench(clients: int, *, strict: bool,
                     session_dir: Path | None = None) -> AsyncIterator[Bench]:
    """A pyrogram bot that only copies each private message into the sender's thread; its
    session is a file in `session_dir` (pyrogram's default, and the desk's) or in memory."""
    async with Sandbox(strict=strict) as sandbox:
        sandbox.world.limits.enabled = False
        group = sandbox.group_chat_id
        roots: dict[int, int] = {}

        async def copy(_client, message: types.Message) -> None:
            await message.copy(group, reply_parameters=types.ReplyParameters(
                message_id=roots[message.chat.id]))

        where = {"workdir": session_dir} if session_dir is not None else {}
        bot = sandbox.bot_client("bare", workers=1, **where)
        bot.add_handler(MessageHandler(copy, filters.private & filters.incoming))
        await sandbox.start_bot(lambda _sb: bot.start())
        bench = Bench(sandbox, [sandbox.client(f"Client {i}") for i in range(clients)],
                      roots=roots, bot=bot)
        for person in bench.clients:
            post = await bot.send_message(sandbox.channel_chat_id, f"card of {person.id}")
            roots[person.id] = sandbox.thread_root(post.id)
        for person in bench.clients:
            person.send("warm up")
        await bench.settle()
        yield bench


# ----- the check ---------------------------------------------------------------------------

@dataclass
class Delivery:
    missing: int = 0
    duplicated: int = 0
    misplaced: int = 0  # in another client's thread
    out_of_order: int = 0  # clients whose copies are not in the order they were sent

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.misplaced or self.out_of_order)

    def summary(self) -> str:
        return (f"{self.missing} missing, {self.duplicated} duplicated, {self.misplaced} in "
                f"the wrong thread, {self.out_of_order} clients out of order")


def check_delivery(bench: Bench, sent: list[tuple[int, int]]) -> Delivery:
    """Every bench message must be in its client's thread exactly once, in the order sent."""
    seen: dict[tuple[int, int], list[int]] = defaultdict(list)  # (client, index) -> roots
    order: dict[int, list[int]] = defaultdict(list)
    for _ident, message in sorted(bench.sandbox.group.messages.items()):
        match = BENCH_TEXT.fullmatch(getattr(message, "message", "") or "")
        if match is None:
            continue
        client, index = int(match[1]), int(match[2])
        header = message.reply_to
        root = header.reply_to_top_id or header.reply_to_msg_id if header else None
        seen[client, index].append(root)
        order[client].append(index)
    result = Delivery()
    expected = set(sent)
    for key in expected:
        roots = seen.get(key, [])
        if not roots:
            result.missing += 1
        elif len(roots) > 1:
            result.duplicated += len(roots) - 1
        if any(r != bench.roots[bench.clients[key[0]].id] for r in roots):
            result.misplaced += 1
    result.duplicated += sum(len(v) for k, v in seen.items() if k not in expected)
    result.out_of_order = sum(1 for indexes in order.values() if indexes != sorted(indexes))
    return result


def scratch() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="atendimento-bench-")


def bench_parser(prog: str, description: str | None, what: str) -> argparse.ArgumentParser:
    """The options every desk benchmark takes: how many messages, from how many clients."""
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000, help=f"messages {what}")
    parser.add_argument("--clients", type=int, default=50, help="clients sending them")
    parser.add_argument("--lax", action="store_true", help="turn strict wire checks off")
    return parser


def parse_bench_args(parser: argparse.ArgumentParser,
                     argv: list[str] | None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if args.messages < 1 or args.clients < 1:
        parser.error("--messages and --clients must be at least 1")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return args

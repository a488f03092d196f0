"""Story: the database is unavailable for a moment while clients write and the team answers;
afterwards every message has been delivered exactly once, in order (design.md §4.2, §4.3).

On PostgreSQL the server is restarted (`pg_ctl restart -m fast`): every connection is cut and
for a moment nothing answers. That needs a way to run pg_ctl on the test server, given in
ATENDIMENTO_TEST_PG_CTL as a command prefix (.ci/run sets it; see `pg_ctl_prefix`). On SQLite,
which has no server, another connection (a backup, a CLI command) holds the write lock for a
moment instead.

The outage lasts real time, while the desk's waits follow the sandbox's clock: a wait the desk
begins during the outage lasts until the outage is over, as it would if the outage were shorter
than the desk's back-off.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import sqlite3
from collections.abc import Awaitable, Callable

import pytest

from atendimento.sandbox import Sandbox
from atendimento.sandbox.limits import Clock

from .conftest import RunningDesk, bot_said, card_of

PG_CTL_ENV = "ATENDIMENTO_TEST_PG_CTL"
PATIENCE = 60.0  # real seconds before a story that waits for the desk gives up
MOMENT = 0.2  # real seconds SQLite's write lock is held: about what a restart takes
ROUNDS_MAX = 200


class OutageClock(Clock):
    """The sandbox's clock, except that a wait begun during an outage ends after it."""

    def __init__(self) -> None:
        super().__init__()
        self.outage: asyncio.Task | None = None

    async def sleep(self, seconds: float) -> None:
        outage = self.outage
        if outage is not None and not outage.done():
            await asyncio.wait([outage])
        await super().sleep(seconds)


def pg_ctl_prefix() -> list[str]:
    prefix = os.environ.get(PG_CTL_ENV, "")
    if not prefix.strip():
        pytest.fail(
            f"{PG_CTL_ENV} is not set, so the PostgreSQL server cannot be restarted. Set it to "
            "a command prefix that runs pg_ctl on the server ATENDIMENTO_TEST_DATABASE_URL "
            "points at, as the server's user, with its data directory and log file, e.g. "
            f"{PG_CTL_ENV}='runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl "
            "-D /path/to/data -l /path/to/server.log' (.ci/run sets it for its own server).",
            pytrace=False)
    return shlex.split(prefix)


async def restart_postgres(prefix: list[str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *prefix, "restart", "-m", "fast", "-w", stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    if process.returncode != 0:
        pytest.fail(f"pg_ctl restart failed ({process.returncode}): {output.decode()}")


async def lock_sqlite(path: str) -> None:
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        await asyncio.sleep(MOMENT)
        other.execute("ROLLBACK")
    finally:
        other.close()


def outage_for(backend: str, database_url: str) -> Callable[[], Awaitable[None]]:
    if backend == "postgresql":
        prefix = pg_ctl_prefix()
        return lambda: restart_postgres(prefix)
    path = database_url.removeprefix("sqlite:///").split("?", 1)[0]
    return lambda: lock_sqlite(path)


def relayed(sandbox: Sandbox, person, written: list[str]) -> list[str]:
    """Which of `written` the desk copied into the person's thread, as often as it did."""
    thread = sandbox.thread(card_of(sandbox, person))
    return [m.text for m in thread if m.from_bot and m.text in written]


async def settled(desk: RunningDesk) -> None:
    try:
        await asyncio.wait_for(desk.settle(), PATIENCE)
    except TimeoutError:
        pytest.fail("the desk is still busy long after the database came back")


class Conversations:
    """Ana and Bruno write, Eva answers each of them, round after round."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.eva = sandbox.team_member("Eva Lima")
        self.people = {sandbox.client("Ana Souza"): "Ana", sandbox.client("Bruno Reis"): "Bruno"}
        self.written: dict = {person: [] for person in self.people}
        self.answers: dict = {person: [] for person in self.people}

    def first_contact(self) -> None:
        for person, name in self.people.items():
            self._write(person, f"Oi, sou {name}")

    def round(self, label: str) -> None:
        for person, name in self.people.items():
            self._write(person, f"{name} {label}")
            answer = f"para {name} {label}"
            self.eva.comment(card_of(self.sandbox, person), answer)
            self.answers[person].append(answer)

    def _write(self, person, text: str) -> None:
        person.send(text)
        self.written[person].append(text)


@pytest.fixture
async def outage_story(database_backend, database_url, tmp_path, request):
    """Conversations going on with the desk, then the database unavailable for a moment while
    they go on, then one more round; yields the sandbox, the desk and the conversations."""
    outage = outage_for(database_backend, database_url)
    clock = OutageClock()
    sandbox = Sandbox(strict=True, clock=clock)
    sandbox.world.limits.enabled = False  # rate limits are not this story's subject
    await sandbox.start()
    desk = RunningDesk(sandbox, tmp_path, database_url)
    try:
        await desk.start()
        talk = Conversations(sandbox)
        talk.first_contact()
        await settled(desk)
        talk.round("antes")
        await settled(desk)

        clock.outage = asyncio.create_task(outage())
        rounds = 0
        while not clock.outage.done() and rounds < ROUNDS_MAX:
            rounds += 1
            talk.round(f"durante {rounds}")
            await asyncio.sleep(0.005)  # a few milliseconds for the desk to get going
        await clock.outage
        talk.round("depois")
        await settled(desk)
        yield sandbox, desk, talk
    finally:
        await desk.stop()
        await sandbox.close()
        if database_backend == "postgresql":
            # The restart cut the fixtures' own connection too: let it reconnect for the
            # schema's teardown and the tests after this one.
            request.getfixturevalue("postgres_admin").close()


async def test_every_message_is_delivered_once_in_order_across_the_outage(outage_story):
    sandbox, _desk, talk = outage_story
    for person in talk.people:
        assert relayed(sandbox, person, talk.written[person]) == talk.written[person]
        assert bot_said(person) == talk.answers[person]


async def test_the_team_can_answer_in_reply_to_what_was_written_during_the_outage(
        outage_story):
    sandbox, desk, talk = outage_story
    ana = next(iter(talk.people))
    copies = [m for m in sandbox.thread(card_of(sandbox, ana))
              if m.from_bot and m.text in talk.written[ana]]
    for copy in copies:
        talk.eva.reply(copy, f"sobre: {copy.text}")
    await settled(desk)

    originals = {m.id: m.text for m in ana.chat() if not m.from_bot}
    quoted = [(m.text, originals.get(m.reply_to)) for m in ana.chat()
              if m.from_bot and m.text.startswith("sobre: ")]
    assert quoted == [(f"sobre: {text}", text) for text in talk.written[ana]]

"""The sandbox server: answers a bot's raw calls over the wire and pushes Updates to it.

It runs as a task in the caller's event loop and listens on a unix socket, so a bot can be a
SandboxClient in the same loop or a separate process. Calls are answered synchronously, one at a
time and in order, which keeps every run deterministic.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field

from pyrogram import raw

from . import callbacks, chats, inline, methods, state, uploads
from .errors import Fail, not_implemented
from .methods import Call
from .wire import Frame, Kind, WireError, decode_call, encode, read_frame, write_frame
from .world import World

log = logging.getLogger(__name__)
WRAPPERS = (raw.functions.InvokeWithoutUpdates, raw.functions.InvokeWithTakeout)


def method_name(query: object) -> str:
    return ".".join(type(query).QUALNAME.split(".")[1:])


@dataclass(eq=False)
class Session:
    writer: asyncio.StreamWriter
    user_id: int = 0
    probes: dict[int, asyncio.Future] = field(default_factory=dict)


class Server:
    """Owns the world's wire side: sessions, dispatch, pushes, and ``settle``."""

    def __init__(self, world: World, *, strict: bool = True, path: str | None = None) -> None:
        self.world = world
        self.strict = strict
        self._dir = None if path else tempfile.TemporaryDirectory(prefix="sandbox-")
        self.path = path or os.path.join(self._dir.name, "telegram.sock")
        self.sessions: list[Session] = []
        self.calls: list[str] = []  # every raw method the bot called, in order
        self.unimplemented: list[str] = []  # raw methods asked for but not simulated
        self.activity = 0  # calls received + pushes sent: settle waits until it stops moving
        self.pushed = 0
        self.service_seconds = 0.0  # time spent answering calls: the sandbox's own share
        self._table: dict = {}
        for module in (methods, chats, state, inline, uploads, callbacks):
            self._table.update(module.handlers())
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._probe_ids = itertools.count(1)
        self._joined = asyncio.Event()
        world.push = self.push

    async def start(self) -> Server:
        self._server = await asyncio.start_unix_server(self._serve, path=self.path)
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for session in list(self.sessions):
                session.writer.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._dir is not None:
            self._dir.cleanup()

    # ----- dispatch --------------------------------------------------------------------------
    def answer(self, query: object) -> tuple[Kind, bytes, list]:
        """The frame kind and body answering ``query``, and the Updates to push after it."""
        while isinstance(query, WRAPPERS):
            query = query.query
        name = method_name(query)
        self.calls.append(name)
        call = Call(self.world)
        try:
            fault = self.world.faults.take(name)
            if fault is not None:
                raise fault
            handler = self._table.get(type(query))
            if handler is None:
                self.unimplemented.append(name)
                log.error("sandbox: raw method %s is not simulated", name)
                raise not_implemented(name)
            result = handler(call, query)
        except Fail as fail:
            return Kind.ERROR, fail.raw().write(), call.pushes
        return Kind.RESULT, encode(result), call.pushes

    def push(self, updates: raw.types.Updates) -> None:
        body = updates.write()
        self.pushed += 1
        self.activity += 1
        for session in self.sessions:
            write_frame(session.writer, Kind.UPDATES, 0, body)

    # ----- connections -----------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = Session(writer)
        self.sessions.append(session)
        self._joined.set()
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            while True:
                frame = await read_frame(reader)
                self._on_frame(session, frame)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            # Ending normally even when cancelled: asyncio's stream callback would otherwise
            # log the cancellation as an error.
            pass
        except WireError:
            log.exception("sandbox: bad frame from the bot")
        finally:
            self._drop(session)
            self._tasks.discard(task)
            self._joined.set()
            writer.close()

    def _on_frame(self, session: Session, frame: Frame) -> None:
        if frame.kind is Kind.HELLO:
            session.user_id = frame.ident
        elif frame.kind is Kind.IDLE:
            future = session.probes.pop(frame.ident, None)
            if future is not None and not future.done():
                future.set_result(None)
        elif frame.kind is Kind.CALL:
            self.activity += 1
            began = time.perf_counter()
            query = decode_call(frame.body, self.strict)
            kind, body, pushes = self.answer(query)
            write_frame(session.writer, kind, frame.ident, body)
            for updates in pushes:
                self.push(updates)
            if kind is Kind.RESULT and self.world.switches.own_outgoing_to_other_sessions:
                self._mirror(session, body)
            self.service_seconds += time.perf_counter() - began
        else:
            raise WireError(f"unexpected {frame.kind.name} from a client")

    def _mirror(self, origin: Session, body: bytes) -> None:
        # telegram.md §8 (UNCONFIRMED, off by default): the bot's other sessions also receive
        # what one session sent.
        others = [s for s in self.sessions if s is not origin]
        if not others or not body.startswith(raw.types.Updates.ID.to_bytes(4, "little")):
            return
        self.activity += 1
        for other in others:
            write_frame(other.writer, Kind.UPDATES, 0, body)

    def _drop(self, session: Session) -> None:
        if session in self.sessions:
            self.sessions.remove(session)
        for future in session.probes.values():
            if not future.done():
                future.set_result(None)  # a dead bot has nothing left to do

    # ----- settle ----------------------------------------------------------------------------
    async def wait_sessions(self, count: int) -> None:
        """Return once exactly ``count`` bot sessions are connected."""
        while len(self.sessions) != count:
            self._joined.clear()
            await self._joined.wait()

    async def settle(self, max_rounds: int = 10_000) -> None:
        """Return when every connected bot has handled everything pushed to it, and its
        handlers made no further calls: the server asks each session to report idleness and
        repeats while anything happened in between. No timers are involved."""
        for _ in range(max_rounds):
            mark = self.activity
            waits = []
            for session in list(self.sessions):
                ident = next(self._probe_ids)
                future = asyncio.get_running_loop().create_future()
                session.probes[ident] = future
                write_frame(session.writer, Kind.PROBE, ident)
                waits.append(future)
            if waits:
                await asyncio.gather(*waits)
            if self.activity == mark:
                return
        raise RuntimeError("sandbox: the bot never became idle (a loop of updates?)")

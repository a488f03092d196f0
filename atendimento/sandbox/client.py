"""SandboxClient: a pyrogram Client that talks to the sandbox server instead of Telegram.

Only the transport changes: a pre-filled session (no key exchange), ``invoke`` over the local
socket, ``fetch_peers`` after each result, and the FloodWait auto-sleep of ``Session.invoke``
(telegram.md §7.7) with an injectable sleep. Parsing, filters, dispatcher, peer storage and gap
recovery are pyrogram's own, so the desk runs here exactly as in production.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections.abc import Awaitable, Callable

import pyrogram
from pyrogram.errors import FloodPremiumWait, FloodWait, RPCError

from .wire import Kind, WireError, decode, read_frame, write_frame

log = logging.getLogger(__name__)
ENV_SOCKET = "ATENDIMENTO_SANDBOX_SOCKET"
ENV_BOT_ID = "ATENDIMENTO_SANDBOX_BOT_ID"
AUTH_KEY = bytes(range(256))  # never used for crypto: the sandbox socket is plain TL


class _TrackingQueue(asyncio.Queue):
    """pyrogram's updates queue, also knowing which worker is busy with an update."""

    def __init__(self, changed: asyncio.Event) -> None:
        super().__init__()
        self.busy: set[asyncio.Task] = set()
        self._changed = changed

    async def get(self):
        self.busy.discard(asyncio.current_task())
        self._changed.set()
        item = await super().get()
        if item is not None:
            self.busy.add(asyncio.current_task())
        return item

    def put_nowait(self, item) -> None:
        super().put_nowait(item)
        self._changed.set()


class _WireSession:
    """Stands in for pyrogram's media Session: save_file and get_file invoke through it."""

    def __init__(self, client: SandboxClient) -> None:
        self.client = client

    async def invoke(self, query, *args, **kwargs):
        return await self.client._call(query)

    async def stop(self) -> None:
        return None


class SandboxClient(pyrogram.Client):
    """A bot client for the sandbox. ``socket_path`` and ``bot_id`` come from the Sandbox
    (or the environment variables ATENDIMENTO_SANDBOX_SOCKET / _BOT_ID in a bot process).
    Give ``workdir`` (and not ``in_memory``) for a persistent session file."""

    def __init__(
        self,
        name: str,
        *,
        socket_path: str | None = None,
        bot_id: int | None = None,
        strict: bool = True,
        sleep: Callable[[float], Awaitable] | None = None,
        **kwargs,
    ) -> None:
        kwargs.setdefault("api_id", 1)
        kwargs.setdefault("api_hash", "sandbox")
        kwargs.setdefault("workers", 1)
        super().__init__(name, **kwargs)
        self.socket_path = socket_path or os.environ[ENV_SOCKET]
        self.bot_id = bot_id or int(os.environ[ENV_BOT_ID])
        self.strict = strict
        self.sleep = sleep or asyncio.sleep
        self._changed = asyncio.Event()
        self.dispatcher.updates_queue = _TrackingQueue(self._changed)
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._inbox: asyncio.Queue = asyncio.Queue()
        self._handling = 0
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task] = []
        self._probes: set[asyncio.Task] = set()

    # ----- session -----------------------------------------------------------------------
    async def load_session(self) -> None:
        await self.storage.open()
        if await self.storage.auth_key() is None:
            # What a finished login leaves in storage (telegram.md §7.3), minus the handshake.
            await self.storage.dc_id(2)
            await self.storage.api_id(self.api_id)
            await self.storage.test_mode(False)
            await self.storage.auth_key(AUTH_KEY)
            await self.storage.user_id(self.bot_id)
            await self.storage.is_bot(True)
            await self.storage.date(0)

    async def connect(self) -> bool:
        if self.is_connected:
            raise ConnectionError("Client is already connected")
        await self.load_session()
        reader, self._writer = await asyncio.open_unix_connection(self.socket_path)
        write_frame(self._writer, Kind.HELLO, self.bot_id)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._read(reader)), loop.create_task(self._apply())]
        self.is_connected = True
        return True

    async def disconnect(self) -> None:
        if not self.is_connected:
            raise ConnectionError("Client is already disconnected")
        if self.is_initialized:
            raise ConnectionError("Can't disconnect an initialized client")
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks = []
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._fail_pending(ConnectionError("sandbox connection closed"))
        await self.storage.close()
        self.is_connected = False

    # ----- calls -------------------------------------------------------------------------
    async def invoke(
        self,
        query,
        retries: int = 3,
        timeout: float = 15.0,
        sleep_threshold: float | None = None,
        retry_delay: float = 0.5,
        recaptcha_token: str | None = None,
        business_connection_id: str | None = None,
    ):
        if not self.is_connected:
            raise ConnectionError("Client has not been started yet")
        threshold = self.sleep_threshold if sleep_threshold is None else sleep_threshold
        name = ".".join(query.QUALNAME.split(".")[1:])
        while True:
            try:
                result = await self._call(query)
                break
            except (FloodWait, FloodPremiumWait) as error:
                # The policy of pyrogram's Session.invoke, which the sandbox bypasses.
                if error.value is None or error.value > threshold >= 0:
                    raise
                log.warning(
                    '[%s] Waiting for %s seconds before continuing (required by "%s")',
                    self.name,
                    error.value,
                    name,
                )
                await self.sleep(error.value)
        await self.fetch_peers(getattr(result, "users", []))
        await self.fetch_peers(getattr(result, "chats", []))
        return result

    async def _call(self, query):
        if self._writer is None:
            raise ConnectionError("sandbox connection closed")
        ident = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        self._changed.set()
        write_frame(self._writer, Kind.CALL, ident, query.write())
        try:
            kind, body = await future
        finally:
            self._pending.pop(ident, None)
            self._changed.set()
        if kind is Kind.ERROR:
            RPCError.raise_it(decode(body, self.strict), type(query))
        return decode(body, self.strict)

    async def get_session(self, *args, **kwargs) -> _WireSession:
        # Uploads and downloads use a media session that bypasses invoke (telegram.md §7.7):
        # hand them one that speaks over the same wire.
        return _WireSession(self)

    def _fail_pending(self, error: Exception) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)

    # ----- server frames -----------------------------------------------------------------
    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                frame = await read_frame(reader)
                if frame.kind in (Kind.RESULT, Kind.ERROR):
                    future = self._pending.get(frame.ident)
                    if future is not None and not future.done():
                        future.set_result((frame.kind, frame.body))
                elif frame.kind is Kind.UPDATES:
                    self._handling += 1
                    self._inbox.put_nowait(frame.body)
                elif frame.kind is Kind.PROBE:
                    # Keep a reference: the loop holds tasks only weakly.
                    task = asyncio.get_running_loop().create_task(self._report_idle(frame.ident))
                    self._probes.add(task)
                    task.add_done_callback(self._probes.discard)
                else:
                    raise WireError(f"unexpected {frame.kind.name} from the server")
        except (asyncio.IncompleteReadError, ConnectionError):
            self._fail_pending(ConnectionError("sandbox server went away"))

    async def _apply(self) -> None:
        # One consumer keeps pushed Updates in order, as Telegram's single connection does.
        while True:
            body = await self._inbox.get()
            try:
                await self.handle_updates(decode(body, self.strict))
            except Exception:  # one bad push must not stop the consumer; it is logged in full
                log.exception("sandbox: could not handle pushed updates")
            finally:
                self._handling -= 1
                self._changed.set()

    def idle(self) -> bool:
        queue = self.dispatcher.updates_queue
        return not (self._handling or self._pending or queue.qsize() or queue.busy)

    async def _report_idle(self, ident: int) -> None:
        while not self.idle():
            self._changed.clear()
            await self._changed.wait()
        if self._writer is not None:
            write_frame(self._writer, Kind.IDLE, ident)

"""The sandbox's Bot API endpoint: an aiohttp server on 127.0.0.1 speaking the Bot API
(``/bot<token>/<method>`` and ``/file/bot<token>/<path>``) for the sandbox's bot, so that a
real Bot API library (python-telegram-bot with ``base_url``/``base_file_url``) can run against
the same world as the bot's MTProto session (issue 18). ``world.faults.fail("botapi.sendMessage",
"USER_IS_BLOCKED", code=403)`` makes a method fail as the Bot API would word that error.

Parameters come as the Bot API takes them: in the query string, as a form, as multipart (with
files) or as a JSON body. Answers are ``{"ok": true, "result": ...}`` or the Bot API's error
form with the HTTP status of its error_code: 404 "Not Found" for an unknown method or a
malformed token, 401 "Unauthorized" for a well-formed token that is not the bot's.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import re
from collections.abc import Callable

from aiohttp import web
from pyrogram import raw

from ..errors import Fail
from ..world import World
from . import files
from .errors import NOT_FOUND, UNAUTHORIZED, ApiError, translated
from .fanout import Fanout
from .feed import Feed
from .inputs import Params
from .methods import Side, table

log = logging.getLogger(__name__)
TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
UPLOAD_MAX = 50 * 1024 * 1024  # the Bot API's limit for files bots upload
_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def default_token(bot_id: int) -> str:
    """A token of the Bot API's shape (the bot's id, a colon, a secret) for the sandbox bot."""
    return f"{bot_id}:AAESandboxBotApiToken00000000000000"


class BotApi:
    """The Bot API endpoint of the sandbox's bot. ``downstream`` delivers Updates to the bot's
    MTProto sessions (the sandbox server's push); ``fanout.push`` is meant to stand in for
    ``world.push`` while the endpoint runs (``Sandbox.bot_api`` installs it)."""

    def __init__(self, world: World, downstream: Callable[[raw.types.Updates], None], *,
                 token: str | None = None, host: str = "127.0.0.1") -> None:
        self.world = world
        self.token = token or default_token(world.bot.id)
        self.host = host
        self.port = 0
        self.feed = Feed(world.now)
        self.fanout = Fanout(world, downstream, self.feed)
        self.side = Side(world, self.feed, self.fanout)
        self.calls: list[str] = []  # every method called with the right token, as spelt
        self._methods = table()
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(token, base_url=...)``: the
        library appends the token."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> BotApi:
        app = web.Application(client_max_size=UPLOAD_MAX)
        app.router.add_route("*", "/bot{token}/{method}", self._call)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        return self

    async def close(self) -> None:
        await self.feed.close()  # a getUpdates still waiting answers now
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ----- waiting without timers ----------------------------------------------------------
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Return once ``predicate()`` holds, checking it after every request answered and
        every update queued; TimeoutError after ``timeout`` real seconds (a bot that never
        does it), not a pause: it returns as soon as the condition is met."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError("the Bot API side never got there")
            waits = [asyncio.ensure_future(self._changed.wait()),
                     asyncio.ensure_future(self.feed.changed())]
            try:
                await asyncio.wait(waits, timeout=left, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for wait in waits:
                    wait.cancel()

    # ----- HTTP ------------------------------------------------------------------------------
    def _check_token(self, token: str) -> None:
        if token != self.token:
            raise ApiError(*(UNAUTHORIZED if TOKEN_SHAPE.match(token) else NOT_FOUND))

    async def _call(self, request: web.Request) -> web.Response:
        try:
            self._check_token(request.match_info["token"])
            spelt = request.match_info["method"]
            name, method = self._methods.get(spelt.lower(), (spelt, None))
            if method is None:
                raise ApiError(*NOT_FOUND)
            self.calls.append(spelt)
            params = Params(await _values(request))
            try:
                fault = self.world.faults.take(f"botapi.{name}")
                if fault is not None:
                    raise fault
                result = method(self.side, params)
                if inspect.isawaitable(result):
                    result = await result
            except Fail as fail:
                raise translated(fail) from None
        except ApiError as error:
            return web.json_response(error.body(), status=error.code, dumps=_dumps)
        finally:
            self._notify()
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _file(self, request: web.Request) -> web.Response:
        try:
            self._check_token(request.match_info["token"])
            data = files.content(self.world, request.match_info["path"])
        except ApiError as error:
            return web.json_response(error.body(), status=error.code, dumps=_dumps)
        return web.Response(body=data, content_type="application/octet-stream")


async def _values(request: web.Request) -> dict:
    values: dict = dict(request.query)
    if not request.can_read_body:
        return values
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON encoded request") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON object expected")
        values.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values.update((await request.post()).items())
    else:
        raw_body = await request.text()
        if raw_body.strip():
            try:
                values.update(json.loads(raw_body))
            except (ValueError, TypeError):
                raise ApiError(400, "Bad Request: unsupported request body") from None
    return values

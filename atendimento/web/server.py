"""The HTTP server (aiohttp) on HTTP_LISTEN, in the desk's own event loop: every handler
awaits the database in its thread and the desk's lanes, so a request never blocks the bot.

- /v1/…: the REST API, bearer API_TOKEN (compared in constant time), rate-limited per token
  (429 with Retry-After), bodies at most BODY_LIMIT bytes (413) and validated (400).
- /healthz: 200 when Telegram and the database answer, 503 with the reason otherwise.
- /metrics: Prometheus' text format.  /openapi.json: the description of all this.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from atendimento.storage.errors import StorageError
from atendimento.web.actions import DeskActions
from atendimento.web.errors import ApiError
from atendimento.web.limits import Buckets
from atendimento.web.models import ClientsQuery, HandoverBody, SendBody, TagsBody
from atendimento.web.openapi import describe

log = logging.getLogger("atendimento.web")

BODY_LIMIT = 64 * 1024
FAILED_AUTH_RATE = 1.0  # per second and address, bursts of 10
HEALTH_TIMEOUT = 3.0
CLIENT_ID_MAX = 2**63 - 1
# /v1 reads handled at once; the others wait their turn here. The desk has one database
# thread, shared with the relay: a few API reads at a time leave room between them for the
# conversations' own, where a crowd of them would queue each relay behind all of theirs.
# (Sends wait for Telegram, in the client's lane, and are not held here.)
READS_AT_ONCE = 2

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Probe = Callable[[], Awaitable[str | None]]  # None: fine; else what is wrong
Scrape = Callable[[], Awaitable[bytes]]


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(text=json.dumps(body, ensure_ascii=False), status=status,
                        content_type="application/json", headers=headers)


class Server:
    def __init__(self, actions: DeskActions | None, token: str | None, rate: float, *,
                 health: Probe, scrape: Scrape, monotonic: Callable[[], float]) -> None:
        self.actions = actions
        self._token = hashlib.sha256(token.encode()).digest() if token else None
        self._health, self._scrape = health, scrape
        self._per_token = Buckets(rate, max(1.0, 2 * rate), monotonic)
        self._failures = Buckets(FAILED_AUTH_RATE, 10, monotonic)
        self._turns = asyncio.Semaphore(READS_AT_ONCE)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def application(self) -> web.Application:
        app = web.Application(client_max_size=BODY_LIMIT, middlewares=[self._errors])
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/openapi.json", self.openapi)
        v1 = [("GET", "/v1/clients", self.list_clients),
              ("GET", "/v1/clients/{id}", self.client),
              ("GET", "/v1/clients/{id}/atendimentos/{number}", self.timeline),
              ("POST", "/v1/clients/{id}/messages", self.send),
              ("POST", "/v1/clients/{id}/tags", self.tags),
              ("POST", "/v1/clients/{id}/end", self.end),
              ("POST", "/v1/clients/{id}/handover", self.hand_over)]
        for method, path, handler in v1:
            app.router.add_route(method, path, self._authorized(handler))
        return app

    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None,
                                     handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = site._server.sockets if site._server else ()  # the port, when 0 was asked
        self.port = sockets[0].getsockname()[1] if sockets else port
        log.info("HTTP server on %s:%s", host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- around every request ---------------------------------------------------------------

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as error:
            headers = ({"Retry-After": str(math.ceil(error.details["retry_after"]))}
                       if error.status == 429 else None)
            return _json(error.body(), error.status, headers)
        except web.HTTPRequestEntityTooLarge:
            return _json({"error": "too_large", "message": f"bodies take at most {BODY_LIMIT} "
                          "bytes"}, 413)
        except web.HTTPException as error:
            if error.status >= 400:
                code = "not_found" if error.status == 404 else "http_error"
                return _json({"error": code, "message": error.reason}, error.status)
            raise
        except asyncio.CancelledError:
            raise
        except StorageError as error:
            log.warning("%s %s: the database is unavailable: %s", request.method,
                        request.path, error)
            return _json({"error": "database_unavailable", "message": "the desk's database "
                          "does not answer; try again in a moment"}, 503,
                         {"Retry-After": "5"})
        except Exception:
            log.exception("%s %s failed", request.method, request.path)
            return _json({"error": "internal", "message": "the desk failed on this request; "
                          "its log says why"}, 500)

    def _authorized(self, handler: Handler) -> Handler:
        async def checked(request: web.Request) -> web.StreamResponse:
            if self._token is None or self.actions is None:
                raise ApiError(503, "api_off", "the API is off: set API_TOKEN")
            address = request.remote or "?"
            given = request.headers.get("Authorization", "")
            scheme, _, token = given.partition(" ")
            # aiohttp keeps bytes that are not UTF-8 as surrogate escapes: a wrong token
            digest = hashlib.sha256(token.strip().encode("utf-8", "surrogateescape")
                                    ).digest()
            if scheme.lower() != "bearer" or not hmac.compare_digest(digest, self._token):
                wait = self._failures.take(address)
                if wait:
                    raise ApiError(429, "rate_limited", "too many failed authentications",
                                   {"retry_after": wait})
                raise ApiError(401, "unauthorized", "send Authorization: Bearer <API_TOKEN>")
            wait = self._per_token.take(digest.hex())
            if wait:
                raise ApiError(429, "rate_limited", "too many requests: API_RATE_LIMIT",
                               {"retry_after": wait})
            if request.method != "GET":
                return await handler(request)
            async with self._turns:
                return await handler(request)
        return checked

    @staticmethod
    async def _body(request: web.Request, model: type[BaseModel]) -> Any:
        raw = await request.read()
        if request.content_type != "application/json":
            raise ApiError(415, "not_json", "send the body as application/json")
        try:
            return model.model_validate_json(raw or b"{}")
        except ValidationError as error:
            raise ApiError(400, "invalid", "the body is not valid", _problems(error)) from None

    @staticmethod
    def _client_id(request: web.Request) -> int:
        raw = request.match_info["id"]
        if not _digits(raw) or not 0 < int(raw) <= CLIENT_ID_MAX:
            raise ApiError(400, "bad_id", "a client id is the user's Telegram id, a number")
        return int(raw)

    # --- /v1 --------------------------------------------------------------------------------

    async def list_clients(self, request: web.Request) -> web.Response:
        try:
            query = ClientsQuery.model_validate(dict(request.query))
        except ValidationError as error:
            raise ApiError(400, "invalid", "the query is not valid", _problems(error)) from None
        return _json(await self.actions.list_clients(query))

    async def client(self, request: web.Request) -> web.Response:
        return _json(await self.actions.client(self._client_id(request)))

    async def timeline(self, request: web.Request) -> web.Response:
        number = request.match_info["number"]
        if not _digits(number) or not 0 < int(number) < 2**31:
            raise ApiError(400, "bad_number", "an atendimento's number is 1, 2, 3…")
        return _json(await self.actions.timeline(self._client_id(request), int(number)))

    async def send(self, request: web.Request) -> web.Response:
        client_id = self._client_id(request)
        key = _idempotency_key(request)
        body = await self._body(request, SendBody)
        return _json(await self.actions.send(client_id, body, key), 201)

    async def tags(self, request: web.Request) -> web.Response:
        client_id = self._client_id(request)
        body = await self._body(request, TagsBody)
        return _json(await self.actions.tags(client_id, body))

    async def end(self, request: web.Request) -> web.Response:
        client_id = self._client_id(request)
        await request.read()
        return _json(await self.actions.end(client_id))

    async def hand_over(self, request: web.Request) -> web.Response:
        client_id = self._client_id(request)
        body = await self._body(request, HandoverBody)
        return _json(await self.actions.hand_over(client_id, body))

    # --- for operators ----------------------------------------------------------------------

    async def healthz(self, request: web.Request) -> web.Response:
        try:
            problem = await asyncio.wait_for(self._health(), HEALTH_TIMEOUT)
        except TimeoutError:
            problem = f"no answer in {HEALTH_TIMEOUT:g} s"
        if problem is not None:
            return _json({"status": "unhealthy", "reason": problem}, 503)
        return _json({"status": "ok"})

    async def metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=await self._scrape(),
                            headers={"Content-Type": "text/plain; version=0.0.4; "
                                     "charset=utf-8"})

    async def openapi(self, request: web.Request) -> web.Response:
        return _json(describe())


IDEMPOTENCY_KEY = "Idempotency-Key"
KEY_LIMIT = 255


def _idempotency_key(request: web.Request) -> str | None:
    """The caller's key for this request, so that a retry of it sends nothing again."""
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    if not 0 < len(key) <= KEY_LIMIT or not key.isascii() or not key.isprintable():
        raise ApiError(400, "bad_idempotency_key", f"{IDEMPOTENCY_KEY} is 1 to {KEY_LIMIT} "
                       "printable ASCII characters")
    return key


def _digits(raw: str) -> bool:
    """ASCII digits only: str.isdigit() also takes "²" (which int() refuses) and "１"."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 20


def _problems(error: ValidationError) -> list[dict[str, Any]]:
    return [{"field": ".".join(str(part) for part in problem["loc"]) or "(body)",
             "problem": problem["msg"]} for problem in error.errors(include_url=False,
                                                                   include_input=False)]

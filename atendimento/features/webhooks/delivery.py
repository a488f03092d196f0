"""Delivering the queue: the due head of each URL and client is posted, signed at send time;
a 2xx settles it, anything else (another status, a refused connection, a timeout) tries it
again after a pause that doubles from RETRY_FIRST up to RETRY_CAP, until RETRY_FOR has passed
since the event: then it is given up (logged) and the client's next event may go.

Each URL has its own passes, one at a time (a lock per URL), so a row is never posted twice
at once and a receiver that hangs holds up its own events only; a pass goes on until nothing
is due. The app's job runs one every few seconds, and new rows ask for one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from atendimento.desk.ports import Clock
from atendimento.features.webhooks import signing
from atendimento.storage import webhooks as rows

log = logging.getLogger("atendimento.features.webhooks")

RETRY_FIRST = timedelta(seconds=10)
RETRY_CAP = timedelta(hours=1)
RETRY_FOR = timedelta(hours=24)
TIMEOUT = 10.0
AT_ONCE = 8
BATCH = 100
DELIVERED, GAVE_UP, RETRY = "delivered", "gave up", "retry"

# (url, body, headers) -> the HTTP status; raises on a connection that fails
Post = Callable[[str, bytes, dict[str, str]], Awaitable[int]]


def backoff(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failed attempt (1, 2, …)."""
    return min(RETRY_CAP, RETRY_FIRST * 2 ** max(0, attempts - 1))


def shown(url: str) -> str:
    """The URL for a log line: no query string or user info (they may hold secrets)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}" \
           f"{parts.path}"


class Deliverer:
    def __init__(self, storage: Any, secret: str, clock: Clock, urls: Sequence[str],
                 post: Post | None = None) -> None:
        self.storage = storage
        self.urls = frozenset(urls)
        self.secret = secret
        self.clock = clock
        self._post = post
        self._locks = {url: asyncio.Lock() for url in urls}
        self._kicked = False

    async def deliver_due(self) -> int:
        """Post everything due, until nothing is; how many were delivered. Each URL has
        its own pass (one at a time, under its lock), so a receiver that hangs holds up its
        own events only."""
        self._kicked = False
        stray = await self._pass(None, None)  # rows of URLs no longer configured
        counts = await asyncio.gather(*(self._pass(url, lock)
                                        for url, lock in self._locks.items()))
        return stray + sum(counts)

    async def _pass(self, url: str | None, lock: asyncio.Lock | None) -> int:
        """One URL's due heads posted, read again, until none is due (`url` None: the rows
        of URLs no longer in WEBHOOK_URL, given up)."""
        while url is None:  # dropped one by one: each client's next row becomes a head
            due = [d for d in await self.storage.run(rows.heads, self.clock.now(), BATCH)
                   if d.url not in self.urls]
            if not due:
                return 0
            for d in due:
                await self._one(None, d, asyncio.Semaphore(1))
        async with lock:
            delivered = 0
            due = await self.storage.run(rows.heads, self.clock.now(), BATCH, url)
            if not due:
                return 0  # the usual case: no session opened
            async with self._session() as post:
                while True:
                    if not due:
                        return delivered
                    gate = asyncio.Semaphore(AT_ONCE)
                    results = await asyncio.gather(*(self._one(post, d, gate) for d in due))
                    delivered += results.count(DELIVERED)
                    if RETRY in results and len(set(results)) == 1:
                        return delivered  # every head failed: they wait for their pause
                    due = await self.storage.run(rows.heads, self.clock.now(), BATCH, url)

    def kick(self, spawn: Callable[[Any, str], None]) -> None:
        """Ask for a pass soon (at most one waiting)."""
        if not self._kicked:
            self._kicked = True
            spawn(self.deliver_due(), "webhooks:deliver")

    async def _one(self, post: Post, delivery: rows.Delivery, gate: asyncio.Semaphore) -> str:
        if delivery.url not in self.urls:  # WEBHOOK_URL changed since it was queued
            log.warning("webhook %s to %s dropped: the URL is no longer in WEBHOOK_URL",
                        delivery.event_id, shown(delivery.url))
            await self.storage.run(rows.failed, delivery.id, "not in WEBHOOK_URL any more",
                                   self.clock.now())
            return GAVE_UP
        async with gate:
            data = delivery.body.encode()
            headers = {"Content-Type": "application/json",
                       signing.EVENT_ID: delivery.event_id,
                       signing.EVENT_TYPE: delivery.event_type,
                       signing.SIGNATURE: signing.sign(self.secret, data,
                                                       int(self.clock.now().timestamp()))}
            try:
                status = await post(delivery.url, data, headers)
                error = None if 200 <= status < 300 else f"HTTP {status}"
            except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as failure:
                # ValueError: a URL aiohttp cannot use (UnicodeError for an empty label);
                # InvalidURL's text is the whole URL, query and all: never shown
                error = f"{type(failure).__name__}: {failure}".replace(
                    delivery.url, shown(delivery.url))[:300]
            now = self.clock.now()
            if error is None:
                await self.storage.run(rows.delivered, delivery.id, now)
                return DELIVERED
            if now - delivery.created_at >= RETRY_FOR:
                log.warning("webhook %s to %s given up after %d attempts: %s",
                            delivery.event_id, shown(delivery.url), delivery.attempts + 1,
                            error)
                await self.storage.run(rows.failed, delivery.id, error, now)
                return GAVE_UP  # the client's next event may go at once
            log.info("webhook %s to %s failed (%s); again later", delivery.event_id,
                     shown(delivery.url), error)
            await self.storage.run(rows.retry, delivery.id,
                                   now + backoff(delivery.attempts + 1), error)
            return RETRY

    def _session(self) -> Any:
        if self._post is not None:
            return _Given(self._post)
        return _Session()


class _Given:
    def __init__(self, post: Post) -> None:
        self.post = post

    async def __aenter__(self) -> Post:
        return self.post

    async def __aexit__(self, *exc: object) -> None:
        return None


class _Session:
    """One aiohttp session per pass: connections are kept alive within it."""

    async def __aenter__(self) -> Post:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))

        async def post(url: str, data: bytes, headers: dict[str, str]) -> int:
            async with self.session.post(url, data=data, headers=headers,
                                         allow_redirects=False) as response:
                # The answer's body is not read: only the status counts, and a receiver
                # that answers with megabytes must not cost the desk their memory.
                return response.status
        return post

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()


def urls_of(settings: Any) -> Sequence[str]:
    return tuple(settings.get("webhook_urls") or ())

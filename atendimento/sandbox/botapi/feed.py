"""The Bot API side's queue of Updates: getUpdates (long polling with offset, limit, timeout and
allowed_updates), and the webhook (setWebhook/deleteWebhook/getWebhookInfo, deliveries by POST).

Long polling waits for real (it is HTTP), but returns as soon as an update arrives, and a new
getUpdates ends the one still waiting with 409, as the Bot API does. Webhook deliveries go one
at a time in order; a failed one is recorded (getWebhookInfo's last_error_*) and retried when
the next update arrives or when ``deliver()`` is awaited: no timers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import aiohttp

from .errors import TERMINATED, WEBHOOK_ACTIVE, ApiError, bad_request

log = logging.getLogger(__name__)
JSON = dict[str, Any]
# What an empty allowed_updates (or none ever given) means: every type but these.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Feed:
    """Pending updates of the Bot API side, handed out by getUpdates or POSTed to a webhook."""

    def __init__(self, now: Callable[[], int]) -> None:
        self.now = now
        self.pending: list[JSON] = []
        self.next_id = 1
        self.allowed: frozenset[str] | None = None
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.delivered: list[JSON] = []  # every update a webhook accepted, in order
        self._wake = asyncio.Event()
        self._poll = 0  # the current getUpdates call: an older one still waiting ends with 409
        self._closed = False
        self._http: aiohttp.ClientSession | None = None
        self._delivery: asyncio.Task | None = None

    # ----- updates in --------------------------------------------------------------------
    def wants(self, kind: str) -> bool:
        if self.allowed is None:
            return kind not in NOT_BY_DEFAULT
        return kind in self.allowed

    def add(self, kind: str, payload: JSON) -> None:
        """Queue an update of ``kind`` ("message", "callback_query", ...) unless the bot's
        allowed_updates leave that kind out."""
        if not self.wants(kind):
            return
        self.pending.append({"update_id": self.next_id, kind: payload})
        self.next_id += 1
        self._notify()
        if self.url:
            self.kick()

    def _notify(self) -> None:
        self._wake.set()
        self._wake = asyncio.Event()

    def set_allowed(self, value: list[str] | None) -> None:
        # Not given: the previous setting stays; an empty list: back to the default set.
        if value is None:
            return
        self.allowed = frozenset(value) if value else None

    # ----- getUpdates --------------------------------------------------------------------
    async def get(self, offset: int | None, limit: int, timeout: float) -> list[JSON]:
        if self.url:
            raise ApiError(409, f"Conflict: {WEBHOOK_ACTIVE}")
        if not 1 <= limit <= 100:
            limit = 100
        self.confirm(offset)
        self._poll += 1
        ticket = self._poll
        self._notify()  # an older call still waiting ends now
        if not self.pending and timeout > 0 and not self._closed:
            wake = self._wake
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout)
        if ticket != self._poll:
            raise ApiError(409, f"Conflict: {TERMINATED}")
        if self.url:
            raise ApiError(409, f"Conflict: {WEBHOOK_ACTIVE}")
        return self.pending[:limit]

    def confirm(self, offset: int | None) -> None:
        """Forget what ``offset`` confirms: ids below it, or all but the last -offset."""
        if not offset:
            return
        if offset < 0:
            del self.pending[: max(0, len(self.pending) + offset)]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    # ----- webhook -----------------------------------------------------------------------
    def set_webhook(self, url: str, *, secret: str | None, drop_pending: bool,
                    max_connections: int | None) -> None:
        if url and not url.startswith(("https://", "http://")):
            # The sandbox also takes http://, so that a local test server can receive.
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not secret.replace("_", "a").replace("-", "a").isalnum():
            raise bad_request("secret token contains unallowed characters")
        if drop_pending:
            self.pending.clear()
        self.url, self.secret = url, secret if url else None
        if max_connections:
            self.max_connections = max_connections
        self.last_error_date = self.last_error_message = None
        self._notify()  # a getUpdates still waiting now answers 409
        if url:
            self.kick()

    def info(self) -> JSON:
        out: JSON = {"url": self.url, "has_custom_certificate": False,
                     "pending_update_count": len(self.pending)}
        if self.url:
            out["max_connections"] = self.max_connections
        if self.allowed is not None:
            out["allowed_updates"] = sorted(self.allowed)
        if self.last_error_date is not None:
            out["last_error_date"] = self.last_error_date
            out["last_error_message"] = self.last_error_message
        return out

    def kick(self) -> None:
        """Start delivering pending updates to the webhook, unless a delivery is running."""
        if self._closed or (self._delivery is not None and not self._delivery.done()):
            return
        self._delivery = asyncio.get_running_loop().create_task(self._deliver())
        self._delivery.add_done_callback(_log_failure)

    async def deliver(self) -> None:
        """Deliver what is pending now (and wait for it): a retry after a failure."""
        self.kick()
        if self._delivery is not None:
            await asyncio.shield(self._delivery)

    async def _deliver(self) -> None:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        while self.url and self.pending and not self._closed:
            update, url = self.pending[0], self.url
            headers = {SECRET_HEADER: self.secret} if self.secret else {}
            try:
                async with self._http.post(url, json=update, headers=headers) as answer:
                    status, reason = answer.status, answer.reason
            except aiohttp.ClientError as error:
                self._failed(f"Connection failed: {error.__class__.__name__}")
                return
            if not 200 <= status < 300:
                self._failed(f"Wrong response from the webhook: {status} {reason}")
                return
            if self.pending and self.pending[0] is update:
                self.pending.pop(0)
                self.delivered.append(update)
                self._notify()

    def _failed(self, message: str) -> None:
        self.last_error_date, self.last_error_message = self.now(), message

    async def changed(self) -> None:
        """Wait until the queue changes (an update added, confirmed or delivered)."""
        await self._wake.wait()

    async def close(self) -> None:
        self._closed = True
        self._notify()
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
        if self._http is not None:
            await self._http.close()
            self._http = None


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("sandbox Bot API: webhook delivery failed", exc_info=task.exception())

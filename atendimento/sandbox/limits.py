"""Injected clock, rate limits answered with FLOOD_WAIT_X (telegram.md §6), fault injection."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass, field

from .errors import Fail, flood_wait

EPOCH = 1_767_225_600  # 2026-01-01 00:00 UTC: dates are deterministic across runs


class Clock:
    """Time that only moves when told to; ``sleep`` advances it, so nothing really waits."""

    def __init__(self, start: float = EPOCH) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)


class RealClock(Clock):
    """Wall-clock time, for a demo or a bot in another process that sleeps for real."""

    def __init__(self) -> None:
        super().__init__(0)

    def now(self) -> float:
        return time.time()

    def advance(self, seconds: float) -> None:
        raise RuntimeError("a real clock cannot be advanced")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class _Bucket:
    rate: float  # tokens per second
    burst: float
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class RateLimits:
    """≈1/s per chat with a burst, 20 per 60 s per group/channel, ≈30/s overall (telegram.md §6).

    Telegram publishes no algorithm; token buckets and a rolling window are the sandbox's guess.
    """

    clock: Clock
    enabled: bool = True
    per_chat_rate: float = 1.0
    per_chat_burst: float = 3.0
    per_group: int = 20
    group_window: float = 60.0
    overall_rate: float = 30.0
    overall_burst: float = 30.0
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _groups: dict[int, deque[float]] = field(default_factory=dict)
    _overall: _Bucket | None = None

    def check(self, chat_id: int, group: bool) -> None:
        """Count one message to ``chat_id`` or raise FLOOD_WAIT_X without counting it."""
        if not self.enabled:
            return
        now = self.clock.now()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Bucket(
                self.per_chat_rate, self.per_chat_burst, self.per_chat_burst, now
            )
        if self._overall is None:
            self._overall = _Bucket(self.overall_rate, self.overall_burst, self.overall_burst, now)
        wait = max(chat.wait(now), self._overall.wait(now))
        window = self._groups.setdefault(chat_id, deque()) if group else None
        if window is not None:
            while window and window[0] <= now - self.group_window:
                window.popleft()
            if len(window) >= self.per_group:
                wait = max(wait, window[0] + self.group_window - now)
        if wait > 0:
            raise flood_wait(max(1, math.ceil(wait)))
        chat.tokens -= 1
        self._overall.tokens -= 1
        if window is not None:
            window.append(now)


@dataclass
class _Fault:
    code: int
    message: str
    times: int


@dataclass
class Faults:
    """Injection hook: make a raw method (e.g. "messages.SendMessage") fail the next N calls."""

    _pending: dict[str, list[_Fault]] = field(default_factory=dict)

    def fail(self, method: str, message: str, *, code: int = 400, times: int = 1) -> None:
        self._pending.setdefault(method, []).append(_Fault(code, message, times))

    def take(self, method: str) -> Fail | None:
        queue = self._pending.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return Fail(fault.code, fault.message)

"""Bench-time instrumentation of a running bot: times at which updates arrive at a handler and
the desk's copies start and end, by wrapping instances only (production code is untouched)."""

from __future__ import annotations

import cProfile
import functools
import io
import math
import pstats
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyrogram.handlers import MessageHandler

Key = tuple[int, int]  # (chat id, message id) of the client's message


@dataclass
class Timeline:
    """When each client message was sent by its person, arrived at the handler, reached the
    send call, and was copied."""

    pushed: dict[Key, float] = field(default_factory=dict)
    arrived: dict[Key, float] = field(default_factory=dict)
    called: dict[Key, float] = field(default_factory=dict)
    sent: dict[Key, float] = field(default_factory=dict)

    def clear(self) -> None:
        self.pushed.clear()
        self.arrived.clear()
        self.called.clear()
        self.sent.clear()

    def spans(self, until: dict[Key, float], since: dict[Key, float] | None = None
              ) -> list[float]:
        start = self.arrived if since is None else since
        return [until[k] - t for k, t in start.items() if k in until]


def wrap_private_handler(client: Any, timeline: Timeline,
                         chosen: Callable[[Callable[..., Any]], bool]) -> None:
    """Record arrivals at the client's MessageHandler whose callback `chosen` picks; when the
    handler does the whole job (the bare bot), its return is the moment the copy was sent."""
    handlers = [h for group in client.dispatcher.groups.values() for h in group
                if isinstance(h, MessageHandler) and chosen(h.callback)]
    if len(handlers) != 1:
        raise RuntimeError(f"expected one private message handler, found {len(handlers)}")
    handler = handlers[0]
    original = handler.callback

    @functools.wraps(original)
    async def timed(bot: Any, message: Any) -> Any:
        key = (message.chat.id, message.id)
        timeline.arrived[key] = time.perf_counter()
        try:
            return await original(bot, message)
        finally:
            timeline.sent.setdefault(key, time.perf_counter())

    handler.callback = timed


def wrap_gateway_copy(gateway: Any, timeline: Timeline) -> None:
    """Record when the desk calls its Gateway's `copy` and when that call returns."""
    original = gateway.copy

    async def timed(from_chat: int, message_id: int, *args: Any, **kwargs: Any) -> Any:
        key = (from_chat, message_id)
        timeline.called[key] = time.perf_counter()
        try:
            return await original(from_chat, message_id, *args, **kwargs)
        finally:
            timeline.sent[key] = time.perf_counter()

    gateway.copy = timed


def count_storage_calls(storage: Any, counter: list[int]) -> None:
    """Count the desk's storage calls (counter[0]: `run`, `later`, `soon`) and its database's
    commits (counter[1])."""
    for name in ("run", "later", "soon"):
        original = getattr(storage, name)

        def counted(fn: Any, /, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            counter[0] += 1
            return __original(fn, *args, **kwargs)

        setattr(storage, name, counted)
    db = storage.db
    commit = db.commit

    def counted_commit() -> Any:
        counter[1] += 1
        return commit()

    db.commit = counted_commit


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (NaN when there is nothing to rank)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def profile_report(loop_profile: cProfile.Profile, storage_profile: cProfile.Profile | None,
                   desk_filter: str, limit: int = 25) -> str:
    """Top `limit` by cumulative time of desk code on the event loop's thread and on the
    storage thread (None: storage runs on the loop), then each thread's top functions by own
    time (all code)."""
    out = io.StringIO()
    out.write(f"== event-loop thread: top {limit} by cumulative time, desk code only ==\n")
    stats = pstats.Stats(loop_profile, stream=out).sort_stats("cumulative")
    stats.print_stats(desk_filter, limit)
    storage = None
    if storage_profile is not None:
        out.write(f"== storage thread: top {limit} by cumulative time, desk code only ==\n")
        storage = pstats.Stats(storage_profile, stream=out).sort_stats("cumulative")
        storage.print_stats(desk_filter, limit)
    out.write("== event-loop thread: top 15 by own time, all code (pyrogram, sandbox too) ==\n")
    stats.sort_stats("tottime").print_stats(15)
    if storage is not None:
        out.write("== storage thread: top 15 by own time, all code (peewee, sqlite3) ==\n")
        storage.sort_stats("tottime").print_stats(15)
    return _trim(out.getvalue())


def _trim(report: str) -> str:
    # pstats pads each table with blank lines: drop them.
    lines = [line.rstrip() for line in report.splitlines()]
    return "\n".join(line for line in lines if line and not line.startswith("Ordered by")) + "\n"

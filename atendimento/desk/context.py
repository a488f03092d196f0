"""What every desk service shares: storage, the Telegram port, words, texts, clock, chat ids."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from atendimento.desk.meter import Meter
from atendimento.desk.mode import Mode
from atendimento.desk.ports import Clock, Telegram
from atendimento.desk.wording import Wording
from atendimento.storage import Storage
from atendimento.texts import Texts


class Sends(Protocol):
    """What services ask of the desk's outbox (desk/outbox.py). A protocol, not an import:
    the outbox reads this context, and the two modules must not import each other."""

    async def commit(self, sends: Any, change: Any = None, *,
                     cause: str | None = None) -> tuple[Any, list[Any]]: ...

    async def send(self, send: Any) -> Any: ...

    async def after(self, key: str) -> Any: ...

    def cause_name(self) -> str: ...

    def key_in(self, cause: str, send: Any) -> str: ...

    def register(self, action: str, executor: Any, lane: Any = None) -> None: ...

    def settles(self, record_type: Any, apply: Any) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Roots:
    """Automatic forwards seen in the discussion group: card post id → thread root id.

    The forward may arrive before or after the code that posted the card asks for it, so
    sightings are kept (a bounded few) and waiters are woken when theirs arrives.
    """

    def __init__(self, keep: int = 1024) -> None:
        self._seen: OrderedDict[int, int] = OrderedDict()
        self._waiting: dict[int, asyncio.Future[int]] = {}
        self._keep = keep

    def seen(self, post_id: int, root_id: int) -> None:
        waiter = self._waiting.pop(post_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(root_id)
            return
        self._seen[post_id] = root_id
        while len(self._seen) > self._keep:
            self._seen.popitem(last=False)

    async def wait(self, post_id: int, timeout: float) -> int | None:
        if post_id in self._seen:
            return self._seen.pop(post_id)
        waiter = self._waiting.setdefault(post_id, asyncio.get_running_loop().create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            return None
        finally:
            self._waiting.pop(post_id, None)


@dataclass
class DeskContext:
    storage: Storage
    telegram: Telegram
    wording: Wording
    texts: Texts
    clock: Clock
    channel_id: int
    group_id: int
    bot_id: int
    roots: Roots
    root_timeout: float = 30.0
    bot_username: str = ""
    outbox: Sends = None  # type: ignore[assignment]  # set by the Desk that owns it
    meter: Meter = field(default_factory=Meter)
    mode: Mode = field(default_factory=Mode)  # set by the Desk from its settings

    def now(self) -> datetime:
        return self.clock.now()

    def comment_link(self, post_id: int, comment_id: int | None = None) -> str:
        """A t.me link to the card, opening its comments at `comment_id` when given.

        Telegram documents `?comment=` (telegram.md §2); a link that opens the comment section
        with no comment is not documented, so without one the link shows the card.
        """
        channel = str(self.channel_id).removeprefix("-100")
        link = f"https://t.me/c/{channel}/{post_id}"
        return f"{link}?comment={comment_id}" if comment_id else link

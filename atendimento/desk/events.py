"""The desk's events: published when the change they tell of is committed, delivered to the
features that listen, in the client's lane.

Two ways to publish, both such that a listener never hears of something a crash undid, and
hears of everything that stayed:

- `sends(event)`: the event is an outbox row (action EVENT) written in the transaction of the
  change (an atendimento opened, ended, re-prioritised); `publish(event)` writes it on its
  own, after a change already committed (a copy delivered). A row not yet delivered when the
  desk stops is delivered at the next start. Rows wait in a lane of their own per client, in
  the order written and apart from the sends to that client; each listener then runs as a
  job of the client's conversation lane, its sends keyed by the row.
- `publish_now(event)`: for what the update being handled says again if it is replayed after
  a crash (the update state is committed only when the desk is idle, telegram/checkpoints.py):
  /start was sent, a comment reached the client. The listeners run at once, in the lane of
  the job that publishes, so they act before the next message of that conversation.

An event nobody listens to costs nothing: no row, no call.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from atendimento.desk.outbox import Send
from atendimento.domain.happenings import KINDS
from atendimento.storage.errors import StorageError

log = logging.getLogger("atendimento.desk.events")

EVENT = "event"

Listener = Callable[[Any], Awaitable[None]]
Submit = Callable[..., Awaitable[Any]]  # (lane key, job, cause) -> the job's outcome


class Events:
    def __init__(self, outbox: Any, submit: Submit) -> None:
        self.outbox = outbox
        self._submit = submit
        self._listeners: dict[type, list[Listener]] = {}
        self._kinds: dict[str, type] = {}
        for kind in KINDS:
            self.declare(kind)
        outbox.register(EVENT, self._deliver, lane=lambda item: (EVENT, item.chat_id))

    def declare(self, kind: type) -> None:
        """Make a feature's own event type known (a dataclass with a `client_id` field)."""
        names = {f.name for f in dataclasses.fields(kind)}
        if "client_id" not in names:
            raise TypeError(f"{kind.__name__} needs a client_id: listeners run in its lane")
        self._kinds[kind.__name__] = kind

    def listen(self, kind: type, listener: Listener) -> None:
        if self._kinds.get(kind.__name__) is not kind:
            raise TypeError(f"{kind.__name__} is not a declared event")
        self._listeners.setdefault(kind, []).append(listener)

    def listened(self, kind: type) -> bool:
        return bool(self._listeners.get(kind))

    def sends(self, event: Any) -> list[Send]:
        """The outbox row that publishes `event`, to be written with the change it tells of;
        none when nobody listens."""
        if not self.listened(type(event)):
            return []
        payload = {"type": type(event).__name__, "fields": dataclasses.asdict(event)}
        return [Send(event.client_id, EVENT, payload)]

    async def publish(self, event: Any) -> None:
        """Write `event` on its own: its listeners run after those of every event written
        before it for the same client."""
        if sends := self.sends(event):
            await self.outbox.commit(sends)

    async def publish_now(self, event: Any) -> None:
        """Run the listeners of `event` now, in the caller's lane (see the module docstring:
        only for what a replayed update publishes again)."""
        await self._run(event, lambda number, listener: listener(event))

    async def _run(self, event: Any, run: Callable[[int, Listener], Awaitable[Any]]) -> None:
        for number, listener in enumerate(self._listeners.get(type(event), ())):
            try:
                await run(number, listener)
            except StorageError:
                raise  # decided again once the database is back
            except Exception:  # a broken listener must not stop the others, nor loop forever
                log.exception("listener %s of %s failed",
                              getattr(listener, "__qualname__", listener), type(event).__name__)

    async def _deliver(self, item: Any) -> list[Any]:
        kind = self._kinds.get(item.payload.get("type"))
        if kind is None:  # a feature that published it is no longer enabled
            log.info("event %s dropped: no such event here", item.payload.get("type"))
            return []
        fields = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in item.payload["fields"].items()}
        event = kind(**fields)
        await self._run(event, lambda number, listener: self._submit(
            ("client", event.client_id), lambda: listener(event), f"{item.key}>{number}"))
        return []

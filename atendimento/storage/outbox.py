"""The outbox: sends the desk decided, written before they are sent, settled after.

`put` is insert-or-get by key, so a decision taken again after a crash gets the row the first
one wrote (with its random id and, once settled, its result) instead of a second row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True, slots=True)
class NewItem:
    key: str
    chat_id: int
    action: str
    payload: dict[str, Any]
    random_id: int


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    key: str
    chat_id: int
    action: str
    payload: dict[str, Any]
    random_id: int
    state: str
    result: Any  # SENT: the message ids the send made; FAILED: [reason, detail]


def _item(row: Any) -> Item:
    return Item(row.id, row.key, row.chat_id, row.action, row.payload, row.random_id,
                row.state, row.result)


def put(t: Any, items: Sequence[NewItem], now: datetime) -> list[Item]:
    """The rows for `items`, in their order: written now, or found by key if written before."""
    if not items:
        return []
    table = t.outbox
    with t.atomic():
        table.insert_many([
            {"key": i.key, "chat_id": i.chat_id, "action": i.action, "payload": i.payload,
             "random_id": i.random_id, "state": PENDING, "created_at": now}
            for i in items
        ]).on_conflict_ignore().execute()
        keys = [i.key for i in items]
        found = {row.key: _item(row) for row in table.select().where(table.key.in_(keys))}
    return [found[key] for key in keys]


def pending(t: Any) -> list[Item]:
    """Every row not settled yet, oldest first (the order they were decided in)."""
    table = t.outbox
    query = table.select().where(table.state == PENDING).order_by(table.id)
    return [_item(row) for row in query]


def get(t: Any, key: str) -> Item | None:
    row = t.outbox.get_or_none(t.outbox.key == key)
    return _item(row) if row is not None else None


def settle(t: Any, item_id: int, state: str, result: Any, now: datetime) -> None:
    """Mark a row SENT (result: the message ids) or FAILED (result: [reason, detail])."""
    if state not in (SENT, FAILED):
        raise ValueError(f"settle to {SENT!r} or {FAILED!r}, not {state!r}")
    table = t.outbox
    table.update(state=state, result=result, done_at=now).where(table.id == item_id).execute()


def prune(t: Any, before: datetime) -> int:
    """Forget settled rows older than `before` (past the time a replayed update can reach)."""
    table = t.outbox
    return table.delete().where((table.state != PENDING) & (table.done_at < before)).execute()

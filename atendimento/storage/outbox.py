"""The outbox: sends the desk decided, written before they are sent, settled after.

`put` is insert-or-get by key, so a decision taken again after a crash gets the row the first
one wrote (with its random id and, once settled, its result) instead of a second row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import fn

from atendimento.storage.fields import to_db_datetime

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


# Written out rather than built by peewee: `put` and `settle` run for every relayed message,
# and building the statements cost more than running them (profile in the issue 6 note).
_COLUMNS = "id, key, chat_id, action, payload, random_id, state, result"


def _from_tuple(row: tuple[Any, ...]) -> Item:
    ident, key, chat_id, action, payload, random_id, state, result = row
    return Item(ident, key, chat_id, action, json.loads(payload), random_id, state,
                json.loads(result) if result is not None else None)


def put(t: Any, items: Sequence[NewItem], now: datetime) -> list[Item]:
    """The rows for `items`, in their order: written now, or found by key if written before."""
    if not items:
        return []
    p, db, when = t.db.param, t.db, to_db_datetime(now)
    # No transaction of its own: the caller's holds the decision and its sends together.
    cursor = db.execute_sql(
        f"INSERT INTO outbox (key, chat_id, action, payload, random_id, state, created_at) "
        f"VALUES {', '.join([f'({p}, {p}, {p}, {p}, {p}, {p}, {p})'] * len(items))} "
        "ON CONFLICT (key) DO NOTHING RETURNING id, key",
        [value for i in items for value in (
            i.key, i.chat_id, i.action, _dumps(i.payload), i.random_id, PENDING, when)])
    # Rows written now are known already; only those a first decision wrote are read back.
    made = {key: ident for ident, key in cursor.fetchall()}
    earlier = [i.key for i in items if i.key not in made]
    found: dict[str, Item] = {}
    if earlier:
        cursor = db.execute_sql(
            f"SELECT {_COLUMNS} FROM outbox WHERE key IN ({', '.join([p] * len(earlier))})",
            earlier)
        found = {item.key: item for item in map(_from_tuple, cursor.fetchall())}
    for i in items:
        if i.key in made and i.key not in found:  # a key twice: the row is the first's
            found[i.key] = Item(made[i.key], i.key, i.chat_id, i.action, i.payload,
                                i.random_id, PENDING, None)
    return [found[i.key] for i in items]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def pending(t: Any) -> list[Item]:
    """Every row not settled yet, oldest first (the order they were decided in)."""
    table = t.outbox
    query = table.select().where(table.state == PENDING).order_by(table.id)
    return [_item(row) for row in query]


def depth(t: Any) -> tuple[int, datetime | None]:
    """How many rows wait, and when the oldest was decided (for /metrics)."""
    table = t.outbox
    count, oldest = (table.select(fn.COUNT(table.id), fn.MIN(table.created_at))
                     .where(table.state == PENDING).tuples().get())
    return int(count or 0), None if oldest is None else table.created_at.python_value(oldest)


def get(t: Any, key: str) -> Item | None:
    row = t.outbox.get_or_none(t.outbox.key == key)
    return _item(row) if row is not None else None


def settle(t: Any, item_id: int, state: str, result: Any, now: datetime) -> None:
    """Mark a row SENT (result: the message ids) or FAILED (result: [reason, detail])."""
    if state not in (SENT, FAILED):
        raise ValueError(f"settle to {SENT!r} or {FAILED!r}, not {state!r}")
    p = t.db.param
    t.db.execute_sql(f"UPDATE outbox SET state = {p}, result = {p}, done_at = {p} WHERE id = {p}",
                     (state, _dumps(result), to_db_datetime(now), item_id))


def forget(t: Any, item_id: int) -> None:
    """Forget one row (its send is to be decided again, under the same key)."""
    t.outbox.delete().where(t.outbox.id == item_id).execute()


def prune(t: Any, before: datetime) -> int:
    """Forget settled rows older than `before` (past the time a replayed update can reach)."""
    table = t.outbox
    return table.delete().where((table.state != PENDING) & (table.done_at < before)).execute()

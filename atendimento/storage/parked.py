"""Client messages waiting for their thread (see migration 5): parked in arrival order, taken
back when the thread opens, in the same transaction as the opening."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from peewee import fn

from atendimento.storage.tables import Tables


@dataclass(frozen=True, slots=True)
class ParkedMessage:
    id: int
    client_id: int
    chat_id: int
    message_id: int
    kind: str
    media_group_id: str | None
    reply_to_id: int | None
    reason: str
    attempts: int
    created_at: datetime


def park(t: Tables, *, client_id: int, chat_id: int, message_id: int, kind: str,
         media_group_id: str | None, reply_to_id: int | None, reason: str,
         now: datetime) -> bool:
    """Keep a message for later; False when it was parked already (an update seen again)."""
    p = t.parked
    inserted = p.insert(
        client_id=client_id, chat_id=chat_id, message_id=message_id, kind=kind[:16],
        media_group_id=media_group_id, reply_to_id=reply_to_id, reason=reason[:200],
        created_at=now).on_conflict_ignore().execute()
    return bool(inserted)


def of_client(t: Tables, client_id: int) -> list[ParkedMessage]:
    """The client's parked messages in the order they were sent (their ids in the chat grow):
    one refused after it was sent may be parked after a later one."""
    p = t.parked
    rows = p.select().where(p.client_id == client_id).order_by(p.message_id, p.id)
    return [_record(row) for row in rows]


def clients(t: Tables) -> list[int]:
    """Every client with parked messages, the longest waiting first."""
    p = t.parked
    rows = (p.select(p.client_id).group_by(p.client_id)
            .order_by(fn.MIN(p.id)).tuples())
    return [client_id for (client_id,) in rows]


def is_parked(t: Tables, chat_id: int, message_id: int) -> bool:
    p = t.parked
    return p.select(p.id).where((p.chat_id == chat_id) & (p.message_id == message_id)).exists()


def tried(t: Tables, ids: Sequence[int], reason: str) -> None:
    """One more failed attempt to place them, and why."""
    p = t.parked
    p.update(attempts=p.attempts + 1, reason=reason[:200]).where(p.id.in_(list(ids))).execute()


def take(t: Tables, ids: Sequence[int]) -> int:
    """Forget the messages once their placement is decided."""
    if not ids:
        return 0
    return t.parked.delete().where(t.parked.id.in_(list(ids))).execute()


def _record(row: object) -> ParkedMessage:
    return ParkedMessage(row.id, row.client_id, row.chat_id, row.message_id, row.kind,
                         row.media_group_id, row.reply_to_id, row.reason, row.attempts,
                         row.created_at)

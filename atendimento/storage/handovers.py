"""Hand-overs from other systems (the hand-over feature's table, `handovers`): one row per
atendimento an FAQ or AI bot handed to a person, ended with that atendimento. The summary the
other system wrote is what the client told it: the thread and the webhook carry it, and the
table keeps none of it (its column stays empty, design principle 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import Table

from atendimento.storage.fields import from_db_datetime, to_db_datetime
from atendimento.storage.tables import Tables

TABLE = "handovers"
COLUMNS = ("id", "client_id", "atendimento_id", "reason", "started_at", "ended_at")


@dataclass(frozen=True, slots=True)
class Handover:
    id: int
    client_id: int
    atendimento_id: int
    reason: str
    started_at: datetime
    ended_at: datetime | None

    @property
    def going_on(self) -> bool:
        return self.ended_at is None


def _table(t: Tables) -> Any:
    return Table(TABLE, COLUMNS).bind(t.db)


def _handover(row: tuple[Any, ...]) -> Handover:
    *head, started_at, ended_at = row
    return Handover(*head, from_db_datetime(started_at),
                    None if ended_at is None else from_db_datetime(ended_at))


def going_on(t: Tables, client_id: int) -> Handover | None:
    """The client's hand-over that has not ended, if any."""
    table = _table(t)
    rows = (table.select(*(getattr(table, c) for c in COLUMNS))
            .where((table.client_id == client_id) & table.ended_at.is_null()).tuples())
    return next((_handover(row) for row in rows), None)


def going_on_among(t: Tables, client_ids: list[int]) -> dict[int, Handover]:
    if not client_ids:
        return {}
    table = _table(t)
    rows = (table.select(*(getattr(table, c) for c in COLUMNS))
            .where(table.client_id.in_(client_ids) & table.ended_at.is_null()).tuples())
    return {row[1]: _handover(row) for row in rows}


def start(t: Tables, client_id: int, atendimento_id: int, reason: str, *,
          now: datetime) -> Handover:
    """A new hand-over of the client's open atendimento (the caller checked none goes on)."""
    table = _table(t)
    table.insert(client_id=client_id, atendimento_id=atendimento_id, reason=reason,
                 started_at=to_db_datetime(now)).as_rowcount().execute()
    started = going_on(t, client_id)
    assert started is not None, "written just now, in this transaction"
    return started


def end(t: Tables, client_id: int, *, now: datetime) -> Handover | None:
    """End the client's hand-over; None when none was going on."""
    current = going_on(t, client_id)
    if current is None:
        return None
    table = _table(t)
    table.update(ended_at=to_db_datetime(now)).where(table.id == current.id).execute()
    return Handover(current.id, client_id, current.atendimento_id, current.reason,
                    current.started_at, now)


def person_answered(t: Tables, atendimento_id: int, client_id: int, *,
                    now: datetime) -> None:
    """A person of the team answered in this atendimento (the first time is kept)."""
    p = t.db.param
    t.db.execute_sql(f"INSERT INTO person_answers (atendimento_id, client_id, first_at) "
                     f"VALUES ({p}, {p}, {p}) ON CONFLICT (atendimento_id) DO NOTHING",
                     (atendimento_id, client_id, to_db_datetime(now)))


def has_person_answered(t: Tables, atendimento_id: int) -> bool:
    p = t.db.param
    return t.db.execute_sql(f"SELECT 1 FROM person_answers WHERE atendimento_id = {p}",
                            (atendimento_id,)).fetchone() is not None

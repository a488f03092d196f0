"""What each card's SLA line last showed (the sla feature's table, sla_cards): its job compares
what a card should show now with this, so it redraws only the cards whose line changed, and a
restart redraws none that did not. One row per card while its atendimento is open and the line
shows; the row goes when the atendimento ends (an ended card shows no SLA line)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from atendimento.storage.fields import from_db_datetime, to_db_datetime
from atendimento.storage.tables import Tables


@dataclass(frozen=True, slots=True)
class Shown:
    thread_id: int
    atendimento_id: int
    line: str  # the line's key ("w:12", "a:45", "f:480"), not its words
    shown_at: datetime


def all_shown(t: Tables) -> dict[int, Shown]:
    """Every card's row, by thread id."""
    cursor = t.db.execute_sql(
        "SELECT thread_id, atendimento_id, shown, shown_at FROM sla_cards")
    return {thread_id: Shown(thread_id, atendimento_id, line, from_db_datetime(when))
            for thread_id, atendimento_id, line, when in cursor.fetchall()}


def record(t: Tables, shown: Sequence[Shown]) -> None:
    """Write (or replace) these cards' rows."""
    if not shown:
        return
    p = t.db.param
    values = ", ".join([f"({p}, {p}, {p}, {p})"] * len(shown))
    t.db.execute_sql(
        f"INSERT INTO sla_cards (thread_id, atendimento_id, shown, shown_at) VALUES {values} "
        "ON CONFLICT (thread_id) DO UPDATE SET atendimento_id = excluded.atendimento_id, "
        "shown = excluded.shown, shown_at = excluded.shown_at",
        [value for s in shown
         for value in (s.thread_id, s.atendimento_id, s.line, to_db_datetime(s.shown_at))])


def forget(t: Tables, thread_ids: Iterable[int]) -> None:
    ids = list(dict.fromkeys(thread_ids))
    if not ids:
        return
    p = t.db.param
    t.db.execute_sql(f"DELETE FROM sla_cards WHERE thread_id IN ({', '.join([p] * len(ids))})",
                     ids)

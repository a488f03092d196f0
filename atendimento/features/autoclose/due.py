"""What is due to close, read from the database: the open atendimentos whose last message is
an answer (the team's, or the existing bot's in parallel mode) older than the cutoff, with
nothing of theirs still on its way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from atendimento.desk.settling import MessageLink
from atendimento.storage import activity
from atendimento.storage import outbox as outbox_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.activity import Activity
from atendimento.storage.records import Thread


@dataclass(frozen=True)
class Due:
    thread: Thread
    atendimento_id: int
    answered_at: datetime | None = None  # the last answer the client left without a word

    @property
    def client_id(self) -> int:
        return self.thread.client_id


def quiet_since(seen: Activity, cutoff: datetime) -> bool:
    """The client got the last word (the team's, or in parallel mode the existing bot's), at
    or before `cutoff`, and has not written since. Which came last is read from the order the
    messages were recorded in, not from the clock (which an NTP step may set back): closing
    on a client's unanswered word is the worse mistake."""
    answer = seen.last_answer_at
    return answer is not None and answer <= cutoff and seen.answered_last


def due(t: Any, cutoff: datetime, limit: int) -> list[Due]:
    """At most `limit` atendimentos due, the longest quiet first."""
    found = sorted((seen.last_answer_at, thread_id, atendimento_id)
                   for thread_id, atendimento_id, seen in activity.of_open(t)
                   if quiet_since(seen, cutoff))
    return [Due(thread_rows.require(t, thread_id), atendimento_id, answered_at)
            for answered_at, thread_id, atendimento_id in found[:limit]]


def in_flight(t: Any, atendimento_id: int) -> bool:
    """A message of this atendimento decided but not delivered yet (either way): its link,
    which is what `activity` reads, is written only when the copy settles. Pending rows are
    few (the outbox keeps an index of them), and this runs only for what is due."""
    for item in outbox_rows.pending(t):
        value = item.payload.get(MessageLink.key)
        if value is not None and MessageLink.decode(value).atendimento_id == atendimento_id:
            return True
    return False


def still_due(t: Any, d: Due, cutoff: datetime) -> bool:
    """Inside the ending transaction: the same atendimento still open, still quiet."""
    current = thread_rows.current_atendimento(t, d.thread.id)
    return (current is not None and current.id == d.atendimento_id
            and quiet_since(activity.get(t, d.atendimento_id), cutoff)
            and not in_flight(t, d.atendimento_id))

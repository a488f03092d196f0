"""When each atendimento's client and team first and last wrote, read from the message links
(every relayed message has one, written when its copy settled): what auto-close, the SLA on the
card and the client's /status need, at no cost to the relay. The team's side counts every
message that reached the client from the thread's side: comments, and the FAQ's automatic
answers. In parallel mode the existing bot's own messages are a side of their own: they
answer the client (auto-close counts them) but are not the team's (the SLA does not)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from peewee import fn

from atendimento.storage.records import FROM_BOT, TO_CLIENT, TO_TEAM
from atendimento.storage.tables import Tables

SIDES = {TO_TEAM: "client", TO_CLIENT: "team", FROM_BOT: "bot"}


@dataclass(frozen=True)
class Activity:
    atendimento_id: int
    first_client_at: datetime | None = None
    last_client_at: datetime | None = None
    first_team_at: datetime | None = None
    last_team_at: datetime | None = None
    first_bot_at: datetime | None = None
    last_bot_at: datetime | None = None
    # Link ids grow with each message recorded, whatever the clock did (an NTP step back):
    # which side wrote first or last is read from them, how long ago from the times.
    first_client_id: int | None = None
    last_client_id: int | None = None
    first_team_id: int | None = None
    last_team_id: int | None = None
    first_bot_id: int | None = None
    last_bot_id: int | None = None

    @property
    def last_answer_at(self) -> datetime | None:
        """When the client last got an answer: the team's, or the existing bot's."""
        return max((at for at in (self.last_team_at, self.last_bot_at) if at is not None),
                   default=None)

    @property
    def answered(self) -> bool:
        return self.first_team_at is not None

    @property
    def answered_last(self) -> bool:
        """The client's last message (if any) has had an answer since: the team's, or the
        existing bot's."""
        answer = max((i for i in (self.last_team_id, self.last_bot_id) if i is not None),
                     default=None)
        return answer is not None and (self.last_client_id is None
                                       or answer > self.last_client_id)

    @property
    def team_first(self) -> bool:
        """The team wrote before the client's first message."""
        return self.first_team_id is not None and (
            self.first_client_id is None or self.first_team_id < self.first_client_id)


def of(t: Tables, atendimento_ids: Iterable[int]) -> dict[int, Activity]:
    """The activity of each atendimento (one with no message has an empty one)."""
    ids = list(dict.fromkeys(atendimento_ids))
    found = {i: Activity(i) for i in ids}
    if not ids:
        return found
    m = t.links
    # The client's first message counts from when they sent it (a wait through a downtime
    # is a wait); everything else from when it was recorded.
    query = (m.select(m.atendimento, m.direction,
                      fn.MIN(fn.COALESCE(m.sent_at, m.created_at)), fn.MAX(m.created_at),
                      fn.MIN(m.id), fn.MAX(m.id))
             .where(m.atendimento.in_(ids)).group_by(m.atendimento, m.direction).tuples())
    times: dict[int, dict[str, datetime | int | None]] = {i: {} for i in ids}
    for atendimento_id, direction, first, last, first_id, last_id in query:
        side = SIDES.get(direction)
        if side is not None:
            times[atendimento_id][f"first_{side}_at"] = m.created_at.python_value(first)
            times[atendimento_id][f"last_{side}_at"] = m.created_at.python_value(last)
            times[atendimento_id][f"first_{side}_id"] = first_id
            times[atendimento_id][f"last_{side}_id"] = last_id
    return {i: Activity(i, **times[i]) for i in ids}


def get(t: Tables, atendimento_id: int) -> Activity:
    return of(t, [atendimento_id])[atendimento_id]


def of_open(t: Tables) -> list[tuple[int, int, Activity]]:
    """(thread id, atendimento id, activity) of every open atendimento, oldest first."""
    a = t.atendimentos
    open_ones = list(a.select(a.thread, a.id).where(a.ended_at.is_null())
                     .order_by(a.id).tuples())
    found = of(t, [atendimento_id for _, atendimento_id in open_ones])
    return [(thread_id, atendimento_id, found[atendimento_id])
            for thread_id, atendimento_id in open_ones]

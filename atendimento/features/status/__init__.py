"""/status (/situacao, /estado): whoever sends it in their private chat with the bot hears where
their own conversation stands: open since when, or closed when, and whether the team has
answered yet.

Only the sender's own thread is ever read (arguments are ignored, so nobody can ask about
someone else), and only what a client may know: never who answers, the priority or the tags
(design.md §4.5). Asking creates nothing: someone the desk has never seen gets a line saying
so, and no row. A team member is a client in their own private chat, so they get the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from atendimento.desk.contract import ANYONE, CLIENTS, PRIVATE, Command, Feature, PrivateCall
from atendimento.desk.core import Core
from atendimento.desk.language import language_of
from atendimento.desk.outbox import text_send
from atendimento.i18n import N_
from atendimento.storage import activity
from atendimento.storage import clients as client_rows
from atendimento.storage import parked as parked_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import Atendimento, Client

NAMES = ("status", "situacao", "estado")


@dataclass(frozen=True)
class Standing:
    """What /status tells, read in one transaction."""

    client: Client | None
    last: Atendimento | None  # the open atendimento, else the latest ended one
    answered: bool = False
    parked: bool = False  # messages waiting for their thread to open


def _standing(t: Any, client_id: int) -> Standing:
    client = client_rows.get(t, client_id)
    if client is None:
        return Standing(None, None)
    thread = thread_rows.get_by_client(t, client_id)
    last = None if thread is None else thread_rows.last_atendimento(t, thread.id)
    parked = bool(parked_rows.of_client(t, client_id))
    if last is None:
        return Standing(client, None, parked=parked)
    answered = last.is_open and activity.get(t, last.id).answered
    return Standing(client, last, answered, parked)


class Status:
    def __init__(self, core: Core) -> None:
        self.ctx = core.ctx

    async def command(self, call: PrivateCall) -> None:
        ctx, person = self.ctx, call.person
        standing = await ctx.storage.run(_standing, person.id)
        # A person the desk has no row for reads their app's language.
        locale = (language_of(ctx, standing.client) if standing.client is not None
                  else language_of(ctx, person))
        await ctx.outbox.commit([text_send(person.id, self.words(standing, locale))])

    def words(self, standing: Standing, locale: str) -> str:
        tr, last = self.ctx.wording.tr, standing.last
        if standing.parked and (last is None or not last.is_open):
            # Written already, the thread not open yet: "send a message" would be wrong.
            return tr._(locale, "We have your message: it is on its way to our team, who "
                        "will answer you here.")
        if last is None:
            return tr._(locale, "You have no conversation with us yet. Send a message here "
                        "and our team will answer you.")
        if last.is_open:
            opened = tr._(locale, "Your conversation no. {number} has been open since {time}.",
                          number=last.number, time=self._time(last.opened_at, locale))
            if standing.answered:
                return opened + "\n" + tr._(locale, "Our team has already answered you.")
            return opened + "\n" + tr._(locale, "Our team has not answered yet: you will "
                                        "get the answer here.")
        assert last.ended_at is not None
        closed = tr._(locale, "Your conversation no. {number} was closed on {time}.",
                      number=last.number, time=self._time(last.ended_at, locale))
        if standing.client is not None and standing.client.banned:
            return closed
        return closed + "\n" + tr._(locale, "To open a new one, just send a message here.")

    def _time(self, when: datetime, locale: str) -> str:
        """In the client's language, in the team's time zone (the times the team sees)."""
        words = self.ctx.wording
        return words.tr.format_datetime(when, locale, words.timezone, format="short")


def feature(core: Core) -> Feature:
    status = Status(core)
    return Feature("status", commands=[
        Command(NAMES, PRIVATE, status.command, allowed=ANYONE,
                summary=N_("Where your conversation stands"), menus=(CLIENTS,)),
    ], api=status)

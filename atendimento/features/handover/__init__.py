"""Hand-over: another system (an FAQ or AI bot, a CRM) hands a client over to a person
through the HTTP API. The client's atendimento opens (or is found open), the summary the
other system wrote goes into the thread, the admins who take notices get one with a link,
and the hand-over lasts until that atendimento ends; then `HandoverEnded` tells the other
system (through the webhooks) that it may talk to the client again.

One transaction decides it all: the hand-over's row, the thread's line, the notices and the
events; a client has one hand-over at a time (a second one adds its summary to the thread).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from atendimento.desk.contract import Feature
from atendimento.desk.core import Core
from atendimento.desk.outbox import Send
from atendimento.desk.threads import CREATED, Opened
from atendimento.domain.happenings import (
    AtendimentoEnded,
    AtendimentoOpened,
    HandoverEnded,
    HandoverStarted,
    TeamAnswerSent,
)
from atendimento.domain.text import cut, quote
from atendimento.storage import FeatureMigrations
from atendimento.storage import handovers as handover_rows
from atendimento.storage import team as team_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.handovers import Handover
from atendimento.storage.migrator import discover_package
from atendimento.storage.records import Client

NOTICE = "handover_notice"
HANDOVER = "handover"  # why the FAQ stopped answering by itself
LINE_LIMIT = 3900  # a thread line is one message (4096 characters at most)
NAME_LIMIT = 64
REMEMBERED = 10_000  # atendimentos known to have a person's answer, most recent kept


def migrations() -> FeatureMigrations:
    return FeatureMigrations("handover", discover_package(f"{__name__}.schema"))


def _name(client: Client) -> str:
    return " ".join(p for p in (client.first_name, client.last_name) if p) or str(client.user_id)


@dataclass(frozen=True)
class Handed:
    """What a hand-over did: `handover` goes on for `opened`; `started` is False when one was
    going on already (the new summary was added to the thread)."""

    opened: Opened
    handover: Handover
    started: bool


class Handovers:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.ctx = core.ctx
        core.ctx.outbox.register(NOTICE, self._notice)
        self._answered: OrderedDict[int, None] = OrderedDict()

    async def hand_over(self, client: Client, reason: str, summary: str | None) -> Handed:
        """In the client's lane (the caller's job): open or find the atendimento and hand it
        over, in one transaction. Raises what `Threads.ensure_open` raises when no thread
        can be opened."""
        ctx, threads, now = self.ctx, self.core.threads, self.ctx.now()
        cause = ctx.outbox.cause_name()
        seen: dict[str, Any] = {}

        def record(t: Any, opened: Opened) -> None:
            seen.clear()
            going = handover_rows.going_on(t, client.user_id)
            if going is not None and going.atendimento_id != opened.atendimento.id:
                handover_rows.end(t, client.user_id, now=now)  # its end was not heard of
                going = None
            seen["started"] = going is None
            seen["handover"] = going or handover_rows.start(
                t, client.user_id, opened.atendimento.id, reason, now=now)
            # A person takes over: the FAQ stops answering by itself (as after a team answer).
            thread_rows.stop_autoanswer(t, opened.atendimento.id, HANDOVER)
            seen["admins"] = tuple(a.user_id for a in team_rows.list_admins_to_notify(t))

        def also(opened: Opened) -> list[Send]:
            line = threads.line_send(opened.thread, self._line(reason, summary))
            sends = [line]
            if opened.change is not None:  # the others hear of it as of any opening
                a = opened.atendimento
                sends += self.core.events.sends(AtendimentoOpened(
                    client.user_id, opened.thread.id, a.id, a.number, opened.change != CREATED,
                    _name(client), a.origin, opened.thread.card_message_id,
                    summary or reason, ctx.outbox.key_in(cause, line), ()))
            if seen["started"]:
                payload = {"client": _name(client), "reason": reason,
                           "post": opened.thread.card_message_id,
                           "after": ctx.outbox.key_in(cause, line)}
                sends += [Send(admin, NOTICE, payload) for admin in seen["admins"]]
                sends += self.core.events.sends(HandoverStarted(
                    client.user_id, opened.atendimento.id, opened.atendimento.number, reason,
                    summary))
            return sends

        opened, _ = await threads.ensure_open(client, also, cause, with_open=record)
        return Handed(opened, seen["handover"], seen["started"])

    def _line(self, reason: str, summary: str | None) -> str:
        words = self.ctx.wording
        line = words.tr._(words.team, "🤝 Handed over to the team: {reason}",
                          reason=quote(reason, 200))
        if summary:
            line += "\n\n" + summary
        return cut(line, LINE_LIMIT)

    async def going_on(self, client_id: int) -> Handover | None:
        return await self.ctx.storage.run(handover_rows.going_on, client_id)

    async def ended(self, event: AtendimentoEnded) -> None:
        """The atendimento ended: so does its hand-over, and the other system hears of it."""
        ctx, now = self.ctx, self.ctx.now()

        def end(t: Any) -> Handover | None:
            going = handover_rows.going_on(t, event.client_id)
            if going is None or going.atendimento_id != event.atendimento_id:
                return None
            return handover_rows.end(t, event.client_id, now=now)

        def sends(ended: Handover | None) -> list[Send]:
            if ended is None:
                return []
            return self.core.events.sends(HandoverEnded(
                event.client_id, event.atendimento_id, event.number, event.automatic))

        await ctx.outbox.commit(sends, end)

    async def answered(self, event: TeamAnswerSent) -> None:
        """A person (not the API) answered: the client counts as handled by one until the
        atendimento ends. Written once per atendimento (the ones written lately are
        remembered, so an attendant's every comment does not write it again)."""
        if event.via == "api" or event.atendimento_id in self._answered:
            return
        await self.ctx.storage.run(handover_rows.person_answered, event.atendimento_id,
                                   event.client_id, now=self.ctx.now())
        self._answered[event.atendimento_id] = None
        while len(self._answered) > REMEMBERED:
            self._answered.popitem(last=False)

    async def _notice(self, item: Any) -> list[Any]:
        """An admin's notice of the hand-over; the link opens the summary in the thread."""
        ctx, p = self.ctx, item.payload
        line = await ctx.outbox.after(p["after"])
        admin = await ctx.storage.run(team_rows.get, item.chat_id)
        locale = ctx.wording.tr.locale_for(admin.language if admin else None)
        link = ctx.comment_link(p["post"], line.message_id if line else None)
        text = ctx.wording.tr._(locale, "🤝 {client} was handed over to the team: {reason}\n"
                                "{link}", client=quote(p["client"], NAME_LIMIT),
                                reason=quote(p["reason"], 200), link=link)
        return [await ctx.telegram.send_text(item.chat_id, text, random_id=item.random_id)]


def feature(core: Core) -> Feature:
    handovers = Handovers(core)
    return Feature("handover", listens={AtendimentoEnded: handovers.ended,
                                        TeamAnswerSent: handovers.answered}, api=handovers)

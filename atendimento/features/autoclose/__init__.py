"""Auto-close: an atendimento whose last message is the team's, and whose client has not written
since for AUTOCLOSE hours, ends as by /fim (the end text to the client, the card ⚪), with a
service line saying it closed by itself. AUTOCLOSE=0 turns it off: no job at all.

Nothing is scheduled per atendimento: a job looks every minute for what is due, in the
database (the message links say who wrote last and when, storage/activity.py), so a restart
neither forgets one (it is still due) nor doubles one (an ended atendimento is no longer
open). Each end runs in that client's conversation lane, in order with their messages and the
team's comments, and is decided again inside the ending transaction: a message of the client
(or an answer of the team) decided just before, even one whose copy is still on its way, makes
the atendimento not due, and it stays open.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from atendimento.desk.contract import Feature, Job
from atendimento.desk.core import Core
from atendimento.domain.events import Person
from atendimento.features.autoclose.due import Due, due, still_due
from atendimento.storage.records import Atendimento

log = logging.getLogger("atendimento.features.autoclose")

SETTING = "autoclose_hours"
CHECK_SECONDS = 60
# Each end writes a service line in the discussion group, whose budget (20 messages a minute,
# telegram.md §6) the clients' messages share: a backlog of stale atendimentos (AUTOCLOSE
# just turned on) drains at this pace instead of delaying live conversations.
ENDS_PER_RUN = 10


class NoLongerDue(Exception):
    """Raised inside the ending transaction to leave the atendimento open."""


class AutoClose:
    def __init__(self, core: Core, hours: float) -> None:
        self.core = core
        self.ctx = core.ctx
        self.hours = hours
        self._running = False

    @property
    def quiet(self) -> timedelta:
        return timedelta(hours=self.hours)

    @property
    def desk_itself(self) -> Person:
        """Who ends it: the desk, recorded as the bot (the event says `automatic`)."""
        return Person(self.ctx.bot_id, "atendimento")

    async def run(self) -> int:
        """End what is due now, the longest quiet first; how many ended."""
        if self._running:
            return 0  # the last round is still under way
        self._running = True
        try:
            found = await self.ctx.storage.run(due, self.ctx.now() - self.quiet, ENDS_PER_RUN)
            outcomes = await asyncio.gather(
                *(self.core.in_client_lane(d.client_id, lambda d=d: self._end(d))
                  for d in found), return_exceptions=True)
        finally:
            self._running = False
        for d, outcome in zip(found, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                log.error("auto-close of atendimento %s failed: %s", d.atendimento_id, outcome)
        return sum(1 for outcome in outcomes if outcome is True)

    async def _end(self, d: Due) -> bool:
        """In the client's lane: end it if it is still due when the ending is decided."""
        cutoff = self.ctx.now() - self.quiet

        def before(t: Any) -> None:
            if not still_due(t, d, cutoff):
                raise NoLongerDue

        try:
            ended = await self.core.end(d.thread, self.desk_itself,
                                        line=lambda ended: self.line(ended, d.answered_at),
                                        before=before)
        except NoLongerDue:
            log.info("atendimento %s not closed: the conversation moved", d.atendimento_id)
            return False
        return ended is not None

    def line(self, ended: Atendimento, answered_at: datetime | None = None) -> str:
        """The thread's line: how long the client was really silent (longer than AUTOCLOSE
        when the desk was down when the close was due)."""
        words = self.ctx.wording
        quiet = self.quiet
        if answered_at is not None and ended.ended_at is not None:
            quiet = max(quiet, ended.ended_at - answered_at)
        return words.tr._(words.team, "⏰ Atendimento #{number} closed by itself after {duration} "
                          "without a word from the client",
                          number=ended.number,
                          duration=words.tr.format_duration(quiet, words.team))


def feature(core: Core) -> Feature:
    hours = float(core.settings.get(SETTING, 0) or 0)
    closing = AutoClose(core, hours)
    jobs = [Job("close", CHECK_SECONDS, closing.run)] if hours > 0 else []
    return Feature("autoclose", jobs=jobs, settings=(SETTING,), texts=("fim.md",), api=closing)

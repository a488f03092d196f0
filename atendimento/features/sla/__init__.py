"""The SLA on the card: while an atendimento is open and the team has not answered yet, its
card says how long the client has waited ("⏳ waiting for 12 min"), and past
SLA_FIRST_RESPONSE minutes it says so as an alarm ("🚨 waiting for 45 min"); once answered,
how long the first answer took ("⏱ first answer in 8 min"), until the atendimento ends.

An ended card shows none of it: the card tells the client's state now, and an old
atendimento's figure would read as the current one's (the thread keeps the history).

The line is drawn with the card (the `card` hook), from the database, whenever the card is
drawn. Time alone changes it, so a job redraws the cards whose line changed since it last
looked, at most once a minute each (what each showed is kept in sla_cards, storage/sla.py, so
a restart redraws nothing that did not change), and at most EDITS_PER_RUN a minute in all:
state changes (a new wait, the alarm, the first answer) first, then the longest unchanged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from atendimento.desk.contract import Feature, Job
from atendimento.desk.core import Core
from atendimento.features.sla import measure
from atendimento.features.sla.measure import ALARM, ANSWERED, Mark
from atendimento.storage import FeatureMigrations, activity
from atendimento.storage import sla as sla_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.migrator import discover_package
from atendimento.storage.records import OPEN, Client, Thread
from atendimento.storage.sla import Shown

SETTING = "sla_first_response_minutes"
DEFAULT_MINUTES = 30.0
REDRAW_SECONDS = 60
# Card edits share the channel with the desk's own (cards posted, recoloured, ended); Telegram
# answers more than about 20 messages a minute in one channel with flood waits (telegram.md
# §6), so the job takes half of that at most, and the other cards wait for the next minute.
EDITS_PER_RUN = 10
_NEVER = datetime.min  # naive, as `_naive` makes the others


def migrations() -> FeatureMigrations:
    return FeatureMigrations("sla", discover_package(f"{__name__}.schema"))


class Sla:
    def __init__(self, core: Core, alarm_minutes: float) -> None:
        self.ctx = core.ctx
        self.threads = core.threads
        self.alarm_minutes = alarm_minutes
        self._running = False

    # --- the card ---------------------------------------------------------------------------

    def card(self, t: Any, thread: Thread, client: Client, now: datetime) -> list[str]:
        found = self.mark_of(t, thread, now)
        return [] if found is None else [self.words(found)]

    def mark_of(self, t: Any, thread: Thread, now: datetime) -> Mark | None:
        if thread.state != OPEN:
            return None
        current = thread_rows.current_atendimento(t, thread.id)
        if current is None:
            return None
        return measure.mark(activity.get(t, current.id), now, self.alarm_minutes)

    def words(self, found: Mark) -> str:
        tr, team = self.ctx.wording.tr, self.ctx.wording.team
        duration = tr.format_duration(timedelta(seconds=found.seconds), team, length="short")
        if found.kind == ANSWERED:
            return tr._(team, "⏱ first answer in {duration}", duration=duration)
        if found.kind == ALARM:
            return tr._(team, "🚨 waiting for {duration}", duration=duration)
        return tr._(team, "⏳ waiting for {duration}", duration=duration)

    # --- the job ----------------------------------------------------------------------------

    async def run(self) -> int:
        """Redraw the cards whose line changed; how many were redrawn."""
        if self._running:
            return 0  # the last round is still under way
        self._running = True
        try:
            now = self.ctx.now()
            redrawn, _ = await self.ctx.outbox.commit(
                lambda threads: [self.threads.redraw(thread) for thread in threads],
                lambda t: self._plan(t, now))
        finally:
            self._running = False
        return len(redrawn or ())

    def _plan(self, t: Any, now: datetime) -> list[Thread]:
        """In the transaction that writes the redraws: which cards, recorded as shown now."""
        shown = sla_rows.all_shown(t)
        still_open: set[int] = set()
        changed: list[tuple[tuple[int, datetime, int], int, Mark]] = []
        gone: list[int] = []
        for thread_id, atendimento_id, seen in activity.of_open(t):
            still_open.add(thread_id)
            now_mark = measure.mark(seen, now, self.alarm_minutes)
            old = shown.get(thread_id)
            if old is not None and old.atendimento_id != atendimento_id:
                old = None  # its card was redrawn when this atendimento opened
            if now_mark is None:
                # No line now means none since the atendimento opened: nothing to redraw.
                if thread_id in shown:
                    gone.append(thread_id)
                continue
            if old is not None and old.line == now_mark.key:
                continue
            before = None if old is None else measure.parse(old.line)
            news = before is None or before.kind != now_mark.kind
            order = (0 if news else 1, _NEVER if old is None else _naive(old.shown_at),
                     thread_id)
            changed.append((order, atendimento_id, now_mark))
        # An ended card was redrawn by the end itself, without the line.
        gone += [thread_id for thread_id in shown if thread_id not in still_open]
        changed.sort(key=lambda change: change[0])
        redraw, rows = [], []
        for (_, _, thread_id), atendimento_id, now_mark in changed[:EDITS_PER_RUN]:
            thread = thread_rows.get(t, thread_id)
            if thread is None or thread.card_message_id is None:
                continue
            redraw.append(thread)
            rows.append(Shown(thread_id, atendimento_id, now_mark.key, now))
        sla_rows.forget(t, gone)
        sla_rows.record(t, rows)
        return redraw


def _naive(when: datetime) -> datetime:
    return when.replace(tzinfo=None)


def feature(core: Core) -> Feature:
    minutes = float(core.settings.get(SETTING, DEFAULT_MINUTES) or DEFAULT_MINUTES)
    sla = Sla(core, minutes)
    return Feature("sla", card=sla.card, jobs=[Job("redraw", REDRAW_SECONDS, sla.run)],
                   settings=(SETTING,), api=sla)

"""The comment a client may add to their rating: their next private message, when it is a text
sent within the window (rating.COMMENT_WINDOW). It goes to the thread as a line quoting it,
is kept with the rating, and the client is thanked; it is not relayed, so it opens no new
atendimento. Anything else they send next (a photo, a text after the window), or the team
writing to them, closes the window: from then on their messages are relayed as usual.

A replayed update (the desk crashed before its update state was saved) finds the message
recorded as the comment and is claimed again, deciding nothing twice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from atendimento.desk.context import DeskContext
from atendimento.desk.language import language_of
from atendimento.desk.outbox import Send, text_send
from atendimento.desk.threads import Threads
from atendimento.domain.events import ClientEvent
from atendimento.domain.happenings import TeamAnswerSent
from atendimento.domain.text import storable
from atendimento.features.csat.wording import CsatWording
from atendimento.storage import clients as client_rows
from atendimento.storage import csat as csat_rows
from atendimento.storage import threads as thread_rows

REPLAYS_REACH = timedelta(days=2)  # as far back as a replayed update can be (app.OUTBOX_KEPT)


class Windows:
    """The clients who may have a comment window open, in memory, so that every other
    client's private message and every comment of the team cost no database read here.

    Read from the database on first use (the open windows, and the comments taken lately,
    which an update replayed after a crash must find); a rating adds its client before its
    transaction commits, so the set is never short of one (an extra one costs one read)."""

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx
        self._ids: set[int] | None = None
        self._early: set[int] = set()
        self._lock = asyncio.Lock()

    async def may_have(self, client_id: int) -> bool:
        if self._ids is None:
            async with self._lock:
                if self._ids is None:
                    since = self.ctx.now() - REPLAYS_REACH
                    found = await self.ctx.storage.run(csat_rows.clients_who_may_comment,
                                                       since)
                    self._ids = found | self._early
        return client_id in self._ids

    def opening(self, client_id: int) -> None:
        (self._early if self._ids is None else self._ids).add(client_id)

    def closed(self, client_id: int) -> None:
        if self._ids is not None:
            self._ids.discard(client_id)


class Comments:
    def __init__(self, ctx: DeskContext, threads: Threads, words: CsatWording) -> None:
        self.ctx = ctx
        self.threads = threads
        self.words = words
        self.windows = Windows(ctx)

    async def claim(self, event: ClientEvent) -> bool:
        """True when the message is the client's comment (the registry then relays nothing);
        one indexed read for every other private message."""
        ctx, person, incoming = self.ctx, event.client, event.message
        if not await self.windows.may_have(person.id):
            return False
        awaited = await ctx.storage.run(csat_rows.awaiting_comment, person.id,
                                        incoming.message_id)
        if awaited is None:
            return False
        if awaited.comment_message_id == incoming.message_id:
            return True  # taken when this update was first handled
        now = ctx.now()
        comment = storable(incoming.text.strip()) if incoming.kind == "text" else ""
        usable = (comment and incoming.fingerprint is None and awaited.comment_until is not None
                  and now <= awaited.comment_until)
        if not usable:
            await ctx.storage.run(csat_rows.close_comment, person.id)
            self.windows.closed(person.id)
            return False
        return await self._take(awaited, comment, incoming.message_id)

    async def _take(self, awaited: csat_rows.Rating, comment: str, message_id: int) -> bool:
        ctx, now = self.ctx, self.ctx.now()
        kept = comment[:csat_rows.COMMENT_LIMIT]

        def take(t: Any) -> tuple[Any, ...] | None:
            client = client_rows.require(t, awaited.client_id)
            if client.banned:  # their messages are the ban's business
                csat_rows.close_comment(t, client.user_id)
                return None
            if not csat_rows.take_comment(t, awaited.atendimento_id, kept, message_id,
                                          now=now):
                return None
            atendimento = thread_rows.require_atendimento(t, awaited.atendimento_id)
            return client, atendimento, thread_rows.require(t, atendimento.thread_id)

        def sends(taken: tuple[Any, ...] | None) -> list[Send]:
            if taken is None:
                return []
            client, atendimento, thread = taken
            return [self.threads.line_send(thread, self.words.comment_line(atendimento.number,
                                                                           kept)),
                    text_send(client.user_id,
                              self.words.comment_thanks(language_of(ctx, client)))]

        taken, _ = await ctx.outbox.commit(sends, take)
        return taken is not None

    async def team_answered(self, event: TeamAnswerSent) -> None:
        """The team wrote to the client: what the client sends next answers them."""
        if await self.windows.may_have(event.client_id):
            await self.ctx.storage.run(csat_rows.close_comment, event.client_id)

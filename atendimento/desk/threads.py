"""Threads: a client's card and comment thread — created, resumed, ended, re-coloured."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from atendimento.desk.context import DeskContext
from atendimento.desk.ports import Button, Undeliverable
from atendimento.domain.card import CardFacts, render_card
from atendimento.domain.events import Person
from atendimento.domain.priority import Priority
from atendimento.domain.text import RichText
from atendimento.storage import clients as client_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import ENDED, OPEN, Atendimento, Client, Thread

log = logging.getLogger("atendimento.desk.threads")

CREATED = "created"
RESUMED = "resumed"


class ThreadUnavailable(Exception):
    """The card was posted but its comment thread never appeared (no linked group?)."""


@dataclass(frozen=True)
class Opened:
    thread: Thread
    atendimento: Atendimento
    change: str | None  # CREATED, RESUMED, or None when the atendimento was already open


class Threads:
    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    async def ensure_open(self, client: Client) -> Opened:
        """The client's thread with an open atendimento, creating or resuming as needed.

        Runs inside the client's lane, so two quick first messages cannot make two cards.
        """
        ctx, run = self.ctx, self.ctx.storage.run
        thread = await run(thread_rows.get_by_client, client.user_id)
        if thread is None:
            thread = await run(thread_rows.create, client_id=client.user_id, now=ctx.now())
        if thread.card_message_id is None:
            post_id = await ctx.telegram.send_text(
                ctx.channel_id, self.card(client, thread, is_open=True), silent=True)
            thread = await run(thread_rows.set_card, thread.id, post_id, now=ctx.now())
        if thread.thread_root_id is None:
            root = await ctx.roots.wait(thread.card_message_id, ctx.root_timeout)
            if root is None:
                raise ThreadUnavailable(
                    f"card {thread.card_message_id} has no comment thread: is the channel "
                    "linked to a discussion group with the bot as an administrator?")
            thread = await run(thread_rows.set_root, thread.id, root, now=ctx.now())
        current = await run(thread_rows.current_atendimento, thread.id)
        if current is not None and thread.state == OPEN:
            return Opened(thread, current, None)
        origin = await run(client_rows.take_pending_origin, client.user_id, now=ctx.now())
        atendimento = await run(thread_rows.open_atendimento, thread.id, now=ctx.now(),
                                origin=origin)
        thread = await run(thread_rows.set_state, thread.id, OPEN, now=ctx.now())
        await self.line(thread, ctx.wording.opened(atendimento.number, origin, ctx.now()))
        await self.show(thread, client)
        await self.pin(thread, True)
        return Opened(thread, atendimento, CREATED if atendimento.number == 1 else RESUMED)

    async def end(self, thread: Thread, by: Person) -> Atendimento | None:
        """End the open atendimento: service line, card ⚪ and unpinned. None if none was open."""
        ctx, run = self.ctx, self.ctx.storage.run
        current = await run(thread_rows.current_atendimento, thread.id)
        if current is None:
            return None
        ended = await run(thread_rows.end_atendimento, current.id, now=ctx.now(),
                          ended_by=by.id)
        thread = await run(thread_rows.set_state, thread.id, ENDED, now=ctx.now())
        duration = ended.ended_at - ended.opened_at
        await self.line(thread, ctx.wording.ended(ended.number, by.name, duration))
        await self.show(thread)
        await self.pin(thread, False)
        return ended

    async def set_priority(self, thread: Thread, priority: Priority, by: Person) -> Thread:
        ctx = self.ctx
        thread = await ctx.storage.run(thread_rows.set_priority, thread.id, priority,
                                       now=ctx.now())
        await self.show(thread)
        await self.line(thread, ctx.wording.priority_set(priority, by.name))
        return thread

    # --- the card ---------------------------------------------------------------------------

    def card(self, client: Client, thread: Thread, *, is_open: bool | None = None) -> RichText:
        facts = CardFacts(
            user_id=client.user_id, first_name=client.first_name, last_name=client.last_name,
            username=client.username, language_code=client.language_code,
            is_open=thread.state == OPEN if is_open is None else is_open,
            priority=Priority(thread.priority), banned=client.banned,
            blocked_bot=client.blocked_bot, ignored_while_banned=client.messages_while_banned)
        return render_card(facts, self.ctx.wording.card_words(client.messages_while_banned))

    async def show(self, thread: Thread, client: Client | None = None) -> None:
        """Redraw the card from what the database says now."""
        if thread.card_message_id is None:
            return
        if client is None:
            client = await self.ctx.storage.run(client_rows.require, thread.client_id)
        try:
            await self.ctx.telegram.edit_text(self.ctx.channel_id, thread.card_message_id,
                                              self.card(client, thread))
        except Undeliverable as error:
            log.error("card %s could not be updated: %s", thread.card_message_id, error)

    async def pin(self, thread: Thread, pinned: bool) -> None:
        if thread.card_message_id is None or thread.pinned == pinned:
            return
        telegram, channel = self.ctx.telegram, self.ctx.channel_id
        try:
            if pinned:
                await telegram.pin(channel, thread.card_message_id)
            else:
                await telegram.unpin(channel, thread.card_message_id)
        except Undeliverable as error:
            log.error("card %s could not be (un)pinned: %s", thread.card_message_id, error)
            return
        await self.ctx.storage.run(thread_rows.set_pinned, thread.id, pinned, now=self.ctx.now())

    async def line(self, thread: Thread, text: str, reply_to: int | None = None,
                   buttons: Sequence[Sequence[Button]] = ()) -> int | None:
        """A service line in the thread (never sent to the client), under `reply_to` if given."""
        targets = [reply_to, thread.thread_root_id] if reply_to else [thread.thread_root_id]
        for target in targets:
            try:
                return await self.ctx.telegram.send_text(self.ctx.group_id, text,
                                                         reply_to=target, silent=True,
                                                         buttons=buttons)
            except Undeliverable as error:  # the comment may be gone: try under the root
                log.error("service line in thread %s not sent: %s", thread.id, error)
        return None

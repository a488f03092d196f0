"""Threads: a client's card and comment thread — created, resumed, ended, re-coloured."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from atendimento.desk.context import DeskContext
from atendimento.desk.events import Events
from atendimento.desk.outbox import CARD, PIN, UNPIN, Delivery, Send, Tickets, text_send
from atendimento.desk.ports import Button
from atendimento.desk.settling import CardPosted, PinSet
from atendimento.domain.card import CardFacts, render_card
from atendimento.domain.events import Person
from atendimento.domain.happenings import AtendimentoEnded, PriorityChanged
from atendimento.domain.priority import Priority
from atendimento.domain.text import RichText
from atendimento.storage import clients as client_rows
from atendimento.storage import team as team_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import ENDED, OPEN, Atendimento, Client, Thread

log = logging.getLogger("atendimento.desk.threads")

CardLines = Callable[[Any, Thread, Client, datetime], Sequence[str]]

CREATED = "created"
RESUMED = "resumed"


class ThreadUnavailable(Exception):
    """The card was posted but its comment thread never appeared (no linked group?)."""


@dataclass(frozen=True)
class Opened:
    thread: Thread
    atendimento: Atendimento
    change: str | None  # CREATED, RESUMED, or None when the atendimento was already open
    notify: tuple[int, ...] = ()  # when opened now: the admins who asked for a notice


def open_now(t: Any, client_id: int) -> Opened | None:
    """The client's thread and atendimento if it is open and its thread is ready (inside a
    transaction of the caller's)."""
    thread = thread_rows.get_by_client(t, client_id)
    current = None if thread is None else thread_rows.current_atendimento(t, thread.id)
    return ready(thread, current)


def ready(thread: Thread | None, current: Atendimento | None) -> Opened | None:
    """The open atendimento, when the thread is open with its card and comment thread."""
    if (thread is None or current is None or thread.state != OPEN
            or None in (thread.card_message_id, thread.thread_root_id)):
        return None
    return Opened(thread, current, None)


class Threads:
    def __init__(self, ctx: DeskContext, events: Events) -> None:
        self.ctx = ctx
        self.events = events
        self._card_lines: list[CardLines] = []
        # Each comment thread's client, known without a read: a team message goes straight to
        # its client's lane, in the order it came, and no client's message overtakes it.
        self._clients_by_root: dict[int, int] = {}
        ctx.outbox.register(CARD, self._redraw)
        ctx.outbox.settles(CardPosted, _card_posted)
        ctx.outbox.settles(PinSet, _pin_set)

    async def load_roots(self) -> None:
        self._clients_by_root = await self.ctx.storage.run(thread_rows.clients_by_root)

    def client_of_root(self, root: int) -> int | None:
        """The client whose thread has root `root`, when known already."""
        return self._clients_by_root.get(root)

    def remember_root(self, root: int, client_id: int) -> None:
        self._clients_by_root[root] = client_id

    async def ensure_open(self, client: Client,
                          also: Callable[[Opened], Sequence[Send]] = lambda opened: (),
                          cause: str | None = None,
                          change: Callable[[Any], object] | None = None,
                          with_open: Callable[[Any, Opened], object] | None = None
                          ) -> tuple[Opened, Tickets]:
        """The client's thread with an open atendimento, creating or resuming as needed, and
        the sends `also` adds, decided in the same transaction as the opening (if any), where
        `change(tables)` runs too, and then `with_open(tables, opened)` once the atendimento
        is known (before `also` is asked for its sends).

        Runs inside the client's lane, so two quick first messages cannot make two cards.
        Raises Undeliverable when Telegram refuses the card, ThreadUnavailable when the card
        has no comment thread.
        """
        ctx, run = self.ctx, self.ctx.storage.run

        def open_already(t: Any) -> Opened | None:
            opened = open_now(t, client.user_id)
            if opened is not None and change is not None:
                change(t)
            if opened is not None and with_open is not None:
                with_open(t, opened)
            return opened

        # Most messages find the atendimento open: one transaction reads and decides them.
        opened, tickets = await ctx.outbox.commit(
            lambda opened: also(opened) if opened is not None else (), open_already,
            cause=cause)
        if opened is not None:
            return opened, tickets
        thread = await run(thread_rows.get_by_client, client.user_id)
        if thread is None:
            thread = await run(thread_rows.create, client_id=client.user_id, now=ctx.now())
        if thread.card_message_id is None:
            lines = (await self._facts(thread))[1] if self._card_lines else []
            card = text_send(ctx.channel_id, self.card(client, thread, is_open=True,
                                                       lines=lines),
                             silent=True, records=[CardPosted(thread.id)])
            (await ctx.outbox.send(card)).raise_for_failure()
            thread = await run(thread_rows.require, thread.id)
        if thread.thread_root_id is None:
            root = await ctx.roots.wait(thread.card_message_id, ctx.root_timeout)
            if root is None:
                raise ThreadUnavailable(
                    f"card {thread.card_message_id} has no comment thread: is the channel "
                    "linked to a discussion group with the bot as an administrator?")
            thread = await run(thread_rows.set_root, thread.id, root, now=ctx.now())
            self.remember_root(root, thread.client_id)
        current = await run(thread_rows.current_atendimento, thread.id)
        if current is not None and thread.state == OPEN:
            opened = Opened(thread, current, None)

            def keep(t: Any) -> None:
                if change is not None:
                    change(t)
                if with_open is not None:
                    with_open(t, opened)
            _, tickets = await ctx.outbox.commit(lambda _: also(opened), keep, cause=cause)
            return opened, tickets
        now, thread_id = ctx.now(), thread.id

        def open_one(t: Any) -> Opened:
            if change is not None:
                change(t)
            origin = client_rows.take_pending_origin(t, client.user_id, now=now)
            atendimento = thread_rows.open_atendimento(t, thread_id, now=now, origin=origin)
            opened = thread_rows.set_state(t, thread_id, OPEN, now=now)
            how = CREATED if atendimento.number == 1 else RESUMED
            notify = tuple(a.user_id for a in team_rows.list_admins_to_notify(t))
            result = Opened(opened, atendimento, how, notify)
            if with_open is not None:
                with_open(t, result)
            return result

        def sends(opened: Opened) -> list[Send]:
            number, origin = opened.atendimento.number, opened.atendimento.origin
            return [self.line_send(opened.thread, ctx.wording.opened(number, origin, now)),
                    self.redraw(opened.thread),
                    *self.pin_sends(opened.thread, True, changing=True),
                    *also(opened)]

        opened, tickets = await ctx.outbox.commit(sends, open_one, cause=cause)
        return opened, tickets  # the opening's own sends too: `tickets.of` finds a send's

    async def end(self, thread: Thread, by: Person,
                  also: Callable[[Atendimento | None], Sequence[Send]] = lambda ended: (),
                  before: Callable[[Any], object] | None = None,
                  line: Callable[[Atendimento], str] | None = None,
                  banned: bool = False) -> Atendimento | None:
        """End the open atendimento: service line, card ⚪ and unpinned. In the same
        transaction, `before(tables)` runs first and `also` adds sends (it gets None when no
        atendimento was open). `line(ended)` words the service line when not the team's /fim
        (an automatic close). Returns the ended atendimento, or None."""
        ctx = self.ctx
        now, thread_id = ctx.now(), thread.id

        def end_one(t: Any) -> tuple[Atendimento, Thread] | None:
            if before is not None:
                before(t)
            current = thread_rows.current_atendimento(t, thread_id)
            if current is None:
                return None
            ended = thread_rows.end_atendimento(t, current.id, now=now, ended_by=by.id)
            return ended, thread_rows.set_state(t, thread_id, ENDED, now=now)

        def sends(done: tuple[Atendimento, Thread] | None) -> list[Send]:
            if done is None:
                return [*also(None)]
            ended, ended_thread = done
            duration = ended.ended_at - ended.opened_at
            said = (line(ended) if line is not None
                    else ctx.wording.ended(ended.number, by.name, duration))
            return [self.line_send(ended_thread, said),
                    self.redraw(ended_thread),
                    *self.pin_sends(ended_thread, False, changing=True),
                    *also(ended), *self.events.sends(AtendimentoEnded(
                        ended_thread.client_id, thread_id, ended.id, ended.number, by.id,
                        automatic=line is not None, banned=banned))]

        done, _ = await ctx.outbox.commit(sends, end_one)
        return done[0] if done else None

    async def set_priority(self, thread: Thread, priority: Priority, by: Person) -> Thread:
        ctx, now = self.ctx, self.ctx.now()
        changed, _ = await ctx.outbox.commit(
            lambda changed: [self.redraw(changed),
                             self.line_send(changed, ctx.wording.priority_set(priority,
                                                                              by.name)),
                             *self.events.sends(PriorityChanged(
                                 changed.client_id, changed.id, priority.value, by.id))],
            lambda t: thread_rows.set_priority(t, thread.id, priority, now=now))
        return changed

    # --- the card ---------------------------------------------------------------------------

    def add_card_lines(self, lines: CardLines) -> None:
        """A feature's lines under the card (tags, the wait): `lines(tables, thread, client,
        now)` is read in the transaction that reads the card's facts, whenever it is drawn."""
        self._card_lines.append(lines)

    def card(self, client: Client, thread: Thread, *, is_open: bool | None = None,
             lines: Sequence[str] = ()) -> RichText:
        facts = CardFacts(
            user_id=client.user_id, first_name=client.first_name, last_name=client.last_name,
            username=client.username, language_code=client.language_code,
            is_open=thread.state == OPEN if is_open is None else is_open,
            priority=Priority(thread.priority), banned=client.banned,
            blocked_bot=client.blocked_bot, ignored_while_banned=client.messages_while_banned)
        card = render_card(facts, self.ctx.wording.card_words(client.messages_while_banned))
        for line in lines:
            card.add("\n" + line)
        return card

    async def _facts(self, thread: Thread) -> tuple[Client, list[str]]:
        """The card's client and the features' lines, read together."""
        now = self.ctx.now()

        def read(t: Any) -> tuple[Client, list[str]]:
            client = client_rows.require(t, thread.client_id)
            return client, [line for lines in self._card_lines
                            for line in lines(t, thread, client, now)]
        return await self.ctx.storage.run(read)

    def redraw(self, thread: Thread) -> Send:
        """Redraw the card from what the database says when the send goes out."""
        return Send(self.ctx.channel_id, CARD, {"thread": thread.id})

    async def show(self, thread: Thread) -> None:
        """Redraw the card (decided now, drawn from the database when it is sent)."""
        await self.ctx.outbox.commit([self.redraw(thread)])

    async def _redraw(self, item: Any) -> list[Any]:
        run = self.ctx.storage.run
        thread = await run(thread_rows.get, item.payload["thread"])
        if thread is None or thread.card_message_id is None:
            return []
        client, lines = await self._facts(thread)
        await self.ctx.telegram.edit_text(self.ctx.channel_id, thread.card_message_id,
                                          self.card(client, thread, lines=lines))
        return []

    def pin_sends(self, thread: Thread, pinned: bool, *, changing: bool = False) -> list[Send]:
        """The card pinned or unpinned, unless it is already; `changing`: the atendimento
        opens or ends now, and the pin is sent whatever the row says (a pin decided just
        before, still under way, has not changed it yet)."""
        if thread.card_message_id is None or (thread.pinned == pinned and not changing):
            return []
        return [Send(self.ctx.channel_id, PIN if pinned else UNPIN,
                     {"id": thread.card_message_id}, records=(PinSet(thread.id, pinned),))]

    def line_send(self, thread: Thread, text: str | RichText, reply_to: int | None = None,
                  buttons: Sequence[Sequence[Button]] = ()) -> Send:
        """A service line in the thread (never sent to the client), under `reply_to` if given
        and still there, else under the thread's root."""
        root = thread.thread_root_id
        return text_send(self.ctx.group_id, text, reply_to=reply_to or root, root=root,
                         buttons=buttons, silent=True)

    async def line(self, thread: Thread, text: str, reply_to: int | None = None,
                   buttons: Sequence[Sequence[Button]] = ()) -> int | None:
        delivery = await self.ctx.outbox.send(self.line_send(thread, text, reply_to, buttons))
        if not delivery.ok:
            log.error("service line in thread %s not sent: %s", thread.id, delivery.reason)
        return delivery.message_id


def _card_posted(t: Any, card: CardPosted, delivery: Delivery, now: datetime) -> None:
    """The card's post is the thread's card from now on (settled with the send)."""
    if delivery.message_id is not None:
        thread_rows.set_card(t, card.thread_id, delivery.message_id, now=now)


def _pin_set(t: Any, pin: PinSet, delivery: Delivery, now: datetime) -> None:
    thread_rows.set_pinned(t, pin.thread_id, pin.pinned, now=now)

"""The client's side: /start, messages relayed into the thread, edits, deletions, bans."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from atendimento.desk.context import DeskContext
from atendimento.desk.edits import mirror_edit
from atendimento.desk.language import language_of
from atendimento.desk.outbox import COPY, MARKDOWN, Send, Tickets, album_key, text_send
from atendimento.desk.parking import Parking, reason_of
from atendimento.desk.ports import Undeliverable
from atendimento.desk.settling import Failure, MessageLink
from atendimento.desk.threads import RESUMED, Opened, Threads, ThreadUnavailable, ready
from atendimento.domain.events import ClientEvent, Incoming, Person
from atendimento.domain.happenings import AtendimentoOpened, ClientMessageRelayed, ClientStarted
from atendimento.domain.marks import client_mark
from atendimento.domain.placeholders import fill_plain
from atendimento.domain.text import cut, one_line, storable
from atendimento.storage import clients as client_rows
from atendimento.storage import links as link_rows
from atendimento.storage import parked as parked_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.parked import ParkedMessage
from atendimento.storage.records import TO_TEAM, Client, Link, Thread
from atendimento.texts import client_values

if TYPE_CHECKING:
    from atendimento.desk.events import Events

log = logging.getLogger("atendimento.desk.client")

PROFILES_KEPT = 10_000
ORIGIN_LIMIT = 64  # UTF-16 units of a deep-link parameter kept


@dataclass(frozen=True)
class _Seen:
    """What the transaction deciding a client's message read."""

    client: Client
    target: Link | None  # the link of the message it answers
    copied: bool  # an album item copied already with the album's first item
    opened: Opened | None  # the open atendimento, unless the message needs more than a relay
    renamed: Thread | None = None  # the client's thread, when their name or @username changed


def _profile(client: Client | None) -> tuple[object, ...] | None:
    """What the card shows of a client's profile."""
    if client is None:
        return None
    return client.first_name, client.last_name, client.username, client.language_code


def _client_of(t: Any, person: Person, known: bool, now: datetime) -> Client:
    """The client's row; the profile is written only when it changed since last seen (reading
    the row is much cheaper than an upsert's write)."""
    client = client_rows.get(t, person.id) if known else None
    return client or client_rows.upsert(
        t, user_id=person.id, first_name=person.first_name, last_name=person.last_name,
        username=person.username, language_code=person.language_code, now=now)


def origin_of(arguments: str) -> str:
    """Where a client came from (`/start site`), as one line: a parameter typed by hand may
    hold line breaks or invisible characters, which would let it pass for a line of the desk's
    in the opening line and the admins' notice."""
    return storable(cut(one_line(arguments), ORIGIN_LIMIT))


class ClientSide:
    def __init__(self, ctx: DeskContext, threads: Threads, events: Events) -> None:
        self.ctx = ctx
        self.threads = threads
        self.events = events
        self.parking = Parking(ctx, self.client_text, self.opened_sends)
        # The profile each client had when last written: most messages come with the same one,
        # and reading the row is much cheaper than an upsert's write transaction.
        self._profiles: OrderedDict[int, Person] = OrderedDict()

    async def remember(self, person: Person) -> Client:
        now, known = self.ctx.now(), self._known(person)
        client = await self.ctx.storage.run(lambda t: _client_of(t, person, known, now))
        self._remembered(person)
        return client

    def _known(self, person: Person) -> bool:
        return self._profiles.get(person.id) == person

    def _remembered(self, person: Person) -> None:
        self._profiles[person.id] = person
        self._profiles.move_to_end(person.id)
        while len(self._profiles) > PROFILES_KEPT:
            self._profiles.popitem(last=False)

    async def start(self, event: ClientEvent) -> None:
        """`/start [origin]`: the start text, and the origin kept for the next atendimento (a
        banned client gets the ban text once, as for any message)."""
        client = await self.remember(event.client)
        if client.banned:
            await self._while_banned(client)
            return
        origin = origin_of(event.message.arguments)
        if origin:
            await self.ctx.storage.run(client_rows.set_pending_origin, client.user_id, origin,
                                       now=self.ctx.now())
        person = event.client
        await self.events.publish_now(ClientStarted(person.id, person.first_name, person.last_name,
                                                    person.username, person.language_code))
        await self.send_text_file(client, "start")

    async def _started_elsewhere(self, event: ClientEvent) -> None:
        """A client's /start to a bot another system runs: that bot greets; the desk keeps
        the origin (`/start site`) for the atendimento it opens, and sends WELCOME when set."""
        client = await self.remember(event.client)
        origin = origin_of(event.message.arguments)
        if origin:
            await self.ctx.storage.run(client_rows.set_pending_origin, client.user_id, origin,
                                       now=self.ctx.now())
        if self.ctx.mode.welcome and not client.banned:
            text = fill_plain(self.ctx.mode.welcome, client_values(
                client.first_name, client.last_name, client.username))
            await self.ctx.outbox.commit([text_send(client.user_id, text)])

    async def message(self, event: ClientEvent) -> None:
        ctx, incoming, person = self.ctx, event.message, event.client
        if ctx.mode.parallel and incoming.command == "start":
            await self._started_elsewhere(event)
        cause, now, known = ctx.outbox.cause_name(), ctx.now(), self._known(person)
        relay: list[Send] = []

        def read(t: Any) -> _Seen:
            client, thread, current = (client_rows.with_thread(t, person.id) if known
                                       else (None, None, None))
            before = None
            if client is None:  # new, or a new profile: written first
                before = _profile(client_rows.get(t, person.id))
                _client_of(t, person, False, now)
                client, thread, current = client_rows.with_thread(t, person.id)
            renamed = (thread if before is not None and before != _profile(client)
                       and thread is not None else None)
            copied = bool(incoming.media_group_id) and link_rows.find_by_client_message(
                t, incoming.chat_id, incoming.message_id) is not None
            target = incoming.reply_to_id and link_rows.find_by_client_message(
                t, incoming.chat_id, incoming.reply_to_id)
            usual = not (client.banned or client.blocked_bot or copied)
            return _Seen(client, target or None, copied, ready(thread, current) if usual else None,
                         renamed)

        def decide(seen: _Seen) -> list[Send]:
            # A new name or @username shows on the card at once (the team searches by it).
            redraw = [self.threads.redraw(seen.renamed)] if seen.renamed is not None else []
            if seen.opened is None:
                return redraw
            return [*self._sends(seen.client, seen.opened, event, seen.target, cause, relay),
                    *redraw]

        # Most messages come to an open atendimento: one transaction reads and decides them.
        seen, tickets = await ctx.outbox.commit(decide, read, cause=cause)
        self._remembered(person)
        client = seen.client
        if client.banned:
            await self._while_banned(client)
            return
        if seen.copied:
            return  # an album item already copied with its first item
        if seen.opened is None:
            placed = await self._opening(client, event, seen.target, cause, relay)
            if placed is None:
                return  # parked until its thread can be opened
            opened, tickets = placed
        else:
            opened = seen.opened
        if relay[0].action != COPY or not self.events.listened(ClientMessageRelayed):
            return
        delivery = await tickets.of(relay[0])
        if delivery.message_id is not None:
            await self.events.publish(ClientMessageRelayed(
                client.user_id, opened.thread.id, opened.atendimento.id, delivery.message_id,
                incoming.text or ""))

    async def _opening(self, client: Client, event: ClientEvent, target: Link | None,
                       cause: str, relay: list[Send]
                       ) -> tuple[Opened, Tickets] | None:
        """The message finds no open atendimento, or the client had blocked the bot: open one
        (or resume it), deciding the relay in the same transaction. When the thread cannot be
        opened, the message is parked (None) and placed once it can."""
        run = self.ctx.storage.run
        was_blocked = client.blocked_bot
        if was_blocked:  # writing again means the client unblocked the bot
            await run(client_rows.set_blocked_bot, client.user_id, False, now=self.ctx.now())
            client = await run(client_rows.require, client.user_id)
        if await run(parked_rows.of_client, client.user_id):
            # Earlier messages wait for the thread: this one waits behind them.
            await self.parking.park(client, event.message, "")
            await self.place(client.user_id)
            return None
        try:
            opened, tickets = await self.threads.ensure_open(
                client, lambda opened: self._sends(client, opened, event, target, cause, relay),
                cause)
        except (Undeliverable, ThreadUnavailable) as error:
            await self.parking.park(client, event.message, reason_of(error))
            return None
        if was_blocked and opened.change is None:
            await self.threads.show(opened.thread)
        return opened, tickets

    async def place(self, client_id: int) -> bool:
        """Place the client's parked messages in their thread, in the order they came,
        opening it first; False when it still cannot be opened (they stay parked)."""
        run = self.ctx.storage.run
        if not await run(parked_rows.of_client, client_id):
            return True
        # Copies still on their way to the group may yet be refused and parked (their thread
        # deleted meanwhile, desk/thread_moves.py): they go first, in the order sent.
        await self.ctx.outbox.flushed(self.ctx.group_id)
        parked = await run(parked_rows.of_client, client_id)
        client = await run(client_rows.require, client_id)
        ids = [p.id for p in parked]
        if client.banned:  # banned meanwhile: what they sent is not relayed
            await run(parked_rows.take, ids)
            return True
        targets = await run(self.parking.targets, parked)
        try:
            await self.threads.ensure_open(
                client, lambda opened: self._placing(client, opened, parked, targets),
                change=lambda t: parked_rows.take(t, ids))
        except (Undeliverable, ThreadUnavailable) as error:
            await run(parked_rows.tried, ids, reason_of(error))
            log.warning("%d messages of client %s still wait for their thread: %s",
                        len(ids), client_id, reason_of(error))
            return False
        log.info("%d parked messages of client %s placed", len(ids), client_id)
        return True

    def _placing(self, client: Client, opened: Opened, parked: Sequence[ParkedMessage],
                 targets: dict[int, int]) -> list[Send]:
        """The parked messages' sends, and the card pinned when its thread was open already
        (a card posted again, after its thread was deleted from the group, is not yet)."""
        sends = self.parking.sends(client, opened, parked, targets, self._relay)
        if opened.change is None:
            sends += self.threads.pin_sends(opened.thread, True)
        return sends

    def _sends(self, client: Client, opened: Opened, event: ClientEvent, target: Link | None,
               cause: str, relay: list[Send]) -> list[Send]:
        """What a client's message makes the desk send: the relay (kept in `relay`), preceded
        by the restart text when it resumes the atendimento, followed by the admins'
        notices when it opens one."""
        relay[:] = self._relay(client, opened, event, target and target.group_message_id)
        sends = list(relay)
        if opened.change == RESUMED:
            sends[:0] = self.client_text(client, "restart", thread=opened.thread,
                                         numero=opened.atendimento.number)
        if opened.change is None:
            return sends
        comment = self.ctx.outbox.key_in(cause, relay[0]) if relay[0].action == COPY else None
        return sends + self.opened_sends(client, opened, event.message.preview, comment)

    def opened_sends(self, client: Client, opened: Opened, preview: str,
                     comment_key: str | None) -> list[Send]:
        """The event that the atendimento was opened now (created or resumed), written with
        the opening; `comment_key` is the row of the message's copy in the thread."""
        if opened.change is None:
            return []
        name = " ".join(p for p in (client.first_name, client.last_name) if p)
        return self.events.sends(AtendimentoOpened(
            client.user_id, opened.thread.id, opened.atendimento.id, opened.atendimento.number,
            opened.change == RESUMED, name, opened.atendimento.origin,
            opened.thread.card_message_id, preview, comment_key, opened.notify))

    def _relay(self, client: Client, opened: Opened, event: ClientEvent | Incoming,
               reply_to: int | None) -> list[Send]:
        """The copy of the client's message into the thread (or, for a kind that cannot be
        copied, a line in the thread and a word to the client)."""
        ctx, thread = self.ctx, opened.thread
        incoming = event.message if isinstance(event, ClientEvent) else event
        if not incoming.copyable:
            line = self.threads.line_send(thread, ctx.wording.client_sent_unsupported(
                incoming.kind))
            if ctx.mode.silent:
                return [line]
            return [line, text_send(client.user_id, ctx.wording.unsupported_for_client(
                incoming.kind, language_of(ctx, client)))]
        link = MessageLink(opened.atendimento.id, TO_TEAM, incoming.chat_id, ctx.group_id,
                           incoming.media_group_id, incoming.sent_at)
        payload: dict[str, object] = {
            "from": incoming.chat_id, "id": incoming.message_id,
            "reply_to": reply_to or thread.thread_root_id, "root": thread.thread_root_id}
        if (mark := client_mark(incoming.text)) is not None:  # it reads as the bot's words
            payload["mark"] = list(mark)
        return [Send(ctx.group_id, COPY, payload,
            key=album_key(incoming.chat_id, incoming.media_group_id), records=(link,),
            failure=Failure(thread.id, root=thread.thread_root_id))]

    async def _while_banned(self, client: Client) -> None:
        run, ctx = self.ctx.storage.run, self.ctx
        await run(client_rows.count_message_while_banned, client.user_id, now=ctx.now())
        thread = await run(thread_rows.get_by_client, client.user_id)
        if thread is not None:
            await self.threads.show(thread)
        if not client.ban_notice_sent:
            await self.send_text_file(client, "banned")
            await run(client_rows.mark_ban_notice_sent, client.user_id, now=ctx.now())

    async def edit(self, event: ClientEvent) -> None:
        """The client edited a message: edit its copy in the thread."""
        await mirror_edit(self.ctx, event.message, from_client=True)

    async def deleted(self, message_ids: tuple[int, ...]) -> None:
        """The client deleted messages: say so in the thread, delete nothing there."""
        ctx, run = self.ctx, self.ctx.storage.run
        for link in await run(link_rows.find_by_client_message_ids, list(message_ids)):
            if link.deleted_by_client_at is not None:
                continue
            atendimento = await run(thread_rows.require_atendimento, link.atendimento_id)
            thread = await run(thread_rows.require, atendimento.thread_id)
            words = ctx.wording
            if ctx.mode.parallel:  # the existing bot may have deleted it
                text = words.deleted_in_chat(link.direction)
            else:
                text = (words.deleted_by_client() if link.direction == TO_TEAM
                        else words.answer_deleted_by_client())
            now, link_id = ctx.now(), link.id
            await ctx.outbox.commit(
                [self.threads.line_send(thread, text, reply_to=link.group_message_id)],
                lambda t, link_id=link_id, now=now: link_rows.mark_deleted_by_client(
                    t, link_id, now=now))

    def text_file_send(self, client: Client, name: str, *, thread: Thread | None = None,
                       **values: object) -> Send:
        """One of the self-hoster's texts, in the client's language when it exists; a refusal
        is said in `thread` (and a block shown on its card), as for an answer."""
        text = self.ctx.texts.render(
            name, language_of(self.ctx, client),
            **client_values(client.first_name, client.last_name, client.username), **values)
        failure = None if thread is None else Failure.to_client(thread, client.user_id)
        return Send(client.user_id, MARKDOWN, {"text": text}, failure=failure)

    def client_text(self, client: Client, name: str, *, thread: Thread | None = None,
                    **values: object) -> list[Send]:
        """`text_file_send`, unless the desk is silent towards clients (SILENT_MODE)."""
        if self.ctx.mode.silent:
            return []
        return [self.text_file_send(client, name, thread=thread, **values)]

    async def send_text_file(self, client: Client, name: str, **values: object) -> None:
        sends = self.client_text(client, name, **values)
        if sends:
            await self.ctx.outbox.commit(sends)

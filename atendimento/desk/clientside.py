"""The client's side: /start, messages relayed into the thread, edits, deletions, bans."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

from atendimento.desk.context import DeskContext
from atendimento.desk.edits import mirror_edit
from atendimento.desk.notices import Notices
from atendimento.desk.ports import UNSUPPORTED, Undeliverable
from atendimento.desk.threads import Opened, Threads
from atendimento.domain.events import ClientEvent, Person
from atendimento.storage import clients as client_rows
from atendimento.storage import links as link_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import TO_TEAM, Client, Thread
from atendimento.texts import client_values

if TYPE_CHECKING:
    from atendimento.desk.autoanswer import AutoAnswer

log = logging.getLogger("atendimento.desk.client")

PROFILES_KEPT = 10_000


class ClientSide:
    def __init__(self, ctx: DeskContext, threads: Threads, notices: Notices,
                 faq: AutoAnswer) -> None:
        self.ctx = ctx
        self.threads = threads
        self.notices = notices
        self.faq = faq
        # The profile each client had when last written: most messages come with the same one,
        # and reading the row is much cheaper than an upsert's write transaction.
        self._profiles: OrderedDict[int, Person] = OrderedDict()

    async def remember(self, person: Person) -> Client:
        if self._profiles.get(person.id) == person:
            client = await self.ctx.storage.run(client_rows.get, person.id)
            if client is not None:
                return client
        client = await self.ctx.storage.run(
            client_rows.upsert, user_id=person.id, first_name=person.first_name,
            last_name=person.last_name, username=person.username,
            language_code=person.language_code, now=self.ctx.now())
        self._profiles[person.id] = person
        self._profiles.move_to_end(person.id)
        while len(self._profiles) > PROFILES_KEPT:
            self._profiles.popitem(last=False)
        return client

    async def start(self, event: ClientEvent) -> None:
        """`/start [origin]`: the start text, and the origin kept for the next atendimento."""
        client = await self.remember(event.client)
        origin = event.message.arguments.strip()[:64]
        if origin:
            await self.ctx.storage.run(client_rows.set_pending_origin, client.user_id, origin,
                                       now=self.ctx.now())
        await self.notices.admin_started(event.client)
        await self.send_text_file(client, "start")

    async def message(self, event: ClientEvent) -> None:
        ctx, run, incoming = self.ctx, self.ctx.storage.run, event.message
        client = await self.remember(event.client)
        if client.banned:
            await self._while_banned(client)
            return
        if await run(link_rows.find_by_client_message, incoming.chat_id, incoming.message_id):
            return  # an album item already copied with its first item
        was_blocked = client.blocked_bot
        if was_blocked:  # writing again means the client unblocked the bot
            await run(client_rows.set_blocked_bot, client.user_id, False, now=ctx.now())
            client = await run(client_rows.require, client.user_id)
        opened = await self.threads.ensure_open(client)
        if was_blocked and opened.change is None:
            await self.threads.show(opened.thread, client)
        if opened.change == "resumed":
            await self.send_text_file(client, "restart", numero=opened.atendimento.number)
        copy_id = await self._relay(client, opened, event)
        if opened.change is not None:
            await self.notices.thread_opened(client, opened, incoming.preview, copy_id)
        if copy_id is not None:
            await self.faq.client_message(client, opened, incoming, copy_id)

    async def _relay(self, client: Client, opened: Opened, event: ClientEvent) -> int | None:
        ctx, run, incoming = self.ctx, self.ctx.storage.run, event.message
        thread = opened.thread
        reply_to = thread.thread_root_id
        if incoming.reply_to_id:
            target = await run(link_rows.find_by_client_message, incoming.chat_id,
                               incoming.reply_to_id)
            if target is not None:
                reply_to = target.group_message_id
        if not incoming.copyable:
            await self._unsupported(client, thread, incoming.kind)
            return None
        try:
            pairs = await ctx.telegram.copy(incoming.chat_id, incoming.message_id, ctx.group_id,
                                            reply_to=reply_to)
        except Undeliverable as error:
            if error.reason == UNSUPPORTED:
                await self._unsupported(client, thread, incoming.kind)
            else:
                log.error("message %s of client %s not relayed: %s", incoming.message_id,
                          client.user_id, error)
                await self.threads.line(thread, ctx.wording.undelivered(error.reason,
                                                                        error.detail))
            return None
        for source_id, copy_id in pairs:
            await run(link_rows.add, atendimento_id=opened.atendimento.id, direction=TO_TEAM,
                      client_chat_id=incoming.chat_id, client_message_id=source_id,
                      group_chat_id=ctx.group_id, group_message_id=copy_id, now=ctx.now(),
                      media_group_id=incoming.media_group_id)
        return pairs[0][1] if pairs else None

    async def _unsupported(self, client: Client, thread: Thread, kind: str) -> None:
        await self.threads.line(thread, self.ctx.wording.client_sent_unsupported(kind))
        locale = self.ctx.wording.tr.locale_for(client.language_code)
        try:
            await self.ctx.telegram.send_text(
                client.user_id, self.ctx.wording.unsupported_for_client(kind, locale))
        except Undeliverable as error:
            log.info("client %s not told about an unsupported message: %s", client.user_id, error)

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
            await run(link_rows.mark_deleted_by_client, link.id, now=ctx.now())
            atendimento = await run(thread_rows.require_atendimento, link.atendimento_id)
            thread = await run(thread_rows.require, atendimento.thread_id)
            words = ctx.wording
            text = (words.deleted_by_client() if link.direction == TO_TEAM
                    else words.answer_deleted_by_client())
            await self.threads.line(thread, text, reply_to=link.group_message_id)

    async def send_text_file(self, client: Client, name: str, **values: object) -> None:
        """One of the self-hoster's texts, in the client's language when it exists."""
        text = self.ctx.texts.render(
            name, client.language_code,
            **client_values(client.first_name, client.last_name, client.username), **values)
        try:
            await self.ctx.telegram.send_markdown(client.user_id, text)
        except Undeliverable as error:
            log.info("%s text not sent to client %s: %s", name, client.user_id, error)

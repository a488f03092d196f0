"""Team commands in a thread: /fim, /p, /ban, /desbanir, /resposta (and English aliases).

Commands never reach the client. /p, /ban and /desbanir are for channel administrators.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from atendimento.desk.context import DeskContext
from atendimento.desk.notices import ADMIN, Notices
from atendimento.desk.ports import Button, Undeliverable
from atendimento.desk.threads import Threads
from atendimento.domain.events import Person, TeamEvent
from atendimento.domain.priority import ORDER, Priority, parse_priority
from atendimento.storage import clients as client_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import Thread

log = logging.getLogger("atendimento.desk.commands")

END, PRIORITY, BAN, UNBAN, SAVE = "end", "priority", "ban", "unban", "save"
ALIASES = {
    "resposta": SAVE, "salvar": SAVE, "save": SAVE,
    "fim": END, "end": END,
    "p": PRIORITY, "prioridade": PRIORITY, "priority": PRIORITY,
    "ban": BAN, "banir": BAN,
    "desbanir": UNBAN, "unban": UNBAN,
}
ADMIN_ONLY = frozenset({PRIORITY, BAN, UNBAN})
BUTTON_PREFIX = "p:"

SendText = Callable[..., Awaitable[None]]  # (client, text name, **placeholders)


class Commands:
    def __init__(self, ctx: DeskContext, threads: Threads, notices: Notices,
                 send_text_file: SendText,
                 save_reply: Callable[[TeamEvent, Thread], Awaitable[None]]) -> None:
        self.ctx = ctx
        self.threads = threads
        self.notices = notices
        self.send_text_file = send_text_file
        self.save_reply = save_reply

    async def run(self, event: TeamEvent, thread: Thread) -> None:
        command = event.message.command or ""
        name = ALIASES.get(command)
        here = event.message.message_id
        if name is None:
            await self.threads.line(thread, self.ctx.wording.unknown_command(command),
                                    reply_to=here)
            return
        author = self._author(event)
        if name in ADMIN_ONLY and not await self._is_admin(event):
            await self.threads.line(thread, self.ctx.wording.admins_only(command), reply_to=here)
            return
        arguments = event.message.arguments.strip()
        if name == SAVE:
            await self.save_reply(event, thread)
        elif name == END:
            await self.end(thread, author)
        elif name == PRIORITY:
            await self.priority(thread, author, arguments, here)
        elif name == BAN:
            await self.ban(thread, author, arguments)
        else:
            await self.unban(thread, author)

    def _author(self, event: TeamEvent) -> Person:
        if event.author is not None:
            return event.author
        return Person(event.sender_chat_id or 0,
                      self.ctx.wording.tr.pgettext(self.ctx.wording.team, "person", "anonymous"))

    async def _is_admin(self, event: TeamEvent) -> bool:
        if event.author is None:
            # Only an admin can post as the group or as the channel.
            return event.sender_chat_id in (self.ctx.group_id, self.ctx.channel_id)
        return await self.notices.status(event.author.id) == ADMIN

    async def end(self, thread: Thread, by: Person) -> None:
        ended = await self.threads.end(thread, by)
        if ended is None:
            await self.threads.line(thread, self.ctx.wording.nothing_to_end())
            return
        client = await self.ctx.storage.run(client_rows.require, thread.client_id)
        if not client.banned:
            await self.send_text_file(client, "end", numero=ended.number)

    async def priority(self, thread: Thread, by: Person, argument: str, here: int) -> None:
        words = self.ctx.wording
        if not argument:
            rows = [[Button(f"{p.rank} {words.priority(p)}", f"{BUTTON_PREFIX}{thread.id}:{p}")
                     for p in ORDER[i:i + 2]] for i in (0, 2)]
            try:
                await self.ctx.telegram.send_text(self.ctx.group_id, words.choose_priority(),
                                                  reply_to=here, buttons=rows, silent=True)
            except Undeliverable as error:
                log.error("priority buttons not sent: %s", error)
            return
        chosen = parse_priority(argument, words.priority_names())
        if chosen is None:
            await self.threads.line(thread, words.unknown_priority(argument), reply_to=here)
            return
        await self.threads.set_priority(thread, chosen, by)

    async def priority_button(self, user: Person, data: str) -> str | None:
        """A priority button was pressed; returns the short answer shown to who pressed it."""
        words = self.ctx.wording
        try:
            thread_id, value = data.removeprefix(BUTTON_PREFIX).split(":")
            priority = Priority(value)
        except ValueError:
            return None
        if await self.notices.status(user.id) != ADMIN:
            return words.admins_only("p")
        thread = await self.ctx.storage.run(thread_rows.get, int(thread_id))
        if thread is None:
            return None
        await self.threads.set_priority(thread, priority, user)
        return words.priority(priority)

    async def ban(self, thread: Thread, by: Person, reason: str) -> None:
        ctx, run = self.ctx, self.ctx.storage.run
        client = await run(client_rows.require, thread.client_id)
        if client.banned:
            await self.threads.line(thread, ctx.wording.already_banned())
            return
        client = await run(client_rows.ban, client.user_id, reason=reason or None, now=ctx.now())
        await self.threads.end(thread, by)  # silently: a banned client gets no end text
        thread = await run(thread_rows.require, thread.id)
        await self.threads.show(thread, client)
        name = " ".join(p for p in (client.first_name, client.last_name) if p)
        await self.threads.line(thread, ctx.wording.banned(name, by.name, reason))

    async def unban(self, thread: Thread, by: Person) -> None:
        ctx, run = self.ctx, self.ctx.storage.run
        client = await run(client_rows.require, thread.client_id)
        if not client.banned:
            await self.threads.line(thread, ctx.wording.not_banned())
            return
        client = await run(client_rows.unban, client.user_id, now=ctx.now())
        await self.threads.show(thread, client)
        name = " ".join(p for p in (client.first_name, client.last_name) if p)
        await self.threads.line(thread, ctx.wording.unbanned(name, by.name))


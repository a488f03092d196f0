"""Team commands in a thread: /fim, /p, /ban, /desbanir, /resposta (and English aliases).

Commands never reach the client. /p, /ban and /desbanir are for channel administrators.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from atendimento.desk.context import DeskContext
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.notices import ADMIN, Notices
from atendimento.desk.outbox import Send
from atendimento.desk.ports import Button
from atendimento.desk.threads import Threads
from atendimento.domain.events import Person, TeamEvent
from atendimento.domain.ids import parse_id
from atendimento.domain.priority import ORDER, parse_priority
from atendimento.domain.text import cut, storable
from atendimento.storage import clients as client_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import Atendimento, Thread

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
BAN_REASON_LIMIT = 1000  # kept with the ban; longer reasons are cut

TextFileSend = Callable[..., Send]  # (client, text name, **placeholders) -> the send


class Commands:
    def __init__(self, ctx: DeskContext, threads: Threads, notices: Notices,
                 text_file_send: TextFileSend,
                 save_reply: Callable[[TeamEvent, Thread], Awaitable[None]]) -> None:
        self.ctx = ctx
        self.threads = threads
        self.notices = notices
        self.text_file_send = text_file_send
        self.save_reply = save_reply
        self.guard = GuardWording(ctx.wording.tr)

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
            await self.ban(thread, author, storable(cut(arguments, BAN_REASON_LIMIT,
                                                        unit="chars")))
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
        client = await self.ctx.storage.run(client_rows.require, thread.client_id)

        def also(ended: Atendimento | None) -> list[Send]:
            if ended is None:
                return [self.threads.line_send(thread, self.ctx.wording.nothing_to_end())]
            if client.banned:
                return []
            return [self.text_file_send(client, "end", numero=ended.number)]

        await self.threads.end(thread, by, also)

    async def priority(self, thread: Thread, by: Person, argument: str, here: int) -> None:
        words = self.ctx.wording
        if not argument:
            rows = [[Button(f"{p.rank} {words.priority(p)}", f"{BUTTON_PREFIX}{thread.id}:{p}")
                     for p in ORDER[i:i + 2]] for i in (0, 2)]
            await self.ctx.outbox.commit([self.threads.line_send(
                thread, words.choose_priority(), reply_to=here, buttons=rows)])
            return
        chosen = parse_priority(argument, words.priority_names())
        if chosen is None:
            await self.threads.line(thread, words.unknown_priority(argument), reply_to=here)
            return
        await self.threads.set_priority(thread, chosen, by)

    async def priority_button(self, user: Person, data: str, locale: str) -> tuple[str, bool]:
        """A priority button was pressed: the short answer shown to who pressed it, and
        whether it is an alert. Only admins may; data that no button of ours carries is
        "no longer valid"."""
        words, guard = self.ctx.wording, self.guard
        if await self.notices.status(user.id) != ADMIN:
            return words.admins_only("p"), True
        thread_id, _, value = data.removeprefix(BUTTON_PREFIX).partition(":")
        number = parse_id(thread_id)
        priority = next((p for p in ORDER if p.value == value), None)
        thread = (None if number is None or priority is None
                  else await self.ctx.storage.run(thread_rows.get, number))
        if thread is None or priority is None:
            return guard.button_invalid(locale), True
        await self.threads.set_priority(thread, priority, user)
        return words.priority(priority, locale), False

    async def ban(self, thread: Thread, by: Person, reason: str) -> None:
        ctx, run = self.ctx, self.ctx.storage.run
        client = await run(client_rows.require, thread.client_id)
        if client.banned:
            await self.threads.line(thread, ctx.wording.already_banned())
            return
        now, name = ctx.now(), " ".join(p for p in (client.first_name, client.last_name) if p)
        # Ended silently (a banned client gets no end text); the card is redrawn as banned.
        await self.threads.end(
            thread, by,
            lambda ended: [self.threads.redraw(thread),
                           self.threads.line_send(thread, ctx.wording.banned(name, by.name,
                                                                             reason))],
            before=lambda t: client_rows.ban(t, client.user_id, reason=reason or None,
                                             now=now))

    async def unban(self, thread: Thread, by: Person) -> None:
        ctx, run = self.ctx, self.ctx.storage.run
        client = await run(client_rows.require, thread.client_id)
        if not client.banned:
            await self.threads.line(thread, ctx.wording.not_banned())
            return
        now, name = ctx.now(), " ".join(p for p in (client.first_name, client.last_name) if p)
        await ctx.outbox.commit(
            [self.threads.redraw(thread),
             self.threads.line_send(thread, ctx.wording.unbanned(name, by.name))],
            lambda t: client_rows.unban(t, client.user_id, now=now))

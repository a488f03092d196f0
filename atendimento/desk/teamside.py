"""The team's side: comments in a card's thread copied to the client, edits mirrored, and the
checks that keep anything not meant for the client in the thread."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

from atendimento.desk.context import DeskContext
from atendimento.desk.edits import mirror_edit
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.outbox import COPY, Send, album_key, text_send
from atendimento.desk.refusals import Refusals
from atendimento.desk.settling import Failure, MessageLink
from atendimento.desk.team import NONE, UNKNOWN, Team
from atendimento.desk.threads import Threads
from atendimento.domain.events import TeamEvent
from atendimento.domain.happenings import TeamAnswerSent
from atendimento.storage import clients as client_rows
from atendimento.storage import links as link_rows
from atendimento.storage import settings as setting_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import TO_CLIENT, Thread
from atendimento.texts import client_values

if TYPE_CHECKING:
    from atendimento.desk.events import Events
    from atendimento.desk.registry import Registry

log = logging.getLogger("atendimento.desk.team")

ANONYMOUS_WARNED = "anonymous_warning_sent"
KEPT_ALBUMS = 1000  # albums kept by a command caption, remembered (their items come together)


class TeamSide:
    def __init__(self, ctx: DeskContext, threads: Threads, team: Team, registry: Registry,
                 events: Events) -> None:
        self.ctx = ctx
        self.threads = threads
        self.team = team
        self.registry = registry
        self.events = events
        self.guard = GuardWording(ctx.wording.tr)
        self._refusals = Refusals()
        # Albums kept in the thread because an item's caption is a command: their other
        # items (which come next, each as its own update) are kept too, since the copy of
        # any one of them would carry the whole album, that caption with it.
        self._kept_albums: OrderedDict[tuple[int, str], None] = OrderedDict()

    async def thread_of(self, event: TeamEvent) -> Thread | None:
        if event.thread_root_id is None:
            return None
        return await self.ctx.storage.run(thread_rows.get_by_root, event.thread_root_id)

    async def comment(self, event: TeamEvent, thread: Thread) -> None:
        """A comment in a card's thread: a command, or a message for the client. Whoever sent
        it must be the team before anything else runs (commands included)."""
        incoming = event.message
        if event.author is not None and event.author.id == self.ctx.bot_id:
            return
        if not await self.is_team(event, thread):
            return
        if incoming.command is not None and not event.via_bot:
            await self.registry.in_thread(event, thread)
            return
        if await self.registry.comment(event, thread):
            return  # the team's own (a note): never sent to the client
        album = ((incoming.chat_id, str(incoming.media_group_id))
                 if incoming.media_group_id else None)
        if incoming.aside is not None and not event.via_bot:
            if album is not None:
                self._kept_albums[album] = None
                while len(self._kept_albums) > KEPT_ALBUMS:
                    self._kept_albums.popitem(last=False)
            await self.threads.line(thread, self.guard.command_aside(
                incoming.aside, caption=incoming.kind != "text"), reply_to=incoming.message_id)
            return
        if album is not None and album in self._kept_albums:
            return  # the album's line is under the item whose caption is a command
        if event.author is None:
            await self._warn_anonymous(thread, incoming.message_id)
        picked = None
        if incoming.fingerprint is not None and event.author is not None:
            picked = await self.registry.arrived(event.author.id, incoming.fingerprint)
        await self._relay(event, thread, picked)

    async def is_team(self, event: TeamEvent, thread: Thread) -> bool:
        """Whether the comment comes from the team: a member of the channel, an admin
        posting as the channel (only its admins can), or the discussion group posting as
        itself when every admin of the group who may do so is a member of the channel
        (`Team.group_status`). Anyone else — an outsider, a member posting as some other
        channel — gets one line, and nothing more happens."""
        ctx, here = self.ctx, event.message.message_id
        if event.author is None:
            status = await self.team.sender_status(event)
            if status not in (NONE, UNKNOWN):
                return True
            sender = ("chat", event.sender_chat_id)
            if event.sender_chat_id != ctx.group_id:
                line = self.guard.foreign_chat(event.sender_chat_title)
            else:
                line = self.guard.anonymous_not_team(known=status == NONE)
        else:
            status = await self.team.status(event.author.id)
            if status not in (NONE, UNKNOWN):
                return True
            sender = ("user", event.author.id)
            line = (ctx.wording.not_a_member(event.author.name) if status == NONE
                    else ctx.wording.membership_unknown(event.author.name))
        # A member whose membership Telegram could not confirm hears it every time.
        if status == UNKNOWN or self._refusals.first(sender, thread.id, ctx.now()):
            await self.threads.line(thread, line, reply_to=here)
        log.info("comment %s in thread %s refused: %s %s is not the team", here, thread.id,
                 *sender)
        return False

    async def _warn_anonymous(self, thread: Thread, here: int) -> None:
        ctx = self.ctx
        if not await ctx.storage.run(setting_rows.get, ANONYMOUS_WARNED, False):
            await self.threads.line(thread, ctx.wording.anonymous_warning(), reply_to=here)
            await ctx.storage.run(setting_rows.put, ANONYMOUS_WARNED, True, now=ctx.now())

    async def _relay(self, event: TeamEvent, thread: Thread, picked: int | None) -> None:
        ctx, run, incoming = self.ctx, self.ctx.storage.run, event.message
        if incoming.media_group_id and await run(link_rows.find_by_group_message,
                                                 incoming.chat_id, incoming.message_id):
            return  # an album item already copied with its first item
        client = await run(client_rows.require, thread.client_id)
        reply_to = answering = None
        if incoming.reply_to_id and incoming.reply_to_id != thread.thread_root_id:
            answering = incoming.reply_to_id
            target = await run(link_rows.find_by_group_message, incoming.chat_id,
                               incoming.reply_to_id)
            if target is not None:
                reply_to = target.client_message_id
        atendimento = (await run(thread_rows.current_atendimento, thread.id)
                       or await run(thread_rows.last_atendimento, thread.id))
        payload = {
            "from": incoming.chat_id, "id": incoming.message_id, "reply_to": reply_to,
            "values": client_values(client.first_name, client.last_name, client.username)}
        # Said under the comment when it cannot be delivered; a late delivery says nothing.
        failure = Failure.to_client(thread, client.user_id, under=incoming.message_id)
        records: tuple[MessageLink, ...] = ()
        if atendimento is not None:
            records = (MessageLink(atendimento.id, TO_CLIENT, client.user_id, incoming.chat_id,
                                   incoming.media_group_id),)
        else:  # a thread whose first atendimento never opened (a crash)
            log.warning("thread %s has no atendimento; comment %s relayed unlinked", thread.id,
                        incoming.message_id)
        delivery = await ctx.outbox.send(Send(client.user_id, COPY, payload, key=album_key(
            incoming.chat_id, incoming.media_group_id), records=records, failure=failure))
        if delivery.ok and atendimento is not None:
            await self.events.publish_now(TeamAnswerSent(
                client.user_id, atendimento.id, event.author.id if event.author else None,
                picked=picked, answering=answering))

    async def outside_thread(self, event: TeamEvent) -> None:
        """A team member typed a thread command outside every card's thread."""
        if not await self.team.sender_is(event, admin=False):
            return  # the group's chatter is not the desk's business
        await self.ctx.outbox.commit([text_send(
            self.ctx.group_id, self.guard.command_outside_thread(),
            reply_to=event.message.message_id, silent=True)])

    async def edit(self, event: TeamEvent, thread: Thread) -> None:
        """A team member edited a comment: edit the client's copy (someone who has left the
        team since cannot change what the client reads)."""
        if event.author is not None and event.author.id == self.ctx.bot_id:
            return
        if not await self.is_team(event, thread):
            return
        incoming = event.message
        # An edit runs no command and makes no note, but what it now says is the team's own:
        # the client keeps the version they have (design.md §4.5).
        command = (incoming.command or incoming.aside) is not None and not event.via_bot
        if command or await self.registry.keeps_edit(event):
            if await self.ctx.storage.run(link_rows.find_by_group_message, incoming.chat_id,
                                          incoming.message_id) is not None:
                text = self.guard.edit_kept(command=command)
            elif command and incoming.command is not None:  # a typo fixed: say how to run it
                text = self.guard.edit_runs_nothing(f"/{incoming.command}")
            else:
                return
            await self.threads.line(thread, text, reply_to=incoming.message_id)
            return
        if not await mirror_edit(self.ctx, incoming, from_client=False) and incoming.copyable:
            # It never reached the client (a note, a refused send): neither does the edit.
            await self.threads.line(thread, self.guard.edit_unsent(),
                                    reply_to=incoming.message_id)

"""The existing bot's side of a dialog, as a parallel desk sees it: what that system sends
from the bot is copied into the client's thread, marked; its edits edit the copy; a press
on one of its buttons is a line in the thread (that system answers the press, never the
desk); the first time it answers by itself in an atendimento the thread says so, and the
first answer of a person of the team tells that system to step back (`TeamTookOver`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from atendimento.desk.core import Core
from atendimento.desk.outbox import COPY, MIRROR, Send, album_key
from atendimento.desk.settling import Failure, MessageLink
from atendimento.domain.events import BotMessage, ForeignPress
from atendimento.domain.happenings import TeamAnswerSent, TeamTookOver
from atendimento.domain.text import quote
from atendimento.storage import clients as client_rows
from atendimento.storage import links as link_rows
from atendimento.storage import parallel as parallel_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import FROM_BOT, Atendimento, Link, Thread

from .marks import PREFIX, keyboard_lines, mark_of

log = logging.getLogger("atendimento.features.parallel")

OWN_KEPT_DAYS = 7  # a restart catches up on far less than this
LABEL_LIMIT = 64


@dataclass(frozen=True)
class _Place:
    thread: Thread
    atendimento: Atendimento
    target: Link | None  # the link of the message it answers
    first_automatic: bool  # the thread is told the bot answers by itself


class BotSide:
    def __init__(self, core: Core, rules: Any) -> None:
        self.core = core
        self.ctx = core.ctx
        self.rules = rules  # the dialogs feature's Rules, or None
        self.ctx.outbox.watch(self._sent)

    # --- what the desk sent itself --------------------------------------------------------

    def _sent(self, t: Any, chat_id: int, message_ids: list[int], now: Any) -> None:
        if chat_id > 0:  # a private chat: a client's, or a team member's
            parallel_rows.add_own(t, chat_id, message_ids, now=now)

    async def ours(self, chat_id: int, message_id: int) -> bool:
        """Whether the desk sent this private message (waiting for what is under way)."""
        await self.ctx.outbox.flushed(chat_id)
        return await self.ctx.storage.run(parallel_rows.is_own, chat_id, message_id)

    async def prune(self) -> int:
        before = self.ctx.now() - timedelta(days=OWN_KEPT_DAYS)
        return await self.ctx.storage.run(parallel_rows.prune_own, before)

    # --- what the other system sent ---------------------------------------------------------

    def _ignored(self, user_id: int) -> bool:
        return self.rules is not None and user_id in self.rules.ignore

    def _only_while_open(self, user_id: int) -> bool:
        return self.rules is not None and self.rules.only_while_open(user_id)

    async def message(self, event: BotMessage) -> None:
        ctx, incoming = self.ctx, event.message
        chat = incoming.chat_id
        if self._ignored(chat):
            return
        await ctx.outbox.flushed(chat)  # a send of the desk's own, caught up on at start
        now, only_while_open = ctx.now(), self._only_while_open(chat)

        def read(t: Any) -> _Place | None:
            if (parallel_rows.is_own(t, chat, incoming.message_id)
                    or link_rows.find_by_client_message(t, chat, incoming.message_id)):
                return None  # the desk's own, or copied already (an album's first item)
            client, thread, current = client_rows.with_thread(t, chat)
            if thread is None or thread.thread_root_id is None:
                return None  # the bot talks to someone who never wrote: no card for that
            if client is not None and client.banned:
                return None  # banned: nothing of that conversation reaches the team
            if current is None and only_while_open:
                return None  # outside an atendimento a keyword or /novo opened
            atendimento = current or thread_rows.last_atendimento(t, thread.id)
            if atendimento is None:
                return None
            target = incoming.reply_to_id and link_rows.find_by_client_message(
                t, chat, incoming.reply_to_id)
            first = current is not None and parallel_rows.note_automatic(
                t, atendimento.id, chat, now=now)
            return _Place(thread, atendimento, target or None, first)

        await ctx.outbox.commit(lambda place: self._sends(event, place) if place else [], read)

    def _sends(self, event: BotMessage, place: _Place) -> list[Send]:
        ctx, incoming, thread = self.ctx, event.message, place.thread
        threads, words = self.core.threads, ctx.wording
        root = thread.thread_root_id
        under = place.target.group_message_id if place.target else root
        sends: list[Send] = []
        mark = mark_of(event)
        if not incoming.copyable:
            text = words.tr._(words.team, "🤖 The bot sent a message of a kind the desk "
                              "cannot show here ({kind}).", kind=incoming.kind)
            return [threads.line_send(thread, _with_buttons(text, event), reply_to=under)]
        if mark is None:
            line = words.tr._(words.team, "🤖 The bot sent:")
            sends.append(threads.line_send(thread, _with_buttons(line, event), reply_to=under))
            mark = ("", "")
        sends.append(Send(ctx.group_id, COPY, {
            "from": incoming.chat_id, "id": incoming.message_id, "reply_to": under,
            "root": root, "mark": list(mark)},
            key=album_key(incoming.chat_id, incoming.media_group_id),
            records=(MessageLink(place.atendimento.id, FROM_BOT, incoming.chat_id,
                                 ctx.group_id, incoming.media_group_id),),
            failure=Failure(thread.id, root=root)))
        if place.first_automatic:
            sends.append(threads.line_send(thread, self._automatic_line()))
        return sends

    def _automatic_line(self) -> str:
        words = self.ctx.wording
        webhooks = self.core.api("webhooks")
        if webhooks is not None and webhooks.urls:
            return words.tr._(words.team, "🤖 The bot is still answering automatically. When "
                              "someone of the team answers here, the system behind it is "
                              "told (webhook event team.took_over) so it can step back.")
        return words.tr._(words.team, "🤖 The bot is still answering automatically. No "
                          "WEBHOOK_URL is set, so the system behind it is not told when "
                          "someone of the team answers here.")

    async def edit(self, event: BotMessage) -> None:
        ctx, incoming = self.ctx, event.message
        find = link_rows.find_by_client_message
        link = await ctx.storage.run(find, incoming.chat_id, incoming.message_id)
        if link is None:  # its copy may still be under way (a flood wait): wait, look again
            await ctx.outbox.flushed(ctx.group_id)
            link = await ctx.storage.run(find, incoming.chat_id, incoming.message_id)
        if link is None or link.direction != FROM_BOT:
            return  # not copied (the desk's own, or left out by the rules)
        atendimento = await ctx.storage.run(thread_rows.require_atendimento,
                                            link.atendimento_id)
        thread = await ctx.storage.run(thread_rows.require, atendimento.thread_id)
        mark = mark_of(event) or ("", "")
        delivery = await ctx.outbox.send(Send(link.group_chat_id, MIRROR, {
            "from": incoming.chat_id, "id": incoming.message_id,
            "to_id": link.group_message_id, "mark": list(mark)},
            failure=Failure(thread.id, root=thread.thread_root_id,
                            under=link.group_message_id, edit=True)))
        if not delivery.ok:
            log.warning("edit of the bot's message %s not mirrored: %s", incoming.message_id,
                        delivery.reason)

    async def press(self, press: ForeignPress) -> None:
        """The client pressed a button of the other system's: a line under its copy."""
        ctx = self.ctx
        if self._ignored(press.chat_id):
            return
        only_while_open = self._only_while_open(press.chat_id)

        def read(t: Any) -> tuple[Thread, Link | None] | None:
            client, thread, current = client_rows.with_thread(t, press.chat_id)
            if thread is None or thread.thread_root_id is None:
                return None
            if client is not None and client.banned:
                return None
            if current is None and only_while_open:
                return None
            return thread, link_rows.find_by_client_message(t, press.chat_id,
                                                            press.message_id)

        found = await ctx.storage.run(read)
        if found is None:
            return
        thread, link = found
        words = ctx.wording
        if press.label:
            text = words.tr._(words.team, "👆 The client pressed «{button}»",
                              button=quote(press.label, LABEL_LIMIT))
        else:
            text = words.tr._(words.team, "👆 The client pressed a button of the bot")
        await ctx.outbox.commit([self.core.threads.line_send(
            thread, text, reply_to=link.group_message_id if link else None)])

    # --- the team steps in ------------------------------------------------------------------

    async def answered(self, event: TeamAnswerSent) -> None:
        """A person's first answer in an atendimento: the other system is told."""
        if event.via == "api":
            return  # another system wrote through the API, not a person of the team
        now, events = self.ctx.now(), self.core.events

        def take(t: Any) -> TeamTookOver | None:
            if not parallel_rows.take_over(t, event.atendimento_id, event.client_id, now=now):
                return None
            number = thread_rows.require_atendimento(t, event.atendimento_id).number
            return TeamTookOver(event.client_id, event.atendimento_id, number,
                                event.author_id)

        # The mark and the event in one transaction: neither is lost with a crash between.
        await self.ctx.outbox.commit(lambda took: events.sends(took) if took else [], take)

def _with_buttons(line: str, event: BotMessage) -> str:
    buttons = keyboard_lines(event)
    return f"{line}\n{buttons}" if buttons else line


__all__ = ["PREFIX", "BotSide"]

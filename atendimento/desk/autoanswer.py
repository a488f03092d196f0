"""The FAQ that answers by itself (off unless FAQ_AUTOANSWER is set): a client's message that
matches a ready answer with high confidence gets it at once; a weaker match only shows the team a
suggestion. It stops for the atendimento once a team member answers or the client asks for a
person (with words from respostas/<lang>/atendente.txt), and the admins hear of the latter.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from atendimento.desk.context import DeskContext
from atendimento.desk.language import language_of
from atendimento.desk.notices import Notices
from atendimento.desk.outbox import REPLY, Send, text_send
from atendimento.desk.replies import ReplyBook
from atendimento.desk.reply_wording import ReplyWording
from atendimento.desk.threads import Opened, Threads
from atendimento.domain.events import Incoming
from atendimento.domain.faq import AUTO_THRESHOLD, SUGGEST_THRESHOLD, Answer, FaqMatcher
from atendimento.domain.words import words
from atendimento.i18n import best_match
from atendimento.storage import links as link_rows
from atendimento.storage import team as team_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.errors import DuplicateLinkError
from atendimento.storage.records import TO_CLIENT, Atendimento, Client, TeamMember
from atendimento.texts import client_values

log = logging.getLogger("atendimento.desk.faq")

TEAM, CLIENT = "team", "client"


@dataclass(frozen=True)
class FaqSettings:
    enabled: bool = False
    auto: float = AUTO_THRESHOLD
    suggest: float = SUGGEST_THRESHOLD


class AutoAnswer:
    def __init__(self, ctx: DeskContext, book: ReplyBook, notices: Notices, threads: Threads,
                 words: ReplyWording, settings: FaqSettings,
                 handover: Mapping[str, tuple[str, ...]]) -> None:
        self.ctx = ctx
        self.book = book
        self.notices = notices
        self.threads = threads
        self.words = words
        self.settings = settings
        self._handover: dict[str, list[tuple[str, ...]]] = {}
        self.set_handover(handover)
        self._matcher: FaqMatcher | None = None
        self._languages: list[str] = []
        book.changed.append(self._stale)

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def set_handover(self, handover: Mapping[str, tuple[str, ...]]) -> None:
        self._handover = {lang: [tuple(words(p)) for p in phrases if words(p)]
                          for lang, phrases in handover.items()}

    def _stale(self) -> None:
        self._matcher = None

    def matcher(self) -> FaqMatcher:
        if self._matcher is None:
            ready = self.book.ready()
            self._matcher = FaqMatcher(
                Answer(r.id, r.language or "", r.title, r.keywords, r.text or "") for r in ready)
            self._languages = sorted({r.language for r in ready if r.language})
        return self._matcher

    def _folder(self, language: str, having: list[str]) -> str | None:
        team = self.ctx.texts.team_language
        return (best_match(language, having, team) or best_match(team, having, team))

    # --- the client's side ------------------------------------------------------------------

    async def client_message(self, client: Client, opened: Opened, incoming: Incoming,
                             copy_id: int | None) -> None:
        """Called after a client's message was copied into the thread (as `copy_id`)."""
        atendimento = opened.atendimento
        if not self.enabled or atendimento.autoanswer_off is not None or not incoming.text:
            return
        client_language = language_of(self.ctx, client)
        if self._asks_for_person(incoming.text, client_language):
            await self._hand_over(client, opened, copy_id)
            return
        matcher = self.matcher()
        language = self._folder(client_language, self._languages)
        match = matcher.best(incoming.text, language) if language else None
        if match is None or match.score < self.settings.suggest:
            return
        reply = self.book.get(match.answer_id)
        if reply is None:
            return
        if match.score < self.settings.auto:
            text, buttons = self.words.suggestion(reply.title, match.score)
            await self.threads.line(opened.thread, text, reply_to=copy_id, buttons=buttons)
            return
        await self._answer(client, opened, reply, match.score, copy_id)

    def _asks_for_person(self, text: str, language: str) -> bool:
        folder = self._folder(language, sorted(self._handover))
        phrases = self._handover.get(folder or "", [])
        team = self._handover.get(self.ctx.texts.team_language, [])
        said = " " + " ".join(words(text)) + " "
        return any(" " + " ".join(p) + " " in said for p in [*phrases, *team])

    async def _hand_over(self, client: Client, opened: Opened, copy_id: int | None) -> None:
        ctx, atendimento_id = self.ctx, opened.atendimento.id
        name = " ".join(p for p in (client.first_name, client.last_name) if p)
        link = ctx.comment_link(opened.thread.card_message_id, copy_id)

        def stop(t: Any) -> list[TeamMember] | None:
            if not thread_rows.stop_autoanswer(t, atendimento_id, CLIENT):
                return None
            return team_rows.list_admins_to_notify(t)

        def sends(admins: list[TeamMember] | None) -> list[Send]:
            if admins is None:
                return []
            notices = [text_send(a.user_id, self.words.handover_notice(
                name, link, ctx.wording.tr.locale_for(a.language))) for a in admins]
            return [self.threads.line_send(opened.thread, self.words.handover(),
                                           reply_to=copy_id), *notices]

        await ctx.outbox.commit(sends, stop)

    async def _answer(self, client: Client, opened: Opened, reply, score: float,
                      copy_id: int | None) -> None:
        ctx, run, thread = self.ctx, self.ctx.storage.run, opened.thread
        values = client_values(client.first_name, client.last_name, client.username)
        sent = await ctx.outbox.send(Send(client.user_id, REPLY, {
            "reply": reply.id, "values": values,
            "on_fail": {"thread": thread.id, "under": copy_id, "root": thread.thread_root_id}}))
        if not sent.ok:
            return
        await self.threads.line(thread, self.words.auto_answered(reply.title, score),
                                reply_to=copy_id)
        shown = await ctx.outbox.send(Send(ctx.group_id, REPLY, {
            "reply": reply.id, "values": values, "reply_to": thread.thread_root_id}))
        if shown.ok:
            try:
                await run(link_rows.add, atendimento_id=opened.atendimento.id,
                          direction=TO_CLIENT, client_chat_id=client.user_id,
                          client_message_id=sent.message_id, group_chat_id=ctx.group_id,
                          group_message_id=shown.message_id, now=ctx.now())
            except DuplicateLinkError:
                pass  # linked when this decision was first taken, before a restart
        else:
            log.error("automatic answer sent but not shown in the thread: %s", shown.reason)
        await self.book.used(reply.id)

    # --- the team's side ----------------------------------------------------------------------

    async def team_answered(self, atendimento: Atendimento | None) -> None:
        """A team member's message reached the client: a human has taken over."""
        if (self.enabled and atendimento is not None and atendimento.is_open
                and atendimento.autoanswer_off is None):
            await self.ctx.storage.run(thread_rows.stop_autoanswer, atendimento.id, TEAM)


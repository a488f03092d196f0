"""The FAQ that answers by itself (off unless FAQ_AUTOANSWER is set): a client's message that
matches a ready answer with high confidence gets it at once; a weaker match only shows the team a
suggestion. It stops for the atendimento once a team member answers or the client asks for a
person (with words from respostas/<lang>/atendente.txt), and the admins hear of the latter.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from atendimento.desk.context import DeskContext
from atendimento.desk.notices import Notices
from atendimento.desk.ports import Undeliverable
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
from atendimento.storage.records import TO_CLIENT, Atendimento, Client
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

    def _folder(self, language_code: str | None, having: list[str]) -> str | None:
        team = self.ctx.texts.team_language
        return (best_match(language_code, having, team) or best_match(team, having, team))

    # --- the client's side ------------------------------------------------------------------

    async def client_message(self, client: Client, opened: Opened, incoming: Incoming,
                             copy_id: int | None) -> None:
        """Called after a client's message was copied into the thread (as `copy_id`)."""
        atendimento = opened.atendimento
        if not self.enabled or atendimento.autoanswer_off is not None or not incoming.text:
            return
        if self._asks_for_person(incoming.text, client.language_code):
            await self._hand_over(client, opened, copy_id)
            return
        matcher = self.matcher()
        language = self._folder(client.language_code, self._languages)
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

    def _asks_for_person(self, text: str, language_code: str | None) -> bool:
        folder = self._folder(language_code, sorted(self._handover))
        phrases = self._handover.get(folder or "", [])
        team = self._handover.get(self.ctx.texts.team_language, [])
        said = " " + " ".join(words(text)) + " "
        return any(" " + " ".join(p) + " " in said for p in [*phrases, *team])

    async def _hand_over(self, client: Client, opened: Opened, copy_id: int | None) -> None:
        run = self.ctx.storage.run
        if not await run(thread_rows.stop_autoanswer, opened.atendimento.id, CLIENT):
            return
        await self.threads.line(opened.thread, self.words.handover(), reply_to=copy_id)
        name = " ".join(p for p in (client.first_name, client.last_name) if p)
        link = self.ctx.comment_link(opened.thread.card_message_id, copy_id)
        for admin in await run(team_rows.list_admins_to_notify):
            locale = self.ctx.wording.tr.locale_for(admin.language)
            try:
                await self.ctx.telegram.send_text(
                    admin.user_id, self.words.handover_notice(name, link, locale))
            except Undeliverable as error:
                log.info("handover notice to admin %s not sent: %s", admin.user_id, error)

    async def _answer(self, client: Client, opened: Opened, reply, score: float,
                      copy_id: int | None) -> None:
        ctx, run = self.ctx, self.ctx.storage.run
        values = client_values(client.first_name, client.last_name, client.username)
        try:
            sent = await ctx.telegram.send_reply(client.user_id, reply, values=values)
        except Undeliverable as error:
            await self.threads.line(opened.thread, ctx.wording.undelivered(error.reason,
                                                                           error.detail),
                                    reply_to=copy_id)
            return
        await self.threads.line(opened.thread, self.words.auto_answered(reply.title, score),
                                reply_to=copy_id)
        try:
            shown = await ctx.telegram.send_reply(ctx.group_id, reply, values=values,
                                                  reply_to=opened.thread.thread_root_id)
        except Undeliverable as error:
            log.error("automatic answer sent but not shown in the thread: %s", error)
        else:
            await run(link_rows.add, atendimento_id=opened.atendimento.id, direction=TO_CLIENT,
                      client_chat_id=client.user_id, client_message_id=sent,
                      group_chat_id=ctx.group_id, group_message_id=shown, now=ctx.now())
        await self.book.used(reply.id)

    # --- the team's side ----------------------------------------------------------------------

    async def team_answered(self, atendimento: Atendimento | None) -> None:
        """A team member's message reached the client: a human has taken over."""
        if (self.enabled and atendimento is not None and atendimento.is_open
                and atendimento.autoanswer_off is None):
            await self.ctx.storage.run(thread_rows.stop_autoanswer, atendimento.id, TEAM)


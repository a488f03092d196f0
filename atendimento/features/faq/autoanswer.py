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
from atendimento.desk.outbox import REPLY, Send, text_send
from atendimento.desk.settling import Failure
from atendimento.desk.threads import Opened, Threads
from atendimento.domain.faq import Answer, Match
from atendimento.domain.faq_ranked import AUTO_THRESHOLD, SUGGEST_THRESHOLD, RankedMatcher
from atendimento.domain.happenings import ClientMessageRelayed, TeamAnswerSent
from atendimento.domain.words import words
from atendimento.features.replies.book import ReplyBook
from atendimento.features.replies.wording import ReplyWording
from atendimento.i18n import best_match
from atendimento.storage import clients as client_rows
from atendimento.storage import links as link_rows
from atendimento.storage import team as team_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.errors import DuplicateLinkError
from atendimento.storage.records import TO_CLIENT, Client, TeamMember
from atendimento.texts import client_values

log = logging.getLogger("atendimento.features.faq")

TEAM, CLIENT = "team", "client"
PERSON, ANSWER, SUGGEST, NOTHING = "person", "answer", "suggest", "nothing"
ALTERNATIVES = 3


@dataclass(frozen=True)
class Decision:
    """What the FAQ does with a message: hand it to a PERSON, ANSWER it, SUGGEST an answer
    to the team, or NOTHING; `match` is the best fit (if any), `reply` its saved reply,
    `others` the ids of the next best fits."""

    what: str
    match: Match | None = None
    reply: Any = None
    others: tuple[int, ...] = ()


@dataclass(frozen=True)
class FaqSettings:
    enabled: bool = False
    auto: float = AUTO_THRESHOLD
    suggest: float = SUGGEST_THRESHOLD
    answers: bool = True  # False (FAQ_AUTOANSWER=suggest): it only ever suggests


class AutoAnswer:
    def __init__(self, ctx: DeskContext, book: ReplyBook, threads: Threads,
                 words: ReplyWording, settings: FaqSettings,
                 handover: Mapping[str, tuple[str, ...]]) -> None:
        self.ctx = ctx
        self.book = book
        self.threads = threads
        self.words = words
        self.settings = settings
        self._handover: dict[str, list[tuple[str, ...]]] = {}
        self.set_handover(handover)
        self._matcher: RankedMatcher | None = None
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

    def matcher(self) -> RankedMatcher:
        if self._matcher is None:
            ready = self.book.ready()
            self._matcher = RankedMatcher(
                Answer(r.id, r.language or "", r.title, r.keywords, r.text or "") for r in ready)
            self._languages = sorted({r.language for r in ready if r.language})
        return self._matcher

    def _folder(self, language: str, having: list[str]) -> str | None:
        team = self.ctx.texts.team_language
        return (best_match(language, having, team) or best_match(team, having, team))

    # --- the client's side ------------------------------------------------------------------

    async def relayed(self, event: ClientMessageRelayed) -> None:
        """A client's message was copied into the thread (as `copy_id`): answer it, suggest
        an answer to the team, or hand it over to a person."""
        if not self.enabled or not event.text:
            return
        run = self.ctx.storage.run
        atendimento = await run(thread_rows.require_atendimento, event.atendimento_id)
        if not atendimento.is_open or atendimento.autoanswer_off is not None:
            return
        client = await run(client_rows.require, event.client_id)
        opened = Opened(await run(thread_rows.require, event.thread_id), atendimento, None)
        await self._client_message(client, opened, event.text, event.copy_id)

    async def _client_message(self, client: Client, opened: Opened, text: str,
                              copy_id: int) -> None:
        decision = self.decide(text, language_of(self.ctx, client))
        if decision.what == PERSON:
            await self._hand_over(client, opened, copy_id)
        elif decision.what == SUGGEST:
            others = [r.title for i in decision.others if (r := self.book.get(i)) is not None]
            line, buttons = self.words.suggestion(decision.reply.title, decision.match.score,
                                                  decision.match.matched, others)
            await self.threads.line(opened.thread, line, reply_to=copy_id, buttons=buttons)
        elif decision.what == ANSWER:
            await self._answer(client, opened, decision.reply, decision.match, copy_id)

    def decide(self, text: str, client_language: str, others: bool = False) -> Decision:
        """What the FAQ does with `text` from a client who reads `client_language`; it
        sends nothing (`/faq teste` shows it to the team as it is). The next candidates are
        ranked for a suggestion (the team picks among them) and with `others`, not for a
        message answered or left alone."""
        if self.settings.answers and self._asks_for_person(text, client_language):
            return Decision(PERSON)
        matcher = self.matcher()
        language = self._folder(client_language, self._languages)
        if not language:
            return Decision(NOTHING)
        match = matcher.best(text, language)
        reply = None if match is None else self.book.get(match.answer_id)
        if match is None or reply is None:
            return Decision(NOTHING)
        what = (ANSWER if match.score >= self.settings.auto and self.settings.answers else
                SUGGEST if match.score >= self.settings.suggest else NOTHING)
        next_ones = () if not (others or what == SUGGEST) else tuple(
            i for i in matcher.ranked(text, language, ALTERNATIVES + 1)
            if i != match.answer_id)[:ALTERNATIVES - 1]
        return Decision(what, match, reply, next_ones)

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

    async def _answer(self, client: Client, opened: Opened, reply, match: Match,
                      copy_id: int | None) -> None:
        ctx, run, thread = self.ctx, self.ctx.storage.run, opened.thread
        values = client_values(client.first_name, client.last_name, client.username)
        sent = await ctx.outbox.send(Send(
            client.user_id, REPLY, {"reply": reply.id, "values": values},
            failure=Failure(thread.id, root=thread.thread_root_id, under=copy_id)))
        if not sent.ok:
            return
        await self.threads.line(thread, self.words.auto_answered(reply.title, match.score,
                                                                 match.matched),
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

    async def team_answered(self, event: TeamAnswerSent) -> None:
        """A team member's message reached the client: a human has taken over. A message
        another system sent through the API is no person's answer (as for a hand-over)."""
        if not self.enabled or event.via == "api":
            return
        run = self.ctx.storage.run
        atendimento = await run(thread_rows.require_atendimento, event.atendimento_id)
        if atendimento.is_open and atendimento.autoanswer_off is None:
            await run(thread_rows.stop_autoanswer, atendimento.id, TEAM)


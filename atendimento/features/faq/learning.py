"""FAQ_LEARN=on: the desk learns from the team. A client's question waits in its atendimento
(its words only, storage/faq_learned.py); when a team member answers it by picking a saved
reply through the bot's inline mode (the 💡 line's button included), the question is paired
with that reply. `atendimento faq suggest-keywords` turns the pairs into keywords to add.
The FAQ's own automatic answers teach nothing: it would only learn its own mistakes."""

from __future__ import annotations

import logging

from atendimento.desk.context import DeskContext
from atendimento.domain.faq_keywords import question_words
from atendimento.domain.happenings import AtendimentoEnded, ClientMessageRelayed, TeamAnswerSent
from atendimento.features.replies.book import ReplyBook
from atendimento.storage import faq_learned

log = logging.getLogger("atendimento.features.faq")


class FaqLearning:
    def __init__(self, ctx: DeskContext, book: ReplyBook) -> None:
        self.ctx = ctx
        self.book = book

    async def asked(self, event: ClientMessageRelayed) -> None:
        said = question_words(event.text)
        if said:
            await self.ctx.storage.run(faq_learned.asked, event.atendimento_id, event.copy_id,
                                       said, now=self.ctx.now())

    async def answered(self, event: TeamAnswerSent) -> None:
        run, now = self.ctx.storage.run, self.ctx.now()
        if event.picked is None or self.book.get(event.picked) is None:
            await run(faq_learned.answered_by_hand, event.atendimento_id, now=now)
            return
        count = await run(faq_learned.paired, event.atendimento_id, event.picked,
                          event.author_id, now=now, answering=event.answering)
        log.debug("learned %d question(s) for saved reply %s", count, event.picked)

    async def ended(self, event: AtendimentoEnded) -> None:
        await self.ctx.storage.run(faq_learned.forget_unpaired, event.atendimento_id)

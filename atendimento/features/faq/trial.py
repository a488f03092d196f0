"""`/faq teste <message>` in a team member's private chat: what the FAQ would do with that
message from a client who reads the member's language, with the confidence, the words that
matched and the next candidates; nothing is sent to anyone else, nothing is recorded."""

from __future__ import annotations

from atendimento.desk.contract import PrivateCall
from atendimento.desk.outbox import text_send
from atendimento.domain.text import first_word, quote
from atendimento.features.faq.autoanswer import ANSWER, PERSON, SUGGEST, AutoAnswer, Decision

TRY = frozenset({"teste", "testar", "test", "prueba", "probar", "prova", "тест"})
TITLE_LIMIT = 80


class FaqTrial:
    def __init__(self, faq: AutoAnswer) -> None:
        self.faq = faq
        self.ctx = faq.ctx

    async def command(self, call: PrivateCall) -> None:
        sub, text = first_word(call.arguments)  # the message may start on the next line
        if sub.casefold() not in TRY or not text:
            answer = self.ctx.wording.tr._(
                call.locale, "Use /faq teste followed by a client's message, to see what the "
                "FAQ would do with it (nothing is sent): /faq teste qual o prazo de entrega?")
        else:
            answer = self.describe(self.faq.decide(text, call.locale, others=True), call.locale)
        await self.ctx.outbox.commit([text_send(call.person.id, answer)])

    def describe(self, decision: Decision, locale: str) -> str:
        _ = self.ctx.wording.tr._
        words = self.faq.words
        if decision.what == PERSON:
            lines = [_(locale, "🙋 This message asks for a person: the FAQ would stop for "
                       "this atendimento and tell the admins.")]
        elif decision.match is None:
            lines = [_(locale, "🤷 No ready answer shares a word with this message: nothing "
                       "would be sent.")]
        else:
            values = {"title": quote(decision.reply.title, TITLE_LIMIT),
                      "score": words.score(decision.match.score),
                      "words": words.matching(decision.match.matched)}
            if decision.what == ANSWER:
                text = _(locale, "🤖 It would answer by itself with “{title}” (confidence "
                         "{score}; matching words: {words}).", **values)
            elif decision.what == SUGGEST:
                text = _(locale, "💡 It would suggest “{title}” to the team (confidence "
                         "{score}; matching words: {words}); nothing would be sent to the "
                         "client.", **values)
            else:
                text = _(locale, "🤷 Nothing would be sent: the best answer, “{title}”, has "
                         "confidence {score} (matching words: {words}), below the "
                         "suggestion threshold.", **values)
            lines = [text]
            others = [r.title for r in map(self.faq.book.get, decision.others) if r]
            if others:
                lines.append(_(locale, "Next candidates: {titles}", titles="; ".join(
                    f"“{quote(t, TITLE_LIMIT)}”" for t in others)))
            lines.append(_(locale, "Thresholds: answer at {auto}, suggest at {suggest}.",
                           auto=words.score(self.faq.settings.auto),
                           suggest=words.score(self.faq.settings.suggest)))
        if self.faq.enabled and not self.faq.settings.answers:
            lines.append(_(locale, "FAQ_AUTOANSWER is suggest: the FAQ only shows the team "
                           "the answers that fit, it never answers a client by itself."))
        if not self.faq.enabled:
            lines.append(_(locale, "The FAQ is off (FAQ_AUTOANSWER): today it does nothing "
                           "with clients' messages."))
        return "\n".join(lines)

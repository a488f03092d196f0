"""Asking: when an atendimento ends, its client gets one question with the buttons 1–5.

Asked once per atendimento, whatever happens: the row of the csat table and the question's
send are written in one transaction, and a row already there means asked (the listener runs
again after a crash, with the same cause, and finds it). The question goes through the
outbox after the end text, which the end's own transaction wrote to the same chat earlier,
so the client reads the end text first.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from atendimento.desk.context import DeskContext
from atendimento.desk.language import language_of
from atendimento.desk.outbox import Send, text_send
from atendimento.desk.ports import Button
from atendimento.desk.settling import Failure
from atendimento.domain.happenings import AtendimentoEnded
from atendimento.domain.text import RichText
from atendimento.features.csat.markdown import rich_from_markdown
from atendimento.features.csat.wording import CsatWording
from atendimento.storage import clients as client_rows
from atendimento.storage import csat as csat_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import Client, Thread
from atendimento.texts import client_values

log = logging.getLogger("atendimento.features.csat")

PREFIX = "csat:"  # csat:<atendimento id>:<rating>
TEXT = "csat"  # the self-hoster's question, respostas/<language>/avaliacao.md
LABELS = {1: "1 😞", 2: "2 🙁", 3: "3 😐", 4: "4 🙂", 5: "5 🤩"}


@dataclass(frozen=True)
class QuestionSent:
    """The send is the question of `atendimento_id`: its message id is recorded, so a press
    under any other message is known to be forged."""

    key: ClassVar[str] = "csat_question"

    atendimento_id: int

    def encode(self) -> int:
        return self.atendimento_id

    @classmethod
    def decode(cls, value: Any) -> QuestionSent:
        return cls(value)


def _question_sent(t: Any, sent: QuestionSent, delivery: Any, now: datetime) -> None:
    if delivery.message_id is not None:
        csat_rows.set_message(t, sent.atendimento_id, delivery.message_id)


def buttons(atendimento_id: int) -> list[list[Button]]:
    return [[Button(label, f"{PREFIX}{atendimento_id}:{rating}")
             for rating, label in LABELS.items()]]


class Asking:
    def __init__(self, ctx: DeskContext, settings: Mapping[str, Any],
                 words: CsatWording) -> None:
        self.ctx = ctx
        self.settings = settings
        self.words = words
        ctx.outbox.settles(QuestionSent, _question_sent)

    async def ended(self, event: AtendimentoEnded) -> None:
        """The question, unless CSAT is off, the client is banned (the ban ended it) or has
        blocked the bot, or wrote again meanwhile (a new atendimento is open: the question
        would be about the wrong one)."""
        ctx = self.ctx
        if not self.settings.get("csat", True) or ctx.mode.silent or event.banned:
            return  # a ban ends silently, even when it is lifted before this runs
        client = await ctx.storage.run(client_rows.get, event.client_id)
        if client is None or client.banned or client.blocked_bot:
            return
        thread = await ctx.storage.run(thread_rows.get, event.thread_id)
        question = self.question_send(client, event.atendimento_id, event.number, thread)
        now = ctx.now()

        def ask(t: Any) -> bool:
            if thread_rows.current_atendimento(t, event.thread_id) is not None:
                return False
            return csat_rows.ask(t, event.atendimento_id, client.user_id, now=now)

        await ctx.outbox.commit(lambda asked: [question] if asked else [], ask)

    def question_send(self, client: Client, atendimento_id: int, number: int,
                      thread: Thread | None = None) -> Send:
        """The rating question; a refusal is said in `thread`, as for an answer."""
        failure = None if thread is None else Failure.to_client(thread, client.user_id)
        return text_send(client.user_id, self.question(client, number),
                         buttons=buttons(atendimento_id),
                         records=[QuestionSent(atendimento_id)], failure=failure)

    def question(self, client: Client, number: int) -> RichText:
        """The self-hoster's avaliacao.md in the client's language."""
        markdown = self.ctx.texts.render(
            TEXT, language_of(self.ctx, client),
            **client_values(client.first_name, client.last_name, client.username),
            numero=number)
        return rich_from_markdown(markdown)

"""Satisfaction (CSAT): when an atendimento ends (/fim or auto-close), its client is asked, in
one message with the buttons 1–5, how it went; they may add a comment in their next message.

- Asking (asking.py): on AtendimentoEnded, unless CSAT is off or the client is banned; the
  question is the self-hoster's `respostas/<language>/avaliacao.md`, sent after the end text.
  Once per atendimento, by the row of this feature's table (schema/, storage/csat.py).
- Rating (rating.py): accepted once, only from that client, under that question, within seven
  days of the end. The question becomes a thanks without buttons, the thread gets a line, and
  a rating below CSAT_REOPEN_BELOW reopens the atendimento and tells the admins who asked
  for notices, with a link to the line.
- Comment (comments.py): the client's next private message, when it is a text within a day
  (not when they are talking to the team again: then it belongs to that conversation).

Everything is in the database and the outbox: a pending question can be answered after a
restart, and a restart in the middle asks, rates and reopens exactly once. Only the edit of
the question into its thanks is made at once rather than through the outbox (as the language
prompt's is): a crash just before it leaves the buttons, and a press then hears "already
rated".
"""

from __future__ import annotations

from dataclasses import dataclass

from atendimento.desk.contract import ANYONE, Buttons, Feature
from atendimento.desk.core import Core
from atendimento.domain.happenings import AtendimentoEnded, TeamAnswerSent
from atendimento.features.csat.asking import PREFIX, Asking
from atendimento.features.csat.comments import Comments
from atendimento.features.csat.rating import CsatReopen, Rating
from atendimento.features.csat.wording import CsatWording
from atendimento.storage import FeatureMigrations
from atendimento.storage.migrator import discover_package

SETTINGS = ("csat", "csat_reopen_below")
TEXTS = ("avaliacao.md",)


@dataclass(frozen=True)
class Csat:
    """The feature's parts, as its `api` (for the app and the tests)."""

    asking: Asking
    rating: Rating
    comments: Comments


def migrations() -> FeatureMigrations:
    return FeatureMigrations("csat", discover_package(f"{__name__}.schema"))


def feature(core: Core) -> Feature:
    words = CsatWording(core.ctx.wording.tr, core.ctx.wording.team)
    asking = Asking(core.ctx, core.settings, words)
    comments = Comments(core.ctx, core.threads, words)
    rating = Rating(core, core.settings, words, comments.windows)
    core.events.declare(CsatReopen)
    return Feature(
        "csat",
        buttons=[Buttons(PREFIX, rating.press, allowed=ANYONE, own_chat=True)],
        listens={AtendimentoEnded: asking.ended, CsatReopen: rating.reopen,
                 TeamAnswerSent: comments.team_answered},
        claim=comments.claim,
        settings=SETTINGS,
        texts=TEXTS,
        api=Csat(asking, rating, comments))

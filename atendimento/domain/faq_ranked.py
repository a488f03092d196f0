"""The FAQ matcher built on the BM25F ranking (faq_rank) and the fitted confidence
(faq_confidence): the same questions as domain.faq.FaqMatcher answers (`best`, `ranked`),
plus the words that matched, so the thread can show why."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from atendimento.domain.faq import Answer, Match
from atendimento.domain.faq_confidence import confidence
from atendimento.domain.faq_rank import Evidence, Ranker, Ranking

# Not the desk's matcher yet (domain.faq is): the bench shows this one at AUTO_THRESHOLD,
# a point of comparison, beside the thresholds the tuning part calls for.
AUTO_THRESHOLD = 0.8


@dataclass(frozen=True)
class Explained:
    match: Match
    matched: tuple[str, ...]
    suggestions: tuple[int, ...]


class RankedMatcher:
    def __init__(self, answers: Iterable[Answer],
                 sure: Callable[[Evidence], float] = confidence) -> None:
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
                      round(runner_up, 4))
        return Explained(match, ranking.matched, ranking.ids[:count])

    def best(self, text: str, language: str) -> Match | None:
        explained = self.explain(text, language)
        return None if explained is None else explained.match

    def ranked(self, text: str, language: str, count: int) -> list[int]:
        ranking = self._ranker.rank(text, language)
        return [] if ranking is None else list(ranking.ids[:count])

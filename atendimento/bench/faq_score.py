"""How a matcher does on a set of evaluation cases: what it would send by itself, and whether
the right answer is among what it would suggest to the team."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from atendimento.bench.faq_data import Case
from atendimento.domain.faq import Match

SUGGESTIONS = 3  # how many answers the team is offered for a message


class Matcher(Protocol):
    def best(self, text: str, language: str) -> Match | None: ...

    def ranked(self, text: str, language: str, count: int) -> list[int]: ...


@dataclass(frozen=True)
class Outcome:
    case: Case
    best: Match | None
    suggested: tuple[int, ...]


@dataclass(frozen=True)
class Score:
    answerable: int
    not_answerable: int
    right: int  # automatic answers that are right
    wrong: int  # automatic answers to an answerable message, with another answer
    near_misses_answered: int  # automatic answers where none may be sent
    suggested_right: int  # answerable messages whose right answer is among the suggestions

    @property
    def automatic(self) -> int:
        return self.right + self.wrong + self.near_misses_answered

    @property
    def wrong_share(self) -> float:
        """Wrong automatic answers (either kind) per automatic answer."""
        return (self.wrong + self.near_misses_answered) / self.automatic if self.automatic else 0.0

    @property
    def coverage(self) -> float:
        """Answerable messages answered rightly by themselves."""
        return self.right / self.answerable if self.answerable else 0.0

    @property
    def suggestion_share(self) -> float:
        return self.suggested_right / self.answerable if self.answerable else 0.0

    @property
    def unanswered(self) -> int:
        return self.answerable - self.right - self.wrong


def run(matcher: Matcher, language: str, cases: Iterable[Case]) -> list[Outcome]:
    return [Outcome(case, matcher.best(case.text, language),
                    tuple(matcher.ranked(case.text, language, SUGGESTIONS))) for case in cases]


def score(outcomes: Sequence[Outcome], threshold: float) -> Score:
    right = wrong = near = suggested = answerable = 0
    for outcome in outcomes:
        case, best = outcome.case, outcome.best
        sent = best is not None and best.score >= threshold
        if case.answerable:
            answerable += 1
            suggested += bool(case.expected.intersection(outcome.suggested))
            if sent:
                right += best.answer_id in case.expected
                wrong += best.answer_id not in case.expected
        elif sent:
            near += 1
    return Score(answerable, len(outcomes) - answerable, right, wrong, near, suggested)


def add(scores: Iterable[Score]) -> Score:
    totals = [0] * 6
    for s in scores:
        for i, value in enumerate((s.answerable, s.not_answerable, s.right, s.wrong,
                                   s.near_misses_answered, s.suggested_right)):
            totals[i] += value
    return Score(*totals)


def calibrate(outcomes: Sequence[Outcome], most_wrong: float) -> float:
    """The lowest threshold at which wrong automatic answers are at most `most_wrong` of
    the automatic ones (1.01, nothing sent, when no threshold gets there)."""
    scores = sorted({o.best.score for o in outcomes if o.best is not None})
    for threshold in scores:
        if score(outcomes, threshold).wrong_share <= most_wrong:
            return threshold
    return 1.01

"""`atendimento bench faq`: how each FAQ matcher does on the evaluation sets
(tests/fixtures/faq/eval), on the held-out part unless told otherwise, per knowledge base and
in total, side by side; and how long a match takes at 500 answers.

    python -m atendimento.bench faq [--part held-out|tuning|all] [--data DIR] [--fit] [--learn]

A matcher without a shipped threshold is measured at the lowest one at which the tuning part
gets at most 1% wrong automatic answers; then every matcher again at the thresholds tuning
calls for at budgets of 2, 5 and 10%. --fit prints the confidence model's weights fitted on
the tuning part (domain/faq_confidence.py keeps them). --learn first plays FAQ_LEARN on the
tuning part, as if the team had answered each of its answerable messages by picking the right
reply, and adds the keywords `atendimento faq suggest-keywords` proposes from that."""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from rapidfuzz import fuzz

from atendimento.bench.faq_data import DATA, HELD_OUT, TUNING, Base, Case, EvalDataError, load_all
from atendimento.bench.faq_score import Matcher, Score, add, calibrate, run, score
from atendimento.domain import faq as old
from atendimento.domain import faq_ranked as ranked
from atendimento.domain.faq import Answer, Match
from atendimento.domain.faq_confidence import NAMES, fit
from atendimento.domain.faq_keywords import propose, question_words
from atendimento.domain.faq_rank import Evidence, Ranker
from atendimento.domain.faq_ranked import RankedMatcher
from atendimento.domain.faq_words import tokens

CALIBRATION_WRONG = 0.01
BUDGETS = (0.02, 0.05, 0.10)
TIMING_ANSWERS = 500


class Candidate:
    """A matcher to compare; `threshold` None: the one the tuning part calls for."""

    def __init__(self, name: str, build: Callable[[Iterable[Answer]], Matcher],
                 threshold: float | None) -> None:
        self.name = name
        self.build = build
        self.threshold = threshold


class FuzzyMatcher:
    """Character-level fuzzy matching (rapidfuzz token_set_ratio) of the message against each
    answer's title and keywords; confidence = best similarity × margin over the next."""

    def __init__(self, answers: Iterable[Answer]) -> None:
        self._phrases: dict[str, list[tuple[int, list[str]]]] = {}
        for a in answers:
            self._phrases.setdefault(a.language, []).append(
                (a.id, [" ".join(tokens(p)) for p in (a.question, *a.keywords)]))

    def _scores(self, text: str, language: str) -> list[tuple[float, int]]:
        said = " ".join(tokens(text))
        scores = [(max(fuzz.token_set_ratio(said, p) for p in phrases) / 100, answer)
                  for answer, phrases in self._phrases.get(language, [])]
        return sorted(scores, key=lambda pair: (-pair[0], pair[1]))

    def best(self, text: str, language: str) -> Match | None:
        scores = self._scores(text, language)
        if not scores or scores[0][0] <= 0:
            return None
        best, answer = scores[0]
        runner_up = scores[1][0] if len(scores) > 1 else 0.0
        return Match(answer, best * (1 - runner_up / best) ** 0.5, runner_up)

    def ranked(self, text: str, language: str, count: int) -> list[int]:
        return [answer for score_, answer in self._scores(text, language)[:count] if score_]


def _plain_bm25(e: Evidence) -> float:
    return e.explained * e.margin


def candidates() -> list[Candidate]:
    return [Candidate("tuned (before)", old.FaqMatcher, old.AUTO_THRESHOLD),
            Candidate("fuzzy", FuzzyMatcher, None),
            Candidate("bm25", lambda a: RankedMatcher(a, _plain_bm25), None),
            Candidate("bm25 + model (desk)", RankedMatcher, ranked.AUTO_THRESHOLD)]


def cases_of(base: Base, part: str) -> list[Case]:
    return list(base.cases) if part == "all" else base.part(part)


def line(label: str, s: Score) -> str:
    return (f"  {label:<24} auto {s.right:>4} right {s.wrong:>3} wrong "
            f"{s.near_misses_answered:>3} near-miss | not answered {s.unanswered:>4}/"
            f"{s.answerable:<4} | wrong {s.wrong_share:6.1%}  coverage {s.coverage:6.1%}  "
            f"in suggestions {s.suggestion_share:6.1%}")


def timing(candidate: Candidate, bases: Sequence[Base]) -> float:
    """Milliseconds per message at TIMING_ANSWERS answers (the bases' answers repeated)."""
    pool = [a for b in bases for a in b.answers if a.language == "pt_BR"]
    answers = [Answer(i, "pt_BR", a.question, a.keywords, a.body)
               for i, a in enumerate((pool * (TIMING_ANSWERS // max(len(pool), 1) + 1))
                                     [:TIMING_ANSWERS], start=1)]
    matcher = candidate.build(answers)
    texts = [c.text for b in bases if b.language == "pt_BR" for c in b.cases]
    start = time.perf_counter()
    for text in texts:
        matcher.best(text, "pt_BR")
        matcher.ranked(text, "pt_BR", 3)
    return (time.perf_counter() - start) * 1000 / max(len(texts), 1)


def _threshold(candidate: Candidate, tuned: float) -> str:
    if candidate.threshold is None:
        return f"{candidate.name} {tuned:.3f} (from tuning)"
    return f"{candidate.name} {candidate.threshold:.3f} (shipped; tuning calls for {tuned:.3f})"


def fitted(bases: Sequence[Base]) -> tuple[float, ...]:
    samples: list[tuple[Evidence, bool]] = []
    for base in bases:
        ranker = Ranker(base.answers)
        for case in base.part(TUNING):
            found = ranker.rank(case.text, base.language)
            if found is not None:
                samples.append((found.evidence, found.ids[0] in case.expected))
    return fit(samples)


def learned(base: Base) -> tuple[Base, int]:
    """`base` with the keywords its tuning part teaches (the first expected answer of each
    answerable message, as the reply the team picked), and how many were added."""
    pairs = [(min(case.expected), question_words(case.text))
             for case in base.part(TUNING) if case.answerable]
    added = {p.answer.id: tuple(w for w, _ in p.keywords) for p in propose(base.answers, pairs)}
    grown = tuple(dataclasses.replace(a, keywords=(*a.keywords, *added.get(a.id, ())))
                  for a in base.answers)
    return dataclasses.replace(base, answers=grown), sum(len(k) for k in added.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atendimento bench faq")
    parser.add_argument("--part", choices=[HELD_OUT, TUNING, "all"], default=HELD_OUT)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--fit", action="store_true",
                        help="fit the confidence model's weights on the tuning part, print them")
    parser.add_argument("--learn", action="store_true",
                        help="add the keywords FAQ_LEARN would propose from the tuning part")
    args = parser.parse_args(argv)
    try:
        bases = load_all(args.data)
    except EvalDataError as error:
        print(f"bench faq: {error}")
        return 2
    if args.learn:
        grown = [learned(base) for base in bases]
        bases = [base for base, _ in grown]
        print("learned from the tuning part: " + ", ".join(
            f"{base.name} +{count} keywords" for base, count in grown))
    if args.fit:
        weights = fitted(bases)
        print("WEIGHTS = (" + ", ".join(f"{w:g}" for w in weights) + ")")
        print("  " + ", ".join(f"{n}={w:g}" for n, w in zip(NAMES, weights, strict=True)))
        return 0
    shown = candidates()
    built = [(base, [(c, c.build(base.answers)) for c in shown]) for base in bases]
    thresholds = {}
    for index, candidate in enumerate(shown):
        tuning = [o for base, matchers in built
                  for o in run(matchers[index][1], base.language, base.part(TUNING))]
        thresholds[candidate.name] = calibrate(tuning, CALIBRATION_WRONG)
    print(f"FAQ matchers on the {args.part} part of {len(bases)} knowledge bases "
          f"(suggestions: the best 3)")
    print("thresholds: " + ", ".join(_threshold(c, thresholds[c.name]) for c in shown))
    totals: dict[str, list[Score]] = {c.name: [] for c in shown}
    for base, matchers in built:
        cases = cases_of(base, args.part)
        answerable = sum(c.answerable for c in cases)
        print(f"\n{base.name} ({base.language}): {len(base.answers)} answers, "
              f"{answerable} answerable and {len(cases) - answerable} with no answer")
        for candidate, matcher in matchers:
            threshold = (candidate.threshold if candidate.threshold is not None
                         else thresholds[candidate.name])
            result = score(run(matcher, base.language, cases), threshold)
            totals[candidate.name].append(result)
            print(line(candidate.name, result))
    print("\nall bases")
    for candidate in shown:
        print(line(candidate.name, add(totals[candidate.name])))
    print("\nall bases, with the threshold the tuning part calls for at each budget of wrong "
          "automatic answers")
    for budget in BUDGETS:
        for index, candidate in enumerate(shown):
            tuning = [o for base, matchers in built
                      for o in run(matchers[index][1], base.language, base.part(TUNING))]
            threshold = calibrate(tuning, budget)
            result = add(score(run(matchers[index][1], base.language, cases_of(base, args.part)),
                               threshold) for base, matchers in built)
            print(line(f"{candidate.name} ≤{budget:.0%}", result) + f"  (at {threshold:.3f})")
    print(f"\ntime per message at {TIMING_ANSWERS} answers (best + 3 suggestions)")
    for candidate in shown:
        print(f"  {candidate.name:<20} {timing(candidate, bases):.2f} ms")
    return 0

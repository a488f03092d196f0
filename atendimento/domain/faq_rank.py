"""Ready answers ranked for a message by BM25F over three fields of each answer (title,
keywords, body, the first two weighing more), on Snowball stems; a word no answer uses is
looked up among the known ones with rapidfuzz, so that one typo ("cancelametno") still
counts, at a discount. A message that is an answer's own question or keyword phrase, and no
more, ranks that answer first (`Evidence.asked`).

`Ranking.evidence` is what the confidence model (faq_confidence) reads: how much of the
message the best answer explains, how far ahead of the next it is, whether a keyword or the
title is there whole, and what in the message points to a person instead."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from atendimento.domain.faq import COMPLAINT_WORDS, Answer
from atendimento.domain.faq_words import content, personal, stems, tokens

FIELDS = (("title", 3.0), ("keywords", 3.0), ("body", 1.0))
K1, B = 1.2, 0.5
TYPO_MIN_LENGTH = 5
TYPO_CUTOFF = 80.0  # rapidfuzz ratio, 0–100
TYPO_TRUST = 0.7


@dataclass(frozen=True)
class Evidence:
    """What is known of the best answer for a message (all shares in 0..1)."""

    explained: float  # the message's weight (idf) the best answer holds
    margin: float  # 1 - runner-up / best score
    phrase: float  # the best answer's title or keyword most completely present
    unknown: float  # the message's content words no answer knows
    personal: int  # words about the client's own case
    complaint: bool
    content_words: int
    digits: bool
    foreign: float  # the message's weight that other answers hold and the best does not
    asked: bool = False  # the message is the best answer's title or a keyword phrase, no more


@dataclass(frozen=True)
class Ranking:
    ids: tuple[int, ...]  # best first
    scores: tuple[float, ...]
    evidence: Evidence
    matched: tuple[str, ...]  # the message's words the best answer holds, as written


class _Answers:
    """One language's answers, indexed."""

    def __init__(self, answers: Sequence[Answer], language: str) -> None:
        self.language = language
        self.ids = tuple(a.id for a in answers)
        self.tf: list[dict[str, float]] = []
        self.phrases: list[list[frozenset[str]]] = []
        self.asked: dict[frozenset[str], set[int]] = {}
        lengths = []
        for answer in answers:
            fields = {"title": answer.question, "keywords": " , ".join(answer.keywords),
                      "body": answer.body}
            weighted: dict[str, float] = {}
            for name, weight in FIELDS:
                for stem in stems(fields[name], language):
                    weighted[stem] = weighted.get(stem, 0.0) + weight
            self.tf.append(weighted)
            lengths.append(sum(weighted.values()))
            phrases = [frozenset(stems(p, language)) for p in (answer.question, *answer.keywords)]
            self.phrases.append([p for p in phrases if p])
            for number, phrase in enumerate(phrases):
                if phrase and (number == 0 or len(phrase) > 1):
                    self.asked.setdefault(phrase, set()).add(len(self.tf) - 1)
        self.average = sum(lengths) / len(lengths) if lengths else 1.0
        self.lengths = lengths
        count = len(answers)
        frequency: dict[str, int] = {}
        for weighted in self.tf:
            for stem in weighted:
                frequency[stem] = frequency.get(stem, 0) + 1
        self.idf = {stem: math.log(1 + (count - df + 0.5) / (df + 0.5))
                    for stem, df in frequency.items()}
        self.rarest = math.log(1 + (count + 0.5) / 0.5)
        self.vocabulary = sorted(self.idf)

    def resolve(self, stem: str) -> tuple[str, float] | None:
        if stem in self.idf:
            return stem, 1.0
        if len(stem) < TYPO_MIN_LENGTH:
            return None
        found = process.extractOne(stem, self.vocabulary, scorer=fuzz.ratio,
                                   score_cutoff=TYPO_CUTOFF)
        if found is None or found[0][0] != stem[0]:
            return None
        return found[0], TYPO_TRUST

    def _asked(self, pairs: list[tuple[str, str]]) -> int | None:
        """The answer whose own question the message asks, or one of whose keyword phrases of
        two words or more it says, and nothing else: its content stems, exactly as typed, are
        those of that title or phrase, which no other answer has."""
        positions = self.asked.get(frozenset(stem for _, stem in pairs), ())
        return next(iter(positions)) if len(positions) == 1 else None

    def rank(self, text: str) -> Ranking | None:
        said = tokens(text)
        pairs = content(said, self.language)
        known: dict[str, float] = {}
        written: dict[str, str] = {}
        unknown = 0
        for word, stem in pairs:
            resolved = self.resolve(stem)
            if resolved is None:
                unknown += 1
                continue
            term, trust = resolved
            known[term] = max(trust, known.get(term, 0.0))
            written.setdefault(term, word)
        if not known:
            return None
        scores = []
        for position, weighted in enumerate(self.tf):
            norm = K1 * (1 - B + B * self.lengths[position] / self.average)
            total = 0.0
            for term, trust in known.items():
                tf = weighted.get(term)
                if tf:
                    total += trust * self.idf[term] * tf * (K1 + 1) / (tf + norm)
            scores.append((total, position))
        scores.sort(key=lambda pair: (-pair[0], self.ids[pair[1]]))
        asked = self._asked(pairs)
        if asked is not None:  # the answer asked for comes first, as its words say
            scores.insert(0, scores.pop([p for _, p in scores].index(asked)))
        best, position = scores[0]
        if best <= 0:
            return None
        runner_up = min(scores[1][0], best) if len(scores) > 1 else 0.0
        weight = {t: self.idf[t] * trust for t, trust in known.items()}
        held = sum(w for t, w in weight.items() if t in self.tf[position])
        others = set().union(*(self.tf[p] for s, p in scores[1:4] if s > 0))
        foreign = sum(w for t, w in weight.items()
                      if t not in self.tf[position] and t in others)
        whole = sum(weight.values()) + unknown * self.rarest * 0.25
        phrase = max((sum(weight.get(t, 0.0) for t in p) / sum(self.idf[t] for t in p)
                      for p in self.phrases[position]), default=0.0)
        evidence = Evidence(
            explained=held / whole, margin=1 - runner_up / best, phrase=min(phrase, 1.0),
            unknown=unknown / max(len(pairs), 1), personal=personal(said, self.language),
            complaint=not COMPLAINT_WORDS.isdisjoint(said), content_words=len(pairs),
            digits=any(any(c.isdigit() for c in w) for w in said), foreign=foreign / whole,
            asked=asked == position)
        ranked = [(s, p) for s, p in scores if s > 0]
        return Ranking(tuple(self.ids[p] for _, p in ranked), tuple(s for s, _ in ranked),
                       evidence, tuple(written[t] for t in known if t in self.tf[position]))


class Ranker:
    def __init__(self, answers: Iterable[Answer]) -> None:
        by_language: dict[str, list[Answer]] = {}
        for answer in answers:
            by_language.setdefault(answer.language, []).append(answer)
        self._indexes = {lang: _Answers(group, lang) for lang, group in by_language.items()}

    def rank(self, text: str, language: str) -> Ranking | None:
        index = self._indexes.get(language)
        return None if index is None else index.rank(text)

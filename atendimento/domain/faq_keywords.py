"""Keywords the team's own answers propose (`atendimento faq suggest-keywords`, from what
FAQ_LEARN recorded): the words clients used in the questions a team member answered with a
saved reply, that the reply does not know yet and that other replies' questions hardly use.

A word is proposed for a reply when at least `min_questions` of its questions hold it and at
least OWN_SHARE of all the learned questions holding it went to that reply; words are joined
by stem (boleto, boletos), shown in the form clients wrote most. Two words clients wrote
together ("nota fiscal") are proposed as a phrase when neither is distinctive alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from atendimento.domain.faq import WEAK_WORDS, Answer, terms
from atendimento.domain.faq_ranked import RankedMatcher
from atendimento.domain.words import fold, words_as_written

QUESTION_WORDS_KEPT = 60
MIN_QUESTIONS = 2
OWN_SHARE = 0.75
PROPOSED_KEPT = 8
_WEAK = frozenset(t for w in WEAK_WORDS for t in terms(w))


_PERSONAL = re.compile(r"\S+@\S+|@\w+|\b(?:https?://|www\.)\S+|\S+\.(?:com|net|org|br|io)\S*",
                       re.IGNORECASE)


def question_words(text: str) -> str:
    """What FAQ_LEARN keeps of a client's question: its words in lower case as written,
    without anything holding a digit (order numbers, phones, documents), at most
    QUESTION_WORDS_KEPT of them."""
    text = _PERSONAL.sub(" ", text)  # an e-mail address, a link, an @handle: the client's own
    kept = [w for w, _ in words_as_written(text) if not any(c.isdigit() for c in w)]
    return " ".join(kept[:QUESTION_WORDS_KEPT])


@dataclass(frozen=True)
class Proposal:
    """For the reply `answer`: `keywords` (each with how many of its questions hold it) and
    how many of its `questions` the FAQ would answer by itself with that reply, `before` and
    `after` adding them (at the threshold given)."""

    answer: Answer
    questions: tuple[str, ...]
    keywords: tuple[tuple[str, int], ...]
    before: int = 0
    after: int = 0


@dataclass(frozen=True)
class _Term:
    key: tuple[str, ...]  # stems
    written: str


def _terms_of(question: str) -> list[_Term]:
    """The content words of a question, and the pairs of them written side by side."""
    found: list[_Term | None] = []
    for word in question.split():
        stems = terms(word)
        usable = len(stems) == 1 and len(fold(word)) >= 3 and stems[0] not in _WEAK
        found.append(_Term((stems[0],), word) if usable else None)
    pairs = [_Term(a.key + b.key, f"{a.written} {b.written}")
             for a, b in zip(found, found[1:], strict=False)
             if a is not None and b is not None and a.key != b.key]
    return [t for t in found if t is not None] + pairs


def _known(answer: Answer) -> set[str]:
    return set(terms(" ".join((answer.question, *answer.keywords))))


def propose(answers: Iterable[Answer], learned: Sequence[tuple[int, str]], *,
            min_questions: int = MIN_QUESTIONS) -> list[Proposal]:
    """A proposal for each reply in `answers` that learned questions (answer id, words) went
    to, most questions first; its keywords may be empty (nothing distinctive yet)."""
    by_id = {a.id: a for a in answers}
    asked: dict[int, list[str]] = {}
    for answer_id, question in learned:
        if answer_id in by_id:
            asked.setdefault(answer_id, []).append(question)
    everywhere: Counter[tuple[str, ...]] = Counter()
    own: dict[int, Counter[tuple[str, ...]]] = {}
    forms: dict[tuple[str, ...], Counter[str]] = {}
    for answer_id, questions in asked.items():
        counts = own.setdefault(answer_id, Counter())
        for question in questions:
            found = {t.key: t for t in _terms_of(question)}
            counts.update(found.keys())
            everywhere.update(found.keys())
            for key, term in found.items():
                forms.setdefault(key, Counter())[term.written] += 1
    proposals = []
    for answer_id, questions in sorted(asked.items(), key=lambda item: (-len(item[1]), item[0])):
        answer, counts = by_id[answer_id], own[answer_id]
        known = _known(answer)

        def distinctive(key: tuple[str, ...], known: set[str] = known,
                        counts: Counter[tuple[str, ...]] = counts) -> bool:
            return (counts[key] >= min_questions and counts[key] >= OWN_SHARE * everywhere[key]
                    and not set(key) <= known)

        words = {k for k in counts if len(k) == 1 and distinctive(k)}
        phrases = {k for k in counts if len(k) == 2 and distinctive(k)
                   and not any((s,) in words for s in k)}
        chosen = sorted(words | phrases, key=lambda k: (-counts[k], forms[k].most_common(1)[0][0]))
        keywords = tuple((forms[k].most_common(1)[0][0], counts[k])
                         for k in chosen[:PROPOSED_KEPT])
        proposals.append(Proposal(answer, tuple(questions), keywords))
    return proposals


def with_effect(proposals: Sequence[Proposal], answers: Sequence[Answer],
                threshold: float) -> list[Proposal]:
    """The proposals with how many of their questions the FAQ (the desk's matcher, over all
    `answers`) would answer by itself with the right reply, before and after every proposed
    keyword is added (what `--write` does)."""
    added = {p.answer.id: tuple(word for word, _ in p.keywords) for p in proposals}
    today = RankedMatcher(answers)
    tomorrow = RankedMatcher([replace(a, keywords=(*a.keywords, *added[a.id]))
                           if added.get(a.id) else a for a in answers])
    return [replace(p, before=_answered(today, p, threshold),
                    after=_answered(tomorrow, p, threshold)) for p in proposals]


def _answered(matcher: RankedMatcher, proposal: Proposal, threshold: float) -> int:
    answer = proposal.answer
    found = 0
    for question, times in Counter(proposal.questions).items():  # clients ask alike
        match = matcher.best(question, answer.language)
        if match is not None and match.answer_id == answer.id and match.score >= threshold:
            found += times
    return found

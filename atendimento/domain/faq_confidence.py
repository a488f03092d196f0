"""How sure the FAQ is that the best-ranked answer is the right one to send: a logistic model
over the ranking's evidence, its few weights fitted on the tuning part of the evaluation sets
(`atendimento bench faq --fit` prints them; never on the held-out part)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from atendimento.domain.faq_rank import Evidence

NAMES = ("bias", "explained", "margin", "phrase", "unknown", "personal", "complaint",
         "one word", "words", "digits", "foreign", "explained × margin")

# Fitted by `python -m atendimento.bench faq --fit` on the tuning part.
WEIGHTS = (-3.551, 2.043, 1.521, 2.069, -1.399, 0.115, -0.057, -0.889, 1.096, -0.657, -0.365,
           0.855)


def features(e: Evidence) -> tuple[float, ...]:
    return (1.0, e.explained, e.margin, e.phrase, e.unknown, min(e.personal, 3) / 3,
            float(e.complaint), float(e.content_words == 1),
            math.log1p(e.content_words) / 3, float(e.digits), e.foreign,
            e.explained * e.margin)


def confidence(e: Evidence, weights: Sequence[float] = WEIGHTS) -> float:
    z = sum(w * x for w, x in zip(weights, features(e), strict=True))
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def fit(samples: Sequence[tuple[Evidence, bool]], l2: float = 0.001, rounds: int = 20000,
        rate: float = 2.0) -> tuple[float, ...]:
    """Weights for P(right | evidence) by gradient descent on the log loss (L2, bias free)."""
    xs = [features(e) for e, _ in samples]
    ys = [1.0 if right else 0.0 for _, right in samples]
    weights = [0.0] * len(NAMES)
    n = max(len(xs), 1)
    for _ in range(rounds):
        gradient = [0.0] * len(weights)
        for x, y in zip(xs, ys, strict=True):
            z = sum(w * v for w, v in zip(weights, x, strict=True))
            error = 1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) - y
            for i, v in enumerate(x):
                gradient[i] += error * v
        for i in range(len(weights)):
            penalty = l2 * weights[i] if i else 0.0
            weights[i] -= rate * (gradient[i] / n + penalty)
    return tuple(round(w, 3) for w in weights)

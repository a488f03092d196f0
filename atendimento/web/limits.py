"""Token buckets: the API's requests per token (API_RATE_LIMIT, bursts of twice as many),
and failed authentications per address (so a token cannot be guessed at speed)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class Buckets:
    def __init__(self, rate: float, burst: float, monotonic: Callable[[], float],
                 keep: int = 10_000) -> None:
        self.rate, self.burst, self._monotonic, self._keep = rate, burst, monotonic, keep
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> float:
        """0 when `key` may go on (one token taken), else the seconds until it may."""
        now = self._monotonic()
        bucket = self._buckets.pop(key, None) or _Bucket(self.burst, now)
        self._buckets[key] = bucket  # most recently used last; the oldest are forgotten
        while len(self._buckets) > self._keep:
            self._buckets.popitem(last=False)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

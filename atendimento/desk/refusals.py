"""How often the desk says "refused" to the same sender: once per thread in a while, so that
someone outside the team who floods a thread cannot spend the group's send budget (20 a
minute, shared/telegram.md §6) that the clients' messages need."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime, timedelta

QUIET = timedelta(minutes=10)
KEPT = 4096


class Refusals:
    def __init__(self, quiet: timedelta = QUIET, kept: int = KEPT) -> None:
        self._last: OrderedDict[tuple[Hashable, int], datetime] = OrderedDict()
        self._quiet = quiet
        self._kept = kept

    def first(self, sender: Hashable, thread_id: int, now: datetime) -> bool:
        """True when `sender` was not refused in this thread in the last while (then the
        refusal is said); refusals in between are only logged."""
        key = (sender, thread_id)
        last = self._last.get(key)
        if last is not None and now - last < self._quiet:
            return False
        self._last[key] = now
        self._last.move_to_end(key)
        while len(self._last) > self._kept:
            self._last.popitem(last=False)
        return True

"""Counters the desk keeps while it runs, for /metrics: what was sent (per action and
outcome), the relays (a copy into a thread, a copy to a client), Telegram's flood waits, and
the errors logged. Plain integers, cheap on the relay path; what the database knows (the
outbox's depth, the open atendimentos) is read when /metrics is asked instead."""

from __future__ import annotations

import logging
from collections import Counter


class Meter:
    def __init__(self) -> None:
        self.sends: Counter[tuple[str, str]] = Counter()  # (action, "ok" | "refused")
        self.relays: Counter[str] = Counter()  # "to_team" | "to_client"
        self.flood_waits = 0
        self.errors: Counter[str] = Counter()  # logger name → records at ERROR or above

    def sent(self, action: str, ok: bool, relay: str | None = None) -> None:
        self.sends[(action, "ok" if ok else "refused")] += 1
        if ok and relay is not None:
            self.relays[relay] += 1

    def flooded(self) -> None:
        self.flood_waits += 1


class ErrorCounter(logging.Handler):
    """Counts the records at ERROR and above into `meter.errors` (attach it to the
    "atendimento" logger while the desk runs)."""

    def __init__(self, meter: Meter) -> None:
        super().__init__(logging.ERROR)
        self.meter = meter

    def emit(self, record: logging.LogRecord) -> None:
        self.meter.errors[record.name] += 1

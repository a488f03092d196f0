"""What a card's SLA line says, as a short key: how long the client has waited for the team's
first answer ("w:<minutes>", "a:<minutes>" past the alarm), or how long that answer took
("f:<seconds>"). Pure: the job and the card compute the same key from the same facts.

The wait is counted from the client's first message of the atendimento. An atendimento the
team began (/novo with a message, before any word of the client) has no line: there was no
first answer to wait for.

The minutes shown are coarser as the wait grows, so a card changes at most once a minute
in the first hour, every 10 minutes up to a day, hourly after that: a long wait is already an
alarm, and its exact minute is not worth an edit of the card (telegram.md §6 limits them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from atendimento.storage.activity import Activity

WAITING, ALARM, ANSWERED = "w", "a", "f"
HOUR, DAY = 60, 24 * 60  # in minutes


@dataclass(frozen=True)
class Mark:
    kind: str  # WAITING, ALARM or ANSWERED
    amount: int  # minutes waited (WAITING, ALARM), seconds the first answer took (ANSWERED)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.amount}"

    @property
    def seconds(self) -> int:
        return self.amount if self.kind == ANSWERED else self.amount * 60


def shown_minutes(seconds: float) -> int:
    """The minutes a wait shows: at least 1, then in steps that grow with it."""
    minutes = max(1, int(seconds // 60))
    if minutes < HOUR:
        return minutes
    if minutes < DAY:
        return minutes - minutes % 10
    return minutes - minutes % HOUR


def answer_seconds(seconds: float) -> int:
    """How long the first answer took: to the second under a minute, else to the minute."""
    if seconds < 60:
        return max(0, int(seconds))
    return round(seconds / 60) * 60


def mark(seen: Activity, now: datetime, alarm_minutes: float) -> Mark | None:
    """The line a card shows now for this activity (None: no line)."""
    asked = seen.first_client_at
    if asked is None:
        return None  # the client has not written yet
    answered = seen.first_team_at
    if answered is not None:
        if seen.team_first:
            return None  # the team wrote first: nothing was waiting for an answer
        # max(0, ...): the clock may have stepped back between the two
        return Mark(ANSWERED, answer_seconds(max(0.0, (answered - asked).total_seconds())))
    waited = max(0.0, (now - asked).total_seconds())
    if waited < 60:
        return None  # not a minute yet: "waiting for 1 min" would not be true
    if waited >= alarm_minutes * 60:  # never shown as less than the limit it passed
        return Mark(ALARM, max(shown_minutes(waited), math.ceil(alarm_minutes)))
    return Mark(WAITING, shown_minutes(waited))


def parse(key: str) -> Mark | None:
    """A stored key back into a mark (None for anything else)."""
    kind, _, amount = key.partition(":")
    if kind not in (WAITING, ALARM, ANSWERED) or not amount.isdigit():
        return None
    return Mark(kind, int(amount))

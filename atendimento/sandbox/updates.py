"""pts boxes (the bot's common box and one per channel) and the differences built from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyrogram import raw

T = raw.types


@dataclass
class Box:
    """A monotonic pts counter with the log of every update that moved it."""

    pts: int = 1
    log: list[tuple[int, object]] = field(default_factory=list)

    def next(self, count: int = 1) -> int:
        self.pts += count
        return self.pts

    def record(self, update: object) -> object:
        self.log.append((update.pts, update))
        return update

    def since(self, pts: int) -> list[object]:
        # The log is ordered by pts; a linear scan from the end keeps catch-up cheap.
        out = []
        for at, update in reversed(self.log):
            if at <= pts:
                break
            out.append(update)
        out.reverse()
        return out


def split(updates: list) -> tuple[list, list]:
    """Messages of new-message updates, and every other update, as a difference carries them."""
    new, other = [], []
    for update in updates:
        if isinstance(update, T.UpdateNewMessage | T.UpdateNewChannelMessage):
            new.append(update.message)
        else:
            other.append(update)
    return new, other

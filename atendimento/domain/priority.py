"""Priorities of a thread: their order, colours, and how a team member may name one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from atendimento.domain.text import without_format
from atendimento.domain.words import fold as fold_words


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        """1 for urgent … 4 for low, as typed in `/p 1..4`."""
        return ORDER.index(self) + 1


ORDER: tuple[Priority, ...] = (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)
DEFAULT_PRIORITY = Priority.NORMAL

COLOURS: Mapping[Priority, str] = {
    Priority.URGENT: "🔴",
    Priority.HIGH: "🟠",
    Priority.NORMAL: "🟡",
    Priority.LOW: "🟢",
}


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a word (`Média` → `media`)."""
    return fold_words(text.strip())


def parse_priority(
    argument: str, localized_names: Iterable[tuple[str, Priority]] = ()
) -> Priority | None:
    """The priority a team member meant by `argument`, or None.

    Accepts the rank (`1`…`4`), the colour, the English name and any localized name given in
    `localized_names`, ignoring case, accents and a leading `#` (so a card's hashtag works too).
    Never raises, whatever was typed (`/p ፩`, `/p 𐩀`, a thousand digits: None).
    """
    argument = without_format(argument)  # a zero-width space or direction mark typed along
    word = fold(argument).removeprefix("#")
    if not word:
        return None
    if word.isdecimal():  # digits of any script (`١`), but not `፩`: isdigit() only, int() refuses
        rank = int(word) if len(word) <= 9 else 0  # and no 5,000-digit int() (it raises)
        return ORDER[rank - 1] if 1 <= rank <= len(ORDER) else None
    for priority, colour in COLOURS.items():
        if argument.strip() == colour:
            return priority
    names = {p.value: p for p in ORDER}
    names.update((fold(name), p) for name, p in localized_names)
    return names.get(word)

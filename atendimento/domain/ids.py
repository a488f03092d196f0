"""Ids read back from text a person could have forged (button data): strict, never raising."""

from __future__ import annotations

MAX_ID = 2**63 - 1  # Telegram's and the database's ids are signed 64-bit


def parse_id(text: str) -> int | None:
    """The id (0 or more) `text` spells in ASCII digits, or None for anything else (other
    scripts' digits, signs, spaces, underscores, values beyond 64 bits)."""
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def parse_ids(text: str, sep: str = ":") -> list[int] | None:
    """Every id of "12:3", or None if any part is not one."""
    values = [parse_id(part) for part in text.split(sep)]
    return None if None in values else values  # type: ignore[return-value]

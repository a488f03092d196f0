"""How a message of the existing bot looks in a thread: `🤖 ` before its text or caption and
its buttons as readable lines after it (the copy itself has none: it must not be pressable).
Kinds without a caption, and texts too long to take the mark, get the mark as a line of its
own before the copy."""

from __future__ import annotations

from atendimento.domain import marks
from atendimento.domain.events import CAPTIONED_KINDS, BotMessage

PREFIX = marks.BOT + " "
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024  # Telegram's, in UTF-16 units


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def keyboard_lines(event: BotMessage) -> str:
    """"🔘 Comprar · Ver catálogo" per row of buttons under the message, "⌨️ …" for a reply
    keyboard; "" without buttons."""
    bullet = "🔘 " if event.inline else "⌨️ "
    rows = (" · ".join(f"[{label}]" for label in row if label) for row in event.buttons)
    return "\n".join(bullet + row for row in rows if row)


def mark_of(event: BotMessage) -> tuple[str, str] | None:
    """(prefix, suffix) for the copy's text or caption, or None when the mark must be a line
    of its own (no caption, or no room for it)."""
    incoming = event.message
    buttons = keyboard_lines(event)
    suffix = f"\n\n{buttons}" if buttons else ""
    if incoming.kind == "text":
        limit = TEXT_LIMIT
    elif incoming.kind in CAPTIONED_KINDS:
        limit = CAPTION_LIMIT
    else:
        return None
    if _utf16(PREFIX + incoming.text + suffix) > limit:
        return None
    return PREFIX, suffix

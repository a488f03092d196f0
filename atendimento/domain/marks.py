"""The marks a thread reads by: 🤖 starts the desk's words about the bot (the existing bot's
messages in parallel mode, the FAQ's automatic answers). A client can type it too, so a
client's message that starts with it is copied with 👤 in front: the team never takes the
client's words for the bot's."""

from __future__ import annotations

from atendimento.domain.text import visible_start

BOT = "🤖"
CLIENT_PREFIX = "👤 "


def client_mark(text: str) -> tuple[str, str] | None:
    """(prefix, suffix) for the copy of a client's text or caption that reads as the bot's
    words; None for any other."""
    return (CLIENT_PREFIX, "") if visible_start(text).startswith(BOT) else None

"""What makes a comment an internal note, and whom it mentions (plain rules, no I/O)."""

from __future__ import annotations

import re

from atendimento.domain.events import Incoming
from atendimento.domain.text import visible_start

NOTE_MARK = "//"
COMMANDS = ("n", "nota", "note")
MENTIONS_TOLD = 10  # people told per note

# A caption cannot be a command to Telegram, so "/n ..." under a photo is read here.
_CAPTION_COMMAND = re.compile(r"/(?:n|nota|note)(?:@(\w+))?(?=\s|$)", re.IGNORECASE)
# Telegram usernames: a letter, then letters, digits and _, up to 32 in all. Not inside a
# word, so an e-mail address mentions nobody.
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{2,31})(?!\w)")


def note_of(incoming: Incoming, bot_username: str) -> str | None:
    """The note in a comment that is not a command (its text after the mark), or None when
    it is a message for the client: a text or caption that starts with //, or a caption that
    starts with /n (a text that does is the /n command)."""
    text = visible_start(incoming.text)  # an invisible mark pasted in front hides nothing
    if text.startswith(NOTE_MARK):
        return text[len(NOTE_MARK):]
    if incoming.kind == "text":
        return None
    found = _CAPTION_COMMAND.match(text)
    if found is None or (found.group(1) and found.group(1).casefold()
                         != bot_username.casefold()):
        return None
    return text[found.end():]


def mentioned(text: str) -> list[str]:
    """The @usernames in `text`, each once (case aside), in the order written."""
    seen: dict[str, str] = {}
    for match in _MENTION.finditer(text):
        seen.setdefault(match.group(1).casefold(), match.group(1))
    return list(seen.values())

"""What the desk hears from Telegram, as plain values the services understand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Kinds the bot can copy as itself; anything else gets a service line instead (design.md §4.6).
COPYABLE_KINDS = frozenset({
    "text", "photo", "video", "document", "audio", "voice", "video_note", "sticker", "animation",
    "contact", "location", "venue", "poll",
})
ALBUM_KINDS = frozenset({"photo", "video", "document", "audio"})
# Kinds with a caption (text and these can carry a mark in their copy).
CAPTIONED_KINDS = frozenset({"photo", "video", "document", "audio", "voice", "animation"})


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or str(self.id)


@dataclass(frozen=True)
class Incoming:
    """One message (or an edit of one), on either side."""

    chat_id: int
    message_id: int
    kind: str
    preview: str = ""  # the start of the text or caption, for notices; never stored
    reply_to_id: int | None = None
    media_group_id: str | None = None
    command: str | None = None  # "fim" for "/fim@bot 2", lower case
    arguments: str = ""
    # A command this desk does not run: another bot's ("/ban@otherbot"), or typed as a
    # caption ("/ban" under a photo); the team's, so never relayed
    aside: str | None = None
    edited: bool = False
    text: str = ""  # the whole text or caption, for the FAQ; never stored
    fingerprint: str | None = None  # set when sent through the bot's inline mode
    sent_at: datetime | None = None  # Telegram's date of the message (UTC)

    @property
    def copyable(self) -> bool:
        return self.kind in COPYABLE_KINDS


@dataclass(frozen=True)
class ClientEvent:
    """A client's message in their private chat with the bot."""

    client: Person
    message: Incoming


@dataclass(frozen=True)
class BotMessage:
    """What another session of the bot (the system a parallel desk is attached to) sent to
    `client` in their private chat, or an edit of it. `buttons`: the labels of its keyboard,
    row by row; `inline`: they are buttons under the message (else a reply keyboard)."""

    client: Person
    message: Incoming
    buttons: tuple[tuple[str, ...], ...] = ()
    inline: bool = True


@dataclass(frozen=True)
class ForeignPress:
    """A client pressed a button under a message the other session sent: `label` is the
    button's text ("" when it cannot be read). The other system answers it, never the desk."""

    user: Person
    label: str
    chat_id: int
    message_id: int


@dataclass(frozen=True)
class TeamEvent:
    """A message in the discussion group: a comment in a card's thread, or anything else."""

    message: Incoming
    thread_root_id: int | None
    author: Person | None  # None when sent as a chat: the channel, the group, or another
    sender_chat_id: int | None = None
    via_bot: bool = False
    sender_chat_title: str = ""  # the chat it was sent as, when `author` is None


@dataclass(frozen=True)
class Deleted:
    """Message ids the client deleted in a private chat (Telegram does not say which chat)."""

    message_ids: tuple[int, ...] = field(default_factory=tuple)

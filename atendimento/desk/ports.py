"""What the desk services need from Telegram and from time, as small interfaces (ports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from atendimento.domain.events import Person
from atendimento.domain.text import RichText

if TYPE_CHECKING:
    from atendimento.storage.records import SavedReply

Values = Mapping[str, str]  # client placeholders: {"nome": "Ana", ...}
# (prefix, suffix) around a copy's text or caption: what marks a message of the bot's other
# session in a thread; a copy with a mark never carries the source's buttons.
Mark = tuple[str, str]

# Why a message could not be delivered; each has a service line in desk/wording.py.
BLOCKED = "blocked"
DEACTIVATED = "deactivated"
TOO_LONG = "too_long"
NOT_FOUND = "not_found"
FORBIDDEN = "forbidden"
UNSUPPORTED = "unsupported"
GAVE_UP = "gave_up"
# The thread's root (the card's forward in the group) was deleted: the thread must move to a
# new card; desk/thread_moves.py.
ROOT_GONE = "root_gone"
REFUSED = "refused"  # any other error Telegram gave; its name is in `detail`


class Undeliverable(Exception):
    """Telegram refused a send for good (retrying cannot help); `reason` is one of the above."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Button:
    label: str
    data: str = ""  # sent back when pressed
    inline_query: str | None = None  # instead: opens "@bot <query>" in the same chat


@dataclass(frozen=True)
class Content:
    """What a message holds, as a saved reply keeps it: a text with its formatting, or a file
    by id with its caption; other kinds have only their `kind`."""

    kind: str
    text: str | None = None
    entities: list[dict[str, Any]] | None = None  # of the text or of the caption
    file_id: str | None = None
    caption: str | None = None
    album: bool = False  # one item of an album (a saved reply keeps that item only)


class Telegram(Protocol):
    """The sends and reads the desk makes; the adapter handles rate limits and retries."""

    # `random_id`: the id Telegram deduplicates sends by; a send repeating it returns the
    # message the first one made (see atendimento/desk/outbox.py).

    async def send_text(self, chat_id: int, text: RichText | str, *, reply_to: int | None = None,
                        buttons: Sequence[Sequence[Button]] = (), silent: bool = False,
                        random_id: int | None = None) -> int: ...

    async def send_markdown(self, chat_id: int, markdown: str, *, reply_to: int | None = None,
                            random_id: int | None = None) -> int: ...

    async def edit_text(self, chat_id: int, message_id: int, text: RichText | str, *,
                        buttons: Sequence[Sequence[Button]] = ()) -> None: ...

    async def pin(self, chat_id: int, message_id: int) -> None: ...

    async def unpin(self, chat_id: int, message_id: int) -> None: ...

    async def copy(self, from_chat: int, message_id: int, to_chat: int, *,
                   reply_to: int | None = None, values: Values | None = None,
                   random_id: int | None = None, mark: Mark | None = None
                   ) -> list[tuple[int, int]]:
        """Copy a message (a whole album when it is part of one); (source id, copy id) pairs.
        With `values`, the copy has its client placeholders filled; with `mark`, its text or
        caption is marked and its buttons are left out."""
        ...

    async def mirror_edit(self, from_chat: int, message_id: int, to_chat: int,
                          to_message_id: int, values: Values | None = None,
                          mark: Mark | None = None) -> None: ...

    async def read(self, chat_id: int, message_id: int) -> Content:
        """What a message holds (Undeliverable NOT_FOUND when it is gone)."""
        ...

    async def send_reply(self, chat_id: int, reply: SavedReply, *, values: Values | None = None,
                         reply_to: int | None = None, random_id: int | None = None) -> int:
        """Send a saved reply as the bot, placeholders filled when `values` are given."""
        ...

    def fingerprint(self, reply: SavedReply) -> str:
        """What identifies the reply's content in a message sent through inline mode (the
        same as `Incoming.fingerprint` of that message)."""
        ...

    async def member_status(self, chat_id: int, user_id: int) -> str:
        """"admin", "member", "none", or "unknown" when Telegram could not say."""
        ...

    async def admins(self, chat_id: int) -> list[Person]: ...

    async def anonymous_admins(self, chat_id: int) -> list[int]:
        """The ids of the chat's administrators (its owner included) who may post as the
        chat itself, anonymously; raises Undeliverable when Telegram could not say."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...

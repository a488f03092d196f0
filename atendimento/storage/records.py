"""Plain, immutable rows the repositories return: no peewee objects leave the storage layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Stored as short strings (not small ints): readable in the database and in hashtags, and
# independent of how the domain orders priorities. CHECK constraints keep them in this set.
PRIORITIES = ("urgent", "high", "normal", "low")
STATES = ("open", "ended")
DIRECTIONS = ("to_team", "to_client", "from_bot")
REPLY_SOURCES = ("telegram", "file")

OPEN = "open"
ENDED = "ended"
NORMAL = "normal"
TO_TEAM = "to_team"
TO_CLIENT = "to_client"
# A message another system sent from the bot (parallel mode), copied into the thread.
FROM_BOT = "from_bot"


@dataclass(frozen=True, slots=True)
class Client:
    user_id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    pending_origin: str | None
    banned: bool
    ban_reason: str | None
    banned_at: datetime | None
    ban_notice_sent: bool
    messages_while_banned: int
    blocked_bot: bool
    created_at: datetime
    updated_at: datetime
    language: str | None = None  # chosen with /idioma; None: Telegram's language code decides


@dataclass(frozen=True, slots=True)
class Thread:
    id: int
    client_id: int
    card_message_id: int | None
    thread_root_id: int | None
    state: str
    priority: str
    pinned: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Atendimento:
    id: int
    thread_id: int
    number: int
    origin: str | None
    opened_at: datetime
    ended_at: datetime | None
    ended_by: int | None
    autoanswer_off: str | None = None  # "team", "client" or "handover": why the FAQ stopped

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class Link:
    id: int
    atendimento_id: int
    direction: str
    client_chat_id: int
    client_message_id: int
    group_chat_id: int
    group_message_id: int
    media_group_id: str | None
    deleted_by_client_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TeamMember:
    user_id: int
    first_name: str
    last_name: str | None
    username: str | None
    language: str | None
    is_admin: bool
    notifications: bool
    started_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SavedReply:
    id: int
    title: str
    keywords: tuple[str, ...]
    text: str | None
    entities: list[dict[str, Any]] | None
    media_type: str | None
    file_id: str | None
    caption: str | None
    created_by: int | None
    uses: int
    last_used_at: datetime | None
    source: str
    file_path: str | None
    created_at: datetime
    updated_at: datetime
    language: str | None = None  # ready answers only: the folder they came from

    @property
    def is_media(self) -> bool:
        return self.file_id is not None

"""pyrogram messages turned into the plain events the desk services take."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pyrogram import enums, types
from pyrogram.file_id import FileId, FileUniqueId, FileUniqueType

from atendimento.domain.events import BotMessage, ClientEvent, Incoming, Person, TeamEvent
from atendimento.domain.text import cut, visible_start, without_format
from atendimento.domain.words import words

PREVIEW_LENGTH = 200

MEDIA_KINDS = {
    enums.MessageMediaType.PHOTO: "photo",
    enums.MessageMediaType.VIDEO: "video",
    enums.MessageMediaType.DOCUMENT: "document",
    enums.MessageMediaType.AUDIO: "audio",
    enums.MessageMediaType.VOICE: "voice",
    enums.MessageMediaType.VIDEO_NOTE: "video_note",
    enums.MessageMediaType.STICKER: "sticker",
    enums.MessageMediaType.ANIMATION: "animation",
    enums.MessageMediaType.CONTACT: "contact",
    enums.MessageMediaType.LOCATION: "location",
    enums.MessageMediaType.VENUE: "venue",
    enums.MessageMediaType.POLL: "poll",
    enums.MessageMediaType.DICE: "dice",
    enums.MessageMediaType.GAME: "game",
    enums.MessageMediaType.STORY: "story",
    enums.MessageMediaType.GIVEAWAY: "giveaway",
    enums.MessageMediaType.PAID_MEDIA: "paid_media",
}


def person(user: types.User) -> Person:
    return Person(user.id, user.first_name or "", user.last_name, user.username,
                  user.language_code)


def kind_of(message: types.Message) -> str:
    if message.text:
        return "text"
    if message.media is not None:
        return MEDIA_KINDS.get(message.media, message.media.name.lower())
    return "service" if message.service else "unknown"


def _command_head(text: str | None) -> tuple[str, str, str] | None:
    """(name, addressee, arguments) of a text that starts as a command ("/fim@bot 2"), the
    name as typed; None when it does not."""
    # A pyrogram Str slices in UTF-16 units: read it as the str it is. Invisible marks
    # pasted in front of the slash are not part of what the reader sees.
    text = visible_start(str(text or ""))
    if not text.startswith("/"):
        return None
    rest = text[1:]
    end = next((i for i, char in enumerate(rest) if char.isspace()), len(rest))
    head = without_format(rest[:end])
    name, _, addressee = head.partition("@")
    if not name or not all(c.isalnum() or c == "_" for c in name):
        return None
    return name, addressee, rest[end:]


def parse_command(text: str | None, bot_username: str) -> tuple[str | None, str]:
    """("fim", "2") for "/fim@bot 2"; (None, "") when the text is no command for this bot.

    The name ends at the first whitespace of any kind (`/ban` and a reason on the next line is
    a command, not a message for the client); invisible format characters in it (a zero-width
    space, a direction mark) are ignored. Never raises, whatever the text.
    """
    found = _command_head(text)
    if found is None or (found[1] and found[1].casefold() != bot_username.casefold()):
        return None, ""
    return found[0].casefold(), found[2].strip()


def command_aside(message: types.Message, bot_username: str) -> str | None:
    """"/ban@otherbot" for a text that is a command for another bot, "/ban" for a caption
    that is a command (which no bot runs): what the desk neither runs nor relays."""
    if message.text:
        found = _command_head(message.text)
        if found is None or not found[1] or found[1].casefold() == bot_username.casefold():
            return None
        return f"/{found[0]}@{found[1]}"
    found = _command_head(message.caption)
    return None if found is None else "/" + found[0] + (f"@{found[1]}" if found[1] else "")


def via_this_bot(message: types.Message, bot_id: int) -> bool:
    return message.via_bot is not None and message.via_bot.id == bot_id


def media_of(message: types.Message) -> Any:
    """The message's file object (photo, document, sticker, ...), or None."""
    kind = kind_of(message)
    return getattr(message, kind, None) if kind in FILE_KINDS else None


FILE_KINDS = frozenset({"photo", "video", "document", "audio", "voice", "video_note", "sticker",
                        "animation"})


def fingerprint(message: types.Message) -> str:
    """The same for every message carrying this file, or these words (formatting aside)."""
    media = media_of(message)
    if media is not None:
        return "f:" + media.file_unique_id
    return text_fingerprint(message.text or message.caption or "")


_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")


def text_fingerprint(text: str, *, markdown: bool = False) -> str:
    """`fingerprint` of a message with this text; Markdown link addresses are not shown, so
    they are not part of it."""
    if markdown:
        text = _LINK_TARGET.sub("]", text)
    return "t:" + " ".join(words(text))


def fingerprint_of_file(file_id: str) -> str:
    """`fingerprint` of a message carrying the file `file_id` names."""
    media_id = FileId.decode(file_id).media_id
    unique = FileUniqueId(file_unique_type=FileUniqueType.DOCUMENT, media_id=media_id)
    return "f:" + unique.encode()


def entities_to_dicts(entities: list[types.MessageEntity] | None) -> list[dict[str, Any]] | None:
    """Formatting as plain values a database can keep (mentions of users by id are dropped:
    they need the user's access hash, which does not keep)."""
    kept = []
    for entity in entities or ():
        if entity.type == enums.MessageEntityType.TEXT_MENTION:
            continue
        item: dict[str, Any] = {"type": entity.type.name.lower(), "offset": entity.offset,
                                "length": entity.length}
        for extra in ("url", "language", "custom_emoji_id"):
            if getattr(entity, extra, None):
                item[extra] = getattr(entity, extra)
        kept.append(item)
    return kept or None


def entities_from_dicts(items: list[dict[str, Any]] | None) -> list[types.MessageEntity] | None:
    found = []
    for item in items or ():
        kind = enums.MessageEntityType.__members__.get(str(item.get("type", "")).upper())
        if kind is None:
            continue
        found.append(types.MessageEntity(
            type=kind, offset=int(item["offset"]), length=int(item["length"]),
            url=item.get("url"), language=item.get("language"),
            custom_emoji_id=item.get("custom_emoji_id")))
    return found or None


def incoming(message: types.Message, bot_username: str, bot_id: int = 0) -> Incoming:
    command, arguments = parse_command(message.text, bot_username)
    # pyrogram's Str slices in UTF-16 units and fails on a split emoji: plain str from here on
    text = str(message.text or message.caption or "")
    return Incoming(
        chat_id=message.chat.id,
        message_id=message.id,
        kind=kind_of(message),
        preview=cut(text, PREVIEW_LENGTH),
        reply_to_id=message.reply_to_message_id,
        media_group_id=message.media_group_id,
        command=command,
        arguments=arguments,
        aside=command_aside(message, bot_username),
        edited=message.edit_date is not None,
        text=text,
        fingerprint=fingerprint(message) if via_this_bot(message, bot_id) else None,
        sent_at=_utc(message.date),
    )


def _utc(date: datetime | None) -> datetime | None:
    """pyrogram's dates are naive local times (datetime.fromtimestamp), which astimezone
    reads as such."""
    return None if date is None else date.astimezone(UTC)


def client_event(message: types.Message, bot_username: str, bot_id: int = 0) -> ClientEvent:
    return ClientEvent(person(message.from_user or message.chat),
                       incoming(message, bot_username, bot_id))


def bot_message(message: types.Message, bot_username: str, bot_id: int = 0) -> BotMessage:
    """A message the bot sent in a private chat (from another session: parallel mode)."""
    chat = message.chat
    client = Person(chat.id, chat.first_name or "", chat.last_name, chat.username)
    rows, inline = keyboard_labels(message.reply_markup)
    return BotMessage(client, incoming(message, bot_username, bot_id), rows, inline)


def keyboard_labels(markup: Any) -> tuple[tuple[tuple[str, ...], ...], bool]:
    """The labels of a message's keyboard, row by row (a link button's with its address),
    and whether they are buttons under the message (inline) or a reply keyboard."""
    if isinstance(markup, types.InlineKeyboardMarkup):
        return tuple(tuple(_label(b) for b in row) for row in markup.inline_keyboard
                     if row), True
    if isinstance(markup, types.ReplyKeyboardMarkup):
        return tuple(tuple(b if isinstance(b, str) else str(b.text or "") for b in row)
                     for row in markup.keyboard if row), False
    return (), True


def _label(button: types.InlineKeyboardButton) -> str:
    text = str(button.text or "")
    return f"{text} ↗ {button.url}" if button.url else text


def pressed_label(message: types.Message | None, data: str | bytes | None) -> str:
    """The text of the button carrying `data` under `message` ("" when it is not there)."""
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, types.InlineKeyboardMarkup):
        return ""
    for row in markup.inline_keyboard:
        for button in row:
            carried = button.callback_data
            if carried is not None and (carried == data or (
                    isinstance(carried, bytes) and isinstance(data, str)
                    and carried == data.encode())):
                return str(button.text or "")
    return ""


def team_event(message: types.Message, bot_username: str, bot_id: int) -> TeamEvent:
    # In a comment thread the root is the reply's top message, or the replied message itself
    # for a direct comment (telegram.md §1.2); kurigram's message_thread_id is for forums only.
    root = message.reply_to_top_message_id or message.reply_to_message_id
    author = person(message.from_user) if message.from_user else None
    return TeamEvent(
        message=incoming(message, bot_username, bot_id),
        thread_root_id=root,
        author=author,
        sender_chat_id=message.sender_chat.id if message.sender_chat else None,
        sender_chat_title=str(message.sender_chat.title or "") if message.sender_chat else "",
        via_bot=via_this_bot(message, bot_id),
    )

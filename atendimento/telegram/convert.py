"""pyrogram messages turned into the plain events the desk services take."""

from __future__ import annotations

from pyrogram import enums, types

from atendimento.domain.events import ClientEvent, Incoming, Person, TeamEvent

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


def parse_command(text: str | None, bot_username: str) -> tuple[str | None, str]:
    """("fim", "2") for "/fim@bot 2"; (None, "") when the text is no command for this bot."""
    if not text or not text.startswith("/"):
        return None, ""
    head, _, arguments = text[1:].partition(" ")
    name, _, addressee = head.partition("@")
    if addressee and addressee.casefold() != bot_username.casefold():
        return None, ""
    if not name or not all(c.isalnum() or c == "_" for c in name):
        return None, ""
    return name.casefold(), arguments.strip()


def incoming(message: types.Message, bot_username: str) -> Incoming:
    command, arguments = parse_command(message.text, bot_username)
    return Incoming(
        chat_id=message.chat.id,
        message_id=message.id,
        kind=kind_of(message),
        preview=(message.text or message.caption or "")[:PREVIEW_LENGTH],
        reply_to_id=message.reply_to_message_id,
        media_group_id=message.media_group_id,
        command=command,
        arguments=arguments,
        edited=message.edit_date is not None,
    )


def client_event(message: types.Message, bot_username: str) -> ClientEvent:
    return ClientEvent(person(message.from_user or message.chat), incoming(message, bot_username))


def team_event(message: types.Message, bot_username: str, bot_id: int) -> TeamEvent:
    # In a comment thread the root is the reply's top message, or the replied message itself
    # for a direct comment (telegram.md §1.2); kurigram's message_thread_id is for forums only.
    root = message.reply_to_top_message_id or message.reply_to_message_id
    author = person(message.from_user) if message.from_user else None
    return TeamEvent(
        message=incoming(message, bot_username),
        thread_root_id=root,
        author=author,
        sender_chat_id=message.sender_chat.id if message.sender_chat else None,
        via_bot=message.via_bot is not None and message.via_bot.id == bot_id,
    )

"""What people see: a message as a ``Seen`` value, and entity shorthands people type with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyrogram import raw

from .world import Account, Channel, World

T = raw.types
ENTITIES = {
    "bold": T.MessageEntityBold,
    "italic": T.MessageEntityItalic,
    "underline": T.MessageEntityUnderline,
    "strike": T.MessageEntityStrike,
    "code": T.MessageEntityCode,
    "url": T.MessageEntityUrl,
    "mention": T.MessageEntityMention,
    "hashtag": T.MessageEntityHashtag,
    "bot_command": T.MessageEntityBotCommand,
    "spoiler": T.MessageEntitySpoiler,
    "email": T.MessageEntityEmail,
    "phone": T.MessageEntityPhone,
}
DOCUMENT_KINDS = ("document", "video", "voice", "video_note", "audio", "sticker", "animation")


@dataclass
class Seen:
    """A message as a person sees it."""

    id: int
    chat: Account | Channel
    text: str
    kind: str  # text, photo, video, ..., contact, location, venue, dice, poll, service
    from_bot: bool
    sender_id: int | None
    reply_to: int | None
    top_id: int | None
    pinned: bool
    edited: bool
    grouped_id: int | None
    via_bot: bool
    raw: Any


def seen(world: World, chat: Account | Channel, message: Any) -> Seen:
    kind = "service" if isinstance(message, T.MessageService) else _kind(message.media)
    header = getattr(message, "reply_to", None)
    from_id = message.from_id
    sender = getattr(from_id, "user_id", None) or getattr(from_id, "channel_id", None)
    if sender is None and isinstance(chat, Account):
        sender = world.bot.id if message.out else chat.id
    return Seen(
        id=message.id,
        chat=chat,
        text=getattr(message, "message", ""),
        kind=kind,
        from_bot=bool(message.out),
        sender_id=sender,
        reply_to=header.reply_to_msg_id if header else None,
        top_id=header.reply_to_top_id if header else None,
        pinned=bool(getattr(message, "pinned", None)),
        edited=bool(getattr(message, "edit_date", None)),
        grouped_id=getattr(message, "grouped_id", None),
        via_bot=bool(getattr(message, "via_bot_id", None)),
        raw=message,
    )


def _kind(media: Any) -> str:
    if media is None:
        return "text"
    if isinstance(media, T.MessageMediaPhoto):
        return "photo"
    if isinstance(media, T.MessageMediaContact):
        return "contact"
    if isinstance(media, T.MessageMediaVenue):
        return "venue"
    if isinstance(media, T.MessageMediaGeo | T.MessageMediaGeoLive):
        return "location"
    if isinstance(media, T.MessageMediaDice):
        return "dice"
    if isinstance(media, T.MessageMediaPoll):
        return "poll"
    kinds = {type(a) for a in media.document.attributes}
    if T.DocumentAttributeSticker in kinds:
        return "sticker"
    if T.DocumentAttributeAnimated in kinds:
        return "animation"
    if media.round:
        return "video_note"
    if media.voice:
        return "voice"
    if media.video:
        return "video"
    if T.DocumentAttributeAudio in kinds:
        return "audio"
    return "document"


def entities_of(spec: list | None) -> list | None:
    """``("bold", offset, length)``, ``("text_link", offset, length, url)`` or raw entities."""
    if not spec:
        return None
    out = []
    for item in spec:
        if not isinstance(item, tuple):
            out.append(item)
        elif item[0] == "text_link":
            out.append(T.MessageEntityTextUrl(offset=item[1], length=item[2], url=item[3]))
        elif item[0] == "pre":
            out.append(T.MessageEntityPre(offset=item[1], length=item[2], language=""))
        else:
            out.append(ENTITIES[item[0]](offset=item[1], length=item[2]))
    return out

"""The world's raw messages, users and chats as Bot API JSON objects (Message, User, Chat,
PhotoSize, Document, ..., CallbackQuery), and the Bot API's file ids for the world's files.

Only private chats with the bot are serialised: they are what the Bot API side of the sandbox
sends to and receives from (see ``fanout.py``). Field names and shapes follow
core.telegram.org/bots/api; optional fields are left out when empty, as the Bot API does.
"""

from __future__ import annotations

import base64
from typing import Any

from pyrogram import raw

from .. import messages as ops
from ..world import Account, World
from .errors import bad_request

T = raw.types
JSON = dict[str, Any]
PHOTO, DOCUMENT = 1, 2  # the first byte of a file id: which of world.files it names
ENTITY_TYPES: dict[type, str] = {
    T.MessageEntityBold: "bold",
    T.MessageEntityItalic: "italic",
    T.MessageEntityUnderline: "underline",
    T.MessageEntityStrike: "strikethrough",
    T.MessageEntitySpoiler: "spoiler",
    T.MessageEntityCode: "code",
    T.MessageEntityPre: "pre",
    T.MessageEntityTextUrl: "text_link",
    T.MessageEntityUrl: "url",
    T.MessageEntityMention: "mention",
    T.MessageEntityMentionName: "text_mention",
    T.MessageEntityHashtag: "hashtag",
    T.MessageEntityCashtag: "cashtag",
    T.MessageEntityBotCommand: "bot_command",
    T.MessageEntityEmail: "email",
    T.MessageEntityPhone: "phone_number",
    T.MessageEntityCustomEmoji: "custom_emoji",
    T.MessageEntityBlockquote: "blockquote",
}


# ----- file ids ---------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def file_id(kind: int, item, size: str = "") -> str:
    """An opaque id naming a photo (one of its sizes) or a document of the world; it carries
    the access hash, so it is only valid for that very file."""
    body = bytes([kind]) + item.id.to_bytes(8, "little") + item.access_hash.to_bytes(8, "little")
    return _b64(body + size.encode())


def unique_id(item, size: str = "") -> str:
    return _b64(item.id.to_bytes(8, "little") + size.encode())[:16]


def resolve_file(world: World, value: str, kind: int | None):
    """The world's Photo or Document a file id names (400 when it names none, or one of the
    other kind; ``kind`` None takes either)."""
    try:
        body = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        body = b""
    if len(body) < 17 or body[0] not in (PHOTO, DOCUMENT):
        raise bad_request("wrong file identifier/HTTP URL specified")
    ident = int.from_bytes(body[1:9], "little")
    access_hash = int.from_bytes(body[9:17], "little")
    found = world.files.get(ident)
    if found is None or found.access_hash != access_hash:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if kind is not None and body[0] != kind:
        names = {PHOTO: "Photo", DOCUMENT: "Document"}
        raise bad_request(f"can't use file of type {names[body[0]]} as {names[kind]}")
    return found


# ----- users and chats --------------------------------------------------------------------
def user(account: Account) -> JSON:
    out: JSON = {"id": account.id, "is_bot": account.bot,
                 "first_name": "Deleted Account" if account.deleted else account.first_name}
    if account.last_name and not account.deleted:
        out["last_name"] = account.last_name
    if account.username and not account.deleted:
        out["username"] = account.username
    if not account.bot and account.lang_code:
        out["language_code"] = account.lang_code
    return out


def me(account: Account) -> JSON:
    """The bot as getMe describes it (the flags only getMe returns)."""
    return {**user(account), "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": account.inline, "can_connect_to_business": False,
            "has_main_web_app": False}


def private_chat(account: Account) -> JSON:
    out: JSON = {"id": account.id, "type": "private", "first_name": account.first_name}
    if account.last_name:
        out["last_name"] = account.last_name
    if account.username:
        out["username"] = account.username
    return out


# ----- messages ---------------------------------------------------------------------------
def message(world: World, item, *, nested: bool = True) -> JSON:
    """A private-chat message of the world as a Bot API Message."""
    peer = world.accounts[item.peer_id.user_id]
    sender = world.bot if item.out else peer
    out: JSON = {"message_id": item.id, "from": user(sender), "chat": private_chat(peer),
                 "date": item.date}
    if isinstance(item, T.MessageService):
        return out
    header = item.reply_to
    if nested and header is not None and header.reply_to_msg_id:
        original = ops.find(world, peer, header.reply_to_msg_id)
        if original is not None:
            out["reply_to_message"] = message(world, original, nested=False)
    if item.edit_date:
        out["edit_date"] = item.edit_date
    if item.grouped_id:
        out["media_group_id"] = str(item.grouped_id)
    if item.via_bot_id and item.via_bot_id in world.accounts:
        out["via_bot"] = user(world.accounts[item.via_bot_id])
    text_key, entities_key = ("caption", "caption_entities") if item.media else ("text",
                                                                                  "entities")
    if item.message:
        out[text_key] = item.message
        if item.entities:
            out[entities_key] = [entity(world, e) for e in item.entities]
    if item.media is not None:
        out.update(media(item.media))
    markup = inline_markup(item.reply_markup)
    if markup is not None:
        out["reply_markup"] = markup
    return out


def entity(world: World, item) -> JSON:
    out: JSON = {"type": ENTITY_TYPES.get(type(item), "unknown"), "offset": item.offset,
                 "length": item.length}
    if isinstance(item, T.MessageEntityPre) and item.language:
        out["language"] = item.language
    elif isinstance(item, T.MessageEntityTextUrl):
        out["url"] = item.url
    elif isinstance(item, T.MessageEntityMentionName) and item.user_id in world.accounts:
        out["user"] = user(world.accounts[item.user_id])
    elif isinstance(item, T.MessageEntityCustomEmoji):
        out["custom_emoji_id"] = str(item.document_id)
    elif isinstance(item, T.MessageEntityBlockquote) and item.collapsed:
        out["type"] = "expandable_blockquote"
    return out


def inline_markup(markup) -> JSON | None:
    """An inline keyboard as InlineKeyboardMarkup (the only markup a Message carries)."""
    if not isinstance(markup, T.ReplyInlineMarkup):
        return None
    return {"inline_keyboard": [[_button(b) for b in row.buttons] for row in markup.rows]}


def _button(button) -> JSON:
    out: JSON = {"text": button.text}
    kind = button.type
    if isinstance(kind, T.InlineButtonTypeCallback):
        out["callback_data"] = kind.data.decode("utf-8", "replace")
    elif isinstance(kind, T.InlineButtonTypeUrl):
        out["url"] = kind.url
    elif isinstance(kind, T.InlineButtonTypeSwitchInline):
        out["switch_inline_query_current_chat" if kind.same_peer else "switch_inline_query"] = (
            kind.query)
    elif isinstance(kind, T.InlineButtonTypeCopy):
        out["copy_text"] = {"text": kind.copy_text}
    return out


def media(item) -> JSON:
    """The Message fields for a message's media (photo, document, video, contact, ...)."""
    if isinstance(item, T.MessageMediaPhoto):
        return {"photo": photo_sizes(item.photo)}
    if isinstance(item, T.MessageMediaDocument):
        return _document_fields(item)
    if isinstance(item, T.MessageMediaContact):
        contact: JSON = {"phone_number": item.phone_number, "first_name": item.first_name}
        if item.last_name:
            contact["last_name"] = item.last_name
        if item.user_id:
            contact["user_id"] = item.user_id
        if item.vcard:
            contact["vcard"] = item.vcard
        return {"contact": contact}
    if isinstance(item, T.MessageMediaVenue):
        place = _location(item.geo)
        return {"venue": {"location": place, "title": item.title, "address": item.address},
                "location": place}
    if isinstance(item, T.MessageMediaGeo):
        return {"location": _location(item.geo)}
    if isinstance(item, T.MessageMediaDice):
        return {"dice": {"emoji": item.emoticon, "value": item.value}}
    if isinstance(item, T.MessageMediaPoll):
        return {"poll": _poll(item.poll)}
    return {}


def photo_sizes(photo) -> list[JSON]:
    return [{"file_id": file_id(PHOTO, photo, size.type),
             "file_unique_id": unique_id(photo, size.type),
             "width": size.w, "height": size.h, "file_size": size.size}
            for size in photo.sizes if isinstance(size, T.PhotoSize)]


def _document_fields(item) -> JSON:
    doc = item.document
    attrs = {type(a): a for a in doc.attributes}
    base: JSON = {"file_id": file_id(DOCUMENT, doc), "file_unique_id": unique_id(doc)}
    name = attrs.get(T.DocumentAttributeFilename)
    named = {"file_name": name.file_name} if name else {}
    sized = {"mime_type": doc.mime_type, "file_size": doc.size}
    video = attrs.get(T.DocumentAttributeVideo)
    audio = attrs.get(T.DocumentAttributeAudio)
    if T.DocumentAttributeSticker in attrs:
        size = attrs.get(T.DocumentAttributeImageSize)
        sticker: JSON = {**base, "type": "regular", "width": size.w if size else 512,
                         "height": size.h if size else 512, "is_animated": False,
                         "is_video": False, "file_size": doc.size}
        if attrs[T.DocumentAttributeSticker].alt:
            sticker["emoji"] = attrs[T.DocumentAttributeSticker].alt
        return {"sticker": sticker}
    if T.DocumentAttributeAnimated in attrs and video is not None:
        shape = {"width": video.w, "height": video.h, "duration": int(video.duration)}
        # The Bot API sends an animation as both fields, for clients that predate "animation".
        return {"animation": {**base, **shape, **named, **sized},
                "document": {**base, **named, **sized}}
    if video is not None and video.round_message:
        return {"video_note": {**base, "length": video.w, "duration": int(video.duration),
                               "file_size": doc.size}}
    if audio is not None and audio.voice:
        return {"voice": {**base, "duration": audio.duration, **sized}}
    if video is not None:
        return {"video": {**base, "width": video.w, "height": video.h,
                          "duration": int(video.duration), **named, **sized}}
    if audio is not None:
        extra = {k: v for k, v in (("performer", audio.performer), ("title", audio.title)) if v}
        return {"audio": {**base, "duration": audio.duration, **extra, **named, **sized}}
    return {"document": {**base, **named, **sized}}


def _location(geo) -> JSON:
    return {"latitude": geo.lat, "longitude": geo.long}


def _poll(poll) -> JSON:
    return {
        "id": str(poll.id),
        "question": poll.question.text,
        "options": [{"text": a.text.text, "voter_count": 0} for a in poll.answers],
        "total_voter_count": 0,
        "is_closed": bool(poll.closed),
        "is_anonymous": not poll.public_voters,
        "type": "quiz" if poll.quiz else "regular",
        "allows_multiple_answers": bool(poll.multiple_choice),
    }


def callback_query(world: World, update) -> JSON:
    """An UpdateBotCallbackQuery of a private chat as a Bot API CallbackQuery."""
    out: JSON = {"id": str(update.query_id), "from": user(world.accounts[update.user_id]),
                 "chat_instance": str(update.chat_instance)}
    found = world.private.get(update.msg_id)
    if found is not None:
        out["message"] = message(world, found)
    if update.data is not None:
        out["data"] = update.data.decode("utf-8", "replace")
    return out

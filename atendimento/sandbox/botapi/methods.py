"""The Bot API methods the sandbox answers, over the same world as the MTProto session: every
message the Bot API side sends is a message of the world (one id in its private chat, whichever
session sent it). Each method takes the side and the request's parameters and returns the
``result`` of a successful answer; failures raise ``ApiError`` (or the world's ``Fail``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pyrogram import raw

from .. import messages as ops
from ..errors import Fail
from ..methods import throttle, writable
from ..world import Account, World
from . import files, objects
from .errors import NOT_MODIFIED, bad_request, forbidden
from .fanout import Fanout
from .feed import Feed
from .inputs import Params, formatted, reply_markup, reply_to
from .objects import JSON

T = raw.types
ALBUM = (2, 10)
MEDIA_KINDS = ("photo", "video", "document", "audio")


@dataclass
class Side:
    """The Bot API session of the bot: the world, its updates, and its sibling sessions."""

    world: World
    feed: Feed
    fanout: Fanout


# ----- targets and sending ------------------------------------------------------------------
def private(side: Side, params: Params, field: str = "chat_id") -> Account:
    """The user a private-chat method names (only private chats are served)."""
    world = side.world
    value = params.need(field)
    try:
        ident = int(value)
    except (TypeError, ValueError):
        raise bad_request("chat not found") from None
    account = world.accounts.get(ident)
    if account is None or account.bot:
        raise bad_request("chat not found")
    return account


def writable_user(side: Side, params: Params) -> Account:
    world = side.world
    account = private(side, params)
    if not account.started and world.switches.unstarted_peer_invalid:
        raise forbidden("bot can't initiate conversation with a user")
    writable(world, T.InputPeerUser(user_id=account.id, access_hash=account.access_hash))
    return account


def _send(side: Side, target: Account, params: Params, *, text: str, entities_: list,
          media=None, grouped_id: int | None = None, markup: Any = None,
          album: list | None = None) -> raw.types.Message:
    """Create the bot's message; an ``album`` (already throttled once) collects the updates
    for the caller to announce together."""
    world = side.world
    ops.check_text(world, text, media is not None)
    reply, anyway = reply_to(params)
    if reply and ops.find(world, target, reply) is None:
        if not anyway:
            raise bad_request("message to be replied not found")
        reply = None
    if album is None:
        throttle(world, target)
    outcome = ops.create(world, target, world.bot, text=text, entities=entities_, media=media,
                         reply_to=reply, grouped_id=grouped_id, reply_markup=markup)
    if album is None:
        side.fanout.outgoing(outcome.updates)
    else:
        album.extend(outcome.updates)
    return outcome.updates[0].message


def _markup(params: Params):
    return reply_markup(params.json("reply_markup"))


# ----- the methods ----------------------------------------------------------------------------
def get_me(side: Side, params: Params) -> JSON:
    return objects.me(side.world.bot)


def send_message(side: Side, params: Params) -> JSON:
    target = writable_user(side, params)
    text, found = formatted(params, "text", "entities")
    sent = _send(side, target, params, text=text, entities_=found, markup=_markup(params))
    return objects.message(side.world, sent)


def _send_file(side: Side, params: Params, kind: str) -> JSON:
    target = writable_user(side, params)
    made = files.media(side.world, params, params.need(kind), kind)
    text, found = formatted(params, "caption", "caption_entities")
    sent = _send(side, target, params, text=text, entities_=found, media=made,
                 markup=_markup(params))
    return objects.message(side.world, sent)


def send_photo(side: Side, params: Params) -> JSON:
    return _send_file(side, params, "photo")


def send_document(side: Side, params: Params) -> JSON:
    return _send_file(side, params, "document")


def send_video(side: Side, params: Params) -> JSON:
    return _send_file(side, params, "video")


def send_audio(side: Side, params: Params) -> JSON:
    return _send_file(side, params, "audio")


def send_media_group(side: Side, params: Params) -> list[JSON]:
    world = side.world
    target = writable_user(side, params)
    items = params.json("media")
    if not isinstance(items, list) or not ALBUM[0] <= len(items) <= ALBUM[1]:
        raise bad_request("media group must include 2-10 items")
    prepared = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") not in MEDIA_KINDS:
            raise bad_request("can't parse InputMedia: unsupported media type")
        made = files.media(world, params, item.get("media"), item["type"])
        caption = Params({"caption": item.get("caption"), "parse_mode": item.get("parse_mode"),
                          "caption_entities": item.get("caption_entities")})
        text, found = formatted(caption, "caption", "caption_entities")
        ops.check_text(world, text, media=True)
        prepared.append((made, text, found))
    throttle(world, target)  # one album, one send (as messages.sendMultiMedia)
    grouped = world.random.getrandbits(62)
    updates: list = []
    sent = [_send(side, target, params, text=text, entities_=found, media=made,
                  grouped_id=grouped, album=updates) for made, text, found in prepared]
    side.fanout.outgoing(updates)  # one push for the album, as one sendMultiMedia gives
    return [objects.message(world, message) for message in sent]


def copy_message(side: Side, params: Params) -> JSON:
    world = side.world
    source = private(side, params, "from_chat_id")
    ident = params.int("message_id")
    original = ops.find(world, source, ident) if ident else None
    if original is None:
        raise bad_request("message to copy not found")
    if isinstance(original, T.MessageService) or isinstance(
            original.media, T.MessageMediaDice | T.MessageMediaPoll):
        raise bad_request("message can't be copied")
    target = writable_user(side, params)
    text, found = original.message, list(original.entities or [])
    if params.has("caption") and original.media is not None:
        text, found = formatted(params, "caption", "caption_entities")
    sent = _send(side, target, params, text=text, entities_=found, media=original.media,
                 markup=_markup(params))
    return {"message_id": sent.id}


def _editable(side: Side, params: Params) -> tuple[Account, raw.types.Message]:
    if params.has("inline_message_id"):
        raise bad_request("message to edit not found")  # inline messages are not simulated
    world = side.world
    target = private(side, params)
    message = ops.find(world, target, params.int("message_id") or 0)
    if message is None or isinstance(message, T.MessageService):
        raise bad_request("message to edit not found")
    if not message.out:
        raise bad_request("message can't be edited")
    return target, message


def _edit(side: Side, target: Account, message, *, text: str | None, entities_: list | None,
          markup: Any, keep_markup: bool | None = None) -> JSON:
    world = side.world
    if keep_markup is None:
        keep_markup = not world.switches.edit_drops_keyboard
    try:
        outcome = ops.edit(world, target, message.id, text=text, entities=entities_,
                           reply_markup=markup, keep_markup=keep_markup)
    except Fail as fail:
        if fail.message == "MESSAGE_NOT_MODIFIED":
            raise bad_request(NOT_MODIFIED) from None
        raise
    side.fanout.outgoing(outcome.updates)
    return objects.message(world, ops.find(world, target, message.id))


def edit_message_text(side: Side, params: Params) -> JSON:
    target, message = _editable(side, params)
    if message.media is not None:
        raise bad_request("there is no text in the message to edit")
    text, found = formatted(params, "text", "entities")
    return _edit(side, target, message, text=text, entities_=found, markup=_markup(params))


def edit_message_caption(side: Side, params: Params) -> JSON:
    target, message = _editable(side, params)
    if message.media is None:
        raise bad_request("there is no caption in the message to edit")
    text, found = formatted(params, "caption", "caption_entities")
    return _edit(side, target, message, text=text, entities_=found, markup=_markup(params))


def edit_message_reply_markup(side: Side, params: Params) -> JSON:
    target, message = _editable(side, params)
    return _edit(side, target, message, text=None, entities_=None, markup=_markup(params),
                 keep_markup=False)


def delete_message(side: Side, params: Params) -> bool:
    world = side.world
    target = private(side, params)
    ident = params.int("message_id") or 0
    if ops.find(world, target, ident) is None:
        raise bad_request("message to delete not found")
    _, update = ops.delete(world, None, [ident])
    side.fanout.outgoing([update] if update is not None else [])
    return True


def answer_callback_query(side: Side, params: Params) -> bool:
    state = None
    try:
        state = side.world.callbacks.get(int(params.need("callback_query_id")))
    except ValueError:
        pass
    if state is None or state.answered:
        raise bad_request("query is too old and response timeout expired or query ID is "
                          "invalid")
    state.answered, state.text = True, params.str("text")
    state.alert = params.bool("show_alert")
    return True


def send_chat_action(side: Side, params: Params) -> bool:
    writable_user(side, params)
    return True


async def get_updates(side: Side, params: Params) -> list[JSON]:
    side.feed.set_allowed(params.json("allowed_updates"))
    return await side.feed.get(params.int("offset"), params.int("limit", 100) or 100,
                               params.float("timeout"))


def set_webhook(side: Side, params: Params) -> bool:
    side.feed.set_allowed(params.json("allowed_updates"))
    side.feed.set_webhook(params.str("url") or "", secret=params.str("secret_token"),
                          drop_pending=params.bool("drop_pending_updates"),
                          max_connections=params.int("max_connections"))
    return True


def delete_webhook(side: Side, params: Params) -> bool:
    side.feed.set_webhook("", secret=None, drop_pending=params.bool("drop_pending_updates"),
                          max_connections=None)
    return True


def get_webhook_info(side: Side, params: Params) -> JSON:
    return side.feed.info()


def get_file(side: Side, params: Params) -> JSON:
    return files.file_info(side.world, str(params.need("file_id")))


Method = Callable[[Side, Params], Any | Awaitable[Any]]


def table() -> dict[str, tuple[str, Method]]:
    """(name as documented, method) by lower-case name: the Bot API's method names are
    case-insensitive."""
    named: dict[str, Method] = {
        "getMe": get_me,
        "getUpdates": get_updates,
        "setWebhook": set_webhook,
        "deleteWebhook": delete_webhook,
        "getWebhookInfo": get_webhook_info,
        "sendMessage": send_message,
        "sendPhoto": send_photo,
        "sendDocument": send_document,
        "sendVideo": send_video,
        "sendAudio": send_audio,
        "sendMediaGroup": send_media_group,
        "copyMessage": copy_message,
        "editMessageText": edit_message_text,
        "editMessageCaption": edit_message_caption,
        "editMessageReplyMarkup": edit_message_reply_markup,
        "deleteMessage": delete_message,
        "answerCallbackQuery": answer_callback_query,
        "sendChatAction": send_chat_action,
        "getFile": get_file,
    }
    return {name.lower(): (name, method) for name, method in named.items()}


"""The desk's `Telegram` port on pyrogram: sends with per-chat flood pauses, retries, error kinds.

A FloodWait pauses only the chat it came from (design.md §4.4): sends to other chats go on.
Telegram does not say which of its limits a FLOOD_WAIT is for (telegram.md §6): the per-chat
ones, or the bot-wide one of about 30 messages/s, which refuses sends to any chat. So when flood
waits come from several chats at once (BOT_WIDE_CHATS within BOT_WIDE_WINDOW), the gateway takes
it as the bot-wide limit and pauses every send, rather than have each chat find out for itself.
Transient failures back off up to a cap; permanent ones become `Undeliverable` with a reason
the desk turns into a service line. Nothing is retried forever.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

import pyrogram
from pyrogram import enums, errors, raw, types

from atendimento.desk import ports
from atendimento.desk.meter import Meter
from atendimento.desk.ports import Button, Content, Mark, Undeliverable, Values
from atendimento.domain.events import CAPTIONED_KINDS as CAPTIONED
from atendimento.domain.events import Person
from atendimento.domain.placeholders import fill, fill_plain, has_placeholders
from atendimento.domain.text import RichText
from atendimento.markdown import escape_markdown
from atendimento.storage.records import SavedReply
from atendimento.telegram import convert
from atendimento.telegram.convert import person

log = logging.getLogger("atendimento.telegram.gateway")

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

ENTITY_TYPES = {
    "bold": enums.MessageEntityType.BOLD,
    "italic": enums.MessageEntityType.ITALIC,
    "code": enums.MessageEntityType.CODE,
}
PERMANENT: dict[type[errors.RPCError], str] = {
    errors.UserIsBlocked: ports.BLOCKED,
    errors.InputUserDeactivated: ports.DEACTIVATED,
    errors.UserDeactivated: ports.DEACTIVATED,
    errors.MessageTooLong: ports.TOO_LONG,
    errors.MediaCaptionTooLong: ports.TOO_LONG,
    errors.PeerIdInvalid: ports.NOT_FOUND,
    errors.MessageIdInvalid: ports.NOT_FOUND,
    errors.MsgIdInvalid: ports.NOT_FOUND,
    errors.ReplyMessageIdInvalid: ports.NOT_FOUND,
    errors.ChatWriteForbidden: ports.FORBIDDEN,
    errors.ChatAdminRequired: ports.FORBIDDEN,
    errors.MessageEmpty: ports.UNSUPPORTED,
}
TRANSIENT = (errors.InternalServerError, errors.ServiceUnavailable, errors.RandomIdDuplicate,
             TimeoutError, OSError)


class MessageCache:
    """Recent messages from updates, so a copy or an edit needs no extra GetMessages call."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: OrderedDict[tuple[int, int], types.Message] = OrderedDict()

    def remember(self, message: types.Message) -> None:
        key = (message.chat.id, message.id)
        self._items[key] = message
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def get(self, chat_id: int, message_id: int) -> types.Message | None:
        return self._items.get((chat_id, message_id))


# Flood waits from this many different chats within this many seconds mean the bot-wide limit.
BOT_WIDE_CHATS = 3
BOT_WIDE_WINDOW = 1.0
# An album holds at most 10 items, so its others are within 9 ids of any one of them.
ALBUM_REACH = 10


class Gateway:
    """Implements `atendimento.desk.ports.Telegram` with a pyrogram client."""

    def __init__(self, client: pyrogram.Client, *, sleep: Sleep = asyncio.sleep,
                 monotonic: Callable[[], float] = time.monotonic, max_flood_waits: int = 8,
                 max_attempts: int = 5, backoff_cap: float = 30.0,
                 meter: Meter | None = None) -> None:
        self.client = client
        self.meter = meter or Meter()
        self.cache = MessageCache()
        self._sleep = sleep
        self._monotonic = monotonic
        self._paused_until: dict[int, float] = {}
        self._all_paused_until = 0.0  # the bot-wide pause
        self._recent_floods: deque[tuple[float, int]] = deque()  # (when, chat)
        self._max_flood_waits = max_flood_waits
        self._max_attempts = max_attempts
        self._backoff_cap = backoff_cap
        # pyrogram asks `client.rnd_id()` for the random id of each message it sends; during a
        # send with a given `random_id` it gets that one (then the next, for an album's items),
        # the same on every attempt, so Telegram returns a repeated send's first message.
        self._random_ids: ContextVar[Iterator[int] | None] = ContextVar("random_ids",
                                                                         default=None)
        self._fresh_random_id = client.rnd_id
        client.rnd_id = self._random_id

    def _random_id(self) -> int:
        pinned = self._random_ids.get()
        return next(pinned) if pinned is not None else self._fresh_random_id()

    # --- the retry loop -------------------------------------------------------------------

    async def call(self, chat_id: int, action: Callable[[], Awaitable[T]],
                   passthrough: tuple[type[errors.RPCError], ...] = (),
                   random_id: int | None = None) -> T:
        """Run `action` against `chat_id`, honouring its flood pause; errors in `passthrough`
        reach the caller as they are. With `random_id`, every attempt sends with it."""
        waits = attempts = 0
        while True:
            pause = max(self._paused_until.get(chat_id, 0.0),
                        self._all_paused_until) - self._monotonic()
            if pause > 0:
                await self._sleep(pause)
            pinned = None
            if random_id is not None:
                pinned = self._random_ids.set(itertools.count(random_id))
            try:
                return await action()
            except errors.FloodWait as error:
                waits += 1
                seconds = float(error.value or 1)
                if waits > self._max_flood_waits:
                    raise Undeliverable(ports.GAVE_UP, f"flooded {waits} times") from None
                log.info("chat %s: flood wait of %ss", chat_id, seconds)
                self.meter.flooded()
                self._flooded(chat_id, seconds)
            except passthrough:
                raise
            except errors.RPCError as error:
                reason = next((r for kind, r in PERMANENT.items() if isinstance(error, kind)),
                              None)
                if reason is not None:
                    raise Undeliverable(reason, error.ID or type(error).__name__) from None
                if not isinstance(error, TRANSIENT):
                    raise Undeliverable(ports.REFUSED, error.ID or type(error).__name__) from None
                attempts = await self._back_off(chat_id, attempts, error)
            except TRANSIENT as error:
                attempts = await self._back_off(chat_id, attempts, error)
            finally:
                if pinned is not None:
                    self._random_ids.reset(pinned)

    def _flooded(self, chat_id: int, seconds: float) -> None:
        now = self._monotonic()
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), now + seconds)
        floods = self._recent_floods
        floods.append((now, chat_id))
        while floods and floods[0][0] < now - BOT_WIDE_WINDOW:
            floods.popleft()
        chats = {chat for _when, chat in floods}
        if len(chats) >= BOT_WIDE_CHATS and now + seconds > self._all_paused_until:
            log.warning("flood waits in %d chats at once: the bot-wide limit; every send "
                        "waits %ss", len(chats), seconds)
            self._all_paused_until = now + seconds

    async def _back_off(self, chat_id: int, attempts: int, error: BaseException) -> int:
        attempts += 1
        if attempts >= self._max_attempts:
            raise Undeliverable(ports.GAVE_UP, f"{type(error).__name__} {attempts} times")
        delay = min(self._backoff_cap, 2.0 ** (attempts - 1))
        log.warning("chat %s: %s, retrying in %ss", chat_id, type(error).__name__, delay)
        await self._sleep(delay)
        return attempts

    # --- sending --------------------------------------------------------------------------

    async def send_text(self, chat_id: int, text: RichText | str, *, reply_to: int | None = None,
                        buttons: Sequence[Sequence[Button]] = (), silent: bool = False,
                        random_id: int | None = None) -> int:
        body, entities = _plain(text)
        sent = await self.call(chat_id, lambda: self.client.send_message(
            chat_id, body, entities=entities, parse_mode=enums.ParseMode.DISABLED,
            reply_parameters=_reply(reply_to), reply_markup=_keyboard(buttons),
            disable_notification=silent,
            link_preview_options=types.LinkPreviewOptions(is_disabled=True)),
            random_id=random_id)
        return sent.id

    async def send_markdown(self, chat_id: int, markdown: str, *, reply_to: int | None = None,
                            random_id: int | None = None) -> int:
        sent = await self.call(chat_id, lambda: self.client.send_message(
            chat_id, markdown, parse_mode=enums.ParseMode.MARKDOWN,
            reply_parameters=_reply(reply_to)), random_id=random_id)
        return sent.id

    async def edit_text(self, chat_id: int, message_id: int, text: RichText | str, *,
                        buttons: Sequence[Sequence[Button]] = ()) -> None:
        body, entities = _plain(text)
        await self._unless_unchanged(chat_id, lambda: self._edit_message(
            chat_id, message_id, body, entities,
            reply_markup=_keyboard(buttons) if buttons else None, no_webpage=True))

    async def pin(self, chat_id: int, message_id: int) -> None:
        await self.call(chat_id, lambda: self.client.pin_chat_message(
            chat_id, message_id, disable_notification=True))

    async def unpin(self, chat_id: int, message_id: int) -> None:
        await self.call(chat_id, lambda: self.client.unpin_chat_message(chat_id, message_id))

    async def copy(self, from_chat: int, message_id: int, to_chat: int, *,
                   reply_to: int | None = None, values: Values | None = None,
                   random_id: int | None = None, mark: Mark | None = None
                   ) -> list[tuple[int, int]]:
        source = await self._source(from_chat, message_id)
        if source.media_group_id:
            items = await self._album(source)
            if len(items) > 1:
                return await self._copy_album(items, to_chat, reply_to, values, random_id, mark)
            source = items[0]  # all the album that is left: a single message
        if mark is not None:
            return await self._copy_marked(source, to_chat, reply_to, random_id, mark)
        if values and has_placeholders(source.text):
            text, entities = _filled(source.text, source.entities, values)
            sent = await self.call(to_chat, lambda: self.client.send_message(
                to_chat, text, entities=entities, parse_mode=enums.ParseMode.DISABLED,
                reply_parameters=_reply(reply_to)), random_id=random_id)
            return [(source.id, sent.id)]
        if (live := _live(source)) is not None:  # pyrogram's copy would send a still pin
            sent = await self.call(to_chat, lambda: self.client.send_location(
                to_chat, live.latitude, live.longitude, live_period=live.live_period,
                heading=live.heading, reply_parameters=_reply(reply_to)), random_id=random_id)
            return [(source.id, sent.id)]
        changed = {}
        if values and has_placeholders(source.caption):
            caption, entities = _filled(source.caption, source.caption_entities, values)
            changed = dict(caption=caption, caption_entities=entities,
                           parse_mode=enums.ParseMode.DISABLED)
        try:
            copy = await self.call(to_chat, lambda: source.copy(
                to_chat, reply_parameters=_reply(reply_to), **changed), random_id=random_id)
        except ValueError as error:  # pyrogram's word for "this kind cannot be copied"
            raise Undeliverable(ports.UNSUPPORTED, str(error)) from None
        if copy is None:
            raise Undeliverable(ports.UNSUPPORTED, "nothing to copy")
        return [(source.id, copy.id)]

    async def _copy_marked(self, source: types.Message, to_chat: int, reply_to: int | None,
                           random_id: int | None, mark: Mark) -> list[tuple[int, int]]:
        """A copy of a message the bot's other session sent: `mark` around its text or
        caption, and never its buttons (a copy in the thread must not be pressable)."""
        if source.text:
            text, entities = _marked(source.text, source.entities, mark)
            sent = await self.call(to_chat, lambda: self.client.send_message(
                to_chat, text, entities=entities, parse_mode=enums.ParseMode.DISABLED,
                reply_parameters=_reply(reply_to)), random_id=random_id)
            return [(source.id, sent.id)]
        changed: dict[str, Any] = {}
        if convert.kind_of(source) in CAPTIONED and any(mark):
            caption, entities = _marked(source.caption or "", source.caption_entities, mark)
            changed = dict(caption=caption, caption_entities=entities,
                           parse_mode=enums.ParseMode.DISABLED)
        try:
            copy = await self.call(to_chat, lambda: source.copy(
                to_chat, reply_parameters=_reply(reply_to), reply_markup=None, **changed),
                random_id=random_id)
        except ValueError as error:
            raise Undeliverable(ports.UNSUPPORTED, str(error)) from None
        if copy is None:
            raise Undeliverable(ports.UNSUPPORTED, "nothing to copy")
        return [(source.id, copy.id)]

    async def _copy_album(self, items: list[types.Message], to_chat: int, reply_to: int | None,
                          values: Values | None, random_id: int | None,
                          mark: Mark | None = None) -> list[tuple[int, int]]:
        media = [_input_media(item, values, mark if index == 0 else None)
                 for index, item in enumerate(items)]
        if any(m is None for m in media):
            raise Undeliverable(ports.UNSUPPORTED, "album with a kind Telegram cannot group")
        copies = await self.call(to_chat, lambda: self.client.send_media_group(
            to_chat, media, reply_parameters=_reply(reply_to)), random_id=random_id)
        return [(item.id, copy.id) for item, copy in zip(items, copies, strict=True)]

    async def _album(self, first: types.Message) -> list[types.Message]:
        """The album's items, by the group id the update gave (pyrogram's get_media_group
        reads it off the message itself, and fails when the sender deleted that item at
        once). An item deleted before the copy is taken as its update brought it, as a single
        message would be: deletions are not mirrored."""
        chat, group = first.chat.id, first.media_group_id
        around = [i for i in range(first.id - ALBUM_REACH + 1, first.id + ALBUM_REACH) if i > 0]
        found = await self.call(chat, lambda: self.client.get_messages(chat, around, replies=0))
        items = {m.id: m for m in found if not m.empty and m.media_group_id == group}
        for i in around:
            cached = self.cache.get(chat, i) if i not in items else None
            if cached is not None and cached.media_group_id == group:
                items[i] = cached
        if not items:
            raise Undeliverable(ports.NOT_FOUND, f"album {group} is gone")
        return [items[i] for i in sorted(items)]

    async def mirror_edit(self, from_chat: int, message_id: int, to_chat: int,
                          to_message_id: int, values: Values | None = None,
                          mark: Mark | None = None) -> None:
        source = await self._source(from_chat, message_id)
        if source.text:
            text, entities = _filled(source.text, source.entities, values)
            if mark is not None:
                text, entities = _marked(text, entities, mark)
            action = lambda: self._edit_message(  # noqa: E731
                to_chat, to_message_id, text, entities)
        elif (media := _input_media(source, values, mark)) is not None:
            action = lambda: self.client.edit_message_media(  # noqa: E731
                to_chat, to_message_id, media)
        elif source.media and source.caption is not None:
            caption, entities = _filled(source.caption, source.caption_entities, values)
            if mark is not None:
                caption, entities = _marked(caption, entities, mark)
            action = lambda: self._edit_message(  # noqa: E731
                to_chat, to_message_id, caption, entities)
        elif (live := _live(source)) is not None:
            action = lambda: self._move(to_chat, to_message_id, live)  # noqa: E731
        else:
            return  # a still location, a contact...: nothing an edit can change there
        await self._unless_unchanged(to_chat, action)

    async def _move(self, chat_id: int, message_id: int, live: types.Location) -> None:
        """The copy of a live location moves where its original went (its period kept)."""
        client = self.client
        await client.invoke(raw.functions.messages.EditMessage(
            peer=await client.resolve_peer(chat_id), id=message_id,
            media=raw.types.InputMediaGeoLive(
                geo_point=raw.types.InputGeoPoint(lat=live.latitude, long=live.longitude),
                heading=live.heading)))

    async def _edit_message(self, chat_id: int, message_id: int, text: str,
                            entities: list[types.MessageEntity] | None, *,
                            reply_markup: types.InlineKeyboardMarkup | None = None,
                            no_webpage: bool | None = None) -> None:
        """messages.EditMessage with the text (or caption) and its entities as given: kurigram
        2.2.26's edit_message_text (and edit_message_caption, which calls it) sets its
        `entities` to None before parsing, so every edit through it lost its formatting."""
        client = self.client
        written = []
        for entity in entities or ():
            entity._client = client
            written.append(await entity.write())
        await client.invoke(raw.functions.messages.EditMessage(
            peer=await client.resolve_peer(chat_id), id=message_id, message=str(text),
            entities=written or None, no_webpage=no_webpage,
            reply_markup=await reply_markup.write(client) if reply_markup else None))

    async def _unless_unchanged(self, chat_id: int, action: Callable[[], Awaitable[Any]]) -> None:
        try:
            await self.call(chat_id, action, passthrough=(errors.MessageNotModified,))
        except errors.MessageNotModified:
            pass  # the copy already says this

    async def _source(self, chat_id: int, message_id: int) -> types.Message:
        cached = self.cache.get(chat_id, message_id)
        if cached is not None:
            return cached
        found = await self.call(chat_id, lambda: self.client.get_messages(chat_id, message_id))
        if found is None or found.empty:
            raise Undeliverable(ports.NOT_FOUND, f"message {message_id} is gone")
        return found

    # --- saved replies ----------------------------------------------------------------------

    async def read(self, chat_id: int, message_id: int) -> Content:
        message = await self._source(chat_id, message_id)
        kind = convert.kind_of(message)
        if kind == "text":
            return Content(kind, text=message.text,
                           entities=convert.entities_to_dicts(message.entities))
        media = convert.media_of(message)
        if media is None:
            return Content(kind)
        return Content(kind, file_id=media.file_id, caption=message.caption or None,
                       entities=convert.entities_to_dicts(message.caption_entities),
                       album=bool(message.media_group_id))

    async def send_reply(self, chat_id: int, reply: SavedReply, *, values: Values | None = None,
                         reply_to: int | None = None, random_id: int | None = None) -> int:
        if reply.file_id is not None:
            caption, entities = _filled(reply.caption or "",
                                        convert.entities_from_dicts(reply.entities), values)
            sent = await self.call(chat_id, lambda: self.client.send_cached_media(
                chat_id, reply.file_id, caption=caption, caption_entities=entities,
                parse_mode=enums.ParseMode.DISABLED, reply_parameters=_reply(reply_to)),
                random_id=random_id)
        elif reply.source == "file":  # ready answers are Markdown, like the other texts
            text = fill_plain(reply.text or "", values or {}, escape_markdown)
            sent = await self.call(chat_id, lambda: self.client.send_message(
                chat_id, text, parse_mode=enums.ParseMode.MARKDOWN,
                reply_parameters=_reply(reply_to)), random_id=random_id)
        else:
            text, entities = _filled(reply.text or "",
                                     convert.entities_from_dicts(reply.entities), values)
            sent = await self.call(chat_id, lambda: self.client.send_message(
                chat_id, text, entities=entities, parse_mode=enums.ParseMode.DISABLED,
                reply_parameters=_reply(reply_to)), random_id=random_id)
        return sent.id

    def fingerprint(self, reply: SavedReply) -> str:
        if reply.file_id is not None:
            return convert.fingerprint_of_file(reply.file_id)
        return convert.text_fingerprint(reply.text or "", markdown=reply.source == "file")

    # --- reading --------------------------------------------------------------------------

    async def member_status(self, chat_id: int, user_id: int) -> str:
        try:
            member = await self.call(chat_id, lambda: self.client.get_chat_member(
                chat_id, user_id), passthrough=(errors.UserNotParticipant,))
        except errors.UserNotParticipant:
            return "none"
        except Undeliverable as error:
            return "none" if error.reason == ports.NOT_FOUND else "unknown"
        except (KeyError, ValueError, TypeError):
            # An answer pyrogram could not parse: we cannot tell, so the caller must not trust.
            log.exception("membership of %s in %s could not be read", user_id, chat_id)
            return "unknown"
        status = member.status
        if status in (enums.ChatMemberStatus.OWNER, enums.ChatMemberStatus.ADMINISTRATOR):
            return "admin"
        if status in (enums.ChatMemberStatus.MEMBER, enums.ChatMemberStatus.RESTRICTED):
            return "member"
        return "none"

    async def admins(self, chat_id: int) -> list[Person]:
        async def collect() -> list[Person]:
            found = []
            async for member in self.client.get_chat_members(
                    chat_id, filter=enums.ChatMembersFilter.ADMINISTRATORS):
                user = member.user
                if user is not None and not user.is_bot:
                    found.append(person(user))
            return found
        return await self.call(chat_id, collect)

    async def anonymous_admins(self, chat_id: int) -> list[int]:
        async def collect() -> list[int]:
            found = []
            async for member in self.client.get_chat_members(
                    chat_id, filter=enums.ChatMembersFilter.ADMINISTRATORS):
                rights = member.privileges
                if member.user is not None and rights is not None and rights.is_anonymous:
                    found.append(member.user.id)
            return found
        return await self.call(chat_id, collect)


def _live(message: types.Message) -> types.Location | None:
    """The location a message shares live, if it does."""
    location = message.location
    return location if location is not None and location.live_period else None


def _plain(text: RichText | str) -> tuple[str, list[types.MessageEntity] | None]:
    if isinstance(text, str):
        return text, None
    entities = [types.MessageEntity(type=ENTITY_TYPES[s.kind], offset=s.offset, length=s.length)
                for s in text.spans]
    return text.text, entities or None


def _reply(message_id: int | None) -> types.ReplyParameters | None:
    return types.ReplyParameters(message_id=message_id) if message_id else None


def _keyboard(rows: Sequence[Sequence[Button]]) -> types.InlineKeyboardMarkup | None:
    if not rows:
        return None
    return types.InlineKeyboardMarkup([[_button(b) for b in row] for row in rows])


def _button(button: Button) -> types.InlineKeyboardButton:
    if button.inline_query is not None:
        return types.InlineKeyboardButton(
            button.label, switch_inline_query_current_chat=button.inline_query)
    return types.InlineKeyboardButton(button.label, callback_data=button.data)


def _filled(text: str, entities: list[types.MessageEntity] | None, values: Values | None
            ) -> tuple[str, list[types.MessageEntity] | None]:
    """`text` with the client placeholders filled and its entities moved to match."""
    if not values or not has_placeholders(text):
        return text, entities
    # str(): a pyrogram Str slices in UTF-16 units, `fill` in characters.
    filled, spans = fill(str(text), [(e.offset, e.length) for e in entities or ()], values)
    moved = [_moved(entity, offset, length)
             for entity, (offset, length) in zip(entities or (), spans, strict=True) if length]
    return filled, moved or None


def _moved(entity: types.MessageEntity, offset: int, length: int) -> types.MessageEntity:
    """`entity` at another place, every other detail kept (an expandable blockquote's flag,
    a formatted date's time...)."""
    moved = copy.copy(entity)
    moved.offset, moved.length = offset, length
    return moved


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _marked(text: str, entities: list[types.MessageEntity] | None, mark: Mark
            ) -> tuple[str, list[types.MessageEntity] | None]:
    """`text` between the mark's prefix and suffix, its entities moved past the prefix."""
    prefix, suffix = mark
    shift = _utf16(prefix)
    moved = [_moved(e, e.offset + shift, e.length) for e in entities or ()]
    return f"{prefix}{text}{suffix}", moved or None


def _input_media(message: types.Message, values: Values | None = None,
                 mark: Mark | None = None) -> types.InputMedia | None:
    """The message's media as an InputMedia by file id (kinds an album or a media edit allow)."""
    text, entities = _filled(message.caption or "", message.caption_entities, values)
    if mark is not None and any(mark):
        text, entities = _marked(text, entities, mark)
    caption = dict(caption=text, caption_entities=entities, parse_mode=enums.ParseMode.DISABLED)
    if message.photo:
        return types.InputMediaPhoto(message.photo.file_id, **caption)
    if message.video:
        return types.InputMediaVideo(message.video.file_id, **caption)
    if message.document:
        return types.InputMediaDocument(message.document.file_id, **caption)
    if message.audio:
        return types.InputMediaAudio(message.audio.file_id, **caption)
    if message.animation:
        return types.InputMediaAnimation(message.animation.file_id, **caption)
    return None

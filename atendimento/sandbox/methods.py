"""The raw MTProto functions the sandbox answers for a bot: sending, editing, deleting, pinning,
reading messages. Each takes the call context and the query and returns the TL result."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyrogram import raw

from . import files
from . import messages as ops
from .errors import Fail
from .media import media_of
from .world import Account, Channel, World

T = raw.types
F = raw.functions


@dataclass
class Call:
    """One raw call: the world, and the Updates to push to the bot after the result."""

    world: World
    pushes: list = field(default_factory=list)


def role(channel: Channel, account: Account) -> str | None:
    member = channel.members.get(account.id)
    return member.role if member else None


def require_admin(channel: Channel, account: Account) -> None:
    if role(channel, account) not in ("creator", "admin"):
        raise Fail(403, "CHAT_ADMIN_REQUIRED")


def writable(world: World, peer) -> Account | Channel:
    """The target of a send, checked the way Telegram refuses sends (telegram.md §5, §6)."""
    target = world.resolve(peer)
    if isinstance(target, Channel):
        if target.broadcast and role(target, world.bot) not in ("creator", "admin"):
            raise Fail(403, "CHAT_WRITE_FORBIDDEN")
        rights = target.members[world.bot.id].rights or {} if target.broadcast else {}
        if rights.get("post_messages") is False:  # an admin without "Post messages"
            raise Fail(403, "CHAT_WRITE_FORBIDDEN")
        if role(target, world.bot) is None:
            raise Fail(403, "CHAT_WRITE_FORBIDDEN")
        return target
    if target is world.bot:
        raise Fail(400, "PEER_ID_INVALID")
    if target.deleted:
        raise Fail(400, "INPUT_USER_DEACTIVATED")
    if target.blocked:
        raise Fail(403, "USER_IS_BLOCKED")
    if not target.started and world.switches.unstarted_peer_invalid:
        raise Fail(400, "PEER_ID_INVALID")
    return target


def chat_id(target: Account | Channel) -> int:
    return -1_000_000_000_000 - target.id if isinstance(target, Channel) else target.id


def throttle(world: World, target: Account | Channel) -> None:
    world.limits.check(chat_id(target), isinstance(target, Channel))


def reply_id(reply_to) -> int | None:
    if isinstance(reply_to, T.InputReplyToMessage):
        return reply_to.reply_to_msg_id
    return None


def sent(call: Call, outcome: ops.Outcome, random_ids: list[int],
         target: Account | Channel) -> raw.types.Updates:
    call.pushes.extend(outcome.pushes)
    news = [
        u for u in outcome.updates if isinstance(u, T.UpdateNewMessage | T.UpdateNewChannelMessage)
    ]
    pairs = list(zip(news, random_ids, strict=True))
    for update, random_id in pairs:
        call.world.random_ids[(chat_id(target), random_id)] = update.message.id
    ids = [T.UpdateMessageID(id=u.message.id, random_id=r) for u, r in pairs]
    return call.world.updates(ids + outcome.updates)


def already_sent(world: World, target: Account | Channel,
                 random_ids: list[int]) -> raw.types.Updates | None:
    """A send repeating random ids the bot used before towards this peer returns the messages
    the first call made and sends nothing (core.telegram.org/api/updates, "random ID
    deduplication"; the used ids never expire). None when the ids are new."""
    found = [world.random_ids.get((chat_id(target), r)) for r in random_ids]
    if not found or any(ident is None for ident in found):
        return None
    box = target.box if isinstance(target, Channel) else world.box
    kind = T.UpdateNewChannelMessage if isinstance(target, Channel) else T.UpdateNewMessage
    items: list = []
    for ident, random_id in zip(found, random_ids, strict=True):
        message = ops.find(world, target, ident)
        if message is None:  # deleted since: Telegram still answers with the id
            message = T.MessageEmpty(id=ident)
        items.append(T.UpdateMessageID(id=ident, random_id=random_id))
        items.append(kind(message=message, pts=box.pts, pts_count=0))
    return world.updates(items)


def send_message(call: Call, q: F.messages.SendMessage):
    return _send_one(call, q, media=None)


def send_media(call: Call, q: F.messages.SendMedia):
    return _send_one(call, q, media=media_of(call.world, q.media))


def _send_one(call: Call, q, media) -> raw.types.Updates:
    """SendMessage and SendMedia: one message from the bot, checked and throttled."""
    world = call.world
    target = writable(world, q.peer)
    if (again := already_sent(world, target, [q.random_id])) is not None:
        return again
    ops.check_text(world, q.message, media=media is not None)
    throttle(world, target)
    outcome = ops.create(
        world,
        target,
        world.bot,
        text=q.message,
        entities=q.entities,
        media=media,
        reply_to=reply_id(q.reply_to),
        reply_markup=q.reply_markup,
    )
    return sent(call, outcome, [q.random_id], target)


def send_multi_media(call: Call, q: F.messages.SendMultiMedia):
    world = call.world
    target = writable(world, q.peer)
    if not 1 <= len(q.multi_media) <= 10:
        raise Fail(400, "MULTI_MEDIA_TOO_LONG")
    if (again := already_sent(world, target, [m.random_id for m in q.multi_media])) is not None:
        return again
    items = [(media_of(world, m.media), m) for m in q.multi_media]
    if files.album_problem([media for media, _ in items]) is not None:
        raise Fail(400, "MEDIA_INVALID")  # the error's name is not confirmed (telegram.md)
    for _, single in items:
        ops.check_text(world, single.message, media=True)
    throttle(world, target)
    grouped = world.random.getrandbits(62)
    total = ops.Outcome()
    # Every item of an album sent as a reply carries the reply header: in a discussion group
    # that is what keeps all of them inside the comment thread.
    reply_to = reply_id(q.reply_to)
    for media, single in items:
        outcome = ops.create(
            world,
            target,
            world.bot,
            text=single.message,
            entities=single.entities,
            media=media,
            grouped_id=grouped,
            reply_to=reply_to,
        )
        total.updates += outcome.updates
        total.pushes += outcome.pushes
    return sent(call, total, [m.random_id for m in q.multi_media], target)


def forward_messages(call: Call, q: F.messages.ForwardMessages):
    world = call.world
    source = world.resolve(q.from_peer)
    target = writable(world, q.to_peer)
    if (again := already_sent(world, target, list(q.random_id))) is not None:
        return again
    originals = []
    for ident in q.id:
        found = ops.find(world, source, ident)
        if found is None or isinstance(found, T.MessageService):
            raise Fail(400, "MESSAGE_ID_INVALID")
        originals.append(found)
    throttle(world, target)
    groups: dict[int, int] = {}
    total = ops.Outcome()
    for original in originals:
        header = None if q.drop_author else forward_header(original)
        grouped = None
        if original.grouped_id:
            grouped = groups.setdefault(original.grouped_id, world.random.getrandbits(62))
        text = "" if q.drop_media_captions and original.media else original.message
        outcome = ops.create(
            world,
            target,
            world.bot,
            text=text,
            entities=None if not text else original.entities,
            media=original.media,
            fwd_from=header,
            grouped_id=grouped,
            reply_to=reply_id(q.reply_to),
        )
        total.updates += outcome.updates
        total.pushes += outcome.pushes
    return sent(call, total, list(q.random_id), target)


def forward_header(original) -> raw.types.MessageFwdHeader:
    peer = original.peer_id
    if getattr(original, "post", None):
        return T.MessageFwdHeader(
            date=original.date,
            from_id=peer,
            channel_post=original.id,
            post_author=original.post_author,
        )
    return T.MessageFwdHeader(date=original.date, from_id=original.from_id or peer)


def edit_message(call: Call, q: F.messages.EditMessage):
    world = call.world
    target = world.resolve(q.peer)
    message = ops.find(world, target, q.id)
    if message is None:
        raise Fail(400, "MESSAGE_ID_INVALID")
    if isinstance(target, Channel) and target.broadcast:
        require_admin(target, world.bot)
    elif not getattr(message, "out", None):
        raise Fail(403, "MESSAGE_AUTHOR_REQUIRED")
    live = message.media if isinstance(message.media, T.MessageMediaGeoLive) else None
    if isinstance(q.media, T.InputMediaGeoLive):
        # editMessageLiveLocation: only a live location moves, and it keeps its period
        if live is None:
            raise Fail(400, "MEDIA_INVALID")  # the error's name is not confirmed
        q.media.period = q.media.period or live.period
    media = media_of(world, q.media) if q.media is not None else None
    outcome = ops.edit(
        world,
        target,
        q.id,
        text=q.message,
        entities=q.entities,
        media=media,
        reply_markup=q.reply_markup,
        keep_markup=not world.switches.edit_drops_keyboard,
    )
    call.pushes.extend(outcome.pushes)
    return world.updates(outcome.updates)


def delete_private(call: Call, q: F.messages.DeleteMessages):
    _, update = ops.delete(call.world, None, list(q.id))
    return affected(call.world.box.pts, update)


def delete_channel(call: Call, q: F.channels.DeleteMessages):
    world = call.world
    channel = world.resolve(q.channel)
    for ident in q.id:
        message = channel.messages.get(ident)
        if message is not None and not getattr(message, "out", None):
            require_admin(channel, world.bot)
    _, update = ops.delete(world, channel, list(q.id))
    return affected(channel.box.pts, update)


def affected(pts: int, update) -> raw.types.messages.AffectedMessages:
    return T.messages.AffectedMessages(pts=pts, pts_count=update.pts_count if update else 0)


def update_pinned(call: Call, q: F.messages.UpdatePinnedMessage):
    world = call.world
    target = world.resolve(q.peer)
    if isinstance(target, Channel):
        require_admin(target, world.bot)
    outcome = ops.pin(
        world, target, q.id, unpin=bool(q.unpin), by=world.bot, silent=bool(q.silent)
    )
    return world.updates(outcome.updates)


def get_messages(call: Call, q: F.messages.GetMessages):
    world = call.world
    found = ops.fetch(world, None, list(q.id))
    users, chats = world.peers_of([m for m in found if not isinstance(m, T.MessageEmpty)])
    return T.messages.Messages(messages=found, topics=[], chats=chats, users=users)


def get_channel_messages(call: Call, q: F.channels.GetMessages):
    world = call.world
    channel = world.resolve(q.channel)
    found = ops.fetch(world, channel, list(q.id))
    users, chats = world.peers_of([m for m in found if not isinstance(m, T.MessageEmpty)])
    chats = chats or [channel.raw(world.bot.id)]
    return T.messages.ChannelMessages(
        pts=channel.box.pts, count=len(found), messages=found, topics=[], chats=chats, users=users
    )


def set_typing(call: Call, q: F.messages.SetTyping) -> bool:
    call.world.resolve(q.peer)
    return True


def read_history(call: Call, q: F.messages.ReadHistory):
    call.world.resolve(q.peer)
    return T.messages.AffectedMessages(pts=call.world.box.pts, pts_count=0)


def read_channel_history(call: Call, q: F.channels.ReadHistory) -> bool:
    call.world.resolve(q.channel)
    return True


def users_only(call: Call, q) -> None:
    # telegram.md §1.4: "Only users can use this method".
    raise Fail(400, "BOT_METHOD_INVALID")


def handlers() -> dict:
    return {
        F.messages.SendMessage: send_message,
        F.messages.SendMedia: send_media,
        F.messages.SendMultiMedia: send_multi_media,
        F.messages.ForwardMessages: forward_messages,
        F.messages.EditMessage: edit_message,
        F.messages.DeleteMessages: delete_private,
        F.channels.DeleteMessages: delete_channel,
        F.messages.UpdatePinnedMessage: update_pinned,
        F.messages.GetMessages: get_messages,
        F.channels.GetMessages: get_channel_messages,
        F.messages.SetTyping: set_typing,
        F.messages.ReadHistory: read_history,
        F.channels.ReadHistory: read_channel_history,
        F.messages.GetDiscussionMessage: users_only,
        F.messages.GetReplies: users_only,
        F.channels.ExportMessageLink: users_only,
    }

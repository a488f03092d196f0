"""Creating, editing, deleting, pinning and finding messages in private chats and channels.

Every change takes a pts in its box and is logged there, so differences can replay it. These
functions serve both the bot's raw calls (``methods.py``) and the people API (``people.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyrogram import raw

from .errors import Fail
from .world import Account, Channel, World

T = raw.types
TEXT_MAX = 4096
CAPTION_MAX = 1024
Target = Account | Channel
Author = Account | Channel | None


@dataclass
class Outcome:
    """Updates for whoever acted (the result) and Updates pushed to the bot separately."""

    updates: list = field(default_factory=list)
    pushes: list = field(default_factory=list)


def length(world: World, text: str) -> int:
    if world.switches.length_in_utf16:
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def check_text(world: World, text: str, media: bool) -> None:
    if media:
        if length(world, text) > CAPTION_MAX:
            raise Fail(400, "MEDIA_CAPTION_TOO_LONG")
    elif not text.strip():
        raise Fail(400, "MESSAGE_EMPTY")
    elif length(world, text) > TEXT_MAX:
        raise Fail(400, "MESSAGE_TOO_LONG")


def store(world: World, target: Target) -> dict[int, raw.base.Message]:
    return target.messages if isinstance(target, Channel) else world.private


def find(world: World, target: Target, ident: int) -> raw.base.Message | None:
    message = store(world, target).get(ident)
    if message is None or isinstance(target, Channel):
        return message
    # The common box holds every private chat: an id only counts in its own chat.
    return message if message.peer_id.user_id == target.id else None


def thread_root(channel: Channel, ident: int) -> int | None:
    message = channel.messages.get(ident)
    if message is None:
        return None
    header = getattr(message, "reply_to", None)
    if header is None or ident in channel.forward_of:
        return ident
    return header.reply_to_top_id or header.reply_to_msg_id


def reply_header(world: World, target: Target, reply_to: int | None):
    if not reply_to:
        return None
    if find(world, target, reply_to) is None:
        raise Fail(400, "REPLY_MESSAGE_ID_INVALID")
    if not isinstance(target, Channel) or target.broadcast:
        return T.MessageReplyHeader(reply_to_msg_id=reply_to)
    root = thread_root(target, reply_to)
    top = root if root != reply_to or world.switches.top_id_on_direct_comments else None
    _count_reply(world, target, root)
    return T.MessageReplyHeader(reply_to_msg_id=reply_to, reply_to_top_id=top)


def _count_reply(world: World, group: Channel, root: int | None) -> None:
    # A comment raises the counter of its thread root F and of the post P it forwards.
    forward = group.messages.get(root) if root else None
    if forward is None or getattr(forward, "replies", None) is None:
        return
    forward.replies.replies += 1
    forward.replies.replies_pts = group.box.pts
    post_id = group.forward_of.get(root)
    channel = world.channels.get(getattr(forward.fwd_from.from_id, "channel_id", 0))
    post = channel.messages.get(post_id) if channel and post_id else None
    if post is not None and post.replies is not None:
        post.replies.replies += 1
        post.replies.replies_pts = group.box.pts


def stored_entities(world: World, entities) -> list | None:
    """The entities as Telegram keeps and delivers them: a mention by id that the sender
    wrote as inputMessageEntityMentionName(InputUser) becomes messageEntityMentionName
    (user_id), with no access hash in it."""
    stored = []
    for entity in entities or ():
        if isinstance(entity, T.InputMessageEntityMentionName):
            try:
                user = world.resolve(entity.user_id)
            except Fail:
                user = None
            if not isinstance(user, Account):
                raise Fail(400, "ENTITY_MENTION_USER_INVALID")
            entity = T.MessageEntityMentionName(offset=entity.offset, length=entity.length,
                                                user_id=user.id)
        stored.append(entity)
    return stored or None


def create(
    world: World,
    target: Target,
    author: Author,
    *,
    text: str = "",
    entities=None,
    media=None,
    reply_to: int | None = None,
    grouped_id: int | None = None,
    fwd_from=None,
    via_bot_id: int | None = None,
    reply_markup=None,
    post_author: str | None = None,
) -> Outcome:
    """Put a new message in ``target`` as written by ``author`` (None: the channel itself)."""
    check_text(world, text, media is not None)
    is_bot = author is world.bot
    common = dict(
        date=world.now(),
        message=text,
        entities=stored_entities(world, entities),
        media=media,
        reply_to=reply_header(world, target, reply_to),
        grouped_id=grouped_id,
        fwd_from=fwd_from,
        via_bot_id=via_bot_id,
        reply_markup=reply_markup,
    )
    if isinstance(target, Account):
        ident = world.take_private_id()
        from_id = None
        if is_bot and world.switches.from_id_on_outgoing:
            from_id = T.PeerUser(user_id=world.bot.id)
        message = T.Message(
            id=ident,
            peer_id=T.PeerUser(user_id=target.id),
            out=is_bot or None,
            from_id=from_id,
            **common,
        )
        world.private[ident] = message
        update = world.box.record(
            T.UpdateNewMessage(message=message, pts=world.box.next(), pts_count=1)
        )
        return Outcome([update])
    ident = target.take_id()
    if target.broadcast:
        replies = None
        if target.linked_id:
            group = world.channels[target.linked_id]
            replies = T.MessageReplies(
                comments=True, channel_id=group.id, replies=0, replies_pts=group.box.pts
            )
        # views and forwards share flags.10: set together.
        message = T.Message(
            id=ident,
            peer_id=target.peer,
            post=True,
            out=is_bot or None,
            views=1,
            forwards=0,
            replies=replies,
            post_author=post_author,
            **common,
        )
    else:
        if isinstance(author, Channel):
            from_id = author.peer
        else:
            from_id = T.PeerUser(user_id=author.id)
        message = T.Message(
            id=ident,
            peer_id=target.peer,
            out=is_bot or None,
            from_id=from_id,
            post_author=post_author,
            **common,
        )
    target.messages[ident] = message
    update = target.box.record(
        T.UpdateNewChannelMessage(message=message, pts=target.box.next(), pts_count=1)
    )
    outcome = Outcome([update])
    if target.broadcast and target.linked_id:
        outcome.pushes.append(auto_forward(world, target, message))
    return outcome


def auto_forward(world: World, channel: Channel, post: raw.types.Message):
    """The copy of a post in the discussion group, pinned there: the root F of its thread."""
    group = world.channels[channel.linked_id]
    ident = group.take_id()
    fwd = T.MessageFwdHeader(
        date=post.date,
        from_id=channel.peer,
        channel_post=post.id,
        # saved_from_peer and saved_from_msg_id share flags.4: set together.
        saved_from_peer=channel.peer,
        saved_from_msg_id=post.id,
        post_author=post.post_author,
    )
    forward = T.Message(
        id=ident,
        peer_id=group.peer,
        date=world.now(),
        message=post.message,
        entities=post.entities or None,
        media=post.media,
        from_id=channel.peer,
        fwd_from=fwd,
        pinned=True,
        replies=T.MessageReplies(replies=0, replies_pts=group.box.pts),
    )
    group.messages[ident] = forward
    group.forward_of[ident] = post.id
    channel.forward_of[post.id] = ident
    items = [
        group.box.record(
            T.UpdateNewChannelMessage(message=forward, pts=group.box.next(), pts_count=1)
        )
    ]
    if world.switches.auto_pin_update:
        items.append(
            group.box.record(
                T.UpdatePinnedChannelMessages(
                    channel_id=group.id,
                    messages=[ident],
                    pts=group.box.next(),
                    pts_count=1,
                    pinned=True,
                )
            )
        )
    return world.updates(items, [forward])


def edit(
    world: World,
    target: Target,
    ident: int,
    *,
    text: str | None,
    entities=None,
    media=None,
    reply_markup=None,
    keep_markup: bool = True,
) -> Outcome:
    message = find(world, target, ident)
    if message is None or isinstance(message, T.MessageService):
        raise Fail(400, "MESSAGE_ID_INVALID")
    before = message.write()
    if media is not None:
        message.media = media
    if text is not None:
        check_text(world, text, message.media is not None)
        message.message = text
        message.entities = stored_entities(world, entities)
    if not keep_markup or reply_markup is not None:
        world.keep_old_buttons(target.id, message)
        message.reply_markup = reply_markup
    if message.write() == before:
        raise Fail(400, "MESSAGE_NOT_MODIFIED")
    message.edit_date = world.now()
    outcome = Outcome([_edit_update(world, target, message)])
    if isinstance(target, Channel) and target.broadcast and world.switches.edits_reach_forward:
        forward_id = target.forward_of.get(ident)
        group = world.channels.get(target.linked_id or 0)
        if forward_id and group and forward_id in group.messages:
            forward = group.messages[forward_id]
            forward.message, forward.entities = message.message, message.entities
            forward.media, forward.edit_date = message.media, message.edit_date
            outcome.pushes.append(world.updates([_edit_update(world, group, forward)]))
    return outcome


def _edit_update(world: World, target: Target, message):
    if isinstance(target, Channel):
        return target.box.record(
            T.UpdateEditChannelMessage(message=message, pts=target.box.next(), pts_count=1)
        )
    return world.box.record(
        T.UpdateEditMessage(message=message, pts=world.box.next(), pts_count=1)
    )


def delete(world: World, target: Target | None, ids: list[int]) -> tuple[list[int], object | None]:
    """Remove ``ids``; ``target`` None means the common box (private chats)."""
    if target is None:
        gone = [i for i in ids if world.private.pop(i, None) is not None]
        if not gone:
            return gone, None
        return gone, world.box.record(
            T.UpdateDeleteMessages(
                messages=gone, pts=world.box.next(len(gone)), pts_count=len(gone)
            )
        )
    gone = [i for i in ids if target.messages.pop(i, None) is not None]
    if not gone:
        return gone, None
    return gone, target.box.record(
        T.UpdateDeleteChannelMessages(
            channel_id=target.id,
            messages=gone,
            pts=target.box.next(len(gone)),
            pts_count=len(gone),
        )
    )


def pin(
    world: World, target: Target, ident: int, *, unpin: bool, by: Account, silent: bool = False
) -> Outcome:
    message = find(world, target, ident)
    if message is None or isinstance(message, T.MessageService):
        raise Fail(400, "MESSAGE_ID_INVALID")
    message.pinned = None if unpin else True
    if isinstance(target, Channel):
        update = target.box.record(
            T.UpdatePinnedChannelMessages(
                channel_id=target.id,
                messages=[ident],
                pts=target.box.next(),
                pts_count=1,
                pinned=not unpin or None,
            )
        )
    else:
        update = world.box.record(
            T.UpdatePinnedMessages(
                peer=T.PeerUser(user_id=target.id),
                messages=[ident],
                pts=world.box.next(),
                pts_count=1,
                pinned=not unpin or None,
            )
        )
    outcome = Outcome([update])
    if not unpin and world.switches.pin_service_messages:
        outcome.updates.append(_pin_service(world, target, ident, by, silent))
    return outcome


def _pin_service(world: World, target: Target, ident: int, by: Account, silent: bool):
    header = T.MessageReplyHeader(reply_to_msg_id=ident)
    out = by is world.bot or None
    if isinstance(target, Channel):
        new_id = target.take_id()
        from_id = None if target.broadcast else T.PeerUser(user_id=by.id)
        service = T.MessageService(
            id=new_id,
            peer_id=target.peer,
            date=world.now(),
            action=T.MessageActionPinMessage(),
            reply_to=header,
            out=out,
            post=target.broadcast or None,
            from_id=from_id,
            silent=silent or None,
        )
        target.messages[new_id] = service
        return target.box.record(
            T.UpdateNewChannelMessage(message=service, pts=target.box.next(), pts_count=1)
        )
    new_id = world.take_private_id()
    service = T.MessageService(
        id=new_id,
        peer_id=T.PeerUser(user_id=target.id),
        date=world.now(),
        action=T.MessageActionPinMessage(),
        reply_to=header,
        out=out,
        from_id=T.PeerUser(user_id=by.id),
        silent=silent or None,
    )
    world.private[new_id] = service
    return world.box.record(T.UpdateNewMessage(message=service, pts=world.box.next(), pts_count=1))


def fetch(world: World, target: Target | None, wanted: list) -> list:
    """Answer GetMessages: one entry per requested id, MessageEmpty for missing ones."""
    out = []
    for item in wanted:
        found = None
        if isinstance(item, T.InputMessageID):
            ident = item.id
            found = _lookup(world, target, ident)
        elif isinstance(item, T.InputMessageReplyTo):
            ident = item.id
            child = _lookup(world, target, item.id)
            header = getattr(child, "reply_to", None)
            if header is not None and header.reply_to_msg_id:
                ident = header.reply_to_msg_id
                found = _lookup(world, target, ident)
        elif isinstance(item, T.InputMessagePinned):
            ident = 0
            pool = store(world, target) if target is not None else world.private
            pinned = [m for m in pool.values() if getattr(m, "pinned", None)]
            found = pinned[-1] if pinned else None
        else:
            raise Fail(400, "MSG_ID_INVALID")
        out.append(found if found is not None else T.MessageEmpty(id=ident))
    return out


def _lookup(world: World, target: Target | None, ident: int):
    if target is None:
        return world.private.get(ident)
    return store(world, target).get(ident)

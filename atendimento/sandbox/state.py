"""updates.GetState, GetDifference and GetChannelDifference over the pts boxes (telegram.md
§7.6)."""

from __future__ import annotations

from pyrogram import raw

from .methods import Call
from .updates import split

T = raw.types
F = raw.functions


def state(call: Call, q=None) -> raw.types.updates.State:
    world = call.world
    return T.updates.State(pts=world.box.pts, qts=0, date=world.now(), seq=0, unread_count=0)


def difference(call: Call, q: F.updates.GetDifference):
    world = call.world
    if q.pts >= world.box.pts:
        return T.updates.DifferenceEmpty(date=world.now(), seq=0)
    pending = world.box.since(q.pts)
    limit = q.pts_total_limit or world.difference_limit
    sliced = len(pending) > limit
    pending = pending[:limit]
    new, other = split([u for u in pending if _alive(u, world.private)])
    users, chats = world.peers_of(new + [u.message for u in other if hasattr(u, "message")])
    if sliced:
        return T.updates.DifferenceSlice(
            new_messages=new,
            new_encrypted_messages=[],
            other_updates=other,
            chats=chats,
            users=users,
            intermediate_state=T.updates.State(
                pts=pending[-1].pts, qts=0, date=world.now(), seq=0, unread_count=0
            ),
        )
    return T.updates.Difference(
        new_messages=new,
        new_encrypted_messages=[],
        other_updates=other,
        chats=chats,
        users=users,
        state=state(call),
    )


def channel_difference(call: Call, q: F.updates.GetChannelDifference):
    world = call.world
    channel = world.resolve(q.channel)
    if q.pts >= channel.box.pts:
        return T.updates.ChannelDifferenceEmpty(pts=channel.box.pts, final=True)
    pending = channel.box.since(q.pts)
    final = len(pending) <= q.limit
    pending = pending[: q.limit]
    new, other = split([u for u in pending if _alive(u, channel.messages)])
    users, chats = world.peers_of(new + [u.message for u in other if hasattr(u, "message")])
    if not chats:
        chats = [channel.raw(world.bot.id)]
    return T.updates.ChannelDifference(
        pts=channel.box.pts if final else pending[-1].pts,
        new_messages=new,
        other_updates=other,
        chats=chats,
        users=users,
        final=final or None,
    )


def _alive(update, store: dict) -> bool:
    # A difference lists the messages that exist now: one deleted since is left out (its
    # deletion update still comes), as on Telegram.
    message = getattr(update, "message", None)
    if not isinstance(update, T.UpdateNewMessage | T.UpdateNewChannelMessage):
        return True
    return message.id in store


def handlers() -> dict:
    return {
        F.updates.GetState: state,
        F.updates.GetDifference: difference,
        F.updates.GetChannelDifference: channel_difference,
    }

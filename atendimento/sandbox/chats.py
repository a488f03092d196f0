"""Users, channels, full chats and participants (telegram.md §1.4, §5) as a bot may read them."""

from __future__ import annotations

from pyrogram import raw

from .errors import Fail
from .methods import Call, require_admin
from .world import Account, Channel, Member, World, admin_rights

T = raw.types
F = raw.functions


def full_user(call: Call, q: F.users.GetFullUser):
    world = call.world
    account = world.resolve(q.id)
    if not isinstance(account, Account):
        raise Fail(400, "USER_ID_INVALID")
    bot_info = None
    if account.bot:
        bot_info = T.BotInfo(user_id=account.id, description="", commands=[])
    full = T.UserFull(
        id=account.id,
        settings=T.PeerSettings(),
        notify_settings=T.PeerNotifySettings(),
        common_chats_count=0,
        blocked=account.blocked or None,
        bot_info=bot_info,
    )
    users = [account.raw()] if account is world.bot else [account.raw(), world.bot.raw()]
    return T.users.UserFull(full_user=full, chats=[], users=users)


def get_users(call: Call, q: F.users.GetUsers):
    out = []
    for item in q.id:
        try:
            out.append(call.world.resolve(item).raw())
        except Fail:
            continue  # Telegram leaves unknown users out of the vector
    return out


def get_channels(call: Call, q: F.channels.GetChannels):
    world = call.world
    return T.messages.Chats(chats=[world.resolve(c).raw(world.bot.id) for c in q.id])


def full_channel(call: Call, q: F.channels.GetFullChannel):
    world = call.world
    channel = world.resolve(q.channel)
    pinned = [i for i, m in channel.messages.items() if getattr(m, "pinned", None)]
    admins = [m for m in channel.members.values() if m.role != "member"]
    full = T.ChannelFull(
        id=channel.id,
        about="",
        read_inbox_max_id=0,
        read_outbox_max_id=0,
        unread_count=0,
        chat_photo=T.PhotoEmpty(id=0),
        notify_settings=T.PeerNotifySettings(),
        bot_info=[],
        pts=channel.box.pts,
        linked_chat_id=channel.linked_id,
        participants_count=len(channel.members),
        admins_count=len(admins),
        pinned_msg_id=max(pinned) if pinned else None,
        can_view_participants=True,
    )
    chats = [channel.raw(world.bot.id)]
    if channel.linked_id:
        chats.append(world.channels[channel.linked_id].raw(world.bot.id))
    return T.messages.ChatFull(full_chat=full, chats=chats, users=[world.bot.raw()])


def participant(world: World, channel: Channel, member: Member):
    if member.role == "creator":
        return T.ChannelParticipantCreator(
            user_id=member.user_id, admin_rights=admin_rights(member.rights), rank=member.rank
        )
    if member.role == "admin":
        creator = next(
            (m.user_id for m in channel.members.values() if m.role == "creator"), world.bot.id
        )
        mine = member.user_id == world.bot.id
        # is_self and inviter_id share flags.1: set together.
        return T.ChannelParticipantAdmin(
            user_id=member.user_id,
            promoted_by=creator,
            date=member.date,
            admin_rights=admin_rights(member.rights),
            is_self=mine or None,
            inviter_id=creator if mine else None,
            rank=member.rank,
        )
    return T.ChannelParticipant(user_id=member.user_id, date=member.date)


def get_participants(call: Call, q: F.channels.GetParticipants):
    world = call.world
    channel = world.resolve(q.channel)
    require_admin(channel, world.bot)
    members = list(channel.members.values())
    flt = q.filter
    if isinstance(flt, T.ChannelParticipantsAdmins):
        members = [m for m in members if m.role != "member"]
    elif isinstance(flt, T.ChannelParticipantsBots):
        members = [m for m in members if world.accounts[m.user_id].bot]
    elif isinstance(flt, T.ChannelParticipantsSearch):
        needle = flt.q.lower()
        members = [m for m in members if needle in _searchable(world.accounts[m.user_id])]
    elif not isinstance(flt, T.ChannelParticipantsRecent):
        raise Fail(400, "METHOD_INVALID")
    page = [participant(world, channel, m) for m in members[q.offset : q.offset + q.limit]]
    return T.channels.ChannelParticipants(
        count=len(members), participants=page, chats=[], users=participant_users(world, page)
    )


def participant_users(world: World, participants: list) -> list:
    """Every user a participant mentions (itself, who promoted it, who invited it): pyrogram
    parses `promoted_by` and `inviter_id` from the result's users."""
    ids: dict[int, None] = {}
    for part in participants:
        for field in ("user_id", "promoted_by", "inviter_id"):
            ident = getattr(part, field, None)
            if ident:
                ids[ident] = None
    return [world.accounts[ident].raw() for ident in ids]


def _searchable(account: Account) -> str:
    return f"{account.first_name} {account.last_name} {account.username or ''}".lower()


def get_participant(call: Call, q: F.channels.GetParticipant):
    world = call.world
    channel = world.resolve(q.channel)
    user = world.resolve(q.participant)
    member = channel.members.get(user.id)
    if member is None:
        raise Fail(400, "USER_NOT_PARTICIPANT")
    part = participant(world, channel, member)
    return T.channels.ChannelParticipant(
        participant=part, chats=[], users=participant_users(world, [part])
    )


def handlers() -> dict:
    return {
        F.users.GetFullUser: full_user,
        F.users.GetUsers: get_users,
        F.channels.GetChannels: get_channels,
        F.channels.GetFullChannel: full_channel,
        F.channels.GetParticipants: get_participants,
        F.channels.GetParticipant: get_participant,
    }

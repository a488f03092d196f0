"""The sandbox's state: people, the bot, channels, messages, files, and their raw TL views.

Everything is seen from the bot's side (``out`` is relative to the bot), because the bot is the
only account that talks over the wire; people read the same objects through ``people.py``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from pyrogram import raw

from .errors import Fail
from .inline_state import InlineQuery
from .limits import Clock, Faults, RateLimits
from .switches import Switches
from .updates import Box

T = raw.types
BOT_ID = 7_000_000_001
FIRST_USER_ID = 100_000_001
FIRST_CHANNEL_ID = 1_000_000_001


@dataclass
class Account:
    """A Telegram user: a person or the bot."""

    id: int
    access_hash: int
    first_name: str
    last_name: str = ""
    username: str | None = None
    lang_code: str = "en"
    bot: bool = False
    deleted: bool = False
    started: bool = False  # the person has opened a private chat with the bot
    blocked: bool = False  # the person has blocked the bot
    inline: bool = True  # for the bot: inline mode switched on at @BotFather

    def raw(self) -> raw.types.User:
        if self.deleted:
            return T.User(id=self.id, access_hash=self.access_hash, deleted=True)
        return T.User(
            id=self.id,
            access_hash=self.access_hash,
            first_name=self.first_name,
            last_name=self.last_name or None,
            username=self.username,
            lang_code=None if self.bot else self.lang_code,
            is_self=self.bot,
            # bot and bot_info_version share flags.14: always set together.
            bot=self.bot or None,
            bot_info_version=1 if self.bot else None,
            bot_inline_placeholder="Search..." if self.bot and self.inline else None,
        )


@dataclass
class Member:
    user_id: int
    role: str  # "creator" | "admin" | "member"
    date: int
    rank: str | None = None
    # For admins: rights to change from the full set, e.g. {"pin_messages": False,
    # "anonymous": True} (the fields of ChatAdminRights).
    rights: dict[str, bool] | None = None


@dataclass
class Channel:
    """A broadcast channel or a supergroup, with its own pts box and message ids."""

    id: int
    access_hash: int
    title: str
    date: int
    broadcast: bool
    username: str | None = None
    linked_id: int | None = None
    members: dict[int, Member] = field(default_factory=dict)
    messages: dict[int, raw.base.Message] = field(default_factory=dict)
    next_id: int = 1
    box: Box = field(default_factory=Box)
    # F -> P for automatic forwards in a discussion group (and P -> F on the channel side).
    forward_of: dict[int, int] = field(default_factory=dict)

    def raw(self, viewer: int) -> raw.types.Channel:
        member = self.members.get(viewer)
        admin = member is not None and member.role in ("creator", "admin")
        return T.Channel(
            id=self.id,
            title=self.title,
            photo=T.ChatPhotoEmpty(),
            date=self.date,
            access_hash=self.access_hash,
            broadcast=self.broadcast or None,
            megagroup=(not self.broadcast) or None,
            creator=(member is not None and member.role == "creator") or None,
            has_link=self.linked_id is not None or None,
            username=self.username,
            admin_rights=admin_rights(member.rights) if admin else None,
            participants_count=len(self.members),
        )

    def take_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    @property
    def peer(self) -> raw.types.PeerChannel:
        return T.PeerChannel(channel_id=self.id)


def admin_rights(changes: dict[str, bool] | None = None) -> raw.types.ChatAdminRights:
    rights = dict(change_info=True, post_messages=True, edit_messages=True,
                  delete_messages=True, ban_users=True, invite_users=True, pin_messages=True,
                  manage_call=True)
    rights.update(changes or {})
    return T.ChatAdminRights(**{name: value or None for name, value in rights.items()})


class World:
    """All state of one simulated Telegram; the server and the people API both act on it."""

    def __init__(
        self, *, seed: int = 0, clock: Clock | None = None, switches: Switches | None = None
    ) -> None:
        self.random = random.Random(seed)
        self.clock = clock or Clock()
        self.switches = switches or Switches()
        self.limits = RateLimits(self.clock)
        self.faults = Faults()
        self.accounts: dict[int, Account] = {}
        self.channels: dict[int, Channel] = {}
        self.files: dict[int, raw.base.Photo | raw.base.Document] = {}
        self.file_bytes: dict[int, bytes] = {}  # contents of files the bot uploaded
        self.uploads: dict[int, dict[int, bytes]] = {}  # file id -> parts, until sent
        # The bot's common box: private-chat message ids and pts are per account on Telegram.
        self.box = Box()
        self.private: dict[int, raw.base.Message] = {}
        self.next_private_id = 1
        self.inline_queries: dict[int, InlineQuery] = {}
        # (chat id, random id) -> the message a send made: a send repeating them gets it back.
        self.random_ids: dict[tuple[int, int], int] = {}
        self.difference_limit = 1000
        self.qts = 0  # the secondary box (participant updates), live only
        self.callbacks: dict[int, object] = {}  # query id -> callbacks.Press
        # (chat id, message id) -> callback data of buttons an edit took off the message
        self.old_buttons: dict[tuple[int, int], set[bytes]] = {}
        self.commands: dict[tuple[tuple, str], list[tuple[str, str]]] = {}
        # Set by the server: delivers Updates to the bot's live sessions (none when it is down).
        self.push: Callable[[raw.types.Updates], None] = lambda updates: None
        self.bot = self._add(
            Account(0, 0, "Sandbox Bot", username="sandbox_bot", bot=True), BOT_ID
        )

    # ----- ids -----------------------------------------------------------------------------
    def now(self) -> int:
        return int(self.clock.now())

    def _hash(self) -> int:
        return self.random.getrandbits(63) or 1

    def _add(self, account: Account, ident: int) -> Account:
        account.id = ident
        account.access_hash = self._hash()
        self.accounts[ident] = account
        return account

    def add_person(
        self,
        first_name: str,
        last_name: str = "",
        username: str | None = None,
        lang_code: str = "en",
    ) -> Account:
        ident = FIRST_USER_ID + len(self.accounts) - 1
        return self._add(Account(0, 0, first_name, last_name, username, lang_code), ident)

    def add_channel(self, title: str, *, broadcast: bool, username: str | None = None) -> Channel:
        ident = FIRST_CHANNEL_ID + len(self.channels)
        channel = Channel(ident, self._hash(), title, self.now(), broadcast, username)
        self.channels[ident] = channel
        return channel

    def take_private_id(self) -> int:
        self.next_private_id += 1
        return self.next_private_id - 1

    # ----- lookups that validate what the bot sends ----------------------------------------
    # kurigram's resolve_peer falls back to access_hash=0 for peers missing from its storage
    # (telegram.md §7.4); the sandbox accepts 0 for peers the bot has met, as Telegram does for
    # bots (an assumption: no document states the exact rule).
    def account(self, user_id: int, access_hash: int | None) -> Account:
        account = self.accounts.get(user_id)
        if account is None:
            raise Fail(400, "PEER_ID_INVALID")
        if access_hash == 0 and self.knows(account):
            return account
        if access_hash is not None and access_hash != account.access_hash:
            raise Fail(400, "PEER_ID_INVALID")
        return account

    def knows(self, account: Account) -> bool:
        return (
            account.bot
            or account.started
            or any(
                account.id in c.members and self.bot.id in c.members
                for c in self.channels.values()
            )
        )

    def channel(self, channel_id: int, access_hash: int | None) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None or (access_hash not in (None, 0, channel.access_hash)):
            raise Fail(400, "CHANNEL_INVALID")
        if self.bot.id not in channel.members:
            raise Fail(406, "CHANNEL_PRIVATE")
        return channel

    def resolve(self, peer: raw.base.InputPeer) -> Account | Channel:
        if isinstance(peer, T.InputPeerSelf):
            return self.bot
        if isinstance(peer, T.InputPeerUser | T.InputUser):
            return self.account(peer.user_id, peer.access_hash)
        if isinstance(peer, T.InputUserSelf):
            return self.bot
        if isinstance(peer, T.InputPeerChannel | T.InputChannel):
            return self.channel(peer.channel_id, peer.access_hash)
        raise Fail(400, "PEER_ID_INVALID")

    def file(self, ident: int, access_hash: int, file_reference: bytes):
        found = self.files.get(ident)
        if found is None or found.access_hash != access_hash:
            raise Fail(400, "MEDIA_INVALID")
        if found.file_reference != file_reference:
            raise Fail(400, "FILE_REFERENCE_EXPIRED")
        return found

    def keep_old_buttons(self, chat_id: int, message) -> None:
        """Before an edit changes a message's keyboard: a press on a button it took away still
        reaches the bot (the app was showing it)."""
        markup = getattr(message, "reply_markup", None)
        if isinstance(markup, T.ReplyInlineMarkup):
            old = self.old_buttons.setdefault((chat_id, message.id), set())
            old.update(b.type.data for row in markup.rows for b in row.buttons
                       if isinstance(b.type, T.InlineButtonTypeCallback))

    def new_file_ids(self) -> tuple[int, int, bytes]:
        return self._hash(), self._hash(), self.random.randbytes(16)

    # ----- peers carried with every answer (telegram.md §7.4) ------------------------------
    def peers_of(self, messages: list) -> tuple[list, list]:
        users: dict[int, raw.types.User] = {self.bot.id: self.bot.raw()}
        chats: dict[int, raw.types.Channel] = {}

        def add(peer) -> None:
            if isinstance(peer, T.PeerUser) and peer.user_id in self.accounts:
                users.setdefault(peer.user_id, self.accounts[peer.user_id].raw())
            elif isinstance(peer, T.PeerChannel) and peer.channel_id in self.channels:
                chats.setdefault(peer.channel_id, self.channels[peer.channel_id].raw(self.bot.id))

        for message in messages:
            for attr in ("peer_id", "from_id"):
                add(getattr(message, attr, None))
            fwd = getattr(message, "fwd_from", None)
            if fwd is not None:
                add(fwd.from_id)
                add(fwd.saved_from_peer)
            via = getattr(message, "via_bot_id", None)
            if via:
                add(T.PeerUser(user_id=via))
            media = getattr(message, "media", None)
            if isinstance(media, T.MessageMediaContact) and media.user_id:
                add(T.PeerUser(user_id=media.user_id))
            channel = self.channels.get(getattr(message.peer_id, "channel_id", None) or 0)
            if channel is not None and channel.linked_id:
                add(T.PeerChannel(channel_id=channel.linked_id))
        return list(users.values()), list(chats.values())

    def updates(
        self, items: list, messages: list | None = None, users: tuple[Account, ...] = ()
    ) -> raw.types.Updates:
        """Wrap updates with full peers for everything they mention (telegram.md §7.4)."""
        if messages is None:
            messages = [u.message for u in items if hasattr(u, "message")]
        # Updates that name a peer without a message (pins, channel deletions) need it too.
        stand_ins = []
        for item in items:
            peer = getattr(item, "peer", None)
            if peer is None and getattr(item, "channel_id", None):
                peer = T.PeerChannel(channel_id=item.channel_id)
            if peer is not None:
                stand_ins.append(T.MessageEmpty(id=0, peer_id=peer))
        found, chats = self.peers_of(messages + stand_ins)
        known = {u.id for u in found}
        users_raw = found + [a.raw() for a in users if a.id not in known]
        return T.Updates(updates=items, users=users_raw, chats=chats, date=self.now(), seq=0)

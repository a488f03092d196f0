"""Two sessions of one bot: the MTProto session(s) of the sandbox server and the Bot API side.
``Fanout.push`` stands in for ``world.push`` while the Bot API endpoint runs and decides who
gets each update the world pushes to the bot.

- A person's private message (or its edit) goes to the Bot API side, and to the MTProto
  session too when ``switches.parallel_sessions_receive_incoming`` is on.
- A press on a button goes to the session that sent the message, and to the other one too
  under the same switch.
- What the Bot API side sends or edits reaches the MTProto session as Telegram would tell
  another session of the same account (UpdateNewMessage/UpdateEditMessage, out=True, from the
  bot, peer = the user) when ``switches.parallel_sessions_receive_outgoing`` is on.
- Everything else (channels, the group, inline queries, deletions) goes to MTProto as before.

An update kept from the MTProto session is only not pushed live: it keeps its pts in the bot's
common box, so a session catching up with updates.getDifference (after a restart) gets it, as
an account's update box would give it on Telegram.
"""

from __future__ import annotations

from collections.abc import Callable

from pyrogram import raw

from ..world import World
from . import objects
from .feed import Feed

T = raw.types


class Fanout:
    """Routes the world's pushes between the MTProto sessions (``downstream``) and ``feed``."""

    def __init__(self, world: World, downstream: Callable[[raw.types.Updates], None],
                 feed: Feed) -> None:
        self.world = world
        self.downstream = downstream
        self.feed = feed
        self.sent: set[int] = set()  # private message ids the Bot API side sent

    def push(self, updates: raw.types.Updates) -> None:
        switches = self.world.switches
        kept = []
        for item in updates.updates:
            to_api, to_mtproto = self._route(item, switches.parallel_sessions_receive_incoming)
            if to_api:
                self._to_api(item)
            if to_mtproto:
                kept.append(item)
        if len(kept) == len(updates.updates):
            self.downstream(updates)
        elif kept:
            self.downstream(T.Updates(updates=kept, users=updates.users, chats=updates.chats,
                                      date=updates.date, seq=updates.seq))

    def _route(self, item, parallel: bool) -> tuple[bool, bool]:
        """(whether the Bot API side gets ``item``, whether the MTProto session does)."""
        if isinstance(item, T.UpdateNewMessage | T.UpdateEditMessage):
            message = item.message
            private = isinstance(getattr(message, "peer_id", None), T.PeerUser)
            if private and isinstance(message, T.Message) and not message.out:
                return True, parallel
        elif isinstance(item, T.UpdateBotCallbackQuery) and isinstance(item.peer, T.PeerUser):
            if item.msg_id in self.sent:
                return True, parallel
            return parallel, True
        return False, True

    def _to_api(self, item) -> None:
        world = self.world
        if isinstance(item, T.UpdateBotCallbackQuery):
            self.feed.add("callback_query", objects.callback_query(world, item))
            return
        kind = "message" if isinstance(item, T.UpdateNewMessage) else "edited_message"
        self.feed.add(kind, objects.message(world, item.message))

    def outgoing(self, items: list) -> None:
        """What the Bot API side sent or edited (its updates from the world's common box), to
        the MTProto session when the switch says it hears of it."""
        for item in items:
            if isinstance(item, T.UpdateNewMessage):
                self.sent.add(item.message.id)
        if items and self.world.switches.parallel_sessions_receive_outgoing:
            self.downstream(self.world.updates(items))

"""Thin pyrogram handlers: turn each update into an event and hand it to the desk.

They are registered before the client starts, so updates caught up at start-up (missed while
the desk was down) are handled too; until the desk is ready they wait, in order, in the router.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import pyrogram
from pyrogram import enums, errors, filters, handlers, types

from atendimento.desk.desk import Desk
from atendimento.storage.records import SavedReply
from atendimento.tasks import Background
from atendimento.telegram import convert
from atendimento.telegram.gateway import MessageCache
from atendimento.telegram.inline import inline_result

log = logging.getLogger("atendimento.telegram.handlers")


@dataclass(frozen=True)
class Identity:
    bot_id: int
    bot_username: str
    channel_id: int
    group_id: int


class Router:
    """Routes updates to the desk once it is ready; buffers them until then.

    At start kurigram queues the updates it catches up on after live ones that reached the new
    connection meanwhile, so the buffer can hold a chat's messages out of order. `ready` puts
    each chat's messages back in id order (the order they were sent) before handing them over.
    """

    def __init__(self, cache: MessageCache, background: Background) -> None:
        self.cache = cache
        self.background = background
        self.desk: Desk | None = None
        self.me: Identity | None = None
        self._pending: list[tuple[tuple[int, int] | None, Callable[[], None]]] = []

    def ready(self, desk: Desk, me: Identity) -> None:
        self.desk, self.me = desk, me
        pending, self._pending = in_chat_order(self._pending), []
        for deliver in pending:
            deliver()

    def _later(self, deliver: Callable[[], None],
               message: types.Message | None = None) -> None:
        if self.desk is None:
            where = (message.chat.id, message.id) if message and message.chat else None
            self._pending.append((where, deliver))
        else:
            deliver()

    # --- private chats ------------------------------------------------------------------------

    async def private_message(self, _client: pyrogram.Client, message: types.Message) -> None:
        self.cache.remember(message)
        self._later(lambda: self.desk.client_message(
            convert.client_event(message, self.me.bot_username, self.me.bot_id)), message)

    async def private_edit(self, _client: pyrogram.Client, message: types.Message) -> None:
        self.cache.remember(message)
        self._later(lambda: self.desk.client_edit(
            convert.client_event(message, self.me.bot_username, self.me.bot_id)))

    async def bot_message(self, _client: pyrogram.Client, message: types.Message) -> None:
        """What the bot sent in a private chat, heard from another session of it (the system
        a parallel desk is attached to), or caught up on after a restart (the desk's own
        sends among them: the desk tells them apart)."""
        self.cache.remember(message)
        self._later(lambda: self.desk.bot_message(
            convert.bot_message(message, self.me.bot_username, self.me.bot_id)), message)

    async def bot_edit(self, _client: pyrogram.Client, message: types.Message) -> None:
        self.cache.remember(message)
        self._later(lambda: self.desk.bot_edit(
            convert.bot_message(message, self.me.bot_username, self.me.bot_id)))

    async def deleted(self, _client: pyrogram.Client, messages: list[types.Message]) -> None:
        # Private-chat deletions come without a chat (telegram.md §3.2); deletions in the
        # group delete nothing at the client, so they are ignored.
        ids = tuple(m.id for m in messages if m.chat is None)
        if ids:
            self._later(lambda: self.desk.client_deleted(ids))

    # --- the discussion group and the channel -------------------------------------------------

    async def group_message(self, _client: pyrogram.Client, message: types.Message) -> None:
        def deliver() -> None:
            if message.chat.id != self.me.group_id:
                return
            origin = message.forward_origin
            if (message.automatic_forward and isinstance(origin, types.MessageOriginChannel)
                    and origin.chat.id == self.me.channel_id):
                self.desk.automatic_forward(origin.message_id, message.id)
                return
            self.cache.remember(message)
            self.desk.team_message(
                convert.team_event(message, self.me.bot_username, self.me.bot_id))
        self._later(deliver, message)

    async def group_edit(self, _client: pyrogram.Client, message: types.Message) -> None:
        def deliver() -> None:
            if message.chat.id != self.me.group_id or message.automatic_forward:
                return
            self.cache.remember(message)
            self.desk.team_edit(convert.team_event(message, self.me.bot_username, self.me.bot_id))
        self._later(deliver)

    async def button(self, _client: pyrogram.Client, query: types.CallbackQuery) -> None:
        async def answer(text: str, alert: bool = False) -> None:
            try:
                await query.answer(text, show_alert=alert)
            except errors.RPCError as error:  # the press expired: nothing left to say
                log.info("button press not answered: %s", error)
        message = query.message
        where = (message.chat.id, message.id) if message and message.chat else (None, None)
        data = query.data if isinstance(query.data, str) else ""
        label = convert.pressed_label(message, query.data)
        self._later(lambda: self.desk.button(convert.person(query.from_user), data, answer,
                                             *where, label=label))

    async def inline_query(self, _client: pyrogram.Client, query: types.InlineQuery) -> None:
        async def answer(replies: list[SavedReply], next_offset: str) -> None:
            try:
                # Personal and never cached: whether someone may see them is checked each time.
                await query.answer([inline_result(r) for r in replies], cache_time=0,
                                   is_personal=True, next_offset=next_offset)
            except errors.RPCError as error:  # the person typed on: this query expired
                log.info("inline query not answered: %s", error)
        self._later(lambda: self.desk.inline_query(convert.person(query.from_user),
                                                   query.query, query.offset or "", answer))

    async def inline_chosen(self, _client: pyrogram.Client,
                            chosen: types.ChosenInlineResult) -> None:
        self._later(lambda: self.desk.inline_chosen(convert.person(chosen.from_user),
                                                    chosen.result_id))

    async def membership(self, _client: pyrogram.Client, _update: types.ChatMemberUpdated) -> None:
        self._later(lambda: self.desk.team_changed())


def in_chat_order(pending: list[tuple[tuple[int, int] | None, Callable[[], None]]]
                  ) -> list[Callable[[], None]]:
    """The deliveries with each chat's messages sorted by id, in the places that chat's
    messages held; everything else stays where it was."""
    places: dict[int, list[int]] = {}
    for index, (where, _deliver) in enumerate(pending):
        if where is not None:
            places.setdefault(where[0], []).append(index)
    ordered = [deliver for _where, deliver in pending]
    for indices in places.values():
        by_id = sorted(indices, key=lambda i: pending[i][0][1])
        for place, index in zip(indices, by_id, strict=True):
            ordered[place] = pending[index][1]
    return ordered


def register(client: pyrogram.Client, router: Router) -> None:
    """Add the desk's handlers to `client` (before `client.start()`)."""
    private = filters.private & filters.incoming
    groups = filters.group & filters.incoming
    client.add_handler(handlers.MessageHandler(router.private_message, private))
    client.add_handler(handlers.EditedMessageHandler(router.private_edit, private))
    client.add_handler(handlers.MessageHandler(router.bot_message,
                                               filters.private & filters.outgoing))
    client.add_handler(handlers.EditedMessageHandler(router.bot_edit,
                                                     filters.private & filters.outgoing))
    client.add_handler(handlers.DeletedMessagesHandler(router.deleted))
    client.add_handler(handlers.MessageHandler(router.group_message, groups))
    client.add_handler(handlers.EditedMessageHandler(router.group_edit, groups))
    client.add_handler(handlers.CallbackQueryHandler(router.button))
    client.add_handler(handlers.InlineQueryHandler(router.inline_query))
    client.add_handler(handlers.ChosenInlineResultHandler(router.inline_chosen))
    # The channel's members are the team; the group's admins decide who may post as it.
    client.add_handler(handlers.ChatMemberUpdatedHandler(
        router.membership, filters.create(lambda _f, _c, u: u.chat.type in (
            enums.ChatType.CHANNEL, enums.ChatType.SUPERGROUP))))

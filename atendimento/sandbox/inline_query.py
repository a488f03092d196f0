"""Inline queries people type (``@bot query``) and the results they pick, for the people API
(``people.py``); the bot answers them with SetInlineBotResults (``inline.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyrogram import raw

from .inline_state import InlineQuery
from .media import document_media
from .views import Seen
from .world import Channel

if TYPE_CHECKING:
    from .actor import Actor

T = raw.types


@dataclass
class InlineResult:
    id: str
    type: str
    title: str | None
    text: str
    raw: Any


class Inline:
    """An inline query typed by a person; the bot answers it with SetInlineBotResults."""

    def __init__(self, person: Actor, query: str, chat: Channel | None,
                 reply_to: int | None = None) -> None:
        world = person.world
        self.person, self.query, self.chat, self.reply_to = person, query, chat, reply_to
        self.query_id = world.random.getrandbits(63)
        if chat is None:
            peer_type = T.InlineQueryPeerTypeSameBotPM()
        elif chat.broadcast:
            peer_type = T.InlineQueryPeerTypeBroadcast()
        else:
            peer_type = T.InlineQueryPeerTypeMegagroup()
        world.inline_queries[self.query_id] = InlineQuery(
            self.query_id, person.id, query, chat.id if chat else None
        )
        update = T.UpdateBotInlineQuery(
            query_id=self.query_id, user_id=person.id, query=query, offset="", peer_type=peer_type
        )
        world.push(world.updates([update], [], users=(person.account,)))

    @property
    def answered(self) -> bool:
        return self.person.world.inline_queries[self.query_id].answered

    @property
    def results(self) -> list[InlineResult]:
        state = self.person.world.inline_queries[self.query_id]
        return [
            InlineResult(r.id, r.type, r.title, r.send_message.message, r) for r in state.results
        ]

    def pick(self, result_id: str) -> Seen:
        """Choose a result: it becomes a message in the chat, sent ``via`` the bot."""
        world = self.person.world
        chosen = next(r for r in self.results if r.id == result_id).raw
        send = chosen.send_message
        media = None
        if isinstance(chosen, T.BotInlineMediaResult):
            if chosen.photo is not None:
                media = T.MessageMediaPhoto(photo=chosen.photo)
            else:
                media = document_media(chosen.document)
        target = self.chat if self.chat is not None else self.person.account
        message = self.person._write(
            target,
            text=send.message,
            entities=send.entities,
            media=media,
            via_bot_id=world.bot.id,
            reply_markup=send.reply_markup,
            reply_to=self.reply_to,
        )
        if world.switches.inline_feedback:
            update = T.UpdateBotInlineSend(user_id=self.person.id, query=self.query, id=result_id)
            world.push(world.updates([update], [], users=(self.person.account,)))
        return message

"""Inline keyboard presses: UpdateBotCallbackQuery to the bot, SetBotCallbackAnswer back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyrogram import raw

from .errors import Fail
from .methods import Call
from .world import Channel

if TYPE_CHECKING:
    from .people import Person
    from .views import Seen

T = raw.types
F = raw.functions


@dataclass
class Press:
    """A person pressed a callback button; ``answered``/``text``/``alert`` once settled."""

    query_id: int
    data: bytes
    answered: bool = False
    text: str | None = None
    alert: bool = False


def press(person: Person, message: Seen, button: str) -> Press:
    """Press the inline button labelled ``button`` under ``message``."""
    world = person.world
    markup = getattr(message.raw, "reply_markup", None)
    rows = markup.rows if isinstance(markup, T.ReplyInlineMarkup) else []
    found = [
        b.type.data
        for row in rows
        for b in row.buttons
        if b.text == button and isinstance(b.type, T.InlineButtonTypeCallback)
    ]
    if not found:
        raise ValueError(f"no callback button {button!r} under message {message.id}")
    chat = message.chat
    peer = chat.peer if isinstance(chat, Channel) else T.PeerUser(user_id=chat.id)
    state = Press(world.random.getrandbits(63), found[0])
    world.callbacks[state.query_id] = state
    update = T.UpdateBotCallbackQuery(
        query_id=state.query_id,
        user_id=person.id,
        peer=peer,
        msg_id=message.id,
        chat_instance=chat.id,
        data=state.data,
    )
    world.push(world.updates([update], [], users=(person.account,)))
    return state


def answer(call: Call, q: F.messages.SetBotCallbackAnswer) -> bool:
    state = call.world.callbacks.get(q.query_id)
    if state is None or state.answered:
        raise Fail(400, "QUERY_ID_INVALID")
    state.answered, state.text, state.alert = True, q.message, bool(q.alert)
    return True


def handlers() -> dict:
    return {F.messages.SetBotCallbackAnswer: answer}

"""Inline keyboard presses: UpdateBotCallbackQuery to the bot, SetBotCallbackAnswer back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyrogram import raw

from .errors import Fail
from .methods import Call
from .world import Account, Channel

if TYPE_CHECKING:
    from .actor import Actor
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


def press(person: Actor, message: Seen, button: str) -> Press:
    """Press the inline button labelled ``button`` under ``message``."""
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
    return press_data(person, message, found[0])


DATA_MAX = 64  # callback data is 1-64 bytes on Telegram


def buttons(message: Seen) -> list[tuple[str, bytes]]:
    """(label, data) of every callback button under ``message``."""
    markup = getattr(message.raw, "reply_markup", None)
    rows = markup.rows if isinstance(markup, T.ReplyInlineMarkup) else []
    return [(b.text, b.type.data) for row in rows for b in row.buttons
            if isinstance(b.type, T.InlineButtonTypeCallback)]


def press_data(person: Actor, message: Seen, data: bytes) -> Press:
    """A press carrying ``data`` (at most 64 bytes, possibly empty) on ``message``: any data,
    as a modified app could try; with ``switches.forged_callback_data`` off, only the data of
    one of its buttons or of one an edit took away (anything else raises ValueError, as
    Telegram would answer DATA_INVALID)."""
    world = person.world
    if len(data) > DATA_MAX:
        raise ValueError(f"callback data is at most {DATA_MAX} bytes, got {len(data)}")
    chat = message.chat
    current = getattr(world.private.get(message.id), "reply_markup", None) if isinstance(
        chat, Account) else getattr(chat.messages.get(message.id), "reply_markup", None)
    known = world.old_buttons.get((chat.id, message.id), set()) | {
        b.type.data for row in getattr(current, "rows", ()) for b in row.buttons
        if isinstance(b.type, T.InlineButtonTypeCallback)}
    if data not in known and not world.switches.forged_callback_data:
        raise ValueError(f"DATA_INVALID: no button of message {message.id} carries {data!r} "
                         "(switches.forged_callback_data is off)")
    peer = chat.peer if isinstance(chat, Channel) else T.PeerUser(user_id=chat.id)
    state = Press(world.random.getrandbits(63), bytes(data))
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

"""A thread whose root was deleted from the group (an admin deleted the card's forward there):
Telegram then refuses every reply to the root, and the comment thread is gone for good.

The send that finds it gone (a client's copy, a line) is settled with ROOT_GONE; in the same
transaction the thread forgets its card and root, the old card says where the conversation
went, and a client's message whose copy was refused is parked. Placing it (desk/parking.py)
posts a new card, waits for its comment thread and copies the message there, under a line that
says why. The messages of the old thread stay where they are in the group: nothing there is
deleted."""

from __future__ import annotations

from typing import Any

from atendimento.desk.context import DeskContext
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.outbox import COPY, EDIT, UNPIN, Send
from atendimento.desk.parking import FOLLOWS
from atendimento.desk.ports import ROOT_GONE
from atendimento.desk.settling import Failure, MessageLink
from atendimento.storage import clients as client_rows
from atendimento.storage import outbox as outbox_rows
from atendimento.storage import parked as parked_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import TO_TEAM

# A parked copy's kind is not kept in its row: any kind that is copied relays it the same way.
COPIED_KIND = "text"


class ThreadMoves:
    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx
        self.guard = GuardWording(ctx.wording.tr)

    def gone(self, t: Any, item: outbox_rows.Item, failure: Failure, now: Any) -> list[Send]:
        """The send `item` into thread `failure.thread_id` found its root gone (inside the
        transaction that settles it): what to send now."""
        if failure.thread_id is None or failure.root is None:
            return []
        thread = thread_rows.get(t, failure.thread_id)
        if thread is None:
            return []
        old_card = thread_rows.forget_card(t, thread.id, failure.root, now=now)
        # A copy decided before the move, refused after it, follows the first one: the
        # line saying why is there already.
        self._park(t, thread.client_id, item, ROOT_GONE if old_card else FOLLOWS, now)
        if old_card is None:  # moved already, by another send that found it gone first
            return []
        client = client_rows.require(t, thread.client_id)
        name = " ".join(p for p in (client.first_name, client.last_name) if p)
        sends = [Send(self.ctx.channel_id, EDIT,
                      {"id": old_card, "text": self.guard.thread_deleted(name)})]
        if thread.pinned:  # the new card is pinned once posted
            sends.append(Send(self.ctx.channel_id, UNPIN, {"id": old_card}))
        return sends

    def _park(self, t: Any, client_id: int, item: outbox_rows.Item, reason: str,
              now: Any) -> None:
        """A client's message whose copy found no thread waits for the new one. Its row is
        forgotten: an album's copy is keyed by the album, and placing it decides it again."""
        link = item.payload.get(MessageLink.key)
        if item.action != COPY or link is None or MessageLink.decode(link).direction != TO_TEAM:
            return
        p = item.payload
        parked_rows.park(t, client_id=client_id, chat_id=p["from"], message_id=p["id"],
                         kind=COPIED_KIND, media_group_id=MessageLink.decode(link).media_group_id,
                         reply_to_id=None, reason=reason, now=now)
        outbox_rows.forget(t, item.id)

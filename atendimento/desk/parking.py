"""Parking: a client's messages that could not be placed because their thread could not be
opened (Telegram refused the card — the bot lost its rights for a moment —, or the card got no
comment thread). They are kept (ids only) in arrival order, the admins are told why once, and
they are placed when the thread opens: by the client's next message, or by the retry job.

Placing decides every parked message's copy in the transaction that opens the thread and
forgets them, each keyed by the update it came in (as if it had been placed at once), so a
crash in between cannot place one twice (see desk/outbox.py).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from typing import Any

from atendimento.desk.context import DeskContext
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.outbox import COPY, Outbox, Send, text_send
from atendimento.desk.ports import ROOT_GONE, Undeliverable
from atendimento.desk.threads import RESUMED
from atendimento.domain.events import Incoming
from atendimento.storage import links as link_rows
from atendimento.storage import parked as parked_rows
from atendimento.storage import team as team_rows
from atendimento.storage.parked import ParkedMessage
from atendimento.storage.records import Client

log = logging.getLogger("atendimento.desk.parking")

# Why a message waits, when its thread was deleted from the group (desk/thread_moves.py): the
# first one refused, placed under a line saying so; those refused after it follow it, with
# no line of their own.
FOLLOWS = ROOT_GONE + ":later"

Relay = Callable[[Client, Any, Incoming, int | None], list[Send]]


def reason_of(error: BaseException) -> str:
    """What to tell the team about why the thread could not be opened."""
    if isinstance(error, Undeliverable):
        return error.detail or error.reason
    return type(error).__name__


def cause_of(parked: ParkedMessage) -> str:
    """The cause its copy would have had if placed at once (desk/desk.py)."""
    return f"c{parked.chat_id}:{parked.message_id}"


class Parking:
    def __init__(self, ctx: DeskContext, client_text: Callable[..., list[Send]],
                 opened_sends: Callable[..., list[Send]]) -> None:
        self.ctx = ctx
        self.client_text = client_text
        self.opened_sends = opened_sends  # (client, opened, preview, comment key)
        self.guard = GuardWording(ctx.wording.tr)

    async def park(self, client: Client, incoming: Incoming, reason: str) -> None:
        """Keep `incoming` for later; the first parked message of a client tells the admins
        (in the same transaction), later ones queue silently behind it."""
        ctx, now = self.ctx, self.ctx.now()
        name = " ".join(p for p in (client.first_name, client.last_name) if p)

        def write(t: Any) -> list[Any]:
            """Park it; the admins to tell when it is the client's first parked message."""
            first = not parked_rows.of_client(t, client.user_id)
            parked_rows.park(t, client_id=client.user_id, chat_id=incoming.chat_id,
                             message_id=incoming.message_id, kind=incoming.kind,
                             media_group_id=incoming.media_group_id,
                             reply_to_id=incoming.reply_to_id, reason=reason or "waiting",
                             now=now)
            return team_rows.list_admins_to_notify(t) if first and reason else []

        def notices(admins: list[Any]) -> list[Send]:
            tr = ctx.wording.tr
            return [text_send(admin.user_id, self.guard.parked(
                        name, reason, tr.locale_for(admin.language))) for admin in admins]

        await ctx.outbox.commit(notices, write)
        if reason:
            log.warning("message %s of client %s parked: the thread cannot be opened (%s)",
                        incoming.message_id, client.user_id, reason)

    @staticmethod
    def targets(t: Any, parked: Sequence[ParkedMessage]) -> dict[int, int]:
        """Parked message id → the thread message it answers, for those answering a copy."""
        found = {}
        for p in parked:
            if p.reply_to_id:
                link = link_rows.find_by_client_message(t, p.chat_id, p.reply_to_id)
                if link is not None:
                    found[p.id] = link.group_message_id
        return found

    def sends(self, client: Client, opened: Any, parked: Sequence[ParkedMessage],
              targets: dict[int, int], relay: Relay) -> list[Send]:
        """The parked messages' copies, in order, under a line saying they come late (when
        they waited), with the restart text and the event of an opening."""
        copies: list[Send] = []
        albums: set[str] = set()
        for p in parked:
            if p.media_group_id:  # the first item's copy carries the whole album
                if p.media_group_id in albums:
                    continue
                albums.add(p.media_group_id)
            incoming = Incoming(chat_id=p.chat_id, message_id=p.message_id, kind=p.kind,
                                reply_to_id=p.reply_to_id, media_group_id=p.media_group_id,
                                sent_at=p.created_at)  # parked as it came
            for send in relay(client, opened, incoming, targets.get(p.id)):
                key = send.key or Outbox.key_in(cause_of(p), send)
                copies.append(dataclasses.replace(send, key=key))
        moved = any(p.reason == ROOT_GONE for p in parked)
        late = [] if all(p.reason == FOLLOWS for p in parked) else [
            self._late_line(opened.thread, len(parked), moved)]
        sends = [*late, *copies]
        if opened.change == RESUMED:
            sends[:0] = self.client_text(client, "restart", thread=opened.thread,
                                         numero=opened.atendimento.number)
        if opened.change is not None:
            first_copy = next((s.key for s in copies if s.action == COPY), None)
            sends += self.opened_sends(client, opened, "", first_copy)
        return sends

    def _late_line(self, thread: Any, count: int, moved: bool) -> Send:
        root = thread.thread_root_id
        text = self.guard.placed_moved(count) if moved else self.guard.placed_late(count)
        return text_send(self.ctx.group_id, text, reply_to=root, root=root, silent=True)

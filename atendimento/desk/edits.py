"""Edits are mirrored both ways: an edited message edits its copy on the other side."""

from __future__ import annotations

import logging

from atendimento.desk.context import DeskContext
from atendimento.desk.outbox import MIRROR, Send
from atendimento.desk.settling import Failure
from atendimento.domain.events import Incoming
from atendimento.domain.marks import client_mark
from atendimento.storage import clients as client_rows
from atendimento.storage import links as link_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import TO_CLIENT, TO_TEAM
from atendimento.texts import client_values

log = logging.getLogger("atendimento.desk.edits")


async def mirror_edit(ctx: DeskContext, incoming: Incoming, *, from_client: bool) -> bool:
    """Edit the copy of `incoming` (a client's message, or a team member's comment); False
    when it has none (it was never copied)."""
    find = link_rows.find_by_client_message if from_client else link_rows.find_by_group_message
    link = await ctx.storage.run(find, incoming.chat_id, incoming.message_id)
    if link is None and from_client:
        # The copy may still be under way (held by a flood wait, or sent and not recorded
        # yet): the client's lane does not wait for it. Wait, then look again.
        await ctx.outbox.flushed(ctx.group_id)
        link = await ctx.storage.run(find, incoming.chat_id, incoming.message_id)
    if link is None or link.direction != (TO_TEAM if from_client else TO_CLIENT):
        return False  # not a message the desk copied (a command, a note, a copy itself)
    values, mark = None, None
    if from_client:
        target = (link.group_chat_id, link.group_message_id)
        mark = client_mark(incoming.text)  # edited to read as the bot's words
    else:
        target = (link.client_chat_id, link.client_message_id)
        client = await ctx.storage.run(client_rows.get, link.client_chat_id)
        if client is not None:  # the client's copy has their placeholders filled
            values = client_values(client.first_name, client.last_name, client.username)
    chat_id, message_id = target
    atendimento = await ctx.storage.run(thread_rows.require_atendimento, link.atendimento_id)
    thread = await ctx.storage.run(thread_rows.require, atendimento.thread_id)
    # A refusal is said in the thread under the edited comment, or under the copy of the
    # client's edited message, as for a send that failed.
    under = link.group_message_id
    delivery = await ctx.outbox.send(Send(chat_id, MIRROR, {
        "from": incoming.chat_id, "id": incoming.message_id, "to_id": message_id,
        "values": values, **({"mark": list(mark)} if mark else {})},
        failure=Failure(thread.id, root=thread.thread_root_id, under=under, edit=True)))
    if not delivery.ok:
        log.warning("edit of message %s not mirrored: %s", incoming.message_id, delivery.reason)
    return True

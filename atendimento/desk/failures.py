"""The last word on a message the desk failed to handle: nobody's message ends in a log line.

The services handle what they expect (a refusal becomes a line under the message, a thread
that cannot be opened parks the client's message). Anything else that ends a job — the database
away for longer than the retries wait, a bug — comes here: the client is asked to send it again,
and the thread says what happened under the message. These are sent directly, not through the
outbox, since the outbox needs the database that may be what failed.
"""

from __future__ import annotations

import logging

from atendimento.desk.context import DeskContext
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.language import language_of_person
from atendimento.desk.ports import Undeliverable
from atendimento.domain.events import ClientEvent, TeamEvent
from atendimento.storage import threads as thread_rows
from atendimento.storage.errors import StorageError

log = logging.getLogger("atendimento.desk.failures")


def describe(error: BaseException) -> str:
    """A short, secret-free name of what went wrong, for the team."""
    if isinstance(error, StorageError):
        return "database unavailable"
    if isinstance(error, Undeliverable):
        return error.detail or error.reason
    return type(error).__name__


class Failures:
    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx
        self.guard = GuardWording(ctx.wording.tr)

    async def client_message(self, event: ClientEvent, error: BaseException) -> None:
        log.error("message %s of client %s not handled", event.message.message_id,
                  event.client.id, exc_info=error)
        ctx, what = self.ctx, describe(error)
        if not ctx.mode.silent:
            locale = await language_of_person(ctx, event.client)
            await self._say(event.client.id, self.guard.client_asked_again(locale))
        root = await self._root_of(event.client.id)
        if root is not None:
            await self._say(ctx.group_id, self.guard.client_message_not_handled(what), root)

    async def client_edit(self, event: ClientEvent, error: BaseException) -> None:
        log.error("edit of message %s of client %s not mirrored", event.message.message_id,
                  event.client.id, exc_info=error)
        root = await self._root_of(event.client.id)
        if root is not None:
            await self._say(self.ctx.group_id, self.guard.edit_not_handled(describe(error)),
                            root)

    async def team_message(self, event: TeamEvent, error: BaseException) -> None:
        log.error("comment %s in the group not handled", event.message.message_id,
                  exc_info=error)
        await self._say(self.ctx.group_id, self.guard.comment_not_handled(describe(error)),
                        event.message.message_id)

    async def team_edit(self, event: TeamEvent, error: BaseException) -> None:
        log.error("edit of comment %s not mirrored", event.message.message_id, exc_info=error)
        await self._say(self.ctx.group_id, self.guard.edit_not_handled(describe(error)),
                        event.message.message_id)

    async def _root_of(self, client_id: int) -> int | None:
        try:
            thread = await self.ctx.storage.run(thread_rows.get_by_client, client_id)
        except StorageError:
            return None
        return thread.thread_root_id if thread is not None else None

    async def _say(self, chat_id: int, text: str, reply_to: int | None = None) -> None:
        try:
            await self.ctx.telegram.send_text(chat_id, text, reply_to=reply_to, silent=True)
        except Undeliverable as refused:
            log.warning("could not tell %s about a failure: %s", chat_id, refused)

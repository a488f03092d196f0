"""What the core hands each feature when the desk is built: the services every feature may use,
the desk's settings, and the features built before it (a feature listed later may use an
earlier one's `api`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atendimento.desk.context import DeskContext
from atendimento.desk.outbox import text_send
from atendimento.desk.settling import Failure
from atendimento.desk.team import Team
from atendimento.desk.threads import Opened, Threads
from atendimento.domain.events import Person
from atendimento.domain.happenings import TeamAnswerSent
from atendimento.domain.text import utf16_len
from atendimento.storage import clients as client_rows
from atendimento.storage import links as link_rows
from atendimento.storage.errors import DuplicateLinkError
from atendimento.storage.records import TO_CLIENT, Atendimento, Client, Thread
from atendimento.tasks import Background

if TYPE_CHECKING:
    from atendimento.desk.clientside import ClientSide
    from atendimento.desk.contract import Feature
    from atendimento.desk.events import Events
    from atendimento.desk.outbox import Send

MESSAGE_LIMIT = 4096  # Telegram's, in UTF-16 units


@dataclass
class Core:
    ctx: DeskContext
    team: Team
    threads: Threads
    client_side: ClientSide
    events: Events
    settings: Mapping[str, Any] = field(default_factory=dict)  # the desk group of config.py
    texts_dir: Path | None = None
    built: dict[str, Feature] = field(default_factory=dict)
    # (client id, job) -> the job's outcome, run in that client's conversation lane
    lane: Callable[[int, Callable[[], Awaitable[Any]]], Awaitable[Any]] | None = None
    background: Background | None = None  # the desk's: for work no lane waits for

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """Run `work` in the background (kept alive, its failure logged, cancelled when the
        desk stops): what must not hold up a conversation, such as an HTTP delivery."""
        assert self.background is not None, "the desk sets its background on the core"
        self.background.spawn(work, name)

    async def in_client_lane(self, client_id: int, job: Callable[[], Awaitable[Any]]) -> Any:
        """Run `job` in the conversation lane of `client_id`, in order with their messages and
        the team's comments (work about a client decided from elsewhere: an operator's
        private chat, a job). Its sends are keyed by the update being handled now, if any, so
        a replayed update decides the same sends."""
        assert self.lane is not None, "the desk sets the lane when it builds the core"
        return await self.lane(client_id, job)

    async def end(self, thread: Thread, by: Person,
                  line: Callable[[Atendimento], str] | None = None,
                  before: Callable[[Any], object] | None = None) -> Atendimento | None:
        """End the open atendimento as /fim does: the end text to the client (unless banned),
        the card ⚪ and unpinned; `line(ended)` words the service line of an automatic end,
        and `before(tables)` runs first in the ending transaction (raising there leaves all
        as it was).
        With nothing open, the thread says so (for /fim) or nothing happens (automatic)."""
        ctx, threads = self.ctx, self.threads
        client = await ctx.storage.run(client_rows.require, thread.client_id)

        def also(ended: Atendimento | None) -> list[Send]:
            if ended is None:
                return [] if line else [threads.line_send(thread, ctx.wording.nothing_to_end())]
            if client.banned:
                return []
            return self.client_side.client_text(client, "end", thread=thread,
                                                numero=ended.number)

        return await threads.end(thread, by, also, before=before, line=line)

    async def write(self, client: Client, opened: Opened, text: str, line: str,
                    author_id: int | None, via: str) -> tuple[int, int | None] | None:
        """A message to the client as the bot, from outside the thread (/novo, the HTTP
        API), then `line` and the text in the thread as the team's, linked so the client's
        reply lands under it. Returns (the client's message id, the thread line's id or None
        when the line was refused), or None when Telegram refused the message (the thread
        then says why)."""
        ctx, thread = self.ctx, opened.thread
        delivered = await ctx.outbox.send(text_send(
            client.user_id, text,
            failure=Failure.to_client(thread, client.user_id)))
        if not delivered.ok or delivered.message_id is None:
            return None
        copy = f"{line}\n{text}"
        if utf16_len(copy) > MESSAGE_LIMIT:  # the text alone fits: the line goes first
            await self.threads.line(thread, line)
            copy = text
        shown = await self.threads.line(thread, copy)
        if shown is not None:
            try:
                await ctx.storage.run(
                    link_rows.add, atendimento_id=opened.atendimento.id, direction=TO_CLIENT,
                    client_chat_id=client.user_id, client_message_id=delivered.message_id,
                    group_chat_id=ctx.group_id, group_message_id=shown, now=ctx.now())
            except DuplicateLinkError:
                pass  # linked when this was first handled, before a restart
        await self.events.publish_now(TeamAnswerSent(client.user_id, opened.atendimento.id,
                                                     author_id, via=via))
        return delivered.message_id, shown

    def api(self, name: str) -> Any:
        """The `api` of feature `name`, or None when it is not enabled (or listed later)."""
        feature = self.built.get(name)
        return None if feature is None else feature.api

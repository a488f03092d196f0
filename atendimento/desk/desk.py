"""The desk: one entry point per kind of event, each queued in its conversation's lane.

Handlers call these methods and return at once. Work for one client (their messages, the
team's comments in their thread, commands) runs in arrival order in the lane of that client;
different clients proceed side by side (design.md §4.3).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from atendimento.desk import basics
from atendimento.desk.clientside import ClientSide
from atendimento.desk.context import DeskContext
from atendimento.desk.contract import THREAD, Feature, FeatureFactory
from atendimento.desk.core import Core
from atendimento.desk.events import Events
from atendimento.desk.failures import Failures
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.lanes import Lanes
from atendimento.desk.mode import Mode
from atendimento.desk.outbox import STORAGE_RETRIES, Outbox
from atendimento.desk.registry import Registry
from atendimento.desk.settling import Failure
from atendimento.desk.team import Team
from atendimento.desk.teamside import TeamSide
from atendimento.desk.thread_moves import ThreadMoves
from atendimento.desk.threads import Threads
from atendimento.domain.events import BotMessage, ClientEvent, ForeignPress, Person, TeamEvent
from atendimento.storage import links as link_rows
from atendimento.storage import parked as parked_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.errors import StorageError
from atendimento.storage.records import Thread
from atendimento.tasks import Background

log = logging.getLogger("atendimento.desk")

T = TypeVar("T")

AnswerInline = Callable[[list[Any], str], Awaitable[object]]
AnswerButton = Callable[[str, bool], Awaitable[object]]  # (text, as an alert)


class Desk:
    def __init__(self, ctx: DeskContext, background: Background,
                 admins_changed: Callable[[list[int]], Awaitable[None]] | None = None, *,
                 features: Sequence[FeatureFactory] = (),
                 settings: Mapping[str, Any] | None = None,
                 texts_dir: Path | None = None,
                 storage_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 pause: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.ctx = ctx
        ctx.mode = Mode.of(settings or {})
        self.admins_changed = admins_changed
        self.guard = GuardWording(ctx.wording.tr)
        self.failures = Failures(ctx)
        self._retrying = False
        self.lanes = Lanes(background, "conversation")
        self.outbox = ctx.outbox = Outbox(ctx, background, storage_sleep, pause)
        self._sleep = storage_sleep
        self.events = Events(self.outbox, self._submit)
        self.threads = Threads(ctx, self.events)
        self.team = Team(ctx)
        self.registry = Registry(ctx, self.team, self.threads)
        self.client_side = ClientSide(ctx, self.threads, self.events)
        self.outbox.when_root_gone(ThreadMoves(ctx).gone, self._thread_moved)
        self.team_side = TeamSide(ctx, self.threads, self.team, self.registry, self.events)
        self.core = core = Core(ctx, self.team, self.threads, self.client_side, self.events,
                    settings or {}, texts_dir,
                    lane=self._in_client_lane, background=background)
        self.features = self._build(core, features)
        self.registry.install(self.features)

    def _build(self, core: Core, factories: Sequence[FeatureFactory]) -> list[Feature]:
        """The basic commands, then each feature in the order given; their listeners join
        the event bus."""
        built = [basics.feature(core, self.registry)]
        for factory in factories:
            feature = factory(core)
            if feature.name in core.built or feature.name == built[0].name:
                raise ValueError(f"feature {feature.name!r} is listed twice")
            core.built[feature.name] = feature
            built.append(feature)
        for feature in built:
            for kind, listening in feature.listens.items():
                for listener in listening if isinstance(listening, (list, tuple)) else [listening]:
                    self.events.listen(kind, listener)
            if feature.card is not None:
                self.threads.add_card_lines(feature.card)
        return built

    async def _in_client_lane(self, client_id: int, job: Callable[[], Awaitable[T]]) -> T | None:
        key = ("client", client_id)
        if self.lanes.current() == key:
            return await job()  # already there: queued, it would wait for its caller
        return await self._submit(key, job, self.outbox.current_cause())

    def api(self, name: str) -> Any:
        """What feature `name` offers the app and the tests (None when it is not enabled)."""
        return next((f.api for f in self.features if f.name == name), None)

    # --- the client's private chat -----------------------------------------------------------

    def _submit(self, key: Hashable, job: Callable[[], Awaitable[T]],
                cause: str | None = None,
                failed: Callable[[BaseException], Awaitable[None]] | None = None
                ) -> asyncio.Future[T | None]:
        """Queue `job` in lane `key`; its sends are keyed by `cause` (the update it handles), and
        it runs again while the database is unavailable (deciding again is harmless). If it
        still fails, `failed(error)` tells whoever is concerned: the lanes' catch-all is never
        where a message ends."""
        async def attempt() -> T:
            with self.outbox.cause(cause):
                for delay in STORAGE_RETRIES:
                    try:
                        return await job()
                    except StorageError as error:
                        log.warning("database unavailable (%s); again in %ss", error, delay)
                        await self._sleep(delay)
                return await job()

        async def run() -> T | None:
            if failed is None:
                return await attempt()
            try:
                return await attempt()
            except Exception as error:
                await failed(error)
                return None
        return self.lanes.submit(key, run)

    def client_message(self, event: ClientEvent) -> None:
        cause = f"c{event.message.chat_id}:{event.message.message_id}"
        self._submit(("client", event.client.id), lambda: self._private(event), cause,
                     lambda error: self.failures.client_message(event, error))

    async def _private(self, event: ClientEvent) -> None:
        if not await self.registry.in_private(event):
            await self.client_side.message(event)

    def client_edit(self, event: ClientEvent) -> None:
        self._submit(("client", event.client.id), lambda: self.client_side.edit(event),
                     failed=lambda error: self.failures.client_edit(event, error))

    def client_deleted(self, message_ids: tuple[int, ...]) -> None:
        async def job() -> None:
            find = link_rows.find_by_client_message_ids
            found = await self.ctx.storage.run(find, list(message_ids))
            if len({link.client_message_id for link in found}) < len(set(message_ids)):
                # Some copies may still be under way (a flood wait): wait, look again.
                await self.outbox.flushed(self.ctx.group_id)
                found = await self.ctx.storage.run(find, list(message_ids))
            for chat_id in dict.fromkeys(link.client_chat_id for link in found):
                ids = tuple(lk.client_message_id for lk in found if lk.client_chat_id == chat_id)
                await self._submit(("client", chat_id),
                                   lambda ids=ids: self.client_side.deleted(ids))
        self._submit("deletions", job)

    # --- the discussion group ----------------------------------------------------------------

    def automatic_forward(self, post_id: int, root_id: int) -> None:
        """The group got the forward of channel post `post_id`: its comment thread is `root_id`."""
        self.ctx.roots.seen(post_id, root_id)

    def team_message(self, event: TeamEvent) -> None:
        cause = f"g{event.message.chat_id}:{event.message.message_id}"
        if event.thread_root_id is None and event.message.command in self.registry.names(THREAD):
            # A desk command typed in the group's general chat: say where commands work.
            self._submit(("general", event.message.chat_id),
                         lambda: self.team_side.outside_thread(event), cause)
            return
        self._in_thread(event, self.team_side.comment, cause,
                        lambda error: self.failures.team_message(event, error))

    def team_edit(self, event: TeamEvent) -> None:
        self._in_thread(event, self.team_side.edit, None,
                        lambda error: self.failures.team_edit(event, error))

    def _in_thread(self, event: TeamEvent,
                   action: Callable[[TeamEvent, Thread], Awaitable[None]],
                   cause: str | None,
                   failed: Callable[[BaseException], Awaitable[None]]) -> None:
        root = event.thread_root_id
        if root is None:
            return  # outside any thread: not the desk's business

        async def act() -> None:
            # Read in the client's lane: what came before it there (a /fim) is in the thread.
            thread = await self.ctx.storage.run(thread_rows.get_by_root, root)
            if thread is not None:
                await action(event, thread)

        client_id = self.threads.client_of_root(root)
        if client_id is not None and not self.lanes.has(("root", root)):
            self._submit(("client", client_id), act, cause, failed)
            return

        async def find_lane() -> None:
            thread = await self.ctx.storage.run(thread_rows.get_by_root, root)
            if thread is None:
                return  # a thread that is not a card's
            self.threads.remember_root(root, thread.client_id)
            await self._submit(("client", thread.client_id), act, cause, failed)
        # A thread not known yet: its comments go through one lane to find their client's
        # lane, so their order survives the lookup (later ones join it while it has work).
        self._submit(("root", root), find_lane, failed=failed)

    def button(self, user: Person, data: str, answer: AnswerButton,
               chat_id: int | None = None, message_id: int | None = None,
               label: str = "") -> None:
        """A button under a desk message (in `chat_id`, `message_id`) was pressed; `answer`
        shows the pressing person a short note, or an alert (Telegram wants every press
        answered, and a refused or stale press must say why). In parallel mode a press under
        a message the other system sent is that system's to answer: the desk only shows it
        in the thread (`label`: the button's text)."""
        async def job() -> None:
            locale = self.ctx.wording.tr.locale_for(user.language_code)
            if await self._pressed_elsewhere(user, chat_id, message_id, label):
                return
            try:
                text, alert = await self.registry.press(user, data, chat_id, message_id)
            except Exception:  # the press must be answered whatever broke; logged in full
                log.exception("button %r pressed by %s: not handled", data[:64], user.id)
                text, alert = self.guard.button_failed(locale), True
            await answer(text, alert)
        self._submit(("buttons", user.id), job)

    async def _pressed_elsewhere(self, user: Person, chat_id: int | None,
                                 message_id: int | None, label: str) -> bool:
        elsewhere = self.registry.elsewhere
        if elsewhere is None or not chat_id or chat_id < 0 or not message_id:
            return False
        if await elsewhere.ours(chat_id, message_id):
            return False
        press = ForeignPress(user, label, chat_id, message_id)
        self._submit(("client", chat_id), lambda: elsewhere.press(press))
        return True

    # --- the bot's other session (parallel mode) --------------------------------------------

    def bot_message(self, event: BotMessage) -> None:
        """Another session of the bot sent `event.client` a message (parallel mode)."""
        elsewhere = self.registry.elsewhere
        if elsewhere is not None:
            cause = f"b{event.message.chat_id}:{event.message.message_id}"
            self._submit(("client", event.client.id), lambda: elsewhere.message(event), cause)

    def bot_edit(self, event: BotMessage) -> None:
        elsewhere = self.registry.elsewhere
        if elsewhere is not None:
            self._submit(("client", event.client.id), lambda: elsewhere.edit(event))

    # --- inline mode ------------------------------------------------------------------------

    def inline_query(self, user: Person, query: str, offset: str,
                     answer: AnswerInline) -> None:
        """`@bot query` typed by `user`: saved replies for the team, nothing for anyone else.
        Each person's queries in order, apart from the conversations' lanes: typing must not
        wait behind a busy thread."""
        self.lanes.submit(("inline", user.id),
                          lambda: self.registry.inline_query(user, query, offset, answer))

    def inline_chosen(self, user: Person, result_id: str) -> None:
        """Telegram's feedback that `user` sent the result `result_id`."""
        self.lanes.submit(("inline", user.id),
                          lambda: self.registry.inline_chosen(user, result_id))

    def _thread_moved(self, failure: Failure) -> None:
        """A thread's root was found gone: place what its client sent meanwhile now (the
        retry of parked messages would, within a minute)."""
        async def place() -> None:
            thread = await self.ctx.storage.run(thread_rows.get, failure.thread_id)
            if thread is not None:
                await self._in_client_lane(
                    thread.client_id, lambda: self.client_side.place(thread.client_id))
        self._submit(("moved", failure.thread_id), place)

    async def retry_parked(self) -> int:
        """Try again to place every client's parked messages (their thread could not be
        opened); how many clients' messages were placed. The scheduler calls it often."""
        if self._retrying:
            return 0  # the last round is still under way
        self._retrying = True
        try:
            waiting = await self.ctx.storage.run(parked_rows.clients)
            rounds = [self._submit(("client", client_id),
                                   lambda client_id=client_id: self.client_side.place(client_id))
                      for client_id in waiting]
            placed = await asyncio.gather(*rounds, return_exceptions=True)
        finally:
            self._retrying = False
        for client_id, outcome in zip(waiting, placed, strict=True):
            if isinstance(outcome, BaseException):
                log.error("parked messages of client %s: %s", client_id, outcome)
        return sum(1 for outcome in placed if outcome is True)

    def team_changed(self) -> None:
        """Telegram said channel membership changed: forget cached answers, reread admins."""
        self.team.forget()
        self.lanes.submit("admins", self.refresh_admins)

    async def refresh_admins(self) -> list[Person]:
        admins = await self.team.refresh_admins()
        if self.admins_changed is not None:
            await self.admins_changed([a.id for a in admins])
        return admins

    @property
    def busy(self) -> int:
        """Lanes with work: conversations being decided, chats with sends under way."""
        return self.lanes.busy + self.outbox.busy

    async def idle(self) -> None:
        """Until every decision is taken and every send delivered or refused."""
        while self.busy:
            await self.lanes.idle()
            await self.outbox.idle()

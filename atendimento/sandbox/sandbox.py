"""The Sandbox: a world, its server, the team's channel with its discussion group, and the
seams to run a bot against it (in this process or in another one). See ``people.py``."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pyrogram import raw

from . import inline as inline_mod
from .botapi import BotApi
from .chats import participant
from .client import SandboxClient
from .limits import Clock
from .people import Person
from .process import BotProcess
from .server import Server
from .switches import Switches
from .views import Seen, seen
from .world import Channel, Member, World

T = raw.types


class Sandbox:
    """A simulated Telegram with a bot account, a channel (the desk) and its linked group."""

    def __init__(
        self,
        *,
        strict: bool = True,
        seed: int = 0,
        clock: Clock | None = None,
        switches: Switches | None = None,
        channel_title: str = "Atendimento",
        socket_path: str | None = None,
    ) -> None:
        self.world = World(seed=seed, clock=clock, switches=switches)
        self.server = Server(self.world, strict=strict, path=socket_path)
        self.strict = strict
        world = self.world
        self.owner = Person(self, world.add_person("Owner", username="desk_owner"))
        self.channel: Channel = world.add_channel(channel_title, broadcast=True)
        self.group: Channel = world.add_channel(f"{channel_title} chat", broadcast=False)
        self.channel.linked_id, self.group.linked_id = self.group.id, self.channel.id
        for chat in (self.channel, self.group):
            chat.members[self.owner.id] = Member(self.owner.id, "creator", world.now())
            chat.members[world.bot.id] = Member(world.bot.id, "admin", world.now())
            self._history(chat)
        self._bots: list[Any] = []
        self._bot_api: BotApi | None = None

    def _history(self, chat: Channel) -> None:
        # Service messages from the chat's creation, so that a post's id P and its forward's id
        # F differ from the first post on, as they do on Telegram.
        actions = [T.MessageActionChannelCreate(title=chat.title)]
        if not chat.broadcast:
            actions.append(T.MessageActionChatAddUser(users=[self.bot_id]))
            actions.append(T.MessageActionChatEditTitle(title=chat.title))
        for action in actions:
            ident = chat.take_id()
            chat.messages[ident] = T.MessageService(
                id=ident,
                peer_id=chat.peer,
                date=self.world.now(),
                action=action,
                from_id=T.PeerUser(user_id=self.owner.id),
            )

    @property
    def bot_id(self) -> int:
        return self.world.bot.id

    @property
    def channel_chat_id(self) -> int:
        """The channel's id as pyrogram spells it (-100…)."""
        return -1_000_000_000_000 - self.channel.id

    @property
    def group_chat_id(self) -> int:
        return -1_000_000_000_000 - self.group.id

    @property
    def clock(self) -> Clock:
        return self.world.clock

    @property
    def switches(self) -> Switches:
        return self.world.switches

    async def start(self) -> Sandbox:
        await self.server.start()
        return self

    async def close(self) -> None:
        for bot in reversed(self._bots):
            if isinstance(bot, BotProcess):
                if bot.running:
                    await bot.kill()
                continue
            with contextlib.suppress(ConnectionError):
                await bot.stop()
        self._bots.clear()
        if self._bot_api is not None:
            self.world.push = self.server.push
            await self._bot_api.close()
            self._bot_api = None
        await self.server.close()

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ----- people ----------------------------------------------------------------------------
    def client(self, name: str, *, username: str | None = None, language: str = "en") -> Person:
        """Someone who may talk to the bot privately (nobody has started it yet)."""
        first, _, last = name.partition(" ")
        return Person(self, self.world.add_person(first, last, username, language))

    def team_member(
        self, name: str, *, username: str | None = None, language: str = "en",
        admin: bool = False, anonymous: bool = False
    ) -> Person:
        """A member of the channel and of its discussion group (an admin of both if asked;
        ``anonymous``: an admin of the group with the right to post as it, anonymously)."""
        person = self.client(name, username=username, language=language)
        role = "admin" if admin else "member"
        for chat in (self.channel, self.group):
            chat.members[person.id] = Member(person.id, role, self.world.now())
        if anonymous:
            self.group.members[person.id] = Member(person.id, "admin", self.world.now(),
                                                   rights={"anonymous": True})
        return person

    def admin(self, name: str, **kwargs: Any) -> Person:
        return self.team_member(name, admin=True, **kwargs)

    def foreign_channel(self, title: str, *, owner: Person,
                        username: str | None = None) -> Channel:
        """A broadcast channel created by ``owner`` (not the team's; the bot is not in it), which
        its owner may choose in the group's "send as" menu: ``owner.comment(card, text,
        as_chat=channel)``."""
        channel = self.world.add_channel(title, broadcast=True, username=username)
        channel.members[owner.id] = Member(owner.id, "creator", self.world.now())
        return channel

    def set_role(self, person: Person, role: str | None) -> None:
        """Make ``person`` an "admin" or a "member" of the channel and its group, or take them
        out (None); the bot hears of it in the channel as Telegram tells an admin bot."""
        world = self.world
        before = self.channel.members.get(person.id)
        for chat in (self.channel, self.group):
            if role is None:
                chat.members.pop(person.id, None)
            else:
                chat.members[person.id] = Member(person.id, role, world.now())
        if not world.switches.participant_updates or world.bot.id not in self.channel.members:
            return
        after = self.channel.members.get(person.id)
        world.qts += 1
        update = T.UpdateChannelParticipant(
            channel_id=self.channel.id, date=world.now(), actor_id=self.owner.id,
            user_id=person.id, qts=world.qts,
            prev_participant=participant(world, self.channel, before) if before else None,
            new_participant=participant(world, self.channel, after) if after else None)
        world.push(world.updates([update], [], users=(person.account, self.owner.account)))

    def set_bot_role(self, chat: Channel, role: str | None,
                     rights: dict[str, bool] | None = None) -> None:
        """Promote ("admin"), demote ("member") or remove (None) the bot in a channel/group;
        ``rights`` changes an admin's rights (e.g. {"pin_messages": False, "anonymous": True})."""
        if role is None:
            chat.members.pop(self.bot_id, None)
        else:
            chat.members[self.bot_id] = Member(self.bot_id, role, self.world.now(), rights=rights)

    # ----- what people see -------------------------------------------------------------------
    def posts(self) -> list[Seen]:
        """The channel's posts, oldest first (service messages left out)."""
        return [
            seen(self.world, self.channel, m)
            for _, m in sorted(self.channel.messages.items())
            if isinstance(m, T.Message)
        ]

    def post(self, ident: int) -> Seen:
        return seen(self.world, self.channel, self.channel.messages[ident])

    def thread_root(self, post: Seen | int) -> int:
        """F, the automatic forward of post P in the group: the thread's id."""
        ident = post if isinstance(post, int) else post.id
        return self.channel.forward_of[ident]

    def thread(self, post: Seen | int) -> list[Seen]:
        """A card's comment section: its root F first, then every message of the thread."""
        root = self.thread_root(post)
        out = []
        for ident, message in sorted(self.group.messages.items()):
            if ident == root or self._root_of(ident) == root:
                out.append(seen(self.world, self.group, message))
        return out

    def _root_of(self, ident: int) -> int | None:
        message = self.group.messages.get(ident)
        header = getattr(message, "reply_to", None)
        if header is None:
            return None
        if header.reply_to_top_id:
            return header.reply_to_top_id
        parent = header.reply_to_msg_id
        if parent in self.group.forward_of:
            return parent
        return self._root_of(parent)

    def menu(self, person: Person, chat: Channel | None = None) -> list[tuple[str, str]]:
        """The bot's command list as ``person``'s Telegram app would show it in ``chat``."""
        if chat is None:
            return inline_mod.menu(self.world, person.account)
        member = chat.members.get(person.id)
        admin = member is not None and member.role != "member"
        return inline_mod.menu(self.world, person.account, -chat.id, admin)

    # ----- the bot ---------------------------------------------------------------------------
    def bot_client(self, name: str = "bot", **kwargs: Any) -> SandboxClient:
        """A SandboxClient for this sandbox; pass ``workdir`` for a session file there,
        otherwise the session lives in memory."""
        if "workdir" not in kwargs:
            kwargs.setdefault("in_memory", True)
        kwargs.setdefault("strict", self.strict)
        kwargs.setdefault("sleep", self.clock.sleep)
        return SandboxClient(name, socket_path=self.server.path, bot_id=self.bot_id, **kwargs)

    async def bot_api(self) -> BotApi:
        """The bot's Bot API endpoint (botapi/), started on first use on 127.0.0.1 and closed
        with the sandbox: ``.base_url``, ``.base_file_url`` and ``.token`` for a Bot API
        library running as the bot's other session; ``.until(predicate)`` waits for it."""
        if self._bot_api is None:
            api = await BotApi(self.world, self.server.push).start()
            self.world.push = api.fanout.push
            self._bot_api = api
        return self._bot_api

    async def start_bot(self, factory: Callable[[Sandbox], Awaitable[Any]]) -> Any:
        """Build and start a bot in this process; ``factory(sandbox)`` returns something with
        ``async stop()`` (a started client or an app), stopped again by ``close``."""
        bot = await factory(self)
        self._bots.append(bot)
        return bot

    def bot_process(self, command: Sequence[str]) -> BotProcess:
        """A bot in its own process (not started yet), killed by ``close`` if still running."""
        process = BotProcess(self.server, command, self.env())
        self._bots.append(process)
        return process

    async def stop_bot(self, bot: Any) -> None:
        await bot.stop()
        if bot in self._bots:
            self._bots.remove(bot)

    async def settle(self) -> None:
        """Wait, without timers, until the bot has handled everything people did so far."""
        await self.server.settle()

    def env(self) -> dict[str, str]:
        """Environment for a bot in another process (read by SandboxClient)."""
        from .client import ENV_BOT_ID, ENV_SOCKET

        return {ENV_SOCKET: self.server.path, ENV_BOT_ID: str(self.bot_id)}

"""The people API: what clients and team members do in the sandbox, and what they see.

This is the project's public test API; keep it stable. People act directly on the simulated
Telegram (they are not pyrogram clients); the bot is a real pyrogram ``SandboxClient``. Every act
returns at once; ``await sandbox.settle()`` waits until the bot has handled all of it.

Example (runs as it is)::

    import asyncio
    from pyrogram import filters
    from pyrogram.handlers import MessageHandler
    from atendimento.sandbox import Sandbox

    async def main():
        async with Sandbox() as sandbox:
            bot = await sandbox.start_bot(start_echo)
            ana = sandbox.client("Ana Souza", username="ana", language="pt-BR")
            ana.start("site")                       # /start site (a deep link)
            ana.send("Oi, preciso de ajuda")
            await sandbox.settle()                  # no sleeping: the bot is idle now
            assert [m.text for m in ana.chat()][-1] == "echo: Oi, preciso de ajuda"
            card = sandbox.posts()[-1]              # the bot posted a card in the channel
            eva = sandbox.team_member("Eva Lima")
            note = eva.comment(card, "Vou atender")     # a comment in the card's thread
            eva.reply(note, "(nota interna)")           # a reply inside the thread
            await sandbox.settle()
            assert [m.text for m in sandbox.thread(card)][1:] == ["Vou atender",
                                                                  "(nota interna)"]

    async def start_echo(sandbox):
        bot = sandbox.bot_client()

        async def echo(client, message):
            await message.answer(f"echo: {message.text}")
            await client.send_message(sandbox.channel_chat_id, f"card of {message.chat.id}")

        texts = filters.private & filters.text & ~filters.command("start")
        bot.add_handler(MessageHandler(echo, texts))
        return await bot.start()

    asyncio.run(main())

People: ``sandbox.client(name, username=, language=)`` (a client), ``sandbox.team_member(...)``
and ``sandbox.admin(...)`` (members/admins of the channel and its group), ``sandbox.owner``;
anyone else made with ``sandbox.client`` is an outsider to the team. ``sandbox.foreign_channel(
title, owner=person, username=)`` is a channel of someone's own (not the team's, the bot not in
it) that its owner can write as in the group (telegram.md §5, "posting as a channel in a
group": the comment comes ``from_id=PeerChannel(X)``, the full Channel in ``chats``; kurigram
gives ``sender_chat`` = that channel and ``from_user`` None).

A person: ``start(param)``, ``send(text, entities=, reply_to=)``, ``send_photo/video/document/
voice/video_note/audio/sticker/animation(caption=)``, ``send_contact/location/venue``,
``send_live_location(lat, long, period)`` and ``move(message, lat, long)`` (a live location
moves: an edit of its point),
``send_album(kinds, captions)``, ``send_dice()``, ``send_poll(question, options, multiple=,
public=)`` (a regular poll, 2-12 distinct options), ``reply(message, text, as_chat=, media=)``,
``edit(message, text, media=)``, ``delete(message)``, ``press(message, button)`` → ``Press``
(``.answered``, ``.text``), ``press_data(message, data)`` (any 0-64 bytes, as a modified app
could try; only a button's data the message has or had with ``switches.forged_callback_data``
off), ``block_bot()``, ``unblock_bot()``, ``delete_account()``; in the group
(team members; the sandbox does not check who may write there, so outsiders can too, as a
former member or anyone the group lets in could)
``comment(card, text, anonymous=, as_chat=, media=)`` (``media``: a kind of ``files.KINDS``
with made-up content, ``text`` its caption, empty for kinds without one; ``as_chat``: sent as
a channel the person owns or administers), ``comment_poll(card, question, options,
multiple=, as_chat=)``, ``comment_album(card, kinds, captions, as_chat=)``,
``comment_live_location(card, lat, long, period)``,
``comment_via_bot(card, text)``, ``post(text)`` and
``inline(query, chat=, card=)`` → ``Inline`` (``.results`` once settled, ``.pick(result_id)``).
Reading: ``person.chat()`` (the private chat with the bot), ``sandbox.posts()``,
``sandbox.post(id)``, ``sandbox.thread(card)``, ``sandbox.menu(person, chat)``. Messages are
``Seen`` values (``text``, ``kind``, ``from_bot``, ``pinned``, ``edited``, ``reply_to``,
``top_id``, ``sender_id`` (a user's or a channel's id), ...); ``callbacks.buttons(seen)`` lists
the (label, data) of its buttons. Private-chat ids are the bot's. A poll the bot sends
(``send_poll``, or ``copy_message`` of a poll) becomes a new poll with the same question and
options (``polls.signature(seen.raw.media)`` compares them).

The bot: ``sandbox.bot_client(name, workdir=...)`` (a SandboxClient; a ``workdir`` gives it a
session file, so a restart catches up), ``await sandbox.start_bot(factory)`` /
``stop_bot(bot)``, and ``process.BotProcess(sandbox.server, command, sandbox.env())`` for a bot
in its own process (``start()``, ``stop()``, ``kill()``). Knobs: ``sandbox.switches`` (every
UNCONFIRMED behaviour), ``sandbox.world.limits`` (rate limits), ``sandbox.world.faults.fail(
"messages.SendMessage", "USER_IS_BLOCKED", code=403, times=2)``, ``sandbox.clock.advance(s)``,
``sandbox.set_bot_role(chat, role)``; ``sandbox.server.calls`` lists the raw methods called.
"""

from __future__ import annotations

from typing import Any, Protocol

from pyrogram import raw

from . import files, polls
from . import messages as ops
from .callbacks import Press, press, press_data
from .inline_query import Inline, InlineResult
from .views import Seen, entities_of, seen
from .world import Account, Channel, World

T = raw.types
__all__ = ["Inline", "InlineResult", "Person"]


class Stage(Protocol):
    """What a person needs of the sandbox they act in (``sandbox.Sandbox``, which makes the
    people and so imports this module; a protocol keeps the import one-way)."""

    world: World
    channel: Channel
    group: Channel

    def thread_root(self, post: Seen | int) -> int: ...


class Person:
    """A client or a team member, acting in the sandbox."""

    def __init__(self, sandbox: Stage, account: Account) -> None:
        self.sandbox = sandbox
        self.account = account

    @property
    def id(self) -> int:
        return self.account.id

    @property
    def name(self) -> str:
        return f"{self.account.first_name} {self.account.last_name}".strip()

    @property
    def world(self) -> World:
        return self.sandbox.world

    def __repr__(self) -> str:
        return f"Person({self.name!r}, id={self.id})"

    # ----- the private chat with the bot -----------------------------------------------------
    def start(self, param: str | None = None) -> Seen:
        """Press Start (with a deep-link parameter when the link had one)."""
        self.account.started, self.account.blocked = True, False
        text = f"/start {param}" if param else "/start"
        return self.send(text)

    def send(
        self, text: str, *, entities: list | None = None, reply_to: Seen | int | None = None
    ) -> Seen:
        spec = entities_of(entities)
        if spec is None and text.startswith("/"):
            # Telegram apps mark a leading command as a bot_command entity.
            spec = [T.MessageEntityBotCommand(offset=0, length=len(text.split()[0]))]
        return self._write(self.account, text=text, entities=spec, reply_to=reply_to)

    def send_photo(self, caption: str = "", *, reply_to: Seen | int | None = None) -> Seen:
        return self._write(
            self.account, text=caption, media=files.photo(self.world), reply_to=reply_to
        )

    def send_document(
        self,
        caption: str = "",
        *,
        kind: str = "document",
        file_name: str | None = None,
        **extra: Any,
    ) -> Seen:
        media = files.document(self.world, kind, file_name=file_name, **extra)
        return self._write(self.account, text=caption, media=media)

    def send_video(self, caption: str = "") -> Seen:
        return self.send_document(caption, kind="video")

    def send_voice(self, caption: str = "") -> Seen:
        return self.send_document(caption, kind="voice")

    def send_video_note(self) -> Seen:
        return self.send_document(kind="video_note")

    def send_audio(self, caption: str = "") -> Seen:
        return self.send_document(caption, kind="audio")

    def send_sticker(self, emoji: str = "🙂") -> Seen:
        return self.send_document(kind="sticker", emoji=emoji)

    def send_animation(self, caption: str = "") -> Seen:
        return self.send_document(caption, kind="animation")

    def send_contact(self, phone: str, first_name: str, last_name: str = "") -> Seen:
        return self._write(self.account, media=files.contact(phone, first_name, last_name))

    def send_location(self, lat: float, long: float) -> Seen:
        return self._write(self.account, media=files.location(lat, long))

    def send_live_location(self, lat: float, long: float, period: int = 900) -> Seen:
        return self._write(self.account, media=files.live_location(lat, long, period))

    def move(self, message: Seen, lat: float, long: float) -> Seen:
        """A live location shared in ``message`` moves: the app edits its point."""
        chat = message.chat
        live = ops.find(self.world, chat, message.id).media
        if not isinstance(live, T.MessageMediaGeoLive):
            raise ValueError("only a live location moves")
        outcome = ops.edit(self.world, chat, message.id, text=None, media=files.live_location(
            lat, long, live.period, live.heading))
        self._push(chat, outcome)
        return seen(self.world, chat, ops.find(self.world, chat, message.id))

    def send_venue(self, lat: float, long: float, title: str, address: str) -> Seen:
        return self._write(self.account, media=files.venue(lat, long, title, address))

    def send_album(
        self, kinds: tuple[str, ...] = ("photo", "photo"), captions: tuple[str, ...] = ()
    ) -> list[Seen]:
        """Several photos/videos/documents sent together: one grouped_id, one push."""
        return self._album(self.account, kinds, captions)

    def _album(self, chat: Account | Channel, kinds: tuple[str, ...],
               captions: tuple[str, ...], reply_to: int | None = None,
               as_chat: Channel | None = None) -> list[Seen]:
        grouped = self.world.random.getrandbits(62)
        medias = [
            files.photo(self.world) if k == "photo" else files.document(self.world, k)
            for k in kinds
        ]
        if (problem := files.album_problem(medias)) is not None:
            raise ValueError(f"Telegram's apps send no such album ({', '.join(kinds)}): "
                             f"{problem}")
        texts = list(captions) + [""] * (len(kinds) - len(captions))
        return self._write_many(
            chat,
            [
                dict(text=t, media=m, grouped_id=grouped, reply_to=reply_to, as_chat=as_chat)
                for t, m in zip(texts, medias, strict=True)
            ],
        )

    def send_poll(self, question: str, options: list[str] | tuple[str, ...], *,
                  multiple: bool = False, public: bool = False) -> Seen:
        """A regular poll (anonymous unless ``public``; 2-12 distinct options)."""
        media = polls.person_poll(self.world, question, options, multiple=multiple,
                                  public=public)
        return self._write(self.account, media=media)

    def send_dice(self, emoticon: str = "🎲") -> Seen:
        """A dice throw: a kind of message a bot cannot copy as its own."""
        value = self.world.random.randint(1, 6)
        return self._write(self.account, media=T.MessageMediaDice(value=value,
                                                                   emoticon=emoticon))

    def reply(self, message: Seen, text: str, *, as_chat: Channel | None = None,
              media: str | None = None) -> Seen:
        """Reply to ``message`` in its chat (a private chat or inside a card's thread); in a
        thread, ``as_chat`` and ``media`` work as for ``comment``."""
        if isinstance(message.chat, Channel):
            return self._write(message.chat, text=text, reply_to=message.id, as_chat=as_chat,
                               media=self._media(media, text))
        if as_chat is not None:
            raise ValueError("a private chat with the bot cannot be written to as a channel")
        if media is not None:
            return self._write(self.account, text=text, reply_to=message,
                               media=self._media(media, text))
        return self.send(text, reply_to=message)

    def edit(self, message: Seen, text: str | None, *, media: str | None = None) -> Seen:
        """Change the text (or caption), and the media when ``media`` names a new one's kind
        ("photo", "video", "document", ...)."""
        chat = message.chat
        new_media = None
        if media == "photo":
            new_media = files.photo(self.world)
        elif media is not None:
            new_media = files.document(self.world, media)
        outcome = ops.edit(self.world, chat, message.id, text=text, media=new_media)
        self._push(chat, outcome)
        return seen(self.world, chat, ops.find(self.world, chat, message.id))

    def delete(self, message: Seen) -> None:
        chat = message.chat
        target = chat if isinstance(chat, Channel) else None
        _, update = ops.delete(self.world, target, [message.id])
        if update is None:
            return
        if target is None or self.world.switches.channel_deletes_reach_bot:
            self._push(chat, ops.Outcome([update]), messages=[])

    def block_bot(self) -> None:
        self.account.blocked = True

    def unblock_bot(self) -> None:
        self.account.blocked = False

    def delete_account(self) -> None:
        self.account.deleted = True

    def chat(self) -> list[Seen]:
        """The private chat with the bot, as this person sees it (oldest first)."""
        return [
            seen(self.world, self.account, m)
            for _, m in sorted(self.world.private.items())
            if m.peer_id.user_id == self.id
        ]

    # ----- the team's channel and threads ----------------------------------------------------
    def post(self, text: str) -> Seen:
        """Publish a post in the channel (an admin's act); it is forwarded into the group."""
        return self._write(self.sandbox.channel, text=text)

    def comment(self, card: Seen | int, text: str, *, anonymous: bool = False,
                as_chat: Channel | None = None, media: str | None = None) -> Seen:
        """Comment in the card's thread: a reply to its automatic forward F in the group.
        ``as_chat``: sent as that channel (one this person owns or administers, chosen in the
        app's "send as" menu); ``media``: a kind of ``files.KINDS`` with made-up content,
        ``text`` being its caption (empty for kinds that have none)."""
        root = self.sandbox.thread_root(card)
        return self._write(self.sandbox.group, text=text, reply_to=root, anonymous=anonymous,
                           as_chat=as_chat, media=self._media(media, text))

    def say_in_group(self, text: str) -> Seen:
        """A message in the discussion group's general chat, outside every card's thread."""
        return self._write(self.sandbox.group, text=text)

    def comment_live_location(self, card: Seen | int, lat: float, long: float,
                              period: int = 900) -> Seen:
        """A live location shared in the card's thread (``move`` moves it)."""
        return self._write(self.sandbox.group, reply_to=self.sandbox.thread_root(card),
                           media=files.live_location(lat, long, period))

    def comment_poll(self, card: Seen | int, question: str, options: list[str] | tuple[str, ...],
                     *, multiple: bool = False, as_chat: Channel | None = None) -> Seen:
        """A poll as a comment in the card's thread."""
        media = polls.person_poll(self.world, question, options, multiple=multiple)
        return self._write(self.sandbox.group, media=media,
                           reply_to=self.sandbox.thread_root(card), as_chat=as_chat)

    def comment_album(self, card: Seen | int, kinds: tuple[str, ...] = ("photo", "photo"),
                      captions: tuple[str, ...] = (), *,
                      as_chat: Channel | None = None) -> list[Seen]:
        """Several photos/videos/documents sent together as one comment in the card's thread."""
        return self._album(self.sandbox.group, kinds, captions,
                           reply_to=self.sandbox.thread_root(card), as_chat=as_chat)

    def comment_via_bot(self, card: Seen | int, text: str) -> Seen:
        """A comment in the card's thread sent through the bot's inline mode, as Telegram
        delivers it: from this person, with ``via_bot_id`` set to the bot."""
        root = self.sandbox.thread_root(card)
        return self._write(self.sandbox.group, text=text, reply_to=root,
                           via_bot_id=self.world.bot.id)

    def press(self, message: Seen, button: str) -> Press:
        """Press the inline keyboard button labelled ``button`` under ``message``."""
        return press(self, message, button)

    def press_data(self, message: Seen, data: bytes) -> Press:
        """A press on ``message`` carrying ``data`` (0-64 bytes): anything a modified app could
        try (see ``switches.forged_callback_data``), or a button's that an edit took away."""
        return press_data(self, message, data)

    def inline(self, query: str, *, chat: Channel | None = None,
               card: Seen | int | None = None, replying: Seen | None = None) -> Inline:
        """Type ``@bot query`` in ``chat`` (None: the private chat with the bot), or in the
        comment box of ``card``'s thread (the picked result then lands in that thread), or
        while replying to ``replying``, a message of a thread (the result replies to it)."""
        reply_to = None
        if replying is not None:
            chat, reply_to = replying.chat, replying.id
        elif card is not None:
            chat, reply_to = self.sandbox.group, self.sandbox.thread_root(card)
        return Inline(self, query, chat, reply_to)

    # ----- plumbing ----------------------------------------------------------------------------
    def _media(self, kind: str | None, text: str):
        if kind is None:
            return None
        if kind not in files.KINDS:
            raise ValueError(f"unknown kind {kind!r}; one of {', '.join(files.KINDS)}")
        if text and kind not in files.CAPTIONED:
            raise ValueError(f"a {kind} has no caption")
        return files.media(self.world, kind)

    def _author(self, chat: Account | Channel, fields: dict) -> Any:
        """Who a message in ``chat`` is from: this person, or the chat they send it as."""
        anonymous = fields.pop("anonymous", False)
        as_chat = fields.pop("as_chat", None)
        if as_chat is not None:
            if anonymous:
                raise ValueError("anonymous= and as_chat= exclude each other")
            if not isinstance(chat, Channel) or chat.broadcast:
                raise ValueError("only messages in a group can be sent as a channel")
            member = as_chat.members.get(self.id)
            if member is None or member.role not in ("creator", "admin"):
                raise ValueError(f"{self.name} cannot send as {as_chat.title!r}: only its "
                                 "owner and administrators can")
            return as_chat
        if anonymous:
            member = chat.members.get(self.id) if isinstance(chat, Channel) else None
            if (member is None or member.role not in ("creator", "admin")
                    or not (member.rights or {}).get("anonymous")):
                raise ValueError(f"{self.name} cannot post anonymously here: only its "
                                 "administrators with the “Remain anonymous” right can")
        if anonymous and self.world.switches.anonymous_as_group:
            fields["post_author"] = self.account.first_name
            return chat
        return self.account

    def _write(self, chat: Account | Channel, **fields: Any) -> Seen:
        return self._write_many(chat, [fields])[0]

    def _write_many(self, chat: Account | Channel, items: list[dict]) -> list[Seen]:
        if self.account.deleted:
            raise ValueError(f"{self.name} deleted their account")
        if isinstance(chat, Account) and self.account.blocked:
            raise ValueError(f"{self.name} blocked the bot; unblock_bot() first")
        if isinstance(chat, Account):
            self.account.started = True
        total = ops.Outcome()
        made = []
        for fields in items:
            reply_to = fields.pop("reply_to", None)
            author = self._author(chat, fields)
            outcome = ops.create(
                self.world, chat, author, reply_to=getattr(reply_to, "id", reply_to), **fields
            )
            total.updates += outcome.updates
            total.pushes += outcome.pushes
            made.append(outcome.updates[0].message)
        self._push(chat, total)
        return [seen(self.world, chat, m) for m in made]

    def _push(
        self, chat: Account | Channel, outcome: ops.Outcome, messages: list | None = None
    ) -> None:
        world = self.world
        if isinstance(chat, Channel) and world.bot.id not in chat.members:
            return
        world.push(world.updates(outcome.updates, messages, users=(self.account,)))
        for updates in outcome.pushes:
            world.push(updates)

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
and ``sandbox.admin(...)`` (members/admins of the channel and its group), ``sandbox.owner``.

A person: ``start(param)``, ``send(text, entities=, reply_to=)``, ``send_photo/video/document/
voice/video_note/audio/sticker/animation(caption=)``, ``send_contact/location/venue``,
``send_album(kinds, captions)``, ``send_dice()``, ``reply(message, text)``,
``edit(message, text, media=)``,
``delete(message)``, ``press(message, button)`` → ``Press`` (``.answered``, ``.text``),
``block_bot()``, ``unblock_bot()``, ``delete_account()``; team members also
``comment(card, text, anonymous=)``, ``comment_album(card, kinds, captions)``,
``comment_via_bot(card, text)``, ``post(text)`` and
``inline(query, chat=, card=)`` → ``Inline`` (``.results`` once settled, ``.pick(result_id)``).
Reading: ``person.chat()`` (the private chat with the bot), ``sandbox.posts()``,
``sandbox.post(id)``, ``sandbox.thread(card)``, ``sandbox.menu(person, chat)``. Messages are
``Seen`` values (``text``, ``kind``, ``from_bot``, ``pinned``, ``edited``, ``reply_to``,
``top_id``, ...). Private-chat ids are the bot's.

The bot: ``sandbox.bot_client(name, workdir=...)`` (a SandboxClient; a ``workdir`` gives it a
session file, so a restart catches up), ``await sandbox.start_bot(factory)`` /
``stop_bot(bot)``, and ``process.BotProcess(sandbox.server, command, sandbox.env())`` for a bot
in its own process (``start()``, ``stop()``, ``kill()``). Knobs: ``sandbox.switches`` (every
UNCONFIRMED behaviour), ``sandbox.world.limits`` (rate limits), ``sandbox.world.faults.fail(
"messages.SendMessage", "USER_IS_BLOCKED", code=403, times=2)``, ``sandbox.clock.advance(s)``,
``sandbox.set_bot_role(chat, role)``; ``sandbox.server.calls`` lists the raw methods called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyrogram import raw

from . import files
from . import messages as ops
from .callbacks import Press, press
from .methods import document_media
from .views import Seen, entities_of, seen
from .world import Account, Channel, World

if TYPE_CHECKING:
    from .sandbox import Sandbox

T = raw.types


class Person:
    """A client or a team member, acting in the sandbox."""

    def __init__(self, sandbox: Sandbox, account: Account) -> None:
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

    def send_venue(self, lat: float, long: float, title: str, address: str) -> Seen:
        return self._write(self.account, media=files.venue(lat, long, title, address))

    def send_album(
        self, kinds: tuple[str, ...] = ("photo", "photo"), captions: tuple[str, ...] = ()
    ) -> list[Seen]:
        """Several photos/videos/documents sent together: one grouped_id, one push."""
        return self._album(self.account, kinds, captions)

    def _album(self, chat: Account | Channel, kinds: tuple[str, ...],
               captions: tuple[str, ...], reply_to: int | None = None) -> list[Seen]:
        grouped = self.world.random.getrandbits(62)
        medias = [
            files.photo(self.world) if k == "photo" else files.document(self.world, k)
            for k in kinds
        ]
        texts = list(captions) + [""] * (len(kinds) - len(captions))
        return self._write_many(
            chat,
            [
                dict(text=t, media=m, grouped_id=grouped, reply_to=reply_to)
                for t, m in zip(texts, medias, strict=True)
            ],
        )

    def send_dice(self, emoticon: str = "🎲") -> Seen:
        """A dice throw: a kind of message a bot cannot copy as its own."""
        value = self.world.random.randint(1, 6)
        return self._write(self.account, media=T.MessageMediaDice(value=value,
                                                                   emoticon=emoticon))

    def reply(self, message: Seen, text: str) -> Seen:
        """Reply to ``message`` in its chat (a private chat or inside a card's thread)."""
        if isinstance(message.chat, Channel):
            return self._write(message.chat, text=text, reply_to=message.id)
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

    def comment(self, card: Seen | int, text: str, *, anonymous: bool = False) -> Seen:
        """Comment in the card's thread: a reply to its automatic forward F in the group."""
        root = self.sandbox.thread_root(card)
        return self._write(self.sandbox.group, text=text, reply_to=root, anonymous=anonymous)

    def comment_album(self, card: Seen | int, kinds: tuple[str, ...] = ("photo", "photo"),
                      captions: tuple[str, ...] = ()) -> list[Seen]:
        """Several photos/videos/documents sent together as one comment in the card's thread."""
        return self._album(self.sandbox.group, kinds, captions,
                           reply_to=self.sandbox.thread_root(card))

    def comment_via_bot(self, card: Seen | int, text: str) -> Seen:
        """A comment in the card's thread sent through the bot's inline mode, as Telegram
        delivers it: from this person, with ``via_bot_id`` set to the bot."""
        root = self.sandbox.thread_root(card)
        return self._write(self.sandbox.group, text=text, reply_to=root,
                           via_bot_id=self.world.bot.id)

    def press(self, message: Seen, button: str) -> Press:
        """Press the inline keyboard button labelled ``button`` under ``message``."""
        return press(self, message, button)

    def inline(self, query: str, *, chat: Channel | None = None,
               card: Seen | int | None = None) -> Inline:
        """Type ``@bot query`` in ``chat`` (None: the private chat with the bot), or in the
        comment box of ``card``'s thread (the picked result then lands in that thread)."""
        reply_to = None
        if card is not None:
            chat, reply_to = self.sandbox.group, self.sandbox.thread_root(card)
        return Inline(self, query, chat, reply_to)

    # ----- plumbing ----------------------------------------------------------------------------
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
            anonymous = fields.pop("anonymous", False)
            author: Any = self.account
            if anonymous and self.world.switches.anonymous_as_group:
                author, fields["post_author"] = chat, self.account.first_name
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


@dataclass
class InlineResult:
    id: str
    type: str
    title: str | None
    text: str
    raw: Any


class Inline:
    """An inline query typed by a person; the bot answers it with SetInlineBotResults."""

    def __init__(self, person: Person, query: str, chat: Channel | None,
                 reply_to: int | None = None) -> None:
        world = person.world
        self.person, self.query, self.chat, self.reply_to = person, query, chat, reply_to
        self.query_id = world.random.getrandbits(63)
        if chat is None:
            peer_type = T.InlineQueryPeerTypeSameBotPM()
        elif chat.broadcast:
            peer_type = T.InlineQueryPeerTypeBroadcast()
        else:
            peer_type = T.InlineQueryPeerTypeMegagroup()
        from .inline_state import InlineQuery

        world.inline_queries[self.query_id] = InlineQuery(
            self.query_id, person.id, query, chat.id if chat else None
        )
        update = T.UpdateBotInlineQuery(
            query_id=self.query_id, user_id=person.id, query=query, offset="", peer_type=peer_type
        )
        world.push(world.updates([update], [], users=(person.account,)))

    @property
    def answered(self) -> bool:
        return self.person.world.inline_queries[self.query_id].answered

    @property
    def results(self) -> list[InlineResult]:
        state = self.person.world.inline_queries[self.query_id]
        return [
            InlineResult(r.id, r.type, r.title, r.send_message.message, r) for r in state.results
        ]

    def pick(self, result_id: str) -> Seen:
        """Choose a result: it becomes a message in the chat, sent ``via`` the bot."""
        world = self.person.world
        chosen = next(r for r in self.results if r.id == result_id).raw
        send = chosen.send_message
        media = None
        if isinstance(chosen, T.BotInlineMediaResult):
            if chosen.photo is not None:
                media = T.MessageMediaPhoto(photo=chosen.photo)
            else:
                media = document_media(chosen.document)
        target = self.chat if self.chat is not None else self.person.account
        message = self.person._write(
            target,
            text=send.message,
            entities=send.entities,
            media=media,
            via_bot_id=world.bot.id,
            reply_markup=send.reply_markup,
            reply_to=self.reply_to,
        )
        if world.switches.inline_feedback:
            update = T.UpdateBotInlineSend(user_id=self.person.id, query=self.query, id=result_id)
            world.push(world.updates([update], [], users=(self.person.account,)))
        return message

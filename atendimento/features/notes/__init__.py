"""Internal notes: `/n text` (`/nota`, `/note`), or a comment that starts with `//` (a text,
or a media's caption), stays in the thread and never reaches the client.

The bot answers under the note with a silent service line rather than a reaction: the
sandbox and the desk's Telegram port have no reactions, and a line tells every colleague who
reads the thread that the client never saw it. An edited note stays a note on its own: an
edit is mirrored only through the link its copy left (desk/edits.py), and a note has none.

`@username` in a note asks a colleague for help: a team member the desk knows (their row in
team_members: an admin, or a member who sent /start, recorded here when they do) who started
the bot gets a private notice with a link to the note, in their language. Whoever cannot be
told is named in the line under the note; mentioning oneself or the bot does nothing.

An album is one note when any of its items is: its items arrive one by one and the copy of
one carries them all, so the album is remembered (note_albums) and its later items kept too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from atendimento.desk.contract import TEAM, THREAD, Command, Feature, Job, ThreadCall
from atendimento.desk.core import Core
from atendimento.desk.outbox import Send, text_send
from atendimento.desk.team import MEMBER
from atendimento.domain.card import full_name
from atendimento.domain.events import Person, TeamEvent
from atendimento.domain.happenings import ClientStarted
from atendimento.domain.text import cut
from atendimento.features.notes.mentions import COMMANDS, MENTIONS_TOLD, mentioned, note_of
from atendimento.features.notes.wording import NoteWording
from atendimento.i18n import N_
from atendimento.storage import FeatureMigrations
from atendimento.storage import clients as client_rows
from atendimento.storage import links as link_rows
from atendimento.storage import notes as note_rows
from atendimento.storage import team as team_rows
from atendimento.storage.migrator import discover_package
from atendimento.storage.records import TeamMember, Thread

ALBUMS_KEPT = timedelta(days=1)  # an album's items arrive within seconds of each other
LINE_LIMIT = 4000  # a service line stays under Telegram's 4096


def migrations() -> FeatureMigrations:
    return FeatureMigrations("notes", discover_package(f"{__name__}.schema"))


class Notes:
    def __init__(self, core: Core) -> None:
        self.ctx = core.ctx
        self.threads = core.threads
        self.team = core.team
        self.words = NoteWording(core.ctx.wording, core.ctx.bot_username)

    async def command(self, call: ThreadCall) -> None:
        """/n text: the registry let only the team here."""
        if not call.arguments:
            await self.threads.line(call.thread, self.words.usage(), reply_to=call.here)
            return
        await self._note(call.thread, call.author, call.here, call.arguments)

    async def comment(self, event: TeamEvent, thread: Thread) -> bool:
        """A team comment that is no command: True (kept from the client) when it is a note,
        or an item of an album that is one."""
        incoming, run = event.message, self.ctx.storage.run
        # A saved reply picked in inline mode is meant for the client, unless it reads as a
        # note: one saved from a // comment stays a note, as when it was written.
        note = note_of(incoming, self.ctx.bot_username)
        # pyrogram hands the album's id over as a number, though typed as text
        album = str(incoming.media_group_id) if incoming.media_group_id else None
        remember: Callable[[Any], object] | None = None
        if album:
            if await run(note_rows.album_is_note, incoming.chat_id, album):
                return True
            if note is None:
                return False
            if await run(link_rows.list_media_group, album):
                # An earlier item's copy took the whole album, this caption with it.
                await self.threads.line(thread, self.words.album_already_sent(),
                                        reply_to=incoming.message_id)
                return True
            now, chat_id = self.ctx.now(), incoming.chat_id

            def remember_album(t: Any) -> None:
                note_rows.remember_album(t, chat_id, album, now)
            remember = remember_album
        if note is None:
            return False
        await self._note(thread, self._author(event), incoming.message_id, note, remember)
        return True

    def _author(self, event: TeamEvent) -> Person:
        if event.author is not None:
            return event.author
        words = self.ctx.wording  # an admin posting as the group or the channel
        return Person(event.sender_chat_id or 0,
                      words.tr.pgettext(words.team, "person", "anonymous"))

    async def _note(self, thread: Thread, author: Person, note_id: int, text: str,
                    change: Callable[[Any], object] | None = None) -> None:
        """The line under the note, and a notice to each colleague it asks for help, in one
        transaction (with `change`, when there is one)."""
        ctx = self.ctx
        told, lines = await self._mentions(author, mentioned(text))
        if told:
            lines.insert(0, self.words.told([full_name(m.first_name, m.last_name)
                                              for m in told]))
        sends: list[Send] = [self.threads.line_send(
            thread, cut("\n".join([self.words.kept(), *lines]), LINE_LIMIT), reply_to=note_id)]
        if told:
            client = await ctx.storage.run(client_rows.require, thread.client_id)
            link = ctx.comment_link(thread.card_message_id or 0, note_id)
            client_name = full_name(client.first_name, client.last_name)
            sends += [text_send(member.user_id, self.words.notice(
                author.name, client_name, text, link, ctx.wording.tr.locale_for(
                    member.language))) for member in told]
        await ctx.outbox.commit(sends, change)

    async def _mentions(self, author: Person,
                        usernames: list[str]) -> tuple[list[TeamMember], list[str]]:
        """The colleagues to tell, and a line for each one who cannot be told."""
        if not usernames:
            return [], []
        members = await self.ctx.storage.run(team_rows.list_members)
        # A username moves between accounts: the row refreshed last holds it now.
        by_name = {m.username.casefold(): m
                   for m in sorted(members, key=lambda m: m.updated_at) if m.username}
        ignored = {name.casefold() for name in (self.ctx.bot_username, author.username)
                   if name}
        told: list[TeamMember] = []
        lines: list[str] = []
        for username in usernames[:MENTIONS_TOLD]:
            member = by_name.get(username.casefold())
            if username.casefold() in ignored or (member and member.user_id == author.id):
                continue
            if member is None or not await self.team.is_member(member.user_id):
                lines.append(self.words.unknown(username))
            elif member.started_at is None:
                lines.append(self.words.not_started(username))
            elif member not in told:
                told.append(member)
        if len(usernames) > MENTIONS_TOLD:
            lines.append(self.words.too_many(MENTIONS_TOLD))
        return told, lines

    async def started(self, event: ClientStarted) -> None:
        """A member (not an admin: the notices feature records those) who sends /start can
        be told of notes from now on: Telegram lets a bot write only to who started it."""
        ctx, person = self.ctx, event.person
        if await self.team.status(person.id) != MEMBER:
            return
        now = ctx.now()

        def remember(t: Any) -> None:
            with t.atomic():
                team_rows.upsert(t, user_id=person.id, first_name=person.first_name,
                                 last_name=person.last_name, username=person.username,
                                 language=person.language_code, now=now)
                team_rows.mark_started(t, person.id, now=now)
        await ctx.storage.run(remember)

    async def forget_albums(self) -> None:
        await self.ctx.storage.run(note_rows.forget_albums, self.ctx.now() - ALBUMS_KEPT)


def feature(core: Core) -> Feature:
    notes = Notes(core)
    return Feature(
        "notes",
        commands=[Command(COMMANDS, THREAD, notes.command,
                          summary=N_("An internal note: the client never sees it"),
                          menus=(TEAM,))],
        comment=notes.comment,
        keeps_edit=lambda event: not event.via_bot and note_of(
            event.message, core.ctx.bot_username) is not None,
        listens={ClientStarted: notes.started},
        jobs=[Job("forget_albums", 24 * 3600, notes.forget_albums, at_start=True)],
        api=notes)

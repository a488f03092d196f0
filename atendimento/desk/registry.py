"""The one dispatch of commands and button presses, built from what the features declare.

Every command typed in a thread or a private chat, and every button pressed, comes here; who
sent it is checked against what the command or button allows before any feature code runs.
The command menus and the /ajuda text are built from the same declarations, so a command is
listed exactly where it can be used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from atendimento.desk.context import DeskContext
from atendimento.desk.contract import (
    ADMIN,
    ANYONE,
    PRIVATE,
    RELAY,
    THREAD,
    Buttons,
    Command,
    Elsewhere,
    Feature,
    Inline,
    Press,
    PrivateCall,
    ThreadCall,
)
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.language import language_of_person
from atendimento.desk.outbox import text_send
from atendimento.desk.team import Team
from atendimento.desk.threads import Threads
from atendimento.domain.events import ClientEvent, Person, TeamEvent
from atendimento.storage.records import Thread


class RegistryError(ValueError):
    """Two features declare the same command name or button prefix."""


class Registry:
    def __init__(self, ctx: DeskContext, team: Team, threads: Threads) -> None:
        self.ctx = ctx
        self.team = team
        self.threads = threads
        self.guard = GuardWording(ctx.wording.tr)
        self.install([])

    def install(self, features: Sequence[Feature]) -> None:
        """Build the dispatch from `features`, in their order (menus and /ajuda keep it)."""
        self.features = list(features)
        self._commands = {THREAD: self._index(THREAD), PRIVATE: self._index(PRIVATE)}
        self._buttons = self._button_index()
        self._claims = [f.claim for f in self.features if f.claim is not None]
        self._comment_claims = [f.comment for f in self.features if f.comment is not None]
        self._edit_keepers = [f.keeps_edit for f in self.features if f.keeps_edit is not None]
        inline = [f.inline for f in self.features if f.inline is not None]
        if len(inline) > 1:
            raise RegistryError("only one feature can answer the bot's inline mode")
        self.inline: Inline | None = inline[0] if inline else None
        elsewhere = [f.elsewhere for f in self.features if f.elsewhere is not None]
        if len(elsewhere) > 1:
            raise RegistryError("only one feature can follow the bot's other session")
        self.elsewhere: Elsewhere | None = elsewhere[0] if elsewhere else None

    def _index(self, where: str) -> dict[str, Command]:
        found: dict[str, Command] = {}
        for command in self.commands(where):
            for name in command.names:
                if name in found:
                    raise RegistryError(f"/{name} is declared twice in {where} commands")
                found[name] = command
        return found

    def _button_index(self) -> list[Buttons]:
        rules = [rule for f in self.features for rule in f.buttons]
        prefixes = [rule.prefix for rule in rules]
        for rule in rules:
            clash = [p for p in prefixes if p != rule.prefix and p.startswith(rule.prefix)]
            if prefixes.count(rule.prefix) > 1 or clash or not rule.prefix:
                raise RegistryError(f"button prefix {rule.prefix!r} is ambiguous")
        return rules

    def commands(self, where: str) -> Iterable[Command]:
        return (c for f in self.features for c in f.commands if c.where == where)

    def names(self, where: str) -> set[str]:
        """Every name and alias a command can be typed with in `where`."""
        return set(self._commands[where])

    # --- who may ----------------------------------------------------------------------------

    async def _may(self, allowed: str, user_id: int) -> bool:
        if allowed == ANYONE:
            return True
        if allowed == ADMIN:
            return await self.team.is_admin(user_id)
        return await self.team.is_member(user_id)

    async def _may_in_thread(self, allowed: str, event: TeamEvent) -> bool:
        if allowed == ANYONE:
            return True
        if event.author is None:  # the channel or the group posting as itself
            return await self.team.sender_is(event, admin=allowed == ADMIN)
        return await self._may(allowed, event.author.id)

    def _refusal_in_thread(self, allowed: str, name: str) -> str:
        if allowed == ADMIN:
            return self.ctx.wording.admins_only(name)
        return self.guard.members_only(self.ctx.wording.team)

    async def _refusal_in_private(self, allowed: str, person: Person, locale: str) -> str:
        """Said to someone outside the team (or the admins): in the language they chose."""
        chosen = await language_of_person(self.ctx, person)
        if allowed == ADMIN:
            return self.ctx.wording.team_only(chosen)
        return self.guard.members_only(chosen)

    # --- dispatch ---------------------------------------------------------------------------

    async def in_thread(self, event: TeamEvent, thread: Thread) -> None:
        """A command in a card's thread, from someone the team side already knows is the team."""
        typed = event.message.command or ""
        command = self._commands[THREAD].get(typed)
        here = event.message.message_id
        words = self.ctx.wording
        if command is None:
            text = (self.guard.private_only(typed, self.ctx.bot_username)
                    if typed in self._commands[PRIVATE] else words.unknown_command(typed))
            await self.threads.line(thread, text, reply_to=here)
            return
        if not await self._may_in_thread(command.allowed, event):
            await self.threads.line(thread, self._refusal_in_thread(command.allowed, typed),
                                    reply_to=here)
            return
        author = event.author or Person(event.sender_chat_id or 0, words.tr.pgettext(
            words.team, "person", "anonymous"))
        await command.run(ThreadCall(event, thread, author, typed,
                                     event.message.arguments.strip()))

    async def in_private(self, event: ClientEvent) -> bool:
        """A private message: a command, or claimed by a feature (True), or a client's
        message for the thread (False). A message sent through inline mode is never a
        command, whatever its first word."""
        incoming, person = event.message, event.client
        typed = incoming.command if incoming.fingerprint is None else None
        command = self._commands[PRIVATE].get(typed) if typed else None
        if command is not None and self.ctx.mode.parallel and not await self.team.is_member(
                person.id):
            command = None  # attached to another bot: its clients' commands are that bot's
        if command is not None:
            locale = self.ctx.wording.tr.locale_for(person.language_code)
            if await self._may(command.allowed, person.id):
                await command.run(PrivateCall(event, typed, incoming.arguments.strip(),
                                              locale))
                return True
            if command.outsiders == RELAY:
                return False  # means nothing to a client: their message, for the team
            text = await self._refusal_in_private(command.allowed, person, locale)
            await self.ctx.outbox.commit([text_send(person.id, text)])
            return True
        for claim in self._claims:
            if await claim(event):
                return True
        return False

    async def comment(self, event: TeamEvent, thread: Thread) -> bool:
        """A team's comment that is not a command: True when a feature kept it (a note)."""
        for claim in self._comment_claims:
            if await claim(event, thread):
                return True
        return False

    async def keeps_edit(self, event: TeamEvent) -> bool:
        """Whether an edited team comment now reads as a feature's own (a note)."""
        return any(keep(event) for keep in self._edit_keepers)

    async def press(self, user: Person, data: str, chat_id: int | None,
                    message_id: int | None) -> tuple[str, bool]:
        """A button: the short note shown to who pressed it, and whether it is an alert.
        Data that no button of ours carries, or a button pressed where it never sits, is
        "no longer valid"."""
        tr = self.ctx.wording.tr
        rule = next((r for r in self._buttons if data.startswith(r.prefix)), None)
        app_locale = tr.locale_for(user.language_code)
        if rule is None:  # whoever pressed it, in the language they chose
            return self.guard.button_invalid(await language_of_person(self.ctx, user)), True
        # A client's buttons answer in the language they chose; the team's in their app's.
        locale = (await language_of_person(self.ctx, user) if rule.allowed == ANYONE
                  else app_locale)
        if not await self._may(rule.allowed, user.id):
            if rule.allowed == ADMIN:
                return self.ctx.wording.admins_only(rule.name), True
            return self.guard.members_only(await language_of_person(self.ctx, user)), True
        if rule.own_chat and chat_id != user.id:
            return self.guard.button_invalid(locale), True
        return await rule.press(Press(user, data.removeprefix(rule.prefix), chat_id,
                                      message_id, locale))

    # --- inline mode ------------------------------------------------------------------------

    async def inline_query(self, user: Person, query: str, offset: str, answer) -> None:
        """Saved replies for the team, nothing for anyone else."""
        if self.inline is None or not await self.team.is_member(user.id):
            await answer([], "")
            return
        await self.inline.query(user, query, offset, answer)

    async def inline_chosen(self, user: Person, result_id: str) -> None:
        if self.inline is not None:
            await self.inline.chosen(user, result_id)

    async def arrived(self, user_id: int, fingerprint: str) -> int | None:
        """The saved reply a message sent through inline mode was picked from, if known."""
        return None if self.inline is None else await self.inline.arrived(user_id, fingerprint)

    # --- what people are shown --------------------------------------------------------------

    def menus(self, locale: str) -> dict[str, list[tuple[str, str]]]:
        """Menu scope → (command, its line in `locale`), in the features' order."""
        tr, lists = self.ctx.wording.tr, {}
        for command in (*self.commands(PRIVATE), *self.commands(THREAD)):
            for scope in command.menus:
                lists.setdefault(scope, []).append(
                    (command.names[0], tr._(locale, command.summary)))
        return lists

    def help(self, where: str, admin: bool, locale: str) -> str:
        """The commands someone of the team can type in `where`, one per line, with aliases."""
        tr = self.ctx.wording.tr
        lines = [tr._(locale, "Commands in the thread:") if where == THREAD
                 else tr._(locale, "Commands in this chat:")]
        for command in self.commands(where):
            if not command.summary or (command.allowed == ADMIN and not admin):
                continue
            aliases = " ".join(f"/{name}" for name in command.names)
            lines.append(f"{aliases} — {tr._(locale, command.summary)}")
        return "\n".join(lines)

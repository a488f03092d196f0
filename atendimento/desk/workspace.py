"""Saved replies as the team handles them: `/resposta` in a thread or in a private chat, the
`/respostas` list with its buttons, and a team member's private chat with the bot, which is a
workspace rather than a conversation (until they send /cliente to try the desk as a client).

Membership is checked on every use (briefly cached by `Notices`), so someone who leaves the
channel loses access within a minute at most, at once when Telegram tells the bot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from atendimento.desk.context import DeskContext
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.language import language_of_person
from atendimento.desk.notices import ADMIN, MEMBER, Notices
from atendimento.desk.outbox import text_send
from atendimento.desk.ports import Button, Undeliverable
from atendimento.desk.replies import FROM_FILE, GONE, NO_TITLE, NOT_SAVEABLE, ReplyBook, ReplyError
from atendimento.desk.reply_wording import LIST_BUTTON, ReplyWording
from atendimento.desk.threads import Threads
from atendimento.domain.events import ClientEvent, Person, TeamEvent
from atendimento.domain.ids import parse_ids
from atendimento.storage import settings as setting_rows
from atendimento.storage.records import Thread

log = logging.getLogger("atendimento.desk.workspace")

SAVE_COMMANDS = frozenset({"resposta", "salvar", "save"})
LIST_COMMANDS = frozenset({"respostas", "replies"})
CLIENT_MODE_COMMANDS = frozenset({"cliente", "client"})
TEAM_MODE_COMMANDS = frozenset({"equipe", "team"})
CANCEL_COMMANDS = frozenset({"cancelar", "cancel"})
PRIVATE_COMMANDS = (SAVE_COMMANDS | LIST_COMMANDS | CLIENT_MODE_COMMANDS | TEAM_MODE_COMMANDS
                    | CANCEL_COMMANDS)
PAGE_SIZE = 8
PROMPT_TTL = timedelta(minutes=10)
TITLE, KEYWORDS = "title", "keywords"
# The list's buttons: l(ist page), o(pen), d(elete?), y(es, delete), n(ame), k(eywords).
LIST_ACTIONS = frozenset("lodynk")


def client_mode_key(user_id: int) -> str:
    return f"private_as_client:{user_id}"


def hint_key(user_id: int) -> str:
    return f"workspace_hint:{user_id}"


@dataclass(frozen=True)
class Prompt:
    field: str
    reply_id: int
    asked_at: datetime


class Workspace:
    def __init__(self, ctx: DeskContext, book: ReplyBook, notices: Notices, threads: Threads,
                 words: ReplyWording) -> None:
        self.ctx = ctx
        self.book = book
        self.notices = notices
        self.threads = threads
        self.words = words
        self._prompts: dict[int, Prompt] = {}
        self.guard = GuardWording(ctx.wording.tr)

    async def is_team(self, user_id: int) -> bool:
        return await self.notices.status(user_id) in (ADMIN, MEMBER)

    def _locale(self, person: Person) -> str:
        return self.ctx.wording.tr.locale_for(person.language_code)

    async def _say(self, chat_id: int, text: str, buttons: list[list[Button]] | None = None,
                   reply_to: int | None = None) -> None:
        """An answer in a private chat: through the outbox, so it keeps its place among the
        other sends to that chat (a start text decided just before, say)."""
        await self.ctx.outbox.commit([text_send(chat_id, text, buttons=buttons or (),
                                                reply_to=reply_to)])

    # --- the private chat -------------------------------------------------------------------

    async def private(self, event: ClientEvent) -> bool:
        """Handle a private message if it is the team's business; False: treat it as a client's."""
        person, incoming = event.client, event.message
        command = incoming.command if incoming.fingerprint is None else None
        if command in PRIVATE_COMMANDS:
            if not await self.is_team(person.id):
                if command in SAVE_COMMANDS | LIST_COMMANDS:
                    language = await language_of_person(self.ctx, person)
                    await self._say(person.id, self.words.team_only(language))
                    return True
                return False  # /cliente and the like mean nothing to a client: relay them
            await self._command(command, event)
            return True
        if not await self.is_team(person.id):
            return False
        if await self.ctx.storage.run(setting_rows.get, client_mode_key(person.id), False):
            return False
        if incoming.fingerprint is not None:
            await self.book.arrived(person.id, incoming.fingerprint)
            return True
        if await self._answer_prompt(event):
            return True
        if not await self.ctx.storage.run(setting_rows.get, hint_key(person.id), False):
            await self._say(person.id, self.words.workspace_hint(self._locale(person)))
            await self.ctx.storage.run(setting_rows.put, hint_key(person.id), True,
                                       now=self.ctx.now())
        return True

    async def _command(self, command: str, event: ClientEvent) -> None:
        person, locale = event.client, self._locale(event.client)
        self._prompts.pop(person.id, None)
        if command in SAVE_COMMANDS:
            text = await self._save(person.id, event.message.reply_to_id,
                                    event.message.arguments, person.id, locale)
            await self._say(person.id, text, reply_to=event.message.message_id)
        elif command in LIST_COMMANDS:
            text, rows = self._page(0, locale)
            await self._say(person.id, text, rows)
        elif command in CANCEL_COMMANDS:
            await self._say(person.id, self.words.cancelled(locale))
        else:
            on = command in CLIENT_MODE_COMMANDS
            await self.ctx.storage.run(setting_rows.put, client_mode_key(person.id), on,
                                       now=self.ctx.now())
            await self._say(person.id, self.words.client_mode(on, locale))

    async def save_in_thread(self, event: TeamEvent, thread: Thread) -> None:
        """`/resposta keywords` answering a message in a card's thread."""
        author = event.author.id if event.author is not None else None
        if author is not None and not await self.is_team(author):
            await self.threads.line(thread, self.words.team_only(self.ctx.wording.team),
                                    reply_to=event.message.message_id)
            return
        reply_to = event.message.reply_to_id
        if reply_to == thread.thread_root_id:
            reply_to = None  # a plain comment answers the root: nothing was chosen
        text = await self._save(event.message.chat_id, reply_to, event.message.arguments,
                                author, None)
        await self.threads.line(thread, text, reply_to=event.message.message_id)

    async def _save(self, chat_id: int, message_id: int | None, argument: str,
                    author: int | None, locale: str | None) -> str:
        if message_id is None or not argument.strip():
            return self.words.save_usage(locale)
        try:
            content = await self.ctx.telegram.read(chat_id, message_id)
        except Undeliverable:
            return self.words.message_gone(locale)
        try:
            reply = await self.book.save(content, argument, author)
        except ReplyError as error:
            if error.reason == NOT_SAVEABLE:
                return self.words.not_saveable(content.kind, locale)
            if error.reason == NO_TITLE:
                return self.words.save_usage(locale)
            raise
        return self.words.saved(reply, locale)

    # --- the list -------------------------------------------------------------------------------

    def _page(self, page: int, locale: str) -> tuple[str, list[list[Button]]]:
        replies, pages = self.book.page(page, PAGE_SIZE)
        page = min(max(page, 0), pages - 1)
        return self.words.listing(replies, page, pages, locale)

    async def button(self, user: Person, data: str, chat_id: int | None,
                     message_id: int | None) -> tuple[str, bool]:
        """A button under the list: the short note shown to who pressed it, and whether it
        is an alert. Data no button of ours carries is "no longer valid"."""
        locale = self._locale(user)
        guard = self.guard
        if not await self.is_team(user.id):
            return self.words.team_only(locale), True
        if chat_id != user.id:  # the list lives in the presser's own chat; data under any
            return guard.button_invalid(locale), True  # other message is forged
        action, _, rest = data.removeprefix(LIST_BUTTON).partition(":")
        numbers = parse_ids(rest)
        if numbers is None or action not in LIST_ACTIONS or len(numbers) > 2:
            return guard.button_invalid(locale), True
        try:
            shown = await self._act(user, action, numbers, locale)
        except ReplyError as error:
            if error.reason == GONE:
                shown = self._page(0, locale)
            elif error.reason == FROM_FILE:
                return self.words.from_file(str(error.details.get("path")), locale), True
            else:
                raise
        if shown is not None and chat_id is not None and message_id is not None:
            text, rows = shown
            try:
                await self.ctx.telegram.edit_text(chat_id, message_id, text, buttons=rows)
            except Undeliverable as error:
                log.info("list not updated: %s", error)
        return "", False

    async def _act(self, user: Person, action: str, numbers: list[int],
                   locale: str) -> tuple[str, list[list[Button]]] | None:
        book, words = self.book, self.words
        if action == "l":
            return self._page(numbers[0], locale)
        reply = book.get(numbers[0])
        if reply is None:
            raise ReplyError(GONE)
        page = numbers[1] if len(numbers) > 1 else 0
        if action == "o":
            return words.detail(reply, page, locale)
        if action == "d":
            book.editable(reply.id)
            return words.confirm_delete(reply, page, locale)
        if action == "y":
            deleted = await book.delete(reply.id)
            text, rows = self._page(page, locale)
            return words.deleted(deleted, locale) + "\n\n" + text, rows
        if action in ("n", "k"):
            book.editable(reply.id)
            field = TITLE if action == "n" else KEYWORDS
            self._prompts[user.id] = Prompt(field, reply.id, self.ctx.now())
            ask = words.ask_title if field == TITLE else words.ask_keywords
            await self._say(user.id, ask(reply, locale))
        return None

    async def _answer_prompt(self, event: ClientEvent) -> bool:
        person, locale = event.client, self._locale(event.client)
        prompt = self._prompts.get(person.id)
        if prompt is None or self.ctx.now() - prompt.asked_at > PROMPT_TTL:
            return False
        if event.message.kind != "text":
            return False
        del self._prompts[person.id]
        try:
            if prompt.field == TITLE:
                reply = await self.book.rename(prompt.reply_id, event.message.text)
                text = self.words.renamed(reply, locale)
            else:
                reply = await self.book.set_keywords(prompt.reply_id, event.message.text)
                text = self.words.keywords_set(reply, locale)
        except ReplyError as error:
            text = (self.words.gone(locale) if error.reason == GONE
                    else self.words.cancelled(locale))
        await self._say(person.id, text)
        return True

"""Saved replies as the team handles them: `/resposta` in a thread or in a private chat, the
`/respostas` list with its buttons, and a team member's private chat with the bot, which is a
workspace rather than a conversation (until they send /cliente to try the desk as a client).

Membership is checked on every use (by the registry for commands and buttons, briefly cached
by `Team`), so someone who leaves the channel loses access within a minute at most, at once
when Telegram tells the bot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from atendimento.desk.context import DeskContext
from atendimento.desk.contract import Press, PrivateCall, ThreadCall
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.outbox import text_send
from atendimento.desk.ports import Button, Undeliverable
from atendimento.desk.team import Team
from atendimento.desk.threads import Threads
from atendimento.domain.events import ClientEvent, Person
from atendimento.domain.ids import parse_ids
from atendimento.features.replies.book import (
    FROM_FILE,
    GONE,
    NO_TITLE,
    NOT_SAVEABLE,
    ReplyBook,
    ReplyError,
)
from atendimento.features.replies.wording import ReplyWording
from atendimento.storage import settings as setting_rows

log = logging.getLogger("atendimento.features.replies")

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
    def __init__(self, ctx: DeskContext, book: ReplyBook, team: Team, threads: Threads,
                 words: ReplyWording) -> None:
        self.ctx = ctx
        self.book = book
        self.team = team
        self.threads = threads
        self.words = words
        self._prompts: dict[int, Prompt] = {}
        self.guard = GuardWording(ctx.wording.tr)

    def _locale(self, person: Person) -> str:
        return self.ctx.wording.tr.locale_for(person.language_code)

    async def _say(self, chat_id: int, text: str, buttons: list[list[Button]] | None = None,
                   reply_to: int | None = None) -> None:
        """An answer in a private chat: through the outbox, so it keeps its place among the
        other sends to that chat (a start text decided just before, say)."""
        await self.ctx.outbox.commit([text_send(chat_id, text, buttons=buttons or (),
                                                reply_to=reply_to)])

    # --- the private chat -------------------------------------------------------------------

    async def claim(self, event: ClientEvent) -> bool:
        """A team member's private message that is not a command is the workspace's (a
        message sent through inline mode, an answer to a prompt, else a hint of what the
        chat is for), unless they chose to try the desk as a client (/cliente)."""
        person, incoming = event.client, event.message
        if not await self.team.is_member(person.id):
            return False
        if await self.ctx.storage.run(setting_rows.get, client_mode_key(person.id), False):
            return False
        if incoming.fingerprint is not None:
            await self.book.arrived(person.id, incoming.fingerprint)
            return True
        if await self._answer_prompt(event):
            return True
        if incoming.command is not None:  # a typo, or a command of the thread
            await self._say(person.id, self.words.not_here(incoming.command,
                                                           self._locale(person)))
            return True
        if not await self.ctx.storage.run(setting_rows.get, hint_key(person.id), False):
            await self._say(person.id, self.words.workspace_hint(self._locale(person)))
            await self.ctx.storage.run(setting_rows.put, hint_key(person.id), True,
                                       now=self.ctx.now())
        return True

    async def save(self, call: PrivateCall) -> None:
        """`/resposta keywords` answering a message in the private chat."""
        person = call.person
        self._prompts.pop(person.id, None)
        text = await self._save(person.id, call.event.message.reply_to_id, call.arguments,
                                person.id, call.locale)
        await self._say(person.id, text, reply_to=call.event.message.message_id)

    async def listing(self, call: PrivateCall) -> None:
        self._prompts.pop(call.person.id, None)
        text, rows = self._page(0, call.locale)
        await self._say(call.person.id, text, rows)

    async def cancel(self, call: PrivateCall) -> None:
        self._prompts.pop(call.person.id, None)
        await self._say(call.person.id, self.words.cancelled(call.locale))

    async def client_mode(self, call: PrivateCall) -> None:
        await self._set_client_mode(call, True)

    async def team_mode(self, call: PrivateCall) -> None:
        await self._set_client_mode(call, False)

    async def _set_client_mode(self, call: PrivateCall, on: bool) -> None:
        person = call.person
        self._prompts.pop(person.id, None)
        await self.ctx.storage.run(setting_rows.put, client_mode_key(person.id), on,
                                   now=self.ctx.now())
        await self._say(person.id, self.words.client_mode(on, call.locale))

    async def save_in_thread(self, call: ThreadCall) -> None:
        """`/resposta keywords` answering a message in a card's thread."""
        event, thread = call.event, call.thread
        author = event.author.id if event.author is not None else None
        reply_to = event.message.reply_to_id
        if reply_to == thread.thread_root_id:
            reply_to = None  # a plain comment answers the root: nothing was chosen
        text = await self._save(event.message.chat_id, reply_to, call.arguments, author, None)
        await self.threads.line(thread, text, reply_to=call.here)

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
        said = [self.words.saved(reply, locale)]
        if content.album:
            said.append(self.words.album_item(locale))
        if same := self.book.same_title(reply):
            said.append(self.words.same_title(same, locale))
        return "\n\n".join(said)

    # --- the list -------------------------------------------------------------------------------

    def _page(self, page: int, locale: str) -> tuple[str, list[list[Button]]]:
        replies, pages = self.book.page(page, PAGE_SIZE)
        page = min(max(page, 0), pages - 1)
        return self.words.listing(replies, page, pages, locale)

    async def button(self, press: Press) -> tuple[str, bool]:
        """A button under the list (the registry has checked it is the presser's own chat
        and that they are the team): the short note shown to who pressed it, and whether it
        is an alert. Data no button of ours carries is "no longer valid"."""
        user, locale, guard = press.user, press.locale, self.guard
        chat_id, message_id = press.chat_id, press.message_id
        action, _, rest = press.data.partition(":")
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
        if prompt is None or event.message.command is not None:
            return False
        if self.ctx.now() - prompt.asked_at > PROMPT_TTL:
            del self._prompts[person.id]  # said once, then forgotten
            await self._say(person.id, self.words.prompt_expired(locale))
            return True
        if event.message.kind != "text":
            await self._say(person.id, self.words.text_wanted(locale))
            return True
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

"""/novo: a team member opens (or reopens) a client's thread from their private chat with the
bot, and may send the client a first message as the bot.

Telegram does not let a bot write first to someone who never started it (telegram.md §1), so
only people the desk has seen are reachable: by their id or their @username as the desk last
saw it. Everyone else gets a link to the bot to send them instead.
"""

from __future__ import annotations

import logging

from atendimento.desk.contract import ADMINS, PRIVATE, Command, Feature, PrivateCall
from atendimento.desk.core import Core
from atendimento.desk.outbox import text_send
from atendimento.desk.ports import Undeliverable
from atendimento.desk.threads import Opened, ThreadUnavailable
from atendimento.domain.events import Person
from atendimento.domain.ids import parse_id
from atendimento.domain.text import first_word, quote
from atendimento.i18n import N_
from atendimento.storage import clients as client_rows
from atendimento.storage.records import Client

log = logging.getLogger("atendimento.features.outreach")

NAME_LIMIT = 64
USERNAME_LIMIT = 32  # Telegram usernames have 5 to 32 characters


def _looks_like_someone(target: str) -> bool:
    """A user id, or an @username as Telegram allows them (letters, digits, _)."""
    if target.startswith("@"):
        name = target[1:]
        return (0 < len(name) <= USERNAME_LIMIT and name.isascii()
                and all(c.isalnum() or c == "_" for c in name))
    return parse_id(target) is not None


def _name(client: Client) -> str:
    return " ".join(p for p in (client.first_name, client.last_name) if p) or str(client.user_id)


class Outreach:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.ctx = core.ctx

    async def command(self, call: PrivateCall) -> None:
        operator, locale = call.person, call.locale
        target, text = first_word(call.arguments)  # the message may start on the next line
        if not target:
            await self._say(operator, self._usage(locale))
            return
        if not _looks_like_someone(target):
            await self._say(operator, self._usage(locale))
            return
        client = await self._find(target)
        if client is None:
            await self._say(operator, self._never_started(target, locale))
            return
        refusal = self._refusal(client, operator, locale)
        if refusal:
            await self._say(operator, refusal)
            return
        answer = await self.core.in_client_lane(
            client.user_id, lambda: self._open(client, operator, text, locale))
        await self._say(operator, answer)

    async def _find(self, target: str) -> Client | None:
        run = self.ctx.storage.run
        if target.startswith("@"):
            return await run(client_rows.find_by_username, target[1:])
        number = parse_id(target)
        return None if number is None else await run(client_rows.get, number)

    def _refusal(self, client: Client, operator: Person, locale: str) -> str | None:
        tr, name = self.ctx.wording.tr, quote(_name(client), NAME_LIMIT)
        if client.user_id == operator.id:
            return tr._(locale, "That is you: /novo opens the thread of a client.")
        if client.user_id == self.ctx.bot_id:
            return tr._(locale, "That is the bot itself.")
        if client.banned:
            return tr._(locale, "{name} is banned: send /desbanir in their thread first.",
                        name=name)
        if client.blocked_bot:
            return tr._(locale, "{name} has blocked the bot: Telegram delivers nothing to "
                        "them until they unblock it.", name=name)
        return None

    async def _open(self, client: Client, operator: Person, text: str, locale: str) -> str:
        """In the client's lane: the thread opened (or found open), the message sent."""
        tr, threads, name = self.ctx.wording.tr, self.core.threads, quote(_name(client),
                                                                          NAME_LIMIT)
        try:
            opened, _ = await threads.ensure_open(client)
        except (Undeliverable, ThreadUnavailable) as error:
            log.warning("/novo by %s: thread of %s not opened: %s", operator.id,
                        client.user_id, error)
            return tr._(locale, "The thread of {name} could not be opened: {reason}. "
                        "“atendimento check” says which right the bot is missing.",
                        name=name, reason=str(error)[:200])
        link = self.ctx.comment_link(opened.thread.card_message_id)
        if not text:
            return tr._(locale, "Thread of {name}: {link}", name=name, link=link)
        sent = await self._send(client, opened, operator, text)
        if sent is None:
            return tr._(locale, "Thread of {name}: {link}\nThe message was not delivered: the "
                        "thread says why.", name=name, link=link)
        return tr._(locale, "Sent to {name}. Thread: {link}", name=name,
                    link=self.ctx.comment_link(opened.thread.card_message_id, sent))

    async def _send(self, client: Client, opened: Opened, operator: Person,
                    text: str) -> int | None:
        """The message to the client as the bot, then in the thread as the team's; the
        thread line's id, or None when Telegram refused the send (the thread says why)."""
        line = self.ctx.wording.tr._(self.ctx.wording.team,
                                     "✉️ {name} wrote to the client (/novo):",
                                     name=quote(operator.name, NAME_LIMIT))
        written = await self.core.write(client, opened, text, line, operator.id, via="novo")
        return None if written is None else written[1]

    def _usage(self, locale: str) -> str:
        return self.ctx.wording.tr._(
            locale, "Use /novo with the client's id or @username, and optionally a first "
            "message: /novo 123456789 Hello!")

    def _never_started(self, target: str, locale: str) -> str:
        link = "https://t.me/" + self.ctx.bot_username
        return self.ctx.wording.tr._(
            locale, "{who} has never written to the bot, and Telegram does not let a bot "
            "write first. Send them this link to start: {link}",
            who=quote(target, USERNAME_LIMIT + 1), link=link)

    async def _say(self, person: Person, text: str) -> None:
        await self.ctx.outbox.commit([text_send(person.id, text)])


def feature(core: Core) -> Feature:
    outreach = Outreach(core)
    return Feature("outreach", commands=[
        Command(("novo", "new"), PRIVATE, outreach.command,
                summary=N_("Open a client's thread and write to them first"), menus=(ADMINS,)),
    ])

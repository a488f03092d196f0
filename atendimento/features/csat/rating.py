"""A press of a rating button: checked, kept once, told to the thread; a low one reopens the
atendimento and tells the admins who asked for notices.

Checked before anything changes: the data names a question the desk asked, the presser is
that atendimento's client (the registry already refused presses outside the presser's own
chat), it sits under that question's message, it is the first answer and it comes within
`VALID_FOR` of the end. The rating, the thread's line, the admins' notices and the event that
reopens are one transaction; the reopening runs as that event's listener, so a crash between
the rating and the reopening only delays the reopening to the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from atendimento.desk.context import DeskContext
from atendimento.desk.contract import Press
from atendimento.desk.core import Core
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.language import language_of
from atendimento.desk.outbox import Send
from atendimento.desk.ports import Undeliverable
from atendimento.desk.threads import Opened, ThreadUnavailable
from atendimento.domain.happenings import AtendimentoOpened, CsatReceived
from atendimento.domain.ids import parse_id
from atendimento.features.csat.comments import Windows
from atendimento.features.csat.wording import CsatWording
from atendimento.storage import clients as client_rows
from atendimento.storage import csat as csat_rows
from atendimento.storage import team as team_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import Atendimento, Client, Thread

log = logging.getLogger("atendimento.features.csat")

VALID_FOR = timedelta(days=7)
# How long the client's next message may be their comment. A day: they can come back to the
# chat later the same day, and a message about a new matter a day later is not swallowed.
COMMENT_WINDOW = timedelta(hours=24)
NOTICE = "csat_notice"  # the admins' notice, worded when sent (with the rating line's link)


@dataclass(frozen=True)
class CsatReopen:
    """A rating below CSAT_REOPEN_BELOW was kept: the client's thread opens again."""

    client_id: int
    thread_id: int
    atendimento_id: int
    rating: int


@dataclass(frozen=True)
class _Seen:
    row: csat_rows.Rating
    atendimento: Atendimento
    thread: Thread
    client: Client
    current: Atendimento | None  # the thread's open atendimento, if the client wrote again


def parse(data: str) -> tuple[int, int] | None:
    """(atendimento id, rating) from "<id>:<1-5>", or None for anything else."""
    number, _, value = data.partition(":")
    atendimento_id = parse_id(number)
    if atendimento_id is None or len(value) != 1 or value not in "12345":
        return None
    return atendimento_id, int(value)


def _name(client: Client) -> str:
    return " ".join(p for p in (client.first_name, client.last_name) if p) or str(client.user_id)


class Rating:
    def __init__(self, core: Core, settings: Mapping[str, Any], words: CsatWording,
                 windows: Windows) -> None:
        self.core = core
        self.windows = windows
        self.ctx: DeskContext = core.ctx
        self.words = words
        self.guard = GuardWording(core.ctx.wording.tr)
        self.reopen_below = int(settings.get("csat_reopen_below", 3))
        core.ctx.outbox.register(NOTICE, self._notice)

    async def press(self, press: Press) -> tuple[str, bool]:
        parsed = parse(press.data)
        found = None if parsed is None else await self.ctx.storage.run(csat_rows.get,
                                                                      parsed[0])
        if parsed is None or found is None:
            return self.guard.button_invalid(press.locale), True
        if found.client_id != press.user.id:
            return self.words.not_yours(press.locale), True
        if found.message_id is not None and press.message_id != found.message_id:
            return self.guard.button_invalid(press.locale), True  # data moved under another
        return await self.core.in_client_lane(
            found.client_id, lambda: self._rate(found.atendimento_id, parsed[1], press))

    async def _rate(self, atendimento_id: int, rating: int, press: Press) -> tuple[str, bool]:
        """In the client's lane: decided on what the database says now."""
        ctx, locale, now = self.ctx, press.locale, self.ctx.now()
        seen = await ctx.storage.run(self._read, atendimento_id)
        if seen.client.banned:
            return self.guard.button_invalid(locale), True
        if seen.row.rating is not None:
            return self.words.already_rated(locale, seen.row.rating), True
        if now - (seen.atendimento.ended_at or seen.row.asked_at) > VALID_FOR:
            return self.words.expired(locale, VALID_FOR.days), True
        # A client already talking to the team (they wrote again after the end) gets no
        # comment window: what they send next belongs to that conversation. A low rating
        # reopens, or, when open already, only tells the admins.
        talking = seen.current is not None
        low = rating < self.reopen_below
        reopen = low and not talking
        cause = ctx.outbox.cause_name()
        line = self.core.threads.line_send(
            seen.thread, self.words.rated_line(seen.atendimento.number, rating, low, reopen))

        if not talking:
            self.windows.opening(seen.client.user_id)  # before the window can exist

        def keep(t: Any) -> list[int] | None:
            until = None if talking else now + COMMENT_WINDOW
            if not csat_rows.rate(t, atendimento_id, seen.client.user_id, rating, now=now,
                                  comment_until=until):
                return None
            return [a.user_id for a in team_rows.list_admins_to_notify(t)] if low else []

        def sends(admins: list[int] | None) -> list[Send]:
            if admins is None:
                return []
            payload = {"client": _name(seen.client), "number": seen.atendimento.number,
                       "rating": rating, "post": seen.thread.card_message_id,
                       "after": ctx.outbox.key_in(cause, line)}
            reopening = self.core.events.sends(CsatReopen(
                seen.client.user_id, seen.thread.id, atendimento_id, rating)) if reopen else []
            received = self.core.events.sends(CsatReceived(
                seen.client.user_id, atendimento_id, seen.atendimento.number, rating))
            return [line, *(Send(admin, NOTICE, payload) for admin in admins), *reopening,
                    *received]

        admins, _ = await ctx.outbox.commit(sends, keep, cause=cause)
        if admins is None:  # answered meanwhile
            stored = await ctx.storage.run(csat_rows.get, atendimento_id)
            return self.words.already_rated(locale, stored.rating if stored else rating), True
        await self._thank(press, seen.client, rating, low, invite=not talking)
        return self.words.rated_note(locale, rating), False

    @staticmethod
    def _read(t: Any, atendimento_id: int) -> _Seen:
        row = csat_rows.get(t, atendimento_id)
        assert row is not None, "rows are never deleted"
        atendimento = thread_rows.require_atendimento(t, atendimento_id)
        thread = thread_rows.require(t, atendimento.thread_id)
        return _Seen(row, atendimento, thread, client_rows.require(t, row.client_id),
                     thread_rows.current_atendimento(t, thread.id))

    async def _thank(self, press: Press, client: Client, rating: int, low: bool, *,
                     invite: bool) -> None:
        """The question becomes the thanks, without its buttons."""
        if press.chat_id is None or press.message_id is None:
            return
        text = "✅ " + self.words.thanked(language_of(self.ctx, client), rating, low,
                                         invite=invite)
        try:
            await self.ctx.telegram.edit_text(press.chat_id, press.message_id, text)
        except Undeliverable as error:  # deleted by the client meanwhile: the rating stands
            log.info("rating question not updated: %s", error)

    # --- reopening --------------------------------------------------------------------------

    async def reopen(self, event: CsatReopen) -> None:
        """The listener of CsatReopen, in the client's lane: the thread opens again (nothing
        happens when the client already opened it by writing). Other features hear of it as
        of any resumed atendimento, without the notice to the admins, who got the rating's."""
        client = await self.ctx.storage.run(client_rows.require, event.client_id)
        if client.banned:
            return
        try:
            await self.core.threads.ensure_open(client, lambda opened: self._opened(client,
                                                                                    opened))
        except (Undeliverable, ThreadUnavailable) as error:
            log.warning("thread of client %s not reopened after a rating of %s: %s",
                        client.user_id, event.rating, error)

    def _opened(self, client: Client, opened: Opened) -> list[Send]:
        if opened.change is None:
            return []
        a = opened.atendimento
        return self.core.events.sends(AtendimentoOpened(
            client.user_id, opened.thread.id, a.id, a.number, True, _name(client), a.origin,
            opened.thread.card_message_id, "", None, ()))

    async def _notice(self, item: Any) -> list[Any]:
        """An admin's notice of a low rating; the link opens the rating's line in the thread
        once that line is sent."""
        ctx, p = self.ctx, item.payload
        line = await ctx.outbox.after(p["after"])
        admin = await ctx.storage.run(team_rows.get, item.chat_id)
        locale = ctx.wording.tr.locale_for(admin.language if admin else None)
        link = ctx.comment_link(p["post"], line.message_id if line else None)
        text = self.words.low_rating_notice(locale, p["client"], p["number"], p["rating"], link)
        return [await ctx.telegram.send_text(item.chat_id, text, random_id=item.random_id)]

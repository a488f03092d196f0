"""The team: who is a member or an admin (checked with Telegram, cached briefly), and the
private notices admins get when a thread is created or resumed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from atendimento.desk.context import DeskContext
from atendimento.desk.outbox import Send
from atendimento.desk.ports import Undeliverable
from atendimento.domain.events import Person
from atendimento.domain.text import quote
from atendimento.storage import team as team_rows
from atendimento.storage.records import Client

if TYPE_CHECKING:
    from atendimento.desk.threads import Opened

log = logging.getLogger("atendimento.desk.team")

MEMBERSHIP_TTL = timedelta(seconds=60)
NOTICE = "notice"
ADMIN, MEMBER, NONE, UNKNOWN = "admin", "member", "none", "unknown"


class Notices:
    def __init__(self, ctx: DeskContext, ttl: timedelta = MEMBERSHIP_TTL) -> None:
        self.ctx = ctx
        self.ttl = ttl
        self._status: dict[int, tuple[str, datetime]] = {}
        ctx.outbox.register(NOTICE, self._notice)

    async def status(self, user_id: int) -> str:
        """ADMIN, MEMBER, NONE or UNKNOWN in the team channel; answers are kept for a minute."""
        now = self.ctx.now()
        cached = self._status.get(user_id)
        if cached is not None and now - cached[1] < self.ttl:
            return cached[0]
        status = await self.ctx.telegram.member_status(self.ctx.channel_id, user_id)
        if status != UNKNOWN:
            self._status[user_id] = (status, now)
        return status

    def forget(self, user_id: int | None = None) -> None:
        """Drop cached answers (one user's, or all) after Telegram says membership changed."""
        if user_id is None:
            self._status.clear()
        else:
            self._status.pop(user_id, None)

    async def refresh_admins(self) -> list[Person]:
        """Bring the stored admin list in line with the channel's administrators."""
        ctx, run = self.ctx, self.ctx.storage.run
        try:
            admins = await ctx.telegram.admins(ctx.channel_id)
        except Undeliverable as error:
            log.error("cannot list the channel's administrators: %s", error)
            return []
        current = {a.id for a in admins}
        for member in await run(team_rows.list_admins):
            if member.user_id not in current:
                await run(team_rows.set_admin, member.user_id, False, now=ctx.now())
        for admin in admins:
            known = await run(team_rows.get, admin.id)
            await run(team_rows.upsert, user_id=admin.id, first_name=admin.first_name,
                      last_name=admin.last_name, username=admin.username,
                      language=known.language if known else None, is_admin=True,
                      now=ctx.now())
        self.forget()
        return admins

    async def admin_started(self, person: Person) -> None:
        """An admin who sends /start to the bot starts getting notices (until they opt out)."""
        run, ctx = self.ctx.storage.run, self.ctx
        if await self.status(person.id) != ADMIN:
            return
        await run(team_rows.upsert, user_id=person.id, first_name=person.first_name,
                  last_name=person.last_name, username=person.username,
                  language=person.language_code, is_admin=True, now=ctx.now())
        if await run(team_rows.mark_started, person.id, now=ctx.now()):
            await run(team_rows.set_notifications, person.id, True, now=ctx.now())

    async def set_notifications(self, person: Person, enabled: bool) -> None:
        run, ctx = self.ctx.storage.run, self.ctx
        await run(team_rows.upsert, user_id=person.id, first_name=person.first_name,
                  last_name=person.last_name, username=person.username,
                  language=person.language_code, is_admin=True, now=ctx.now())
        await run(team_rows.set_notifications, person.id, enabled, now=ctx.now())

    def opened_sends(self, client: Client, opened: Opened, preview: str,
                     comment_key: str | None) -> list[Send]:
        """A notice for every admin who asked for one that a thread was created or resumed;
        the link opens the comment sent with row `comment_key` once it is known."""
        if opened.change is None:
            return []
        name = " ".join(p for p in (client.first_name, client.last_name) if p)
        payload = {"resumed": opened.change == "resumed", "client": name,
                   "origin": opened.atendimento.origin, "preview": quote(preview, 120),
                   "post": opened.thread.card_message_id, "after": comment_key}
        return [Send(admin, NOTICE, payload) for admin in opened.notify]

    async def _notice(self, item: Any) -> list[Any]:
        ctx, p = self.ctx, item.payload
        comment = await ctx.outbox.after(p["after"]) if p.get("after") else None
        admin = await ctx.storage.run(team_rows.get, item.chat_id)
        locale = ctx.wording.tr.locale_for(admin.language if admin else None)
        text = ctx.wording.notice(
            resumed=p["resumed"], client=p["client"], origin=p["origin"],
            preview=p["preview"], link=ctx.comment_link(p["post"], comment and
                                                        comment.message_id),
            locale=locale)
        return [await ctx.telegram.send_text(item.chat_id, text, random_id=item.random_id)]

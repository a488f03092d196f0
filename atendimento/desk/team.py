"""The team: who is a member or an administrator of the channel (asked of Telegram, kept
for a minute), and the stored list of administrators."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from atendimento.desk.context import DeskContext
from atendimento.desk.ports import Undeliverable
from atendimento.domain.events import Person, TeamEvent
from atendimento.storage import team as team_rows

log = logging.getLogger("atendimento.desk.team")

MEMBERSHIP_TTL = timedelta(seconds=60)
ADMIN, MEMBER, NONE, UNKNOWN = "admin", "member", "none", "unknown"


class Team:
    def __init__(self, ctx: DeskContext, ttl: timedelta = MEMBERSHIP_TTL) -> None:
        self.ctx = ctx
        self.ttl = ttl
        self._status: dict[int, tuple[str, datetime]] = {}

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

    async def is_member(self, user_id: int) -> bool:
        """A member or an administrator of the channel."""
        return await self.status(user_id) in (ADMIN, MEMBER)

    async def is_admin(self, user_id: int) -> bool:
        return await self.status(user_id) == ADMIN

    async def comment_by_admin(self, event: TeamEvent) -> bool:
        """Whether a comment's author is an administrator; only an admin can post as the
        group or as the channel."""
        if event.author is None:
            return event.sender_chat_id in (self.ctx.group_id, self.ctx.channel_id)
        return await self.is_admin(event.author.id)

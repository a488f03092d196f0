"""The team: who is a member or an administrator of the channel (asked of Telegram, kept
for a minute), and the stored list of administrators.

A comment posted as the discussion group itself is an anonymous admin of the group, and the
group's admins need not be the channel's: such a comment counts as the team's only when every
admin of the group who may post anonymously is a member of the channel, and as an admin's
when every one of them is an admin of the channel."""

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
        self._anonymous: tuple[list[int], datetime] | None = None

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
            self._anonymous = None
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

    async def group_status(self) -> str:
        """What a comment posted as the discussion group counts as: ADMIN or MEMBER when
        every admin of the group who may post so is one in the channel (the lesser of
        them), NONE when one is not (or none may), UNKNOWN when Telegram could not say."""
        ctx, now = self.ctx, self.ctx.now()
        if self._anonymous is None or now - self._anonymous[1] >= self.ttl:
            try:
                self._anonymous = (await ctx.telegram.anonymous_admins(ctx.group_id), now)
            except Undeliverable as error:
                log.warning("cannot list the group's anonymous administrators: %s", error)
                return UNKNOWN
        posters = self._anonymous[0]
        if not posters:
            return NONE
        statuses = {await self.status(user_id) for user_id in posters}
        for status in (UNKNOWN, NONE, MEMBER):
            if status in statuses:
                return status
        return ADMIN

    async def sender_status(self, event: TeamEvent) -> str:
        """ADMIN, MEMBER, NONE or UNKNOWN for a comment's sender: its author, or the chat it
        was posted as (the channel: only its admins can; the group: `group_status`)."""
        if event.author is not None:
            return await self.status(event.author.id)
        if event.sender_chat_id == self.ctx.channel_id:
            return ADMIN
        if event.sender_chat_id == self.ctx.group_id:
            return await self.group_status()
        return NONE

    async def sender_is(self, event: TeamEvent, *, admin: bool) -> bool:
        """Whether a comment's sender is an administrator of the channel (`admin`), or at
        least a member of it."""
        status = await self.sender_status(event)
        return status == ADMIN or (status == MEMBER and not admin)

    async def comment_by_admin(self, event: TeamEvent) -> bool:
        return await self.sender_is(event, admin=True)

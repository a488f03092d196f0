"""/ban and /desbanir: an administrator blocks a client (their messages stop reaching the team;
they hear once that they are blocked, in the self-hoster's words) and lets them back.

The smallest feature, and so the worked example of the contract (desk/contract.py): one class
with the behaviour, and `feature(core)` declaring two thread commands that only
administrators may run. The registry checks that before `ban` or `unban` is called.
"""

from __future__ import annotations

from atendimento.desk.contract import ADMIN, TEAM, THREAD, Command, Feature, ThreadCall
from atendimento.desk.core import Core
from atendimento.domain.happenings import ClientBanned
from atendimento.domain.text import cut, storable
from atendimento.i18n import N_
from atendimento.storage import clients as client_rows

REASON_LIMIT = 1000  # kept with the ban; longer reasons are cut


class Bans:
    def __init__(self, core: Core) -> None:
        self.ctx = core.ctx
        self.threads = core.threads
        self.events = core.events

    async def ban(self, call: ThreadCall) -> None:
        ctx, threads, thread, by = self.ctx, self.threads, call.thread, call.author
        reason = storable(cut(call.arguments, REASON_LIMIT, unit="chars"))
        client = await ctx.storage.run(client_rows.require, thread.client_id)
        if client.banned:
            await threads.line(thread, ctx.wording.already_banned())
            return
        now, name = ctx.now(), " ".join(p for p in (client.first_name, client.last_name) if p)
        # Ended silently (a banned client gets no end text); the card is redrawn as banned.
        await threads.end(
            thread, by,
            lambda ended: [threads.redraw(thread),
                           threads.line_send(thread, ctx.wording.banned(name, by.name, reason)),
                           *self.events.sends(ClientBanned(client.user_id, True, by.id))],
            before=lambda t: client_rows.ban(t, client.user_id, reason=reason or None, now=now),
            banned=True)

    async def unban(self, call: ThreadCall) -> None:
        ctx, threads, thread = self.ctx, self.threads, call.thread
        client = await ctx.storage.run(client_rows.require, thread.client_id)
        if not client.banned:
            await threads.line(thread, ctx.wording.not_banned())
            return
        now, name = ctx.now(), " ".join(p for p in (client.first_name, client.last_name) if p)
        await ctx.outbox.commit(
            [threads.redraw(thread),
             threads.line_send(thread, ctx.wording.unbanned(name, call.author.name)),
             *self.events.sends(ClientBanned(client.user_id, False, call.author.id))],
            lambda t: client_rows.unban(t, client.user_id, now=now))


def feature(core: Core) -> Feature:
    bans = Bans(core)
    return Feature("bans", commands=[
        Command(("ban", "banir"), THREAD, bans.ban, allowed=ADMIN,
                summary=N_("Ban the client (admins)"), menus=(TEAM,)),
        Command(("desbanir", "unban"), THREAD, bans.unban, allowed=ADMIN,
                summary=N_("Unban the client (admins)"), menus=(TEAM,)),
    ])

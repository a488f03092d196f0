"""Admins' notices: a private message, with a link, when a client's thread is created or
resumed. An admin starts getting them by sending /start to the bot (Telegram lets a bot write
only to who started it) and turns them off and on with /notificacoes."""

from __future__ import annotations

from typing import Any

from atendimento.desk.contract import ADMIN, ADMINS, PRIVATE, Command, Feature, PrivateCall
from atendimento.desk.core import Core
from atendimento.desk.outbox import Send, text_send
from atendimento.domain.events import Person
from atendimento.domain.happenings import AtendimentoOpened, ClientStarted
from atendimento.domain.text import quote
from atendimento.i18n import N_
from atendimento.storage import team as team_rows

NOTICE = "notice"
ON_WORDS = frozenset({"on", "sim", "ligar", "ligado", "yes", "si", "sí", "1"})
OFF_WORDS = frozenset({"off", "nao", "não", "desligar", "desligado", "no", "0"})
PREVIEW_LIMIT = 120


class Notices:
    def __init__(self, core: Core) -> None:
        self.ctx = core.ctx
        self.team = core.team
        core.ctx.outbox.register(NOTICE, self._notice)

    async def started(self, event: ClientStarted) -> None:
        """An admin who sends /start to the bot starts getting notices (until they opt out)."""
        run, ctx, person = self.ctx.storage.run, self.ctx, event.person
        if not await self.team.is_admin(person.id):
            return
        await self._remember(person)
        if await run(team_rows.mark_started, person.id, now=ctx.now()):
            await run(team_rows.set_notifications, person.id, True, now=ctx.now())

    async def _remember(self, person: Person) -> None:
        await self.ctx.storage.run(
            team_rows.upsert, user_id=person.id, first_name=person.first_name,
            last_name=person.last_name, username=person.username,
            language=person.language_code, is_admin=True, now=self.ctx.now())

    async def command(self, call: PrivateCall) -> None:
        """/notificacoes on|off (the registry let only admins here)."""
        words, person = self.ctx.wording, call.person
        argument = call.arguments.casefold()
        if argument in ON_WORDS or argument in OFF_WORDS:
            enabled = argument in ON_WORDS
            await self._remember(person)
            await self.ctx.storage.run(team_rows.set_notifications, person.id, enabled,
                                       now=self.ctx.now())
            text = words.notifications(enabled, call.locale)
        else:
            text = words.notifications_usage(call.locale)
        await self.ctx.outbox.commit([text_send(person.id, text)])

    async def opened(self, event: AtendimentoOpened) -> None:
        """A notice for every admin who asked for one; the link opens the client's message
        in the thread once its copy is known."""
        payload = {"resumed": event.resumed, "client": event.client_name,
                   "origin": event.origin, "preview": quote(event.preview, PREVIEW_LIMIT),
                   "post": event.card_post_id, "after": event.comment_key}
        await self.ctx.outbox.commit([Send(admin, NOTICE, payload) for admin in event.notify])

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


def feature(core: Core) -> Feature:
    notices = Notices(core)
    return Feature(
        "notices",
        commands=[Command(("notificacoes", "notificações", "notifications"), PRIVATE,
                          notices.command, allowed=ADMIN,
                          summary=N_("Turn notices of new clients on or off"),
                          menus=(ADMINS,))],
        listens={ClientStarted: notices.started, AtendimentoOpened: notices.opened},
        api=notices)

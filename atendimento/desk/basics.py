"""The commands every desk has, declared like a feature's: /start for anyone in the private
chat, /fim in a thread, and /ajuda, which lists what the person asking can type where they are
(built by the registry from every enabled feature's declarations)."""

from __future__ import annotations

from atendimento.desk.contract import (
    ADMINS,
    ANYONE,
    CLIENTS,
    PRIVATE,
    RELAY,
    TEAM,
    THREAD,
    Command,
    Feature,
    PrivateCall,
    ThreadCall,
)
from atendimento.desk.core import Core
from atendimento.desk.outbox import text_send
from atendimento.desk.registry import Registry
from atendimento.i18n import N_

HELP = ("ajuda", "help")


class Basics:
    def __init__(self, core: Core, registry: Registry) -> None:
        self.core = core
        self.ctx = core.ctx
        self.registry = registry

    async def start(self, call: PrivateCall) -> None:
        await self.core.client_side.start(call.event)

    async def end(self, call: ThreadCall) -> None:
        """/fim: the atendimento ends, the client gets the end text (unless banned)."""
        await self.core.end(call.thread, call.author)

    async def help_in_thread(self, call: ThreadCall) -> None:
        admin = await self.core.team.comment_by_admin(call.event)
        text = self.registry.help(THREAD, admin, self.ctx.wording.team)
        await self.core.threads.line(call.thread, text, reply_to=call.here)

    async def help_in_private(self, call: PrivateCall) -> None:
        admin = await self.core.team.is_admin(call.person.id)
        text = self.registry.help(PRIVATE, admin, call.locale)
        await self.ctx.outbox.commit([text_send(call.person.id, text)])


def feature(core: Core, registry: Registry) -> Feature:
    commands = Basics(core, registry)
    return Feature("basics", commands=[
        Command(("start",), PRIVATE, commands.start, allowed=ANYONE,
                summary=N_("Talk to us"), menus=(CLIENTS, ADMINS)),
        Command(HELP, PRIVATE, commands.help_in_private, outsiders=RELAY,
                summary=N_("What can be typed here")),
        Command(("fim", "end"), THREAD, commands.end, summary=N_("End the atendimento"),
                menus=(TEAM,)),
        Command(HELP, THREAD, commands.help_in_thread, summary=N_("What can be typed here")),
    ])

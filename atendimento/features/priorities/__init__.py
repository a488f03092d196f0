"""/p: an administrator sets the client's priority, typed (`/p 1`, `/p urgente`) or with the
buttons `/p` alone shows under the command. The card shows it (desk/threads.py)."""

from __future__ import annotations

from atendimento.desk.contract import (
    ADMIN,
    TEAM,
    THREAD,
    Buttons,
    Command,
    Feature,
    Press,
    ThreadCall,
)
from atendimento.desk.core import Core
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.ports import Button
from atendimento.domain.ids import parse_id
from atendimento.domain.priority import ORDER, parse_priority
from atendimento.i18n import N_
from atendimento.storage import threads as thread_rows

PREFIX = "p:"  # p:<thread id>:<priority>


class Priorities:
    def __init__(self, core: Core) -> None:
        self.ctx = core.ctx
        self.threads = core.threads
        self.guard = GuardWording(core.ctx.wording.tr)

    async def command(self, call: ThreadCall) -> None:
        words, thread = self.ctx.wording, call.thread
        if not call.arguments:
            rows = [[Button(f"{p.rank} {words.priority(p)}", f"{PREFIX}{thread.id}:{p}")
                     for p in ORDER[i:i + 2]] for i in (0, 2)]
            await self.ctx.outbox.commit([self.threads.line_send(
                thread, words.choose_priority(), reply_to=call.here, buttons=rows)])
            return
        chosen = parse_priority(call.arguments, words.priority_names())
        if chosen is None:
            await self.threads.line(thread, words.unknown_priority(call.arguments),
                                    reply_to=call.here)
            return
        await self.threads.set_priority(thread, chosen, call.author)

    async def button(self, press: Press) -> tuple[str, bool]:
        thread_id, _, value = press.data.partition(":")
        number = parse_id(thread_id)
        priority = next((p for p in ORDER if p.value == value), None)
        thread = (None if number is None or priority is None
                  else await self.ctx.storage.run(thread_rows.get, number))
        if thread is None or priority is None:
            return self.guard.button_invalid(press.locale), True
        await self.threads.set_priority(thread, priority, press.user)
        return self.ctx.wording.priority(priority, press.locale), False


def feature(core: Core) -> Feature:
    priorities = Priorities(core)
    return Feature(
        "priorities",
        commands=[Command(("p", "prioridade", "priority"), THREAD, priorities.command,
                          allowed=ADMIN, summary=N_("Set the priority (admins)"),
                          menus=(TEAM,))],
        buttons=[Buttons(PREFIX, priorities.button, allowed=ADMIN, name="p")],
        api=priorities)

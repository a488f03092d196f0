"""A feature written outside the desk, to show the contract (atendimento/desk/contract.py)
holds: a thread command for the team and one for admins, a button, an event listener and a
table of its own, all declared here; nothing in atendimento/ knows of it.

It counts the atendimentos of each client that ended: /contar shows the count with a "+1"
button, /zerar (admins) clears it.
"""

from __future__ import annotations

from typing import Any

from atendimento.desk.contract import ADMIN, TEAM, THREAD, Buttons, Command, Feature, Job
from atendimento.desk.core import Core
from atendimento.desk.ports import Button
from atendimento.domain.happenings import AtendimentoEnded
from atendimento.storage import FeatureMigrations
from atendimento.storage.migrator import discover_package

PREFIX = "t:"  # t:<client id>


def migrations() -> FeatureMigrations:
    return FeatureMigrations("tally", discover_package(f"{__name__}.schema"))


def _count(t: Any, client_id: int) -> int:
    cursor = t.db.execute_sql(f"SELECT COUNT(*) FROM tally_ended WHERE client_id = {t.db.param}",
                              (client_id,))
    return int(cursor.fetchone()[0])


def _add(t: Any, client_id: int, atendimento_id: int) -> None:
    p = t.db.param
    t.db.execute_sql(f"INSERT INTO tally_ended (client_id, atendimento_id) VALUES ({p}, {p})",
                     (client_id, atendimento_id))


def _clear(t: Any, client_id: int) -> None:
    t.db.execute_sql(f"DELETE FROM tally_ended WHERE client_id = {t.db.param}", (client_id,))


class Tally:
    def __init__(self, core: Core) -> None:
        self.ctx = core.ctx
        self.threads = core.threads
        self.heard: list[AtendimentoEnded] = []
        self.swept = 0

    async def ended(self, event: AtendimentoEnded) -> None:
        self.heard.append(event)
        await self.ctx.storage.run(_add, event.client_id, event.atendimento_id)

    async def show(self, call) -> None:
        client_id = call.thread.client_id
        count = await self.ctx.storage.run(_count, client_id)
        await self.threads.line(call.thread, f"ended: {count}", reply_to=call.here,
                                buttons=[[Button("+1", f"{PREFIX}{client_id}")]])

    async def clear(self, call) -> None:
        await self.ctx.storage.run(_clear, call.thread.client_id)
        await self.threads.line(call.thread, "cleared", reply_to=call.here)

    async def sweep(self) -> None:
        self.swept += 1

    async def plus_one(self, press) -> tuple[str, bool]:
        client_id = int(press.data)
        await self.ctx.storage.run(_add, client_id, 0)
        return f"ended: {await self.ctx.storage.run(_count, client_id)}", False


def feature(core: Core) -> Feature:
    tally = Tally(core)
    return Feature(
        "tally",
        commands=[Command(("contar", "tally"), THREAD, tally.show, summary="Count the endings",
                          menus=(TEAM,)),
                  Command(("zerar",), THREAD, tally.clear, allowed=ADMIN,
                          summary="Clear the count")],
        buttons=[Buttons(PREFIX, tally.plus_one, name="contar")],
        listens={AtendimentoEnded: tally.ended},
        jobs=[Job("sweep", 3600, tally.sweep, at_start=True)],
        api=tally)

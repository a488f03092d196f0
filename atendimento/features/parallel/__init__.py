"""Parallel mode (MODE=parallel): the desk attached to a bot that another system already runs
with the same token. The client's messages become cards and threads as on any desk (the
core does that; SILENT_MODE keeps the desk's own words from clients, desk/mode.py); this
feature adds the other side of the dialog: what that system sends from the bot, its edits
and the presses on its buttons appear in the thread (bot_side.py), and the first answer of a
person of the team tells that system to step back (the `team.took_over` webhook event).
INTERCEPT_EXTERNAL=off keeps the copies out; presses under the other system's messages are
still never answered by the desk."""

from __future__ import annotations

from atendimento.desk.contract import Elsewhere, Feature, Job
from atendimento.desk.core import Core
from atendimento.domain.events import BotMessage
from atendimento.domain.happenings import TeamAnswerSent
from atendimento.storage import FeatureMigrations
from atendimento.storage.migrator import discover_package

from .bot_side import BotSide

SETTINGS = ("mode", "silent_mode", "welcome", "intercept_external")


def migrations() -> FeatureMigrations:
    return FeatureMigrations("parallel", discover_package(f"{__name__}.schema"))


async def _nothing(_event: BotMessage) -> None:
    """INTERCEPT_EXTERNAL=off: what the other system sends stays out of the threads."""


def feature(core: Core) -> Feature:
    mode = core.ctx.mode
    if not mode.parallel:
        return Feature("parallel", settings=SETTINGS)
    dialogs = core.api("dialogs")
    side = BotSide(core, dialogs.rules if dialogs is not None else None)
    copies = side.message if mode.intercept else _nothing
    edits = side.edit if mode.intercept else _nothing
    return Feature("parallel", elsewhere=Elsewhere(copies, edits, side.ours, side.press),
                   listens={TeamAnswerSent: side.answered},
                   jobs=[Job("prune-own", 6 * 3600, side.prune)],
                   settings=SETTINGS, api=side)

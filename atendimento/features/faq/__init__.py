"""The FAQ auto-answer (FAQ_AUTOANSWER): a client's message that matches a ready answer gets it,
or the team sees a suggestion; it stops when the team answers or the client asks for a person.
With FAQ_LEARN it also learns which saved reply the team picks for which question (learning.py).
Built on the saved replies (the replies feature must be listed before it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from atendimento.desk.contract import ADMINS, PRIVATE, Command, Feature, Listener
from atendimento.desk.core import Core
from atendimento.domain.faq_ranked import AUTO_THRESHOLD, SUGGEST_THRESHOLD
from atendimento.domain.happenings import AtendimentoEnded, ClientMessageRelayed, TeamAnswerSent
from atendimento.features.faq.autoanswer import AutoAnswer, FaqSettings
from atendimento.features.faq.learning import FaqLearning
from atendimento.features.faq.trial import FaqTrial
from atendimento.features.replies.wording import ReplyWording
from atendimento.i18n import N_
from atendimento.ready import load_handover_words
from atendimento.storage import FeatureMigrations
from atendimento.storage.migrator import discover_package

# FAQ_AUTOANSWER as config.py parses it: off, on (answers by itself) or suggest (only suggests).
ON, SUGGEST = "on", "suggest"
SETTINGS = ("faq_autoanswer", "faq_auto_threshold", "faq_suggest_threshold", "faq_learn")


def migrations() -> FeatureMigrations:
    return FeatureMigrations("faq", discover_package(f"{__name__}.schema"))


def settings_of(desk: Mapping[str, Any]) -> FaqSettings:
    """The FAQ's settings from the desk's; ValueError names what does not fit."""
    auto = desk.get("faq_auto_threshold") or AUTO_THRESHOLD
    suggest = desk.get("faq_suggest_threshold") or SUGGEST_THRESHOLD
    if suggest > auto:
        raise ValueError(f"FAQ_SUGGEST_THRESHOLD ({suggest}) must not be above "
                         f"FAQ_AUTO_THRESHOLD ({auto})")
    mode = desk.get("faq_autoanswer")
    return FaqSettings(mode in (ON, SUGGEST), auto, suggest, answers=mode != SUGGEST)


def feature(core: Core) -> Feature:
    book = core.api("replies")
    if book is None:
        raise ValueError("the faq feature answers with saved replies: list replies before it")
    ctx, settings = core.ctx, settings_of(core.settings)
    handover = load_handover_words(core.texts_dir) if core.texts_dir is not None else {}
    faq = AutoAnswer(ctx, book, core.threads, ReplyWording(ctx.wording, ctx.bot_username),
                     settings, handover)
    # Off and not learning, it listens to nothing: the relay does not wait for the copy's id.
    listening: dict[type, list[Listener]] = {}
    if settings.enabled:
        listening = {ClientMessageRelayed: [faq.relayed], TeamAnswerSent: [faq.team_answered]}
    if core.settings.get("faq_learn", False):
        learning = FaqLearning(ctx, book)
        for kind, listener in ((ClientMessageRelayed, learning.asked),
                               (TeamAnswerSent, learning.answered),
                               (AtendimentoEnded, learning.ended)):
            listening.setdefault(kind, []).append(listener)
    trial = FaqTrial(faq)
    commands = [Command(("faq",), PRIVATE, trial.command, menus=(ADMINS,),
                        summary=N_("See what the FAQ would do with a message: /faq teste …"))]
    return Feature("faq", listens=listening, commands=commands, settings=SETTINGS,
                   texts=("atendente.txt",), api=faq)

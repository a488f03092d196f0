"""Which private dialogs become cards: IGNORE (ids never recorded), WHITE_LIST (when set, only
these ids), PRIVATE_KEYWORDS (an atendimento opens only on a message with one of these words
or commands, case and accents ignored; that message and the ones after it, until the
atendimento ends, are recorded). Useful on any desk, and the way a desk attached to an
existing bot keeps to the dialogs a person should see.

A private message the rules leave out is claimed and dropped: not copied, not stored, no
card. The feature comes last, so a team member's own workspace (saved replies) is never
judged by them; a command the desk knows (/start, /status…) is answered as usual."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from atendimento.desk.contract import Feature
from atendimento.desk.core import Core
from atendimento.desk.threads import open_now
from atendimento.domain.events import ClientEvent
from atendimento.domain.words import fold, words

SETTINGS = ("ignore", "white_list", "private_keywords")


@dataclass(frozen=True)
class Rules:
    ignore: frozenset[int] = frozenset()
    white_list: frozenset[int] = frozenset()
    words: frozenset[str] = frozenset()  # folded
    commands: frozenset[str] = frozenset()  # without the slash, lower case

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> Rules:
        keywords: Iterable[str] = settings.get("private_keywords") or ()
        return cls(frozenset(settings.get("ignore") or ()),
                   frozenset(settings.get("white_list") or ()),
                   frozenset(fold(k) for k in keywords if not k.startswith("/")),
                   frozenset(k[1:].lower() for k in keywords if k.startswith("/")))

    @property
    def any(self) -> bool:
        return bool(self.ignore or self.white_list or self.words or self.commands)

    def recorded(self, user_id: int) -> bool:
        return user_id not in self.ignore and (not self.white_list
                                               or user_id in self.white_list)

    def opens(self, event: ClientEvent) -> bool:
        """Whether this message may open an atendimento under PRIVATE_KEYWORDS."""
        if not (self.words or self.commands):
            return True
        incoming = event.message
        if incoming.command is not None and incoming.command in self.commands:
            return True
        said = set(words(incoming.text))
        return any(keyword in said if " " not in keyword else keyword in fold(incoming.text)
                   for keyword in self.words)


class Dialogs:
    def __init__(self, core: Core, rules: Rules) -> None:
        self.ctx = core.ctx
        self.rules = rules

    async def claim(self, event: ClientEvent) -> bool:
        """True (dropped) for a message the rules leave out."""
        person = event.client.id
        if not self.rules.recorded(person):
            return True
        if self.rules.opens(event):
            return False
        is_open = await self.ctx.storage.run(lambda t: open_now(t, person) is not None)
        return not is_open


def feature(core: Core) -> Feature:
    rules = Rules.of(core.settings)
    dialogs = Dialogs(core, rules)
    return Feature("dialogs", claim=dialogs.claim if rules.any else None,
                   settings=SETTINGS, api=dialogs)

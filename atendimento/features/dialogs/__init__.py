"""Which private dialogs become cards: IGNORE (ids never recorded), WHITE_LIST (when set, only
these ids), PRIVATE_KEYWORDS (an atendimento opens only on a message with one of these words
or commands, case and accents ignored; that message and the ones after it, until the
atendimento ends, are recorded). Useful on any desk, and the way a desk attached to an
existing bot keeps to the dialogs a person should see.

A private message the rules leave out is claimed and dropped: not copied, not stored, no
card. Only the person is remembered (name, @username), so that an operator can still open
their card with /novo; once an atendimento is open, their messages are recorded until it ends,
white list or not. IGNORE is absolute: nothing of those ids is kept.

The feature comes last, so a team member's own workspace (saved replies) is never judged
by them; a command the desk knows (/start, /status…) is answered as usual."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from atendimento.desk.contract import Feature
from atendimento.desk.core import Core
from atendimento.desk.threads import open_now
from atendimento.domain.events import ClientEvent, Person
from atendimento.domain.words import fold, words
from atendimento.storage import clients as client_rows

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

    def listed(self, user_id: int) -> bool:
        """Whether the white list (when there is one) lets this id open atendimentos."""
        return not self.white_list or user_id in self.white_list

    def only_while_open(self, user_id: int) -> bool:
        """Whether this id's dialog is recorded only while an atendimento is open (one that
        a keyword or /novo opened), rather than always."""
        return bool(self.words or self.commands) or not self.listed(user_id)

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
        person = event.client
        if person.id in self.rules.ignore:
            return True
        if self.rules.listed(person.id) and self.rules.opens(event):
            return False
        return await self.ctx.storage.run(_left_out, person, self.ctx.now())


def _left_out(t: Any, person: Person, now: Any) -> bool:
    """Whether to drop a message the rules do not let open an atendimento: not when one is
    open already (the keyword was said, or /novo opened it); the person is remembered."""
    if open_now(t, person.id) is not None:
        return False
    client_rows.upsert(t, user_id=person.id, first_name=person.first_name,
                       last_name=person.last_name, username=person.username,
                       language_code=person.language_code, now=now)
    return True


def feature(core: Core) -> Feature:
    rules = Rules.of(core.settings)
    dialogs = Dialogs(core, rules)
    return Feature("dialogs", claim=dialogs.claim if rules.any else None,
                   settings=SETTINGS, api=dialogs)

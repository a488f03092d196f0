"""/idioma (/language, /lingua): a client chooses the language the desk writes to them in, with
one button per language the desk has (desk/language.py decides a client's language)."""

from __future__ import annotations

import logging
from typing import Any

from atendimento.desk.contract import (
    ANYONE,
    CLIENTS,
    PRIVATE,
    Buttons,
    Command,
    Feature,
    Press,
    PrivateCall,
)
from atendimento.desk.core import Core
from atendimento.desk.guard_wording import GuardWording
from atendimento.desk.language import language_name, language_of_person, offered
from atendimento.desk.outbox import text_send
from atendimento.desk.ports import Button, Undeliverable
from atendimento.domain.events import Person
from atendimento.i18n import N_
from atendimento.storage import clients as client_rows

log = logging.getLogger("atendimento.features.language")

PREFIX = "l:"  # l:<locale>


def _choose(t: Any, person: Person, language: str, now: Any) -> None:
    # Someone may press before the desk has their row (a forwarded prompt, a forged press).
    client_rows.upsert(t, user_id=person.id, first_name=person.first_name,
                       last_name=person.last_name, username=person.username,
                       language_code=person.language_code, now=now)
    client_rows.set_language(t, person.id, language, now=now)


class LanguageChoice:
    def __init__(self, core: Core) -> None:
        self.ctx = core.ctx
        self.guard = GuardWording(core.ctx.wording.tr)

    async def command(self, call: PrivateCall) -> None:
        """One button per language, each labelled in its own language."""
        ctx, person = self.ctx, call.person
        language = await language_of_person(ctx, person)
        choices = offered(ctx)
        rows = [[Button(language_name(locale, choices), f"{PREFIX}{locale}")]
                for locale in choices]
        text = ctx.wording.tr._(language, "Which language should we write to you in?")
        await ctx.outbox.commit([text_send(person.id, text, buttons=rows)])

    async def button(self, press: Press) -> tuple[str, bool]:
        """The choice is kept, the press answered in the new language and the prompt says
        what was chosen. Only exact names count (the buttons carry them so)."""
        ctx, language = self.ctx, press.data
        choices = offered(ctx)
        if language not in choices:
            return self.guard.button_invalid(press.locale), True
        await ctx.storage.run(_choose, press.user, language, ctx.now())
        text = ctx.wording.tr._(language, "Language: {language}",
                                language=language_name(language, choices))
        if press.chat_id is not None and press.message_id is not None:
            try:
                await ctx.telegram.edit_text(press.chat_id, press.message_id, "✅ " + text)
            except Undeliverable as error:
                log.info("language prompt not updated: %s", error)
        return text, False


def feature(core: Core) -> Feature:
    choice = LanguageChoice(core)
    return Feature(
        "language",
        commands=[Command(("idioma", "language", "lingua"), PRIVATE, choice.command,
                          allowed=ANYONE, summary=N_("Choose your language"),
                          menus=(CLIENTS,))],
        buttons=[Buttons(PREFIX, choice.button, allowed=ANYONE, own_chat=True)],
        api=choice)

"""A client's language (`/idioma` to choose it is the language feature's).

A client reads the desk in the language they chose with /idioma (kept in their row); else in
their Telegram app's (`language_code`), matched to the languages the desk has (`pt` → pt_BR,
`es-AR` → es); else in DEFAULT_CLIENT_LANGUAGE. The team keeps LANGUAGE. `language_of` is the
one place that decides: the self-hoster's texts, the FAQ's answers and the desk's own lines to
a client all ask it.

The languages a client can match are those with a catalog or a texts folder (a self-hoster's
`respostas/fr` still reaches French clients; the desk's few own lines to them are then in the
team's language). /idioma offers the languages that have both.
"""

from __future__ import annotations

import logging

from babel import Locale, UnknownLocaleError

from atendimento.desk.context import DeskContext
from atendimento.domain.events import Person
from atendimento.i18n import LanguageTag, best_match
from atendimento.storage import clients as client_rows
from atendimento.storage.errors import StorageError
from atendimento.storage.records import Client

log = logging.getLogger("atendimento.desk.language")

def _match(ctx: DeskContext, code: str | None) -> str | None:
    """The language the desk has for `code`, or None."""
    tag = LanguageTag.parse(code)
    if tag is None:
        return None
    tr = ctx.wording.tr
    known = set(tr.locales) | set(ctx.texts.languages)
    # Among variants of the client's language (pt_BR, pt_PT), the clients' default one wins,
    # then the team's.
    preferred = next((p for p in (tr.client_locale, tr.team_locale)
                      if p.split("_")[0].lower() == tag.language), None)
    return best_match(code, known, preferred)


def _resolve(ctx: DeskContext, chosen: str | None, language_code: str | None) -> str:
    return _match(ctx, chosen) or _match(ctx, language_code) or ctx.wording.tr.client_locale


def language_of(ctx: DeskContext, client: Client | Person) -> str:
    """The language `client` reads: chosen, else their app's, else DEFAULT_CLIENT_LANGUAGE.
    A `Person` (no row at hand) has no choice known: see `language_of_person`."""
    chosen = client.language if isinstance(client, Client) else None
    return _resolve(ctx, chosen, client.language_code)


async def language_of_person(ctx: DeskContext, person: Person) -> str:
    """`language_of` for someone known only from an update: their row is read for their
    choice (when the database cannot answer, their app's language decides)."""
    try:
        client = await ctx.storage.run(client_rows.get, person.id)
    except StorageError as error:
        log.info("language of %s from their app only: %s", person.id, error)
        client = None
    return _resolve(ctx, client.language if client else None, person.language_code)


def offered(ctx: DeskContext) -> list[str]:
    """What /idioma offers: the languages with a catalog and texts, in the catalogs' order."""
    having = set(ctx.texts.languages)
    return [locale for locale in ctx.wording.tr.locales if locale in having]


def language_name(locale: str, among: list[str] | None = None) -> str:
    """`locale`'s name in itself ("Português", "Русский"); with the region when `among`
    holds another variant of the same language ("Português (Brasil)")."""
    try:
        babel_locale = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return locale
    language = babel_locale.language
    variants = [other for other in among or () if other.split("_")[0] == language]
    if len(variants) > 1:
        name = babel_locale.get_display_name(babel_locale) or locale
    else:
        name = babel_locale.get_language_name(babel_locale) or locale
    return name[:1].upper() + name[1:]

"""Command menus, per scope and language: clients see /start and /idioma; the discussion group
shows the team's commands; admins' private chats show theirs (telegram.md §4). Each list is set
for every language with a catalog; the list for other languages is in LANGUAGE, the clients' in
DEFAULT_CLIENT_LANGUAGE."""

from __future__ import annotations

import logging

import pyrogram
from pyrogram import types

from atendimento.desk.ports import Undeliverable
from atendimento.desk.wording import Wording
from atendimento.telegram.gateway import Gateway

log = logging.getLogger("atendimento.telegram.menus")


def menus(words: Wording, locale: str) -> dict[str, list[types.BotCommand]]:
    tr = words.tr
    start = types.BotCommand("start", tr._(locale, "Talk to us"))
    return {
        "clients": [start, types.BotCommand("idioma", tr._(locale, "Choose your language"))],
        "team": [
            types.BotCommand("fim", tr._(locale, "End the atendimento")),
            types.BotCommand("p", tr._(locale, "Set the priority (admins)")),
            types.BotCommand("ban", tr._(locale, "Ban the client (admins)")),
            types.BotCommand("desbanir", tr._(locale, "Unban the client (admins)")),
            types.BotCommand("resposta", tr._(locale, "Save the replied message as a saved "
                                              "reply")),
        ],
        "admins": [
            start,
            types.BotCommand("notificacoes",
                             tr._(locale, "Turn notices of new clients on or off")),
            types.BotCommand("respostas", tr._(locale, "List, rename and delete saved "
                                               "replies")),
        ],
    }


def language_codes(words: Wording) -> list[tuple[str, str, str]]:
    """(Telegram language code, clients' locale, team's locale); "" is every language without
    a list of its own."""
    triples = [("", words.tr.client_locale, words.team)]
    triples += [(locale.split("_")[0], locale, locale) for locale in words.tr.locales]
    return list(dict.fromkeys(triples))


async def set_menus(client: pyrogram.Client, gateway: Gateway, words: Wording, *,
                    group_id: int, admin_ids: list[int]) -> None:
    for code, client_locale, team_locale in language_codes(words):
        lists = menus(words, team_locale)
        scopes = [(types.BotCommandScopeAllPrivateChats(), menus(words, client_locale)["clients"]),
                  (types.BotCommandScopeChat(group_id), lists["team"])]
        scopes += [(types.BotCommandScopeChat(admin), lists["admins"]) for admin in admin_ids]
        for scope, commands in scopes:
            try:
                await gateway.call(0, lambda s=scope, c=commands, lc=code: client.set_bot_commands(
                    c, scope=s, language_code=lc))
            except Undeliverable as error:
                log.warning("command menu for %s not set: %s", type(scope).__name__, error)

"""Command menus, per scope and language, as the features declare them (desk/registry.py):
clients see /start and /idioma; the discussion group shows the team's commands; admins' private
chats show theirs (telegram.md §4). Each list is set for every language with a catalog; the
list for other languages is in LANGUAGE, the clients' in DEFAULT_CLIENT_LANGUAGE."""

from __future__ import annotations

import logging

import pyrogram
from pyrogram import types

from atendimento.desk.contract import ADMINS, CLIENTS, TEAM
from atendimento.desk.ports import Undeliverable
from atendimento.desk.registry import Registry
from atendimento.desk.wording import Wording
from atendimento.telegram.gateway import Gateway

log = logging.getLogger("atendimento.telegram.menus")


def menus(registry: Registry, locale: str) -> dict[str, list[types.BotCommand]]:
    """The registry's menus (from the features' commands) as Telegram's BotCommand lists."""
    return {scope: [types.BotCommand(name, line) for name, line in entries]
            for scope, entries in registry.menus(locale).items()}


def language_codes(words: Wording) -> list[tuple[str, str, str]]:
    """(Telegram language code, clients' locale, team's locale); "" is every language without
    a list of its own."""
    triples = [("", words.tr.client_locale, words.team)]
    triples += [(locale.split("_")[0], locale, locale) for locale in words.tr.locales]
    return list(dict.fromkeys(triples))


async def set_menus(client: pyrogram.Client, gateway: Gateway, registry: Registry,
                    words: Wording, *, group_id: int, admin_ids: list[int],
                    clients: bool = True) -> None:
    """Every scope's menu in every language; `clients` False leaves the menu of private
    chats alone (in parallel mode it belongs to the existing bot)."""
    for code, client_locale, team_locale in language_codes(words):
        lists = menus(registry, team_locale)
        scopes = [(types.BotCommandScopeAllPrivateChats(),
                   menus(registry, client_locale).get(CLIENTS, []))] if clients else []
        scopes += [(types.BotCommandScopeChat(group_id), lists.get(TEAM, []))]
        scopes += [(types.BotCommandScopeChat(admin), lists.get(ADMINS, []))
                   for admin in admin_ids]
        for scope, commands in scopes:
            try:
                await gateway.call(0, lambda s=scope, c=commands, lc=code: client.set_bot_commands(
                    c, scope=s, language_code=lc))
            except Undeliverable as error:
                log.warning("command menu for %s not set: %s", type(scope).__name__, error)

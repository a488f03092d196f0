"""`atendimento check`: is everything in place? One line per check, with the fix when it fails.

It connects with a throwaway in-memory session that takes no updates, so it can run beside a
running desk without stealing its updates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyrogram
from pyrogram import enums, errors, filters
from pyrogram.handlers import MessageHandler

from atendimento.config import LANGUAGES, Config
from atendimento.desk.mode import Mode
from atendimento.i18n import Translator
from atendimento.logs import redact
from atendimento.startup import describe, explain_login, is_network
from atendimento.storage import StorageError, current_version, latest_version, open_database
from atendimento.telegram.client import start_client, stop_quietly
from atendimento.texts import TEXT_KINDS, Texts, TextsError

# Named for the command rather than the module: log lines keep saying "check" (logs.py shows
# the logger name as the component).
log = logging.getLogger("atendimento.check")

# Parallel mode: how long the check watches for a message the existing bot sends.
WATCH_SECONDS = 60.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""
    fix: str = ""

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        text = f"{mark} {self.name}"
        if self.detail:
            text += f": {self.detail}"
        if not self.ok and self.fix:
            text += f"\n    fix: {self.fix}"
        return text


def check_texts(config: Config) -> Check:
    name = f"texts in {config.texts_dir}"
    try:
        Texts.load(config.texts_dir, config.language)
    except TextsError as error:
        return Check(name, False, f"{len(error.problems)} problem(s)\n" + str(error),
                     "fix each file:line listed (respostas/README.md explains the format)")
    try:
        Translator(config.language)
    except ValueError as error:
        return Check(name, False, str(error), f"set LANGUAGE to one of {LANGUAGES}")
    return Check(name, True)


def check_languages(config: Config) -> Check:
    """A catalog and every text for the team's language and the clients' default one (a
    missing text would reach those clients in another language)."""
    wanted = {config.language: "team", config.default_client_language: "clients"}
    if config.language == config.default_client_language:
        wanted[config.language] = "team and clients"
    name = "languages " + ", ".join(f"{lang} ({who})" for lang, who in wanted.items())
    catalogs = Translator().locales
    try:
        texts: Texts | None = Texts.load(config.texts_dir, config.language)
    except TextsError:
        texts = None  # the texts line says what to fix; the catalogs are still checked here
    missing = [f"no catalog for {lang}" for lang in wanted if lang not in catalogs]
    for lang in wanted:
        folder = config.texts_dir / lang
        if texts is not None:
            missing += [str(folder / kind.filename) for kind in TEXT_KINDS
                        if _language(texts.language_for(kind.name, lang)) != _language(lang)]
        if config.desk.get("faq_autoanswer") and not (folder / "atendente.txt").is_file():
            missing.append(str(folder / "atendente.txt"))  # how clients ask for a person
    if missing:
        return Check(name, False, "missing: " + ", ".join(missing),
                     f"LANGUAGE and DEFAULT_CLIENT_LANGUAGE take {LANGUAGES}; add each missing "
                     "text (copy it from respostas/en and translate it; respostas/README.md)")
    return Check(name, True)


def _language(locale: str) -> str:
    return locale.split("_")[0].lower()


def check_database(config: Config) -> Check:
    name = f"database {config.database_url_for_display}"
    database = open_database(config.database_url)
    try:
        version, latest = current_version(database), latest_version()
    except StorageError as error:
        return Check(name, False, str(error), "check DATABASE_URL and that the server runs")
    finally:
        database.close()
    if version < latest:
        return Check(name, False, f"schema version {version}, this release needs {latest}",
                     "run `atendimento migrate` (`atendimento run` also migrates)")
    return Check(name, True, f"schema version {version}")


async def check_telegram(client: pyrogram.Client, config: Config) -> list[Check]:
    """The bot's place in the channel and its discussion group, and its inline mode."""
    results: list[Check] = []
    me = client.me
    results.append(Check(
        "inline mode", me.inline_query_placeholder is not None,
        "" if me.inline_query_placeholder is not None else "off",
        f"in @BotFather: /setinline, choose @{me.username}, type a placeholder"))
    try:
        channel = await client.get_chat(config.channel)
    except (errors.RPCError, KeyError, ValueError) as error:
        results.append(Check(f"channel {config.channel}", False, type(error).__name__,
                             "add the bot to the channel as an administrator; check CHANNEL"))
        return results
    results.append(await _admin_check(
        client, channel.id, me.id, f"bot is an admin of the channel {channel.title!r}",
        needs=("can_post_messages", "can_edit_messages"),
        fix="channel → Administrators → add the bot with Post, Edit and Pin messages"))
    group = channel.linked_chat
    results.append(Check(
        "channel has a discussion group", group is not None,
        group.title if group is not None else "none",
        "channel → Settings → Discussion → add a group (the comments live there)"))
    if group is None:
        return results
    group_admin = await _admin_check(
        client, group.id, me.id, f"bot is an admin of the group {group.title!r}", needs=(),
        fix="group → Administrators → add the bot (it must see every comment)")
    results.append(group_admin)
    if group_admin.ok:
        member = await client.get_chat_member(group.id, me.id)
        anonymous = bool(member.privileges and member.privileges.is_anonymous)
        results.append(Check(
            "bot does not post anonymously", not anonymous, "anonymous" if anonymous else "",
            "group → Administrators → the bot → turn off Remain anonymous"))
    return results


async def _admin_check(client: pyrogram.Client, chat_id: int, user_id: int, name: str,
                       needs: tuple[str, ...], fix: str) -> Check:
    try:
        member = await client.get_chat_member(chat_id, user_id)
    except errors.RPCError as error:
        return Check(name, False, error.ID or type(error).__name__, fix)
    if member.status not in (enums.ChatMemberStatus.ADMINISTRATOR,
                             enums.ChatMemberStatus.OWNER):
        return Check(name, False, f"it is {member.status.name.lower()}", fix)
    missing = [right for right in needs
               if not (member.privileges and getattr(member.privileges, right))]
    if missing:
        return Check(name, False, "missing " + ", ".join(missing), fix)
    return Check(name, True)


async def check_parallel(client: pyrogram.Client, seconds: float) -> Check:
    """Parallel mode: whether this session sees what another session of the bot sends. It
    sends nothing: it watches its own updates for `seconds` for a private message the bot
    sent, and returns at the first one."""
    name = "messages the existing bot sends are seen"
    seen = asyncio.Event()

    async def outgoing(_client: pyrogram.Client, _message: Any) -> None:
        seen.set()

    handler = MessageHandler(outgoing, filters.private & filters.outgoing)
    client.add_handler(handler, group=-1)
    try:
        await asyncio.wait_for(seen.wait(), seconds)
    except TimeoutError:
        return Check(name, False, f"none in {seconds:g} s",
                     "have the existing bot send something to someone (or wait for its "
                     "traffic) and run the check again; if it sends and nothing is seen, the "
                     "threads will hold the clients' side only (INTERCEPT_EXTERNAL=off says so)")
    finally:
        client.remove_handler(handler, group=-1)
    return Check(name, True)


def connection_failed(error: BaseException, config: Config) -> list[Check]:
    """The line for a connection that failed: on the proxy when one is set and the network
    failed, else on the connection (Telegram answered, through the proxy if there is one)."""
    explanation = explain_login(error, config)
    results = []
    if config.proxy is not None:
        name = f"proxy {config.proxy.display}"
        if is_network(error):
            return [Check(name, False, explanation.why, explanation.fix)]
        results.append(Check(name, True, "Telegram answered through it"))
    results.append(Check("connect to Telegram", False,
                         f"{explanation.what} ({explanation.why})", explanation.fix))
    return results


async def run_checks(config: Config,
                     client_factory: Callable[[Config], pyrogram.Client],
                     watch: float = WATCH_SECONDS) -> list[Check]:
    """Every check; in parallel mode with interception on, also `watch` seconds of watching
    for the existing bot's messages (the client the factory makes must then take updates)."""
    results = [check_texts(config), check_languages(config), check_database(config)]
    client = client_factory(config)
    try:
        await start_client(client)
    except Exception as error:
        log.debug("connecting failed", exc_info=True)
        return results + connection_failed(error, config)
    try:
        if config.proxy is not None:
            results.append(Check(f"proxy {config.proxy.display}", True, "connected through it"))
        results.append(Check("connect to Telegram", True, f"as @{client.me.username}"))
        results += await check_telegram(client, config)
        if Mode.of(config.desk).intercept:
            results.append(await check_parallel(client, watch))
    except Exception as error:  # the network went away half-way, or Telegram said no
        log.debug("checking in Telegram failed", exc_info=True)
        results.append(Check("talk to Telegram", False, describe(error),
                             "run `atendimento check` again; with LOG_LEVEL=DEBUG for details"))
    finally:
        await stop_quietly(client)
    return results


async def report(config: Config, client_factory: Callable[[Config], pyrogram.Client],
                 watch: float = WATCH_SECONDS) -> bool:
    """Print every check's line and a total; True when all passed."""
    if Mode.of(config.desk).intercept:
        print(f"watching up to {watch:g} s for a message the existing bot sends…", flush=True)
    results = await run_checks(config, client_factory, watch)
    for result in results:
        print(redact(result.line(), config.secrets))
    passed = sum(r.ok for r in results)
    print(f"{passed} of {len(results)} checks passed")
    return passed == len(results)

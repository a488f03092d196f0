"""`atendimento check`: is everything in place? One line per check, with the fix when it fails.

It connects with a throwaway in-memory session that takes no updates, so it can run beside a
running desk without stealing its updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyrogram
from pyrogram import enums, errors, filters
from pyrogram.handlers import MessageHandler

from atendimento.config import FAQ_ON, LANGUAGES, Config
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
        handing_over = config.desk.get("faq_autoanswer") == FAQ_ON
        if handing_over and not (folder / "atendente.txt").is_file():
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


async def check_parallel(client: pyrogram.Client, seconds: float,
                         outgoing: bool = True) -> list[Check]:
    """Parallel mode: whether this session sees what clients write to the bot (another
    system takes them too) and, with `outgoing`, what another session of the bot sends. It
    sends nothing: it watches its own updates for up to `seconds`, until it has seen both."""
    seen = {"in": asyncio.Event(), "out": asyncio.Event()}
    if not outgoing:
        seen["out"].set()

    async def private(_client: pyrogram.Client, message: Any) -> None:
        seen["out" if message.outgoing else "in"].set()

    handler = MessageHandler(private, filters.private)
    client.add_handler(handler, group=-1)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in seen.values())),
                                   seconds)
    finally:
        client.remove_handler(handler, group=-1)
    results = [_watched("messages clients write to the bot are seen", seen["in"], seconds,
                        "have someone write to the bot during the check; if they write and "
                        "nothing is seen, Telegram gives this session no private messages: "
                        "no card opens while the existing system answers alone")]
    if outgoing:
        results.append(_watched(
            "messages the existing bot sends are seen", seen["out"], seconds,
            "have the existing bot send something to someone (or wait for its traffic) and "
            "run the check again; if it sends and nothing is seen, the threads will hold the "
            "clients' side only (INTERCEPT_EXTERNAL=off says so)"))
    return results


def _watched(name: str, seen: asyncio.Event, seconds: float, fix: str) -> Check:
    return Check(name, True) if seen.is_set() else Check(name, False,
                                                         f"none in {seconds:g} s", fix)


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
    """Every check; in parallel mode, also up to `watch` seconds of watching for clients'
    messages and the existing bot's (the client the factory makes must then take updates)."""
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
        mode = Mode.of(config.desk)
        if mode.parallel:
            results += await check_parallel(client, watch, outgoing=mode.intercept)
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
    mode = Mode.of(config.desk)
    if mode.parallel:
        what = ("a client's message and one the existing bot sends" if mode.intercept
                else "a client's message")
        print(f"watching up to {watch:g} s for {what}…", flush=True)
    results = await run_checks(config, client_factory, watch)
    for result in results:
        print(redact(result.line(), config.secrets))
    passed = sum(r.ok for r in results)
    print(f"{passed} of {len(results)} checks passed")
    return passed == len(results)

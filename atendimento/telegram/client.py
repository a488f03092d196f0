"""Builds the bot's pyrogram client and connects it, turning Telegram's refusals into advice."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrogram
from pyrogram import enums, raw
from pyrogram.storage.storage import UpdateState

from atendimento.config import Config
from atendimento.desk.mode import Mode
from atendimento.errors import EXIT_MISCONFIGURED, StartupError
from atendimento.startup import Unreachable, describe, explain_channel, explain_login

log = logging.getLogger("atendimento.telegram")

SESSION_NAME = "atendimento"
# With a stored session pyrogram retries a dead network for minutes; start-up gives up sooner.
CONNECT_TIMEOUT = 60.0
# The loggers that report each failed connection attempt, and through them its real cause.
CONNECTION_LOGGERS = ("pyrogram.connection.connection", "pyrogram.connection.transport.tcp.tcp",
                      "pyrogram.session.session", "pyrogram.session.auth")

ClientFactory = Callable[[Config], pyrogram.Client]


# Parsing a message must never call Telegram: a fetch inside the parse of a send's result
# (the replied-to message, a sticker's set) that failed would make the sender retry a send that
# had already succeeded, and the copy would arrive twice. The desk does not use what they fetch.
# And no text is read as markup unless the desk says so: pyrogram's default (Markdown and HTML)
# would turn a copied caption or poll "**2** <b>x</b>" into other words than the person wrote.
DESK_PARSING = {"fetch_replies": False, "fetch_stickers": False,
                "parse_mode": enums.ParseMode.DISABLED}


def proxy_settings(config: Config) -> dict[str, Any] | None:
    """PROXY in the form pyrogram.Client(proxy=...) takes; None for a direct connection."""
    proxy = config.proxy
    if proxy is None:
        return None
    settings: dict[str, Any] = {"scheme": proxy.scheme, "hostname": proxy.hostname,
                                "port": proxy.port}
    if proxy.username:
        settings["username"] = proxy.username
    if proxy.password is not None:
        settings["password"] = proxy.password.reveal()
    return settings


def session_file(config: Config) -> Path:
    """Where `build_client` keeps the bot's session."""
    return config.data_dir / f"{SESSION_NAME}.session"


def build_client(config: Config) -> pyrogram.Client:
    """The production client: a persistent session in DATA_DIR so missed updates are caught up.

    `sleep_threshold=0` hands every FloodWait to the desk's own retry logic (design.md §4.4),
    so a wait pauses only the sends it concerns instead of a whole pyrogram worker.
    """
    config.data_dir.mkdir(parents=True, exist_ok=True)
    return pyrogram.Client(
        SESSION_NAME,
        api_id=config.api_id,
        api_hash=config.api_hash.reveal(),
        bot_token=config.bot_token.reveal(),
        workdir=config.data_dir,
        skip_updates=False,
        sleep_threshold=0,
        workers=1,  # handlers only queue work; one worker keeps the arrival order exactly
        lang_code=config.language.split("_")[0],
        proxy=proxy_settings(config),
        **DESK_PARSING,
    )


def build_check_client(config: Config) -> pyrogram.Client:
    """A client for `atendimento check`: in memory and deaf to updates, so that it can run
    beside the desk without taking the desk's session or its updates. In parallel mode it
    takes updates: it watches for what the bot's other sessions send (another session of a
    bot receives its updates too: that mode relies on it)."""

    return pyrogram.Client(
        f"{SESSION_NAME}-check",
        api_id=config.api_id,
        api_hash=config.api_hash.reveal(),
        bot_token=config.bot_token.reveal(),
        in_memory=True,
        no_updates=not Mode.of(config.desk).parallel,
        sleep_threshold=30,
        proxy=proxy_settings(config),
    )


async def remember_channel_states(client: pyrogram.Client, chat_ids: tuple[int, ...]) -> None:
    """Store an update state for the channel and the group if the session has none yet.

    kurigram catches a channel up after downtime only when its state was stored in an earlier
    run (telegram.md §7.6); a state is otherwise stored only by a first update from that chat,
    so a quiet first run would leave comments written while the desk is down unseen.
    """
    known = {state.id for state in await client.storage.get_update_states(chat_ids)}
    for chat_id in chat_ids:
        if chat_id in known:
            continue
        full = await client.invoke(raw.functions.channels.GetFullChannel(
            channel=await client.resolve_peer(chat_id)))
        await client.storage.set_update_state(
            UpdateState(chat_id, full.full_chat.pts, None, int(time.time()), None))
        log.info("update state of %s stored from pts %s", chat_id, full.full_chat.pts)


@dataclass(frozen=True)
class Connection:
    bot_id: int
    bot_username: str
    channel_id: int
    channel_title: str
    group_id: int


class _ConnectionTrouble(logging.Filter):
    """While connecting: keeps pyrogram's line per failed attempt out of the log (unless at
    DEBUG) and remembers the error it names, since the ConnectionError it ends with says
    nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.last: BaseException | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        for arg in args:
            if isinstance(arg, BaseException):
                self.last = arg
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def _session_up(client: pyrogram.Client) -> bool:
    session = getattr(client, "session", None)
    if session is None:  # a client with a transport of its own (the sandbox's)
        return bool(getattr(client, "is_connected", False))
    return session.is_started.is_set()


async def start_client(client: pyrogram.Client) -> None:
    """`client.start()`, giving up after CONNECT_TIMEOUT without a session to Telegram, and
    raising `Unreachable` with the network's own error when pyrogram's says nothing.

    Only the connection is timed: once the session is up, start() goes on with the catch-up
    of missed updates, which may rightly take long."""
    loop = asyncio.get_running_loop()
    trouble = _ConnectionTrouble()
    loggers = [logging.getLogger(name) for name in CONNECTION_LOGGERS]
    for logger in loggers:
        logger.addFilter(trouble)
    starting = asyncio.ensure_future(client.start())
    try:
        deadline = loop.time() + CONNECT_TIMEOUT
        while not starting.done() and not _session_up(client):
            if loop.time() >= deadline:
                starting.cancel()
                await asyncio.wait({starting})
                if client.is_connected:
                    await _disconnect(client)
                last = f", the last error being {describe(trouble.last)}" if trouble.last else ""
                raise Unreachable(TimeoutError(
                    f"no connection after {CONNECT_TIMEOUT:g} seconds{last}"))
            await asyncio.wait({starting}, timeout=0.05)
    finally:
        for logger in loggers:
            logger.removeFilter(trouble)
    try:
        await starting
    except ConnectionError as error:
        if str(error) or trouble.last is None or trouble.last is error:
            raise
        raise Unreachable(trouble.last) from error


async def _disconnect(client: pyrogram.Client) -> None:
    try:
        await client.disconnect()
    except Exception as error:  # already torn down half-way: nothing left to close
        log.debug("disconnecting after a failed start: %s", describe(error), exc_info=True)


async def stop_quietly(client: pyrogram.Client) -> None:
    """Stop a started client when another error is what matters (it is logged at DEBUG)."""
    if not client.is_connected:
        return
    try:
        await client.stop()
    except Exception as error:
        log.debug("stopping the client failed: %s", describe(error), exc_info=True)


async def connect(client: pyrogram.Client, config: Config) -> Connection:
    """Start the client and find the team channel, or raise a `StartupError` saying what to fix
    (whatever went wrong: the explanations are in atendimento/startup.py)."""
    through = f" through the proxy {config.proxy.display}" if config.proxy else ""
    log.info("connecting to Telegram%s", through)
    try:
        await start_client(client)
    except Exception as error:
        explanation = explain_login(error, config, session_file=session_file(config))
        raise StartupError(str(explanation), EXIT_MISCONFIGURED) from error
    me = client.me
    try:
        channel = await client.get_chat(config.channel)
        if channel.linked_chat is None:
            raise StartupError(
                f"The channel {channel.title!r} has no discussion group: in the channel's "
                "settings, add a discussion group (the comments live there) and make the bot "
                "an administrator of it.", EXIT_MISCONFIGURED)
        await remember_channel_states(client, (channel.id, channel.linked_chat.id))
    except StartupError:
        await stop_quietly(client)
        raise
    except Exception as error:
        await stop_quietly(client)
        raise StartupError(str(explain_channel(error, config)), EXIT_MISCONFIGURED) from error
    log.info("connected as @%s; team channel %r with discussion group %r", me.username,
             channel.title, channel.linked_chat.title)
    return Connection(me.id, me.username or "", channel.id, channel.title or "",
                      channel.linked_chat.id)

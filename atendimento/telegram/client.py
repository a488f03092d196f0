"""Builds the bot's pyrogram client and connects it, turning Telegram's refusals into advice."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import pyrogram
from pyrogram import errors, raw
from pyrogram.storage.storage import UpdateState

from atendimento.config import Config
from atendimento.errors import EXIT_MISCONFIGURED, StartupError

log = logging.getLogger("atendimento.telegram")

SESSION_NAME = "atendimento"

ClientFactory = Callable[[Config], pyrogram.Client]


# Parsing a message must never call Telegram: a fetch inside the parse of a send's result
# (the replied-to message, a sticker's set) that failed would make the sender retry a send that
# had already succeeded, and the copy would arrive twice. The desk does not use what they fetch.
PARSE_WITHOUT_FETCHING = {"fetch_replies": False, "fetch_stickers": False}


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
        **PARSE_WITHOUT_FETCHING,
    )


def build_check_client(config: Config) -> pyrogram.Client:
    """A client for `atendimento check`: in memory and deaf to updates, so that it can run
    beside the desk without taking the desk's session or its updates."""
    return pyrogram.Client(
        f"{SESSION_NAME}-check",
        api_id=config.api_id,
        api_hash=config.api_hash.reveal(),
        bot_token=config.bot_token.reveal(),
        in_memory=True,
        no_updates=True,
        sleep_threshold=30,
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


async def connect(client: pyrogram.Client, config: Config) -> Connection:
    """Start the client and find the team channel, or raise a `StartupError` saying what to fix."""
    try:
        await client.start()
    except (errors.AccessTokenInvalid, errors.AccessTokenExpired, errors.AuthKeyUnregistered,
            errors.UserDeactivated) as error:
        raise StartupError(
            f"Telegram refused BOT_TOKEN ({error.ID}): get the current token from @BotFather "
            "(/token) and set BOT_TOKEN.", EXIT_MISCONFIGURED) from None
    except errors.ApiIdInvalid:
        raise StartupError(
            "Telegram refused API_ID/API_HASH: copy both again from https://my.telegram.org.",
            EXIT_MISCONFIGURED) from None
    except (OSError, TimeoutError) as error:
        raise StartupError(f"Cannot reach Telegram: {error}. Check the network and retry."
                           ) from None
    me = client.me
    try:
        channel = await client.get_chat(config.channel)
    except (errors.RPCError, KeyError, ValueError) as error:
        await client.stop()
        raise StartupError(
            f"Cannot open the team channel {config.channel} ({type(error).__name__}): add the bot "
            "to the channel as an administrator and check CHANNEL.", EXIT_MISCONFIGURED) from None
    if channel.linked_chat is None:
        await client.stop()
        raise StartupError(
            f"The channel {channel.title!r} has no discussion group: in the channel's settings, "
            "add a discussion group (the comments live there) and make the bot an "
            "administrator of it.", EXIT_MISCONFIGURED)
    await remember_channel_states(client, (channel.id, channel.linked_chat.id))
    log.info("connected as @%s; team channel %r with discussion group %r", me.username,
             channel.title, channel.linked_chat.title)
    return Connection(me.id, me.username or "", channel.id, channel.title or "",
                      channel.linked_chat.id)

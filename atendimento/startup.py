"""What the self-hoster reads when the desk cannot reach Telegram at start: one paragraph per
kind of failure, saying what happened and what to do, with no secret in it.

Telegram's refusals are told apart by their ID (`ACCESS_TOKEN_INVALID`, ...), which pyrogram's
errors carry as `.ID` and `.CODE`: the IDs are Telegram's own contract, and matching on them keeps
this module free of pyrogram (design.md §3: only the telegram adapter imports it).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from atendimento.config import Config
from atendimento.logs import redact

BOT_FATHER_TOKEN = "get the bot's current token from @BotFather (/token, then choose the bot)"
MY_TELEGRAM = "https://my.telegram.org → API development tools"
DEBUG_HINT = ("Run it again with LOG_LEVEL=DEBUG to see where it happened, and report it with "
              "that log if it persists (secrets are hidden in it).")

TOKEN_REFUSED = frozenset({"ACCESS_TOKEN_INVALID", "ACCESS_TOKEN_EXPIRED", "BOT_TOKEN_INVALID"})
SESSION_REFUSED = frozenset({"AUTH_KEY_UNREGISTERED", "AUTH_KEY_INVALID", "SESSION_REVOKED",
                             "SESSION_EXPIRED", "AUTH_KEY_PERM_EMPTY"})
BOT_GONE = frozenset({"USER_DEACTIVATED", "USER_DEACTIVATED_BAN"})
FLOOD = frozenset({"FLOOD_WAIT_X", "FLOOD_PREMIUM_WAIT_X"})
NO_SUCH_USERNAME = frozenset({"USERNAME_NOT_OCCUPIED", "USERNAME_INVALID"})
NOT_A_MEMBER = frozenset({"CHANNEL_PRIVATE", "CHAT_ADMIN_REQUIRED", "CHAT_FORBIDDEN",
                          "CHANNEL_BANNED", "USER_BANNED_IN_CHANNEL"})
UNKNOWN_CHANNEL = frozenset({"CHANNEL_INVALID", "PEER_ID_INVALID", "CHAT_ID_INVALID"})

# For errors that say nothing themselves (pyrogram's ConnectionError after its last attempt).
_SILENT = ((socket.gaierror, "the host name could not be resolved"),
           (ConnectionRefusedError, "the connection was refused"),
           (ConnectionResetError, "the connection was cut"),
           (TimeoutError, "no answer in time"),
           (ConnectionError, "no connection could be made"),
           (OSError, "a network error"))


class Unreachable(ConnectionError):
    """Telegram could not be reached; `cause` is the network's last error, which pyrogram's own
    ConnectionError after its last attempt leaves out."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(describe(cause))
        self.cause = cause


@dataclass(frozen=True)
class Explanation:
    what: str  # what happened, e.g. "Telegram refused BOT_TOKEN"
    why: str  # the error that said so: Telegram's ID, or the exception and its message
    fix: str  # what to do, whole sentences

    def __str__(self) -> str:
        return f"{self.what} ({self.why}). {self.fix}"


def describe(error: BaseException) -> str:
    """The exception's class and message; never empty, even when its message is."""
    if isinstance(error, Unreachable):
        error = error.cause
    name = type(error).__name__
    text = str(error).strip()
    if not text:
        text = next((says for kind, says in _SILENT if isinstance(error, kind)), "no details")
    return f"{name}: {text}"


def telegram_id(error: BaseException) -> str | None:
    """Telegram's ID of an RPC error, with its number (`FLOOD_WAIT_420`); None for others."""
    if not isinstance(getattr(error, "CODE", None), int):
        return None
    ident = getattr(error, "ID", None) or getattr(error, "NAME", None) or type(error).__name__
    value = getattr(error, "value", None)
    return ident.replace("_X", f"_{value}") if isinstance(value, int) else ident


def is_network(error: BaseException) -> bool:
    """A failure to reach Telegram (or the proxy), as opposed to Telegram saying no."""
    return isinstance(error, OSError) or _proxy_refused(error)


def _proxy_refused(error: BaseException) -> bool:
    # python_socks' ProxyError: the proxy answered but would not connect us (a wrong password,
    # a rule). It is no OSError, so pyrogram lets it through as it is.
    return type(error).__module__.startswith("python_socks") and not isinstance(error, OSError)


def explain_login(error: BaseException, config: Config, *,
                  session_file: Path | None = None) -> Explanation:
    """Why the bot could not connect and log in; `session_file` is the stored session, if any."""
    return _clean(_login(error, config, session_file), config)


def explain_channel(error: BaseException, config: Config) -> Explanation:
    """Why the bot, logged in, could not open the team channel or its discussion group."""
    return _clean(_channel(error, config), config)


def explain_unexpected(error: BaseException, config: Config, doing: str) -> Explanation:
    return _clean(Explanation(f"The desk could not start: something unexpected happened while "
                              f"{doing}", describe(error), DEBUG_HINT), config)


def _clean(explanation: Explanation, config: Config) -> Explanation:
    secrets = config.secrets
    return Explanation(*(redact(part, secrets) for part in
                         (explanation.what, explanation.why, explanation.fix)))


def _network(error: BaseException, config: Config) -> Explanation:
    why = describe(error)
    if config.proxy is not None:
        proxy = config.proxy.display
        if _proxy_refused(error):
            return Explanation(
                f"The proxy {proxy} would not connect the desk to Telegram", why,
                "Check the user name and password in PROXY, and that the proxy lets this "
                "machine reach Telegram's servers (TCP port 443).")
        return Explanation(
            f"Cannot reach Telegram through the proxy {proxy}", why,
            "Check that the proxy is running and reachable from this machine, and the host, "
            "port, user and password in PROXY; then start again.")
    return Explanation(
        "Cannot reach Telegram", why,
        "Check this machine's internet connection, DNS and firewall (the desk needs outgoing "
        "TCP to Telegram's servers, port 443); where Telegram is blocked, set PROXY to a "
        "SOCKS5 or HTTP proxy. Then start again.")


def _flood(error: BaseException, doing: str, config: Config) -> Explanation:
    seconds = getattr(error, "value", None)
    wait = _duration(seconds) if isinstance(seconds, int) else "a while"
    return Explanation(
        f"Telegram asks the bot to wait {wait} before {doing} again", telegram_id(error) or "",
        "Telegram limits how often a bot may do this, and a desk restarting in a loop is the "
        f"usual cause: start it again after that wait, and keep DATA_DIR ({config.data_dir}) "
        "between runs so that the bot logs in only once.")


def _login(error: BaseException, config: Config, session_file: Path | None) -> Explanation:
    ident = telegram_id(error)
    if ident is None:
        if is_network(error):
            return _network(error, config)
        return Explanation("The desk could not start: something unexpected happened while "
                           "connecting to Telegram", describe(error), DEBUG_HINT)
    name = getattr(error, "ID", None)
    relogin = (f" Then delete {session_file}, so that the bot logs in again with it (updates "
               "missed meanwhile are not caught up by a new session)." if session_file else "")
    if name in TOKEN_REFUSED:
        return Explanation("Telegram refused BOT_TOKEN", ident,
                           f"The token is wrong or was revoked: {BOT_FATHER_TOKEN} and set "
                           "BOT_TOKEN to it.")
    if name == "AUTH_KEY_DUPLICATED":
        return Explanation(
            "Telegram cancelled the bot's session", ident,
            "The same session was used by two programs at once: run one desk per DATA_DIR."
            + relogin)
    if name in SESSION_REFUSED:
        where = "saved session" if session_file else "log-in"
        return Explanation(
            f"Telegram no longer accepts the bot's {where}", ident,
            f"Its token was probably revoked in @BotFather: {BOT_FATHER_TOKEN} and set "
            "BOT_TOKEN to it." + relogin)
    if name in BOT_GONE:
        return Explanation(
            "Telegram says the bot's account was deleted or banned", ident,
            "Create a bot with @BotFather (/newbot), set BOT_TOKEN to its token and add it to "
            "the channel and its discussion group as an administrator." + relogin)
    if name == "API_ID_INVALID":
        return Explanation("Telegram refused API_ID and API_HASH", ident,
                           f"They are not a pair Telegram knows: copy both again from "
                           f"{MY_TELEGRAM}.")
    if name == "API_ID_PUBLISHED_FLOOD":
        return Explanation("Telegram limits this API_ID because it was published", ident,
                           f"Create your own app at {MY_TELEGRAM} and set API_ID and API_HASH "
                           "to its values.")
    if name in FLOOD:
        return _flood(error, "logging in", config)
    if getattr(error, "CODE", 0) >= 500:
        return Explanation("Telegram's servers failed to answer", ident,
                           "This usually passes by itself: start the desk again in a few "
                           "minutes.")
    return Explanation("Telegram refused the bot's log-in", f"{ident}: {_message(error)}",
                       "Check API_ID, API_HASH and BOT_TOKEN. " + DEBUG_HINT)


def _channel(error: BaseException, config: Config) -> Explanation:
    channel = config.channel
    admin = ("add the bot to the channel as an administrator (post, edit and pin messages), "
             "and to the channel's discussion group as an administrator too")
    name = getattr(error, "ID", None)
    ident = telegram_id(error)
    if ident is None:
        if is_network(error):
            return _network(error, config)
        if isinstance(error, (KeyError, ValueError)):  # pyrogram: an id it cannot resolve
            name, ident = "PEER_ID_INVALID", describe(error)
        else:
            return Explanation("The desk could not start: something unexpected happened while "
                               f"opening the team channel {channel}", describe(error),
                               DEBUG_HINT)
    if name in NO_SUCH_USERNAME:
        return Explanation(f"There is no channel {channel}", ident,
                           "Set CHANNEL to the team channel's @username or its id (-100…).")
    if name in NOT_A_MEMBER:
        return Explanation(f"The bot is not in the team channel {channel}", ident,
                           admin[0].upper() + admin[1:] + ".")
    if name in UNKNOWN_CHANNEL:
        return Explanation(
            f"The bot cannot open the team channel {channel}", ident,
            "Either CHANNEL is wrong or the bot was never added to that channel (a bot cannot "
            f"find a private channel it is not in): check CHANNEL and {admin}.")
    if name in FLOOD:
        return _flood(error, "opening the channel", config)
    return Explanation(f"Telegram refused to open the team channel {channel}",
                       f"{ident}: {_message(error)}",
                       f"Check CHANNEL and {admin}. " + DEBUG_HINT)


def _message(error: BaseException) -> str:
    """Telegram's description of an RPC error (pyrogram's table), without the call's name."""
    try:
        text = error.MESSAGE.format(**{error.VALUE_NAME: error.value})
    except (AttributeError, KeyError, IndexError, ValueError):
        text = str(error)
    return text.strip().rstrip(".") or "no details"


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds / 3600:.1f} hours"

"""Configuration from environment variables and a `.env` file, validated all at once.

Every setting is one row of `SETTINGS`; later issues add rows there (desk settings go in the
`desk` group). `load_config` reports every missing or malformed value in a single `ConfigError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///data/atendimento.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class Secret:
    """A string that never shows itself in reprs, logs or error messages."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class ConfigError(Exception):
    """Raised with every problem found; `str()` is the message shown to the self-hoster."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = ["atendimento is not configured yet. Set these (in the environment or in .env):"]
        lines += [f"  - {problem}" for problem in problems]
        lines.append("See .env.example and the Configuration table in README.md.")
        super().__init__("\n".join(lines))


class Invalid(ValueError):
    """A parser's way of saying what is wrong with a value (never including the value)."""


@dataclass(frozen=True)
class Setting:
    name: str
    help: str
    parse: Callable[[str], Any]
    default: str | None = None  # None means required
    secret: bool = False
    group: str = "core"
    attr: str = ""

    @property
    def key(self) -> str:
        return self.attr or self.name.lower()


def _api_id(raw: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise Invalid("must be a positive number")
    return int(raw)


def _api_hash(raw: str) -> Secret:
    if not re.fullmatch(r"[0-9a-fA-F]{32}", raw):
        raise Invalid("must be the 32 hexadecimal characters shown as api_hash")
    return Secret(raw)


def _bot_token(raw: str) -> Secret:
    if not re.fullmatch(r"\d{3,}:[A-Za-z0-9_-]{30,}", raw):
        raise Invalid("must look like 123456789:AAE... (the token @BotFather gave you)")
    return Secret(raw)


def _channel(raw: str) -> int | str:
    if re.fullmatch(r"-100\d{5,}", raw):
        return int(raw)
    name = raw.removeprefix("@")
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", name):
        return "@" + name
    raise Invalid("must be the channel's id (-100…) or its @username")


def _database_url(raw: str) -> str:
    if raw == "-":  # the default: an SQLite file in DATA_DIR, filled in by load_config
        return ""
    if not re.match(r"(sqlite|postgres|postgresql)://", raw):
        raise Invalid("must start with sqlite:/// or postgresql://")
    return raw


LANGUAGES = "pt_BR, en, es, it, ru"  # the catalogs shipped in locales/ (checked at start-up)


def _language(raw: str) -> str:
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2}|_[0-9]{3})?", raw):
        raise Invalid(f"must be a locale name: {LANGUAGES}")
    return raw


def _client_language(raw: str) -> str:
    if raw == "-":  # the default: LANGUAGE, filled in by load_config
        return ""
    return _language(raw)


def _timezone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise Invalid("must be an IANA time zone such as America/Sao_Paulo") from error
    return raw


_TRUE = frozenset({"1", "true", "yes", "on", "sim", "si", "sí"})
_FALSE = frozenset({"0", "false", "no", "off", "nao", "não"})


def _switch(raw: str) -> bool:
    value = raw.casefold()
    if value not in _TRUE | _FALSE:
        raise Invalid("must be on or off (also true/false, 1/0, yes/no)")
    return value in _TRUE


FAQ_OFF, FAQ_ON, FAQ_SUGGEST = "off", "on", "suggest"


def _faq_mode(raw: str) -> str:
    if raw.casefold() in {FAQ_SUGGEST, "sugerir", "sugestao", "sugestão"}:
        return FAQ_SUGGEST
    try:
        return FAQ_ON if _switch(raw) else FAQ_OFF
    except Invalid:
        raise Invalid("must be on, off or suggest") from None


def _fraction(raw: str) -> float | None:
    if raw == "-":  # the default: the FAQ matcher's own
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise Invalid("must be a number between 0 and 1, such as 0.8") from None
    if not 0 < value <= 1:
        raise Invalid("must be a number between 0 and 1, such as 0.8")
    return value


def _count(low: float, high: float, unit: str) -> Callable[[str], float]:
    """A number of `unit` between `low` and `high` (a comma works as the decimal point)."""
    def parse(raw: str) -> float:
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            raise Invalid(f"must be a number of {unit}, such as {int(high // 10) or 1}") from None
        if not low <= value <= high:
            raise Invalid(f"must be between {low:g} and {high:g} {unit}")
        return value
    return parse


def _rating(raw: str) -> int:
    if raw not in {"1", "2", "3", "4", "5", "6"}:
        raise Invalid("must be a whole number from 1 to 6 (6: reopen on any rating below 6; "
                      "1: never)")
    return int(raw)


PROXY_SCHEMES = ("socks5", "socks4", "http")


@dataclass(frozen=True)
class Proxy:
    """Where to reach Telegram through (PROXY); the password is a `Secret`, hidden in reprs."""

    scheme: str
    hostname: str
    port: int
    username: str | None = None
    password: Secret | None = None

    @property
    def display(self) -> str:
        """The URL without its password, for messages and `atendimento check`."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return f"{self.scheme}://{user}{host}:{self.port}"


def _proxy(raw: str) -> Proxy | None:
    if raw == "-":  # the default: connect directly
        return None
    if "://" not in raw:
        raise Invalid("must be a URL such as socks5://127.0.0.1:1080")
    try:
        parts = urlsplit(raw)
    except ValueError:  # such as an unclosed [ around an IPv6 address
        raise Invalid("is not a valid URL such as socks5://127.0.0.1:1080") from None
    scheme = parts.scheme.lower()
    if scheme not in PROXY_SCHEMES:
        given = f", not {scheme}://" if scheme else ""
        if scheme in ("tg", "mtproxy", "web"):
            given += " (MTProxy is not supported)"
        raise Invalid(f"must start with socks5://, socks4:// or http://{given}")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if not parts.hostname:
        raise Invalid("has no host")
    if port is None:
        raise Invalid("needs a port after the host (host:port)")
    if port == 0:
        raise Invalid("the port must be a number from 1 to 65535")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise Invalid("must end with the port")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password and not username:
        raise Invalid("has a password but no user name (user:password@host)")
    if scheme == "socks4" and password:
        raise Invalid("socks4 takes a user id but no password; use socks5 for a password")
    if scheme == "socks5" and bool(username) != bool(password):
        raise Invalid("socks5 needs both a user name and a password (user:password@), or "
                      "neither")
    if scheme == "socks5" and not f"{username or ''}{password or ''}".isascii():
        raise Invalid("socks5 user names and passwords must be ASCII")
    return Proxy(scheme, parts.hostname, port, username,
                 Secret(password) if password is not None else None)


def _path(raw: str) -> Path:
    return Path(raw)


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in LOG_LEVELS:
        raise Invalid("must be one of " + ", ".join(LOG_LEVELS))
    return level


def _listen(raw: str) -> tuple[str, int] | None:
    if raw == "-":  # the default: no HTTP server
        return None
    host, colon, port = raw.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise Invalid("must be host:port, such as 127.0.0.1:8080 (0.0.0.0:8080 in a container)")
    return host, int(port)


TOKEN_MIN = 24


def _token(raw: str) -> Secret | None:
    if raw == "-":
        return None
    if len(raw) < TOKEN_MIN or not raw.isascii() or any(c.isspace() for c in raw):
        raise Invalid(f"must be at least {TOKEN_MIN} characters without spaces; make one "
                      "with: openssl rand -hex 32")
    return Secret(raw)


def _urls(raw: str) -> tuple[str, ...]:
    if raw == "-":
        return ()
    urls = tuple(dict.fromkeys(part for part in re.split(r"[\s,]+", raw) if part))
    for url in urls:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018  (raises on a malformed port)
        except ValueError:
            raise Invalid("has a URL that is not valid; use https://host/path") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Invalid("must be http:// or https:// URLs, separated by commas")
        try:
            parts.hostname.encode("idna")
        except UnicodeError:
            raise Invalid("has a URL whose host name is not valid (an empty part, "
                          "or an invisible character?)") from None
    return urls


def _ids(raw: str) -> tuple[int, ...]:
    if raw == "-":
        return ()
    found = []
    for part in re.split(r"[\s,]+", raw):
        if not part:
            continue
        if not part.isascii() or not part.isdigit() or not 0 < int(part) < 2**63:
            raise Invalid("must be Telegram user ids (numbers), separated by commas")
        found.append(int(part))
    return tuple(dict.fromkeys(found))


def _keywords(raw: str) -> tuple[str, ...]:
    if raw == "-":
        return ()
    found = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if any(len(word) > 64 for word in found):
        raise Invalid("each keyword has at most 64 characters")
    if any(word == "/" for word in found):
        raise Invalid("a command keyword needs its name after the slash, such as /ajuda")
    return found


def _mode(raw: str) -> str:
    value = raw.casefold()
    if value not in ("desk", "parallel"):
        raise Invalid("must be desk (the desk is the bot) or parallel (attached to a bot "
                      "that another system runs with the same token)")
    return value


def _maybe_switch(raw: str) -> bool | None:
    return None if raw == "-" else _switch(raw)


def _text(raw: str) -> str:
    if raw == "-":
        return ""
    if len(raw) > 4096:
        raise Invalid("has at most 4096 characters (one Telegram message)")
    return raw.replace("\\n", "\n")


def _per_second(raw: str) -> float:
    return _count(0.1, 100_000, "requests per second")(raw)


_MY_TELEGRAM = "from https://my.telegram.org → API development tools"

SETTINGS: tuple[Setting, ...] = (
    Setting("API_ID", f"your app's api_id, {_MY_TELEGRAM}", _api_id),
    Setting("API_HASH", f"your app's api_hash, {_MY_TELEGRAM}", _api_hash, secret=True),
    Setting("BOT_TOKEN", "the bot's token, from @BotFather (/newbot or /token)", _bot_token,
            secret=True),
    Setting("CHANNEL", "the team's private channel: its id (-100…) or @username", _channel),
    Setting("DATABASE_URL",
            "where the desk keeps its map: sqlite:///path or postgresql://… "
            "(default: an SQLite file in DATA_DIR)",
            _database_url, default="-"),
    Setting("LANGUAGE", f"the team's language ({LANGUAGES})", _language, default="pt_BR"),
    Setting("DEFAULT_CLIENT_LANGUAGE", "the language of a client whose Telegram language the "
            f"desk does not have ({LANGUAGES}; default: LANGUAGE)", _client_language,
            default="-"),
    Setting("TIMEZONE", "the team's time zone, used in service lines", _timezone,
            default="America/Sao_Paulo"),
    Setting("TEXTS_DIR", "folder with the texts you own (start, restart, end messages)", _path,
            default="respostas"),
    Setting("DATA_DIR", "folder for the bot's session file and the default SQLite database",
            _path, default="data"),
    Setting("LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR", _log_level, default="INFO"),
    Setting("PROXY", "a proxy to reach Telegram through where it is blocked: "
            "socks5://user:password@host:port, socks4://host:port or "
            "http://user:password@host:port (default: none)", _proxy, default="-",
            secret=True),
    Setting("FAQ_AUTOANSWER", "on: answer clients at once with a ready answer that matches "
            "their message with high confidence; suggest: only show the team the answers "
            "that fit, never send one by itself (default off)", _faq_mode, default="off",
            group="desk", attr="faq_autoanswer"),
    Setting("FAQ_AUTO_THRESHOLD", "confidence (0–1) from which the FAQ answers by itself "
            "(default: the matcher's, chosen on the FAQ evaluation sets)", _fraction, default="-",
            group="desk", attr="faq_auto_threshold"),
    Setting("FAQ_SUGGEST_THRESHOLD", "confidence (0–1) from which the team sees a suggested "
            "ready answer in the thread", _fraction, default="-", group="desk",
            attr="faq_suggest_threshold"),
    Setting("FAQ_LEARN", "on: keep the words of the clients' questions a team member answers "
            "by picking a saved reply, for `atendimento faq suggest-keywords` (default off: "
            "the database keeps no words of clients' messages)", _switch, default="off",
            group="desk", attr="faq_learn"),
    Setting("AUTOCLOSE", "hours after the team's last message, with no word from the client, "
            "after which an atendimento ends by itself (0: never; default 48)",
            _count(0, 24 * 365, "hours"), default="48", group="desk", attr="autoclose_hours"),
    Setting("CSAT", "on: at the end of an atendimento the client is asked to rate it from 1 "
            "to 5 (default on)", _switch, default="on", group="desk", attr="csat"),
    Setting("CSAT_REOPEN_BELOW", "a rating below this reopens the atendimento and tells the "
            "admins (default 3: ratings 1 and 2)", _rating, default="3", group="desk",
            attr="csat_reopen_below"),
    Setting("SLA_FIRST_RESPONSE", "minutes a client may wait for the team's first answer "
            "before the card shows an alarm (default 30)", _count(1, 60 * 24 * 30, "minutes"),
            default="30", group="desk", attr="sla_first_response_minutes"),
    Setting("HTTP_LISTEN", "host:port of the desk's HTTP server (the API, /healthz, "
            "/metrics), such as 127.0.0.1:8080 (default: no server)", _listen, default="-"),
    Setting("API_TOKEN", "the bearer token of the HTTP API (at least 24 characters; "
            "default: the API is off, /healthz and /metrics still answer)", _token,
            default="-", secret=True),
    Setting("API_RATE_LIMIT", "requests per second the API takes per token, with bursts of "
            "twice as many (default 20)", _per_second, default="20"),
    Setting("WEBHOOK_URL", "one or more URLs (separated by commas) that receive the desk's "
            "events as signed JSON (default: none)", _urls, default="-", group="desk",
            attr="webhook_urls"),
    Setting("WEBHOOK_SECRET", "the key webhook signatures are made with (at least 24 "
            "characters; required with WEBHOOK_URL)", _token, default="-", secret=True,
            group="desk", attr="webhook_secret"),
    Setting("IGNORE", "user ids whose private messages are never recorded (separated by "
            "commas; default: none)", _ids, default="-", group="desk", attr="ignore"),
    Setting("WHITE_LIST", "when set, only these user ids get cards (separated by commas; "
            "default: everyone)", _ids, default="-", group="desk", attr="white_list"),
    Setting("PRIVATE_KEYWORDS", "words or /commands, separated by commas: an atendimento "
            "opens only on a message with one of them (case and accents ignored; default: "
            "every message)", _keywords, default="-", group="desk", attr="private_keywords"),
    Setting("MODE", "desk: the desk is the bot; parallel: the desk is attached to a bot that "
            "another system already runs with this token, records its dialogs and lets the "
            "team step in (default desk)", _mode, default="desk", group="desk", attr="mode"),
    Setting("SILENT_MODE", "on: the desk sends clients none of its own words (start, restart, "
            "end texts, the rating question, error messages), only the team's answers "
            "(default: on in parallel mode, off in desk mode)", _maybe_switch, default="-",
            group="desk", attr="silent_mode"),
    Setting("WELCOME", "parallel mode: a text the desk sends to a client's /start (\\n for a "
            "new line; default: none, the existing bot greets)", _text, default="-",
            group="desk", attr="welcome"),
    Setting("INTERCEPT_EXTERNAL", "parallel mode, on: what the existing bot sends to a client "
            "is copied into their thread, marked 🤖 (default on)", _switch, default="on",
            group="desk", attr="intercept_external"),
)


@dataclass(frozen=True)
class Config:
    api_id: int
    api_hash: Secret
    bot_token: Secret
    channel: int | str
    database_url: str = DEFAULT_DATABASE_URL
    language: str = "pt_BR"
    default_client_language: str = "pt_BR"
    timezone: str = "America/Sao_Paulo"
    texts_dir: Path = Path("respostas")
    data_dir: Path = Path("data")
    log_level: str = "INFO"
    proxy: Proxy | None = None
    http_listen: tuple[str, int] | None = None
    api_token: Secret | None = None
    api_rate_limit: float = 20.0
    desk: Mapping[str, Any] = field(default_factory=dict)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The raw secret values, for log redaction (the database password also as written)."""
        found = [self.api_hash.reveal(), self.bot_token.reveal()]
        try:
            database_password = urlsplit(self.database_url).password
        except ValueError:  # a malformed port; the password is still worth hiding
            database_password = None
        if database_password:
            found += [database_password, unquote(database_password)]
        if self.proxy is not None and self.proxy.password is not None:
            found.append(self.proxy.password.reveal())
        for secret in (self.api_token, self.desk.get("webhook_secret")):
            if secret is not None:
                found.append(secret.reveal())
        return tuple(dict.fromkeys(secret for secret in found if secret))

    @property
    def database_url_for_display(self) -> str:
        """The database URL with any password masked."""
        return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", self.database_url)


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a `.env` file: KEY=VALUE lines, `#` comments, optional `export` and quotes."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def load_config(
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    settings: tuple[Setting, ...] = SETTINGS,
) -> Config:
    """Build the `Config` from the environment (which wins) and the `.env` file."""
    source: dict[str, str] = read_env_file(env_file) if env_file else {}
    source.update(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    desk: dict[str, Any] = {}
    problems: list[str] = []
    for setting in settings:
        raw = source.get(setting.name, "").strip()
        if not raw:
            if setting.default is None:
                problems.append(f"{setting.name}: missing — {setting.help}")
                continue
            raw = setting.default
        try:
            value = setting.parse(raw)
        except Invalid as error:
            problems.append(f"{setting.name}: {error} — {setting.help}")
            continue
        (desk if setting.group == "desk" else values)[setting.key] = value
    if desk.get("webhook_urls") and desk.get("webhook_secret") is None:
        problems.append("WEBHOOK_SECRET: missing — WEBHOOK_URL is set, and receivers need it "
                        "to tell the desk's events from forged ones (openssl rand -hex 32)")
    if problems:
        raise ConfigError(problems)
    if not values["default_client_language"]:
        values["default_client_language"] = values["language"]
    if not values["database_url"]:
        values["database_url"] = f"sqlite:///{values['data_dir'].as_posix()}/atendimento.db"
    return Config(**values, desk=desk)

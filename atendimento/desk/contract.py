"""The feature contract: what a feature declares, in one place, to join the desk.

A feature is a package under `atendimento/features/` with a `feature(core) -> Feature`
function; app.py lists the enabled ones. The desk (the core) reads the declaration and does
the wiring: the registry (desk/registry.py) dispatches commands and button presses after
checking who may use them, builds the command menus and the /ajuda text; the event bus
(desk/events.py) delivers the events a feature listens to; the migrator applies its own
numbered migrations (versioned per feature, see `FeaturePackage`); the app schedules its
jobs. A feature never edits the core to add a command: the smallest one,
`atendimento.features.bans`, shows the whole shape.

Names are what people type; the first is the one menus show, the others are aliases (other
languages, older names). Who may run a command is checked by the registry before `run` is
called, so a feature cannot forget it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from atendimento.domain.events import BotMessage, ClientEvent, ForeignPress, Person, TeamEvent
from atendimento.storage.records import Thread

Listener = Callable[[Any], Awaitable[None]]

# Where a command is typed: a comment in a card's thread, or the private chat with the bot.
THREAD, PRIVATE = "thread", "private"
# Who may use a command or a button: channel administrators, any team member, anyone.
ADMIN, MEMBER, ANYONE = "admin", "member", "anyone"
# What a private command does when someone outside the team sends it: the registry answers
# that it is for the team, or it is an ordinary message and goes to the team as a client's.
REFUSE, RELAY = "refuse", "relay"
# The command menus a command shows in (telegram.md §4): every private chat, the discussion
# group, and administrators' private chats.
CLIENTS, TEAM, ADMINS = "clients", "team", "admins"


@dataclass(frozen=True)
class ThreadCall:
    """A command typed in a card's thread: by `author` (the group or channel posting as
    itself is an anonymous admin), with the text after the command in `arguments`."""

    event: TeamEvent
    thread: Thread
    author: Person
    name: str  # as typed, without the slash
    arguments: str

    @property
    def here(self) -> int:
        return self.event.message.message_id


@dataclass(frozen=True)
class PrivateCall:
    """A command sent in someone's private chat with the bot; `locale` is their app's."""

    event: ClientEvent
    name: str
    arguments: str
    locale: str

    @property
    def person(self) -> Person:
        return self.event.client


@dataclass(frozen=True)
class Press:
    """A button press: `data` is what the button carries, after its prefix; `chat_id` and
    `message_id` are where the message with the button is; `locale` is the presser's."""

    user: Person
    data: str
    chat_id: int | None
    message_id: int | None
    locale: str


@dataclass(frozen=True)
class Command:
    names: tuple[str, ...]
    where: str  # THREAD or PRIVATE
    run: Callable[[Any], Awaitable[None]]  # called with a ThreadCall or a PrivateCall
    allowed: str = MEMBER
    summary: str = ""  # an N_() text: the menus' and /ajuda's line
    menus: tuple[str, ...] = ()
    outsiders: str = REFUSE  # PRIVATE only: what someone outside the team gets

    def __post_init__(self) -> None:
        if not self.names or self.where not in (THREAD, PRIVATE):
            raise ValueError(f"a command needs names and THREAD or PRIVATE: {self}")
        if self.allowed not in (ADMIN, MEMBER, ANYONE) or self.outsiders not in (REFUSE, RELAY):
            raise ValueError(f"unknown permission in {self}")


@dataclass(frozen=True)
class Buttons:
    """Buttons whose data starts with `prefix`: `press` returns the short note shown to who
    pressed (and whether it is an alert). `own_chat`: the button only ever sits in the
    presser's own private chat, so a press under any other message is forged."""

    prefix: str
    press: Callable[[Press], Awaitable[tuple[str, bool]]]
    allowed: str = MEMBER
    own_chat: bool = False
    name: str = ""  # the command it belongs to, for the "only administrators" note


@dataclass(frozen=True)
class Inline:
    """The bot's inline mode (`@bot terms`), for the team only: `query(user, text, offset,
    answer)`, `chosen(user, result_id)` (Telegram's feedback), and `arrived(user_id,
    fingerprint)`: a message sent through inline mode landed in a chat the bot is in; it
    returns the id of the saved reply it was picked from, when it recognises it."""

    query: Callable[[Person, str, str, Any], Awaitable[None]]
    chosen: Callable[[Person, str], Awaitable[None]]
    arrived: Callable[[int, str], Awaitable[int | None]]


@dataclass(frozen=True)
class Elsewhere:
    """What another session of the bot does (parallel mode): `message` and `edit`, what it
    sent to a client; `ours(chat_id, message_id)`, whether a private message was sent by the
    desk (a press under one is the desk's); `press`, a press under one of the other's."""

    message: Callable[[BotMessage], Awaitable[None]]
    edit: Callable[[BotMessage], Awaitable[None]]
    ours: Callable[[int, int], Awaitable[bool]]
    press: Callable[[ForeignPress], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    """Work the scheduler runs every `seconds` (and once at start when `at_start`); a job's
    state lives in the database, so a restart neither forgets nor doubles it."""

    name: str
    seconds: float
    run: Callable[[], Awaitable[object]]
    at_start: bool = False


@dataclass(frozen=True)
class Feature:
    name: str
    commands: Sequence[Command] = ()
    buttons: Sequence[Buttons] = ()
    # Event type (a domain/happenings.py class) → the listener (or a list of them, each run
    # and retried on its own), called in the client's lane.
    listens: Mapping[type, Listener | Sequence[Listener]] = field(default_factory=dict)
    inline: Inline | None = None
    elsewhere: Elsewhere | None = None
    # A private message that is not a command: the feature's if `claim` returns True (a team
    # member's workspace), else the next feature's, else it is a client's message.
    claim: Callable[[ClientEvent], Awaitable[bool]] | None = None
    # A team's comment in a thread that is not a command: the feature's if `comment` returns
    # True (an internal note), else it goes to the client.
    comment: Callable[[TeamEvent, Thread], Awaitable[bool]] | None = None
    # An edited comment that now reads as the feature's own (a note): True keeps the edit
    # from the client's copy. Pure: it must not act.
    keeps_edit: Callable[[TeamEvent], bool] | None = None
    # Lines under the card, `card(tables, thread, client, now)`, read whenever it is drawn.
    card: Callable[[Any, Thread, Any, Any], Sequence[str]] | None = None
    jobs: Sequence[Job] = ()
    settings: tuple[str, ...] = ()  # the configuration keys it reads (config.py SETTINGS)
    texts: tuple[str, ...] = ()  # the respostas/<language>/ files it reads
    api: object = None  # what other features and the app may call on it


FeatureFactory = Callable[[Any], Feature]  # called with the desk's Core


class FeaturePackage(Protocol):
    """What app.py lists: a package with `feature(core) -> Feature`. One with tables of its
    own also has `migrations() -> FeatureMigrations` (its numbered mNNNN_name.py modules,
    found with storage.migrator.discover_package), applied before the desk starts."""

    def feature(self, core: Any) -> Feature: ...

"""What happened at the desk, as plain values: the events features listen to.

The core publishes them after the change they tell of is committed (desk/events.py). Fields
are plain JSON values, since an event waits in the database until its listeners have run.
`client_id` is in every one: listeners run in that client's lane, in order with the rest of
that conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from atendimento.domain.events import Person


@dataclass(frozen=True)
class ClientStarted:
    """Someone sent /start to the bot (a client, or a team member)."""

    client_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def person(self) -> Person:
        return Person(self.client_id, self.first_name, self.last_name, self.username,
                      self.language_code)


@dataclass(frozen=True)
class AtendimentoOpened:
    """A client's message created their thread or resumed it. `comment_key` is the outbox
    row of the message's copy in the thread (its link, once sent); `notify` the admins who
    asked to hear of it, read in the transaction that opened it."""

    client_id: int
    thread_id: int
    atendimento_id: int
    number: int
    resumed: bool
    client_name: str
    origin: str | None
    card_post_id: int | None
    preview: str
    comment_key: str | None
    notify: tuple[int, ...] = ()


@dataclass(frozen=True)
class AtendimentoEnded:
    """By the team (/fim, a ban: `by_id`, `banned`) or by the desk itself (`automatic`)."""

    client_id: int
    thread_id: int
    atendimento_id: int
    number: int
    by_id: int
    automatic: bool = False
    banned: bool = False  # ended by /ban: no end text, no rating question


@dataclass(frozen=True)
class ClientMessageRelayed:
    """A client's message was copied into their thread as `copy_id`."""

    client_id: int
    thread_id: int
    atendimento_id: int
    copy_id: int
    text: str


@dataclass(frozen=True)
class TeamAnswerSent:
    """A message of the team reached the client: a comment in the thread (`via` "thread"),
    /novo ("novo") or the HTTP API ("api"); `author_id` is None for an anonymous admin and
    for the API. `picked` is the saved reply the comment was picked from through the bot's
    inline mode, when the desk recognised it; `answering`, the thread message (a client's
    copy) the comment replies to, if any."""

    client_id: int
    atendimento_id: int
    author_id: int | None
    via: str = "thread"
    picked: int | None = None
    answering: int | None = None


@dataclass(frozen=True)
class PriorityChanged:
    client_id: int
    thread_id: int
    priority: str
    by_id: int


@dataclass(frozen=True)
class ClientBanned:
    client_id: int
    banned: bool  # False: let back in
    by_id: int


@dataclass(frozen=True)
class TagsChanged:
    """The client's tags changed (`tags`: all of them after the change); `by_id` is None
    when the HTTP API changed them."""

    client_id: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    tags: tuple[str, ...]
    by_id: int | None


@dataclass(frozen=True)
class CsatReceived:
    """The client rated an atendimento (1 to 5)."""

    client_id: int
    atendimento_id: int
    number: int
    rating: int


@dataclass(frozen=True)
class HandoverStarted:
    """Another system (an FAQ or AI bot, through the HTTP API) handed the client over to a
    person; the atendimento `atendimento_id` is open for them."""

    client_id: int
    atendimento_id: int
    number: int
    reason: str
    summary: str | None = None


@dataclass(frozen=True)
class HandoverEnded:
    """The atendimento of a hand-over ended: the other system may talk to the client again."""

    client_id: int
    atendimento_id: int
    number: int
    automatic: bool = False


@dataclass(frozen=True)
class TeamTookOver:
    """Parallel mode: a person of the team answered, for the first time in this atendimento,
    a client the existing bot had been answering by itself; that system may pause its
    automation for the client until `AtendimentoEnded`."""

    client_id: int
    atendimento_id: int
    number: int
    author_id: int | None


KINDS: tuple[type, ...] = (ClientStarted, AtendimentoOpened, AtendimentoEnded,
                           ClientMessageRelayed, TeamAnswerSent, PriorityChanged, ClientBanned,
                           TagsChanged, CsatReceived, HandoverStarted, HandoverEnded,
                           TeamTookOver)

"""What a delivered send records and where a refused one is reported, as typed values that the
outbox writes into a row's payload and reads back when the row settles (desk/outbox.py).

Each type names its payload key and its codec here, in one place, instead of both ends of the
outbox knowing magic strings. The wire format is the previous release's exactly ("link"
{"a", "d", "cc", "gc", "mg"}, "card_of", "pin" [thread, pinned], "on_fail" {"thread", "root",
"under", "client", "edit"}): rows it left pending settle the same, and a row's key, a digest of
its payload, stays the same for the same decision, so a decision taken again after an upgrade
still finds the rows of the first.

Encoding needs no registry (a value knows its key); decoding does: a key means something only
when a record type is registered for it with what settling it does (`Records`), and keys nobody
registered are ignored, as any other payload key is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol, Self, TypeVar


class Record(Protocol):
    """What a delivered send records, under its own payload key."""

    key: ClassVar[str]

    def encode(self) -> Any:
        """A JSON-able value (stored in the row, and hashed into its key)."""
        ...

    @classmethod
    def decode(cls, value: Any) -> Self: ...


R = TypeVar("R", bound=Record)
# apply(tables, record, delivery, now), run inside the transaction that settles the row; the
# delivery is the outbox's (the message ids the send produced).
Apply = Callable[[Any, R, Any, datetime], object]


@dataclass(frozen=True)
class MessageLink:
    """The copy links each message on one side to its copy on the other (each album item)."""

    key: ClassVar[str] = "link"

    atendimento_id: int
    direction: str  # TO_TEAM: the copy is in the group; TO_CLIENT: in the client's chat
    client_chat_id: int
    group_chat_id: int
    media_group_id: str | None = None
    # When the client sent it (Telegram's date): the link is dated then, not when the copy
    # settled, so a wait through a downtime or a long catch-up shows as long as it was.
    sent_at: datetime | None = None

    def encode(self) -> dict[str, Any]:
        # "mg" is always written, even when None: the previous release did, and the row key
        # hashes it. "t" is newer, and written only when known: a decision taken again after
        # an upgrade (a crash in the moment between deciding and recording the update) gets
        # another key than before it only for a client's message.
        value = {"a": self.atendimento_id, "d": self.direction, "cc": self.client_chat_id,
                 "gc": self.group_chat_id, "mg": self.media_group_id}
        if self.sent_at is not None:
            value["t"] = self.sent_at.isoformat()
        return value

    @classmethod
    def decode(cls, value: Any) -> MessageLink:
        sent = value.get("t")
        return cls(value["a"], value["d"], value["cc"], value["gc"], value.get("mg"),
                   datetime.fromisoformat(sent) if sent else None)


@dataclass(frozen=True)
class CardPosted:
    """The send posts the card of thread `thread_id`: its message id becomes the card's."""

    key: ClassVar[str] = "card_of"

    thread_id: int

    def encode(self) -> int:
        return self.thread_id

    @classmethod
    def decode(cls, value: Any) -> CardPosted:
        return cls(value)


@dataclass(frozen=True)
class PinSet:
    """The send pins (or unpins) the card of thread `thread_id`."""

    key: ClassVar[str] = "pin"

    thread_id: int
    pinned: bool

    def encode(self) -> list[Any]:
        return [self.thread_id, self.pinned]

    @classmethod
    def decode(cls, value: Any) -> PinSet:
        thread_id, pinned = value
        return cls(thread_id, pinned)


# Failure's fields and their keys in "on_fail".
_FAILURE_KEYS = (("thread_id", "thread"), ("root", "root"), ("under", "under"),
                 ("client_id", "client"))


@dataclass(frozen=True)
class Failure:
    """Where a refusal is reported: a line in thread `thread_id` under message `under` (or its
    `root` when that is gone); `client_id` is marked as having blocked the bot when that is the
    reason; `edit`: the send mirrors an edit, whose target may be gone."""

    key: ClassVar[str] = "on_fail"

    thread_id: int | None = None
    root: int | None = None
    under: int | None = None
    client_id: int | None = None
    edit: bool = False

    def encode(self) -> dict[str, Any]:
        # Only what is set is written, as the previous release's builders did: the same
        # decision keeps the same row key.
        value: dict[str, Any] = {key: getattr(self, name) for name, key in _FAILURE_KEYS
                                 if getattr(self, name) is not None}
        if self.edit:
            value["edit"] = True
        return value

    @classmethod
    def decode(cls, value: Any) -> Failure:
        return cls(**{name: value.get(key) for name, key in _FAILURE_KEYS},
                   edit=bool(value.get("edit")))

    @classmethod
    def to_client(cls, thread: Any, client_id: int, under: int | None = None) -> Failure:
        """A send to the client of `thread` (a Thread): its refusal said in the thread, and a
        block shown on the card."""
        return cls(thread.id, root=thread.thread_root_id, under=under, client_id=client_id)

    @classmethod
    def of(cls, payload: Mapping[str, Any]) -> Failure | None:
        """Where a row asks its refusal to be reported; None: nowhere (said in the log only)."""
        value = payload.get(cls.key)
        return cls.decode(value) if value else None


def encode(payload: Mapping[str, Any], records: Iterable[Record] = (),
           failure: Failure | None = None) -> dict[str, Any]:
    """The payload a row holds: `payload` with each record, and the failure, under its key.
    A key given twice would lose one of the two values: that is a mistake, said at once."""
    merged = dict(payload)
    extra = [*records, *([failure] if failure is not None else [])]
    for value in extra:
        if value.key in merged:
            raise ValueError(f"payload key {value.key!r} given twice ({type(value).__name__})")
        merged[value.key] = value.encode()
    return merged


class Records:
    """The record types a row's payload may carry, by key, with what settling each does.

    The outbox registers its own (message links); a feature registers the ones it owns (the
    card's, the pin's: desk/threads.py), so a new kind of record needs no change of the outbox.
    """

    def __init__(self) -> None:
        self._types: dict[str, tuple[type[Any], Apply[Any]]] = {}

    def register(self, record_type: type[R], apply: Apply[R]) -> None:
        """Settling a delivered send that carries a `record_type` runs `apply` (inside the
        settling transaction: it is recorded with the send's outcome, or not at all)."""
        key = record_type.key
        if key == Failure.key:
            raise ValueError(f"payload key {key!r} says where refusals are reported")
        known = self._types.get(key)
        if known is not None and known[0] is not record_type:
            raise ValueError(f"payload key {key!r} is {known[0].__name__}'s already")
        self._types[key] = (record_type, apply)

    def check(self, records: Iterable[Record]) -> None:
        """Refuse records nobody would settle: a row carrying one would lose it silently."""
        for record in records:
            known = self._types.get(record.key)
            if known is None or not isinstance(record, known[0]):
                raise LookupError(f"{type(record).__name__} is not a registered record type")

    def decode(self, payload: Mapping[str, Any]) -> list[Record]:
        """The records in a row's payload, in the order their types were registered."""
        return [record_type.decode(payload[key])
                for key, (record_type, _) in self._types.items()
                if payload.get(key) is not None]

    def apply(self, tables: Any, payload: Mapping[str, Any], delivery: Any,
              now: datetime) -> None:
        """Record what a delivered send produced, as its payload asks (in the caller's
        transaction)."""
        for record in self.decode(payload):
            self._types[record.key][1](tables, record, delivery, now)
